//! The lint pipeline: inputs → facts → rules → report.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::ConfigFile;
use crate::diagnostic::{Diagnostic, Summary};
use crate::facts::{Device, DeviceKind, Fact, Facts, Origin, Target};
use crate::knowledge::{Knowledge, Version};
use crate::report::Report;
use crate::rules::{self, Context};
use crate::source::SourceFile;

/// Largest config read; InvokeAI configs are a few KB.
pub const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;

#[derive(Clone, Debug, Default)]
pub struct LintInput {
    pub paths: Vec<PathBuf>,
    pub invokeai_version: Option<String>,
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<String>,
    pub log: Option<PathBuf>,
    /// Read RAM/VRAM/device from this machine (`--detect`).
    pub detect: bool,
}

/// A problem with the run itself (exit 2).
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Facts from flags and the log, before any per-path config.
pub fn base_facts(input: &LintInput) -> Result<Facts, UsageError> {
    let mut facts = Facts::default();
    if let Some(path) = &input.log {
        let log = crate::log::read_log(path)
            .map_err(|e| UsageError(format!("cannot read log {}: {e}", path.display())))?;
        facts.apply_log(Arc::new(log));
    }
    if input.detect {
        // Host facts beat the log and lose to flags.
        let host = crate::host::detect();
        for note in &host.notes {
            eprintln!("invokeai-lint: --detect: {note}");
        }
        facts.ram_gib = host.ram_gib.or(facts.ram_gib);
        facts.vram_gib = host.vram_gib.or(facts.vram_gib);
        facts.device = host.device.or(facts.device);
        facts.os = host.os.or(facts.os);
    }
    if let Some(v) = input.vram_gb {
        facts.vram_gib = Some(Fact::new(v, Origin::Flag("--vram-gb".into())));
    }
    if let Some(v) = input.ram_gb {
        facts.ram_gib = Some(Fact::new(v, Origin::Flag("--ram-gb".into())));
    }
    if let Some(d) = &input.device {
        let kind = DeviceKind::parse(d)
            .ok_or_else(|| UsageError(format!("--device {d}: expected cuda, mps, cpu or xpu")))?;
        facts.device = Some(Fact::new(
            Device { kind, name: None },
            Origin::Flag("--device".into()),
        ));
    }
    facts.env_alloc_conf = std::env::var("PYTORCH_CUDA_ALLOC_CONF").ok();
    Ok(facts)
}

/// The release to lint against: the flag, else the newest log session, else the newest release.
pub fn choose_target(flag: Option<&str>, facts: &Facts) -> Result<Target, UsageError> {
    let kb = Knowledge::get();
    let (version, origin) = match flag {
        Some(text) => (
            Version::parse(text).map_err(|e| UsageError(format!("--invokeai-version: {e}")))?,
            Some(Origin::Flag("--invokeai-version".into())),
        ),
        None => match &facts.log_version {
            Some(f) => (f.value.clone(), Some(f.origin.clone())),
            None => (kb.newest().version.clone(), None),
        },
    };
    let release = kb.release_for(&version).ok_or_else(|| {
        UsageError(format!(
            "InvokeAI {version} is older than 3.0.0, the oldest release invokeai-lint knows (2.x used invokeai.init, not invokeai.yaml)"
        ))
    })?;
    Ok(Target {
        version,
        release,
        origin,
    })
}

/// Read and parse one config file. Errors are reasons to skip it.
pub fn load_config(path: &Path, display: &str) -> Result<ConfigFile, String> {
    let meta = std::fs::metadata(path).map_err(io_reason)?;
    if meta.is_dir() {
        return Err("is a directory".into());
    }
    if meta.len() > MAX_CONFIG_BYTES {
        return Err(format!(
            "is {} bytes; an invokeai.yaml is a few KB, so this is not one (limit {MAX_CONFIG_BYTES})",
            meta.len()
        ));
    }
    let bytes = std::fs::read(path).map_err(io_reason)?;
    let absolute = std::fs::canonicalize(path).ok();
    Ok(config_from_bytes(display, bytes).with_path(absolute))
}

/// Parse config bytes (a file's, or stdin's).
pub fn config_from_bytes(display: &str, bytes: Vec<u8>) -> ConfigFile {
    let (text, invalid_at) = decode(bytes);
    ConfigFile::parse(SourceFile::new(display, text)).with_invalid_utf8_at(invalid_at)
}

/// Decode as UTF-8; invalid bytes become U+FFFD so the file can still be shown, and the
/// offset of the first one is returned for the `invalid-encoding` rule.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

fn io_reason(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Run every rule over one parsed config.
pub fn check_config(config: &ConfigFile, facts: &Facts, target: &Target) -> Vec<Diagnostic> {
    let cx = Context::new(config, facts, target);
    let mut out = Vec::new();
    for rule in rules::all() {
        rule.check(&cx, &mut out);
    }
    out.extend(rules::missing_fact::report(&cx));
    out
}

/// The whole `lint` command as a library call.
pub fn lint(input: &LintInput) -> Result<Report, UsageError> {
    if input.paths.is_empty() {
        return Err(UsageError(
            "nothing to lint: give one or more invokeai.yaml files".into(),
        ));
    }
    let facts = base_facts(input)?;
    let target = choose_target(input.invokeai_version.as_deref(), &facts)?;
    let mut diagnostics = Vec::new();
    let mut skipped = Vec::new();
    let mut files = Vec::new();
    for path in &input.paths {
        let display = path.display().to_string();
        match load_config(path, &display) {
            Ok(config) => {
                files.push(display.clone());
                diagnostics.extend(check_config(&config, &facts, &target));
            }
            Err(why) => skipped.push((display, why)),
        }
    }
    finish(&mut diagnostics, &mut skipped);
    let summary = Summary::count(files.len(), &diagnostics);
    Ok(Report {
        invokeai_version: target.version.to_string(),
        target_source: target.source_kind(),
        files,
        diagnostics,
        skipped,
        summary,
    })
}

/// Sort by file and position, and drop exact repeats (a log finding seen from two configs).
fn finish(diagnostics: &mut Vec<Diagnostic>, _skipped: &mut [(String, String)]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
    diagnostics.dedup_by(|a, b| {
        a.code == b.code
            && a.location.file() == b.location.file()
            && a.location.span == b.location.span
            && a.message == b.message
    });
}

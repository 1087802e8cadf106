//! The lint pipeline: inputs → facts → rules → suppressions → selection → baseline → report.
//!
//! Two entry points: [`run`] is the whole `lint` command (discovery, linter configs per
//! file, logs, workers, baseline, exit settings); [`lint_text`] is the engine alone — one
//! config's text in memory, with the rule settings, facts and target given, and no
//! filesystem access — for an editor server or a fix loop ([`lint_config`] takes a parsed
//! config and can leave inline suppressions out).
//!
//! Per file: the nearest linter config's overrides give its rule settings and facts; facts are
//! then combined in order of trust (flags, linter config, `--detect`, the log); the
//! target release is chosen the same way; every rule runs; inline suppressions drop what
//! they silence; rule selection and severities are applied last, so a suppression of a
//! rule that is off for this path is still judged against what the rule found.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use crate::baseline::{self, Baseline};
use crate::config::ConfigFile;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::discover::{self, Candidate};
use crate::facts::{Device, DeviceKind, Fact, Facts, Origin, Target};
use crate::host::HostFacts;
use crate::knowledge::{Knowledge, Version};
use crate::linter_config::{self, ConfigFacts, FileSettings, Resolver};
use crate::log::LogFacts;
use crate::report::Report;
use crate::rules::{self, Context};
use crate::selection::{Layer, RuleSet};
use crate::source::SourceFile;
use crate::suppress;

pub use crate::config::MAX_CONFIG_BYTES;

/// The log `--log auto` looks for next to each config.
pub const AUTO_LOG_NAME: &str = "invokeai.log";

#[derive(Clone, Debug, Default)]
pub struct LintInput {
    /// Files and directories; `-` is stdin. Empty: the working directory.
    pub paths: Vec<PathBuf>,
    pub invokeai_version: Option<String>,
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<String>,
    pub os: Option<String>,
    /// A log file, or `auto`: `invokeai.log` next to each config.
    pub log: Option<PathBuf>,
    /// Read RAM/VRAM/device from this machine (`--detect`).
    pub detect: bool,
    /// `--config FILE`; None: `invokeai-lint.toml` found upward from the working directory.
    pub config: Option<PathBuf>,
    /// `--isolated`: no linter config at all.
    pub isolated: bool,
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    pub fail_on: Option<Severity>,
    pub max_warnings: Option<usize>,
    pub force_exclude: bool,
    pub no_inline_suppressions: bool,
    pub baseline: Option<PathBuf>,
    /// Name stdin's text for messages and config matching.
    pub stdin_filename: Option<PathBuf>,
    /// Stdin's bytes, for tests; None reads the process's stdin when `-` is given.
    pub stdin: Option<Vec<u8>>,
    /// Working directory for discovery and globs; None: the process's.
    pub cwd: Option<PathBuf>,
}

/// A problem with the run itself (exit 2).
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Findings against a baseline, for the closing note.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BaselineStats {
    pub known: usize,
    pub fixed: usize,
}

/// A lint run: the report and what decides the exit code.
pub struct Outcome {
    pub report: Report,
    /// The run's exit settings: flags, else the working directory's linter config.
    pub fail_on: Severity,
    pub max_warnings: Option<usize>,
    /// The linter config that set `max_warnings`, if one did.
    pub max_warnings_from: Option<String>,
    /// Files judged otherwise, because another linter config governs them.
    pub by_file: HashMap<String, ExitRule>,
    /// Said on stderr unless `--quiet`: walk problems, logs not found, suppressions used.
    pub notes: Vec<String>,
    pub baseline: Option<BaselineStats>,
    /// Findings silenced by inline suppressions.
    pub suppressed: usize,
    /// The working directory's linter config (or `--config`'s), as named in messages.
    pub linter_config: Option<String>,
    /// The emptied per-file results, kept rather than freed (see `run`); never read.
    #[allow(dead_code)]
    spent: Vec<Linted>,
}

/// Flag facts, checked once.
#[derive(Clone, Debug, Default)]
pub struct FlagFacts {
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<DeviceKind>,
    pub os: Option<String>,
    /// `PYTORCH_CUDA_ALLOC_CONF` from this process's environment, read once per run (a
    /// lookup takes the environment lock, and a tree has thousands of files).
    pub env_alloc_conf: Option<String>,
}

impl FlagFacts {
    pub fn from_input(input: &LintInput) -> Result<FlagFacts, UsageError> {
        let device = input
            .device
            .as_deref()
            .map(|d| {
                DeviceKind::parse(d).ok_or_else(|| {
                    UsageError(format!("--device {d}: expected cuda, mps, cpu or xpu"))
                })
            })
            .transpose()?;
        for (flag, v) in [("--vram-gb", input.vram_gb), ("--ram-gb", input.ram_gb)] {
            if let Some(x) = v {
                if !(x.is_finite() && x > 0.0) {
                    return Err(UsageError(format!(
                        "{flag} {x}: expected a number of GB greater than 0"
                    )));
                }
            }
        }
        let os = input
            .os
            .as_deref()
            .map(|o| {
                let lower = o.to_ascii_lowercase();
                if linter_config::OS_NAMES.contains(&lower.as_str()) {
                    Ok(lower)
                } else {
                    Err(UsageError(format!(
                        "--os {o}: expected {}",
                        linter_config::OS_NAMES.join(", ")
                    )))
                }
            })
            .transpose()?;
        Ok(FlagFacts {
            vram_gb: input.vram_gb,
            ram_gb: input.ram_gb,
            device,
            os,
            env_alloc_conf: std::env::var("PYTORCH_CUDA_ALLOC_CONF").ok(),
        })
    }
}

/// Facts for one file, in order of trust: flags, the linter config, `--detect`, the log.
pub fn combine_facts(
    log: Option<Arc<LogFacts>>,
    host: Option<&HostFacts>,
    config: &ConfigFacts,
    flags: &FlagFacts,
) -> Facts {
    let mut facts = Facts::default();
    if let Some(log) = log {
        facts.apply_log(log);
    }
    if let Some(host) = host {
        facts.ram_gib = host.ram_gib.clone().or(facts.ram_gib);
        facts.vram_gib = host.vram_gib.clone().or(facts.vram_gib);
        facts.device = host.device.clone().or(facts.device);
        facts.os = host.os.clone().or(facts.os);
    }
    if let Some(f) = &config.vram_gb {
        facts.vram_gib = Some(f.clone());
    }
    if let Some(f) = &config.ram_gb {
        facts.ram_gib = Some(f.clone());
    }
    if let Some(f) = &config.device {
        if let Some(kind) = DeviceKind::parse(&f.value) {
            facts.device = Some(Fact::new(Device { kind, name: None }, f.origin.clone()));
        }
    }
    if let Some(f) = &config.os {
        facts.os = Some(f.clone());
    }
    if let Some(v) = flags.vram_gb {
        facts.vram_gib = Some(Fact::new(v, Origin::Flag("--vram-gb".into())));
    }
    if let Some(v) = flags.ram_gb {
        facts.ram_gib = Some(Fact::new(v, Origin::Flag("--ram-gb".into())));
    }
    if let Some(kind) = flags.device {
        facts.device = Some(Fact::new(
            Device { kind, name: None },
            Origin::Flag("--device".into()),
        ));
    }
    if let Some(os) = &flags.os {
        facts.os = Some(Fact::new(os.clone(), Origin::Flag("--os".into())));
    }
    facts.env_alloc_conf = flags.env_alloc_conf.clone();
    facts
}

/// Facts from flags and the log, before any per-path config.
pub fn base_facts(input: &LintInput) -> Result<Facts, UsageError> {
    let flags = FlagFacts::from_input(input)?;
    let log = match &input.log {
        Some(path) if !is_auto(path) => Some(read_log(path)?),
        _ => None,
    };
    let host = input.detect.then(crate::host::detect);
    Ok(combine_facts(
        log,
        host.as_ref(),
        &ConfigFacts::default(),
        &flags,
    ))
}

fn is_auto(p: &Path) -> bool {
    p.as_os_str() == "auto"
}

fn read_log(path: &Path) -> Result<Arc<LogFacts>, UsageError> {
    crate::log::read_log(path)
        .map(Arc::new)
        .map_err(|e| UsageError(format!("cannot read log {}: {e}", path.display())))
}

/// The release to lint against: the flag, else the newest log session, else the newest release.
pub fn choose_target(flag: Option<&str>, facts: &Facts) -> Result<Target, UsageError> {
    choose_target_for(flag, None, facts)
}

/// The release to lint against: the flag, else the linter config's `invokeai_version` for
/// this path, else the newest log session, else the newest release.
pub fn choose_target_for(
    flag: Option<&str>,
    config: Option<&Fact<String>>,
    facts: &Facts,
) -> Result<Target, UsageError> {
    let kb = Knowledge::get();
    let (version, origin) = match (flag, config) {
        (Some(text), _) => (
            Version::parse_cached(text)
                .map_err(|e| UsageError(format!("--invokeai-version: {e}")))?,
            Some(Origin::Flag("--invokeai-version".into())),
        ),
        (None, Some(f)) => (
            Version::parse_cached(&f.value)
                .map_err(|e| UsageError(format!("{}: {e}", f.origin.describe())))?,
            Some(f.origin.clone()),
        ),
        (None, None) => match &facts.log_version {
            Some(f) => (f.value.clone(), Some(f.origin.clone())),
            None => (kb.newest().version.clone(), None),
        },
    };
    let release = kb.release_for(&version).ok_or_else(|| {
        let from = origin
            .as_ref()
            .map(|o| format!(" ({})", o.describe()))
            .unwrap_or_default();
        UsageError(format!(
            "InvokeAI {version}{from} is older than 3.0.0, the oldest release invokeai-lint knows (2.x used invokeai.init, not invokeai.yaml)"
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
    let bytes = read_config_bytes(path, false)?;
    let absolute = std::fs::canonicalize(path).ok();
    Ok(config_from_bytes(display, bytes).with_path(absolute))
}

/// A config's bytes: open and read, no stat (this runs once per file of a tree; a config
/// is a few KB, so one read usually takes it whole).
///
/// `regular`: the caller knows this is a regular file (the walk saw its type). POSIX lets
/// `read` on a regular file return less than asked only at the end of the file or when a
/// signal interrupts it, and this program handles no signals; so a read that does not
/// fill the buffer has reached the end, and the second `read` that would return 0 is
/// skipped (about a sixth of the time the kernel spends per file). Anything else (a named
/// path may be a pipe) is read until `read` returns 0.
pub fn read_config_bytes(path: &Path, regular: bool) -> Result<Vec<u8>, String> {
    /// The per-thread buffer's size: a config is a few KB.
    const ROOM: usize = 16 * 1024;
    thread_local! {
        // Read into one buffer per thread and copy out exactly what was read: the text
        // lives as long as its findings, so a roomy buffer per file would stay allocated.
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let file = crate::open::open(path).map_err(io_reason)?;
    // Reading at most one byte past the limit tells a too-large file without a stat, and
    // stops one that grows while it is read.
    let mut limited = file.take(MAX_CONFIG_BYTES + 1);
    let bytes: std::io::Result<Vec<u8>> = SCRATCH.with(|scratch| {
        let mut buf = scratch.borrow_mut();
        if regular {
            // Zeroed once per thread, then read into as it is.
            if buf.len() < ROOM {
                buf.resize(ROOM, 0);
            }
            let n = read_some(&mut limited, &mut buf)?;
            if n < buf.len() {
                return Ok(buf[..n].to_vec());
            }
            let mut all = buf[..n].to_vec();
            limited.read_to_end(&mut all)?;
            Ok(all)
        } else {
            buf.clear();
            buf.reserve(ROOM);
            limited.read_to_end(&mut buf)?;
            Ok(buf.to_vec())
        }
    });
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            return Err("is a directory".into())
        }
        Err(e) => return Err(io_reason(e)),
    };
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        let len = bytes.len() as u64;
        // Do not keep a multi-megabyte buffer around for the next small file.
        SCRATCH.with(|scratch| *scratch.borrow_mut() = Vec::new());
        return Err(too_big(len));
    }
    Ok(bytes)
}

/// One `read`, retried if a signal interrupts it before any byte arrives.
fn read_some(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn too_big(len: u64) -> String {
    format!(
        "is {len} bytes; an invokeai.yaml is a few KB, so this is not one (limit {MAX_CONFIG_BYTES})"
    )
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

/// One text's findings, after inline suppressions and rule selection.
#[derive(Debug, Default)]
pub struct TextFindings {
    /// Sorted by position, then rule code.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings that inline suppressions silenced.
    pub suppressed: usize,
}

/// **The engine's entry point**: lint one config held in memory, with the rule settings,
/// facts and target release given, and nothing read from disk. Runs every rule, applies
/// the text's inline suppressions (`# invokeai-lint: ignore[...]`, reporting unused ones)
/// and then `rules` (selection and severities), and returns the findings sorted.
///
/// This is what `lint` does for each file once it has read it and worked out its
/// settings ([`crate::linter_config::FileSettings::rules`]), facts ([`combine_facts`]) and
/// target ([`choose_target_for`]); an editor or a fix loop calls it directly. `name` is
/// how findings name the file. `missing-fact` findings are all kept (the run's
/// once-per-fact bookkeeping happens across files, outside this call).
pub fn lint_text(
    name: &str,
    text: &str,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
) -> Vec<Diagnostic> {
    let config = ConfigFile::parse(SourceFile::new(name, text));
    lint_config(&config, rules, facts, target, true).diagnostics
}

/// [`lint_text`] for a config already parsed (e.g. with [`config_from_bytes`], which also
/// notes invalid UTF-8); `inline_suppressions: false` is `--no-inline-suppressions`.
pub fn lint_config(
    config: &ConfigFile,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
    inline_suppressions: bool,
) -> TextFindings {
    let (found, _) =
        lint_config_unless_said(config, rules, facts, target, inline_suppressions, &|_| {
            false
        });
    found
}

/// [`lint_config`], without building the `missing-fact` findings that `said_before(fact)`
/// says an earlier file already reports (unless the text has suppressions, which may be
/// the ones that use them, or the rule is off here); which facts those were comes back too.
fn lint_config_unless_said(
    config: &ConfigFile,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
    inline_suppressions: bool,
    said_before: &dyn Fn(rules::Needed) -> bool,
) -> (TextFindings, [bool; 3]) {
    let sup = inline_suppressions.then(|| suppress::parse(config.source.text()));
    let may_skip = sup.as_ref().is_none_or(|s| s.is_empty())
        && rules.is_enabled(rules::missing_fact::META.code);
    let (mut diags, unsaid) = check_config_selected_unless_said(
        config,
        facts,
        target,
        |name| rules.is_enabled_name(name),
        |fact| may_skip && said_before(fact),
    );
    let mut suppressed = 0;
    if let Some(sup) = sup {
        let applied = suppress::apply(&sup, &config.source, diags);
        suppressed = applied.suppressed;
        diags = applied.kept;
        diags.extend(applied.unused);
    }
    let mut diagnostics = apply_selection(diags, rules);
    finish(&mut diagnostics);
    (
        TextFindings {
            diagnostics,
            suppressed,
        },
        unsaid,
    )
}

/// Run every rule over one parsed config.
pub fn check_config(config: &ConfigFile, facts: &Facts, target: &Target) -> Vec<Diagnostic> {
    check_config_selected(config, facts, target, |_| true)
}

/// Run every rule; `missing-fact` only mentions rules for which `enabled(name)` holds, so
/// a fact needed only by rules that are off is not asked for.
pub fn check_config_selected(
    config: &ConfigFile,
    facts: &Facts,
    target: &Target,
    enabled: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    check_config_selected_unless_said(config, facts, target, enabled, |_| false).0
}

/// [`check_config_selected`], without the `missing-fact` finding for facts that
/// `said(fact)` reports as said elsewhere; which facts those were comes back too.
fn check_config_selected_unless_said(
    config: &ConfigFile,
    facts: &Facts,
    target: &Target,
    enabled: impl Fn(&str) -> bool,
    said: impl Fn(rules::Needed) -> bool,
) -> (Vec<Diagnostic>, [bool; 3]) {
    let cx = Context::new(config, facts, target);
    let mut out = Vec::new();
    // A file InvokeAI cannot read as a mapping has no settings: judging what it "does not
    // set" would only invent findings. Syntax and log findings still stand.
    let readable = matches!(
        config.layout,
        crate::config::Layout::Flat | crate::config::Layout::V3Nested
    );
    for rule in rules::all() {
        let category = rule.meta().category;
        if !readable
            && matches!(
                category,
                rules::Category::Schema | rules::Category::Memory | rules::Category::Device
            )
        {
            continue;
        }
        rule.check(&cx, &mut out);
    }
    let mut unsaid = [false; 3];
    for (fact, rule, at) in cx.take_needed() {
        if !enabled(rule) {
            continue;
        }
        if said(fact) {
            unsaid[fact_index(fact)] = true;
        } else {
            cx.need(fact, rule, at);
        }
    }
    out.extend(rules::missing_fact::report(&cx));
    (out, unsaid)
}

/// Keep the findings of enabled rules, at their configured severity.
pub fn apply_selection(diags: Vec<Diagnostic>, rules: &RuleSet) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter_map(|mut d| match rules.get(d.code) {
            Some(r) if !r.enabled => None,
            Some(r) => {
                // Only a configured severity replaces the rule's own choice (a rule may
                // lower its default, e.g. unknown keys under 3.x are warnings).
                if r.severity_from.is_some() {
                    d.severity = r.severity;
                }
                Some(d)
            }
            None => Some(d),
        })
        .collect()
}

/// The linter configs of a run: `--isolated` none, `--config FILE` that one for every
/// file, else the nearest to each file (see [`crate::linter_config::resolve`]).
pub fn resolver(input: &LintInput, cwd: &Path) -> Result<Resolver, UsageError> {
    Resolver::new(input.config.as_deref(), input.isolated, cwd).map_err(UsageError)
}

/// Stop on the linter configs that could not be used (exit 2, every one said).
fn config_errors(resolver: &Resolver) -> Result<(), UsageError> {
    let errors = resolver.errors();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(UsageError(errors.join("\n")))
    }
}

/// One file's result, boxed where it is made: a tree's results are then sorted and
/// gathered as pointers, and the main thread needs no large fresh block for them.
type Linted = Box<FileResult>;

/// One file's findings and the release it was linted against.
struct FileResult {
    /// The file as shown; a file reached twice (same display) is linted once.
    display: String,
    diagnostics: Vec<Diagnostic>,
    skipped: Option<String>,
    suppressed: usize,
    target: Option<(Arc<str>, &'static str)>,
    error: Option<UsageError>,
    /// The log linted with it, for the baseline's scope.
    log_file: Option<String>,
    /// `missing-fact` findings dropped here because an earlier file has the same one.
    missing_dropped: [usize; 3],
    /// Some `missing-fact` finding is still here: the final pass over the files need not
    /// look through the findings of the others.
    missing_kept: bool,
    /// Some finding is in another file (a log): the run's findings then need a final sort.
    elsewhere: bool,
    /// The settings it was linted with: its linter config's `fail-on` and `max-warnings`
    /// judge it.
    settings: Arc<FileSettings>,
}

/// Everything a worker needs for one file.
struct Job {
    candidate: Candidate,
    stdin: bool,
    settings: Arc<FileSettings>,
    log: Option<Arc<LogFacts>>,
}

struct Shared<'a> {
    input: &'a LintInput,
    /// The target when `--invokeai-version` gives it: the same for every file, so made
    /// once (with its text for the summary) instead of per file.
    flag_target: Option<(Target, Arc<str>)>,
    flags: FlagFacts,
    host: Option<HostFacts>,
    /// Per missing fact, the first file (by name) known so far to report it. A missing
    /// fact is said once per run: on a tree of configs without facts, once per file would
    /// bury every other finding.
    first_missing: Mutex<[Option<String>; 3]>,
}

fn fact_index(f: rules::Needed) -> usize {
    match f {
        rules::Needed::Vram => 0,
        rules::Needed::Ram => 1,
        rules::Needed::Device => 2,
    }
}

/// Per fact, whether a file before `display` (by name) already reports it missing. The
/// first file only moves earlier as files finish, so a yes stays right.
fn missing_said_before(display: &str, shared: &Shared<'_>) -> [bool; 3] {
    let Ok(first) = shared.first_missing.lock() else {
        return [false; 3];
    };
    first
        .each_ref()
        .map(|f| f.as_deref().is_some_and(|earlier| earlier < display))
}

/// Keep a file's `missing-fact` findings only while no file before it (by name) has the
/// same one. Files are linted in any order, so this keeps a superset; `keep_first_missing`
/// settles it once every file is done.
fn drop_later_missing(result: &mut FileResult, shared: &Shared<'_>) {
    if !result
        .diagnostics
        .iter()
        .any(|d| rules::missing_fact::fact_of(d).is_some())
    {
        return;
    }
    let Ok(mut first) = shared.first_missing.lock() else {
        // Kept as they are; the final pass over the files settles them.
        result.missing_kept = true;
        return;
    };
    let display = &result.display;
    let dropped = &mut result.missing_dropped;
    let kept = &mut result.missing_kept;
    result.diagnostics.retain(|d| {
        let Some(f) = rules::missing_fact::fact_of(d) else {
            return true;
        };
        let i = fact_index(f);
        match &first[i] {
            Some(earlier) if earlier < display => {
                dropped[i] += 1;
                false
            }
            _ => {
                first[i] = Some(display.clone());
                *kept = true;
                true
            }
        }
    });
}

/// After all files, in their final order: one `missing-fact` per fact, in the first file
/// that had it, telling how many other configs lacked the fact too.
fn keep_first_missing(results: &mut [Linted]) {
    let mut others = [0usize; 3];
    let mut kept = [false; 3];
    for r in results.iter_mut() {
        for (o, d) in others.iter_mut().zip(r.missing_dropped) {
            *o += d;
        }
        if !r.missing_kept {
            continue;
        }
        r.diagnostics.retain(|d| {
            let Some(f) = rules::missing_fact::fact_of(d) else {
                return true;
            };
            let i = fact_index(f);
            if kept[i] {
                others[i] += 1;
                false
            } else {
                kept[i] = true;
                true
            }
        });
    }
    for r in results.iter_mut().filter(|r| r.missing_kept) {
        for d in &mut r.diagnostics {
            if let Some(f) = rules::missing_fact::fact_of(d) {
                rules::missing_fact::note_others(d, others[fact_index(f)]);
            }
        }
    }
}

/// Turns a found file into a job: the linter-config settings and the log that apply to
/// it. Shared by the threads that lint while the walk goes on.
struct JobMaker<'a> {
    resolver: &'a Resolver,
    flag_layer: &'a Layer,
    cwd: &'a Path,
    no_config: Arc<FileSettings>,
    /// Settings per linter config (its chain's id) and set of matching overrides, made
    /// once per pair.
    by_overrides: Mutex<HashMap<SettingsKey, Arc<FileSettings>>>,
    shared_log: Option<Arc<LogFacts>>,
    auto_log: bool,
    /// `--log auto`: the log of each directory, read once, outside the map's lock.
    logs_by_dir: Mutex<HashMap<PathBuf, AutoLog>>,
    notes: Mutex<Vec<String>>,
    /// Configs with no log beside them, said once rather than once per file.
    no_log: Mutex<Vec<String>>,
}

type AutoLog = Arc<OnceLock<Option<Arc<LogFacts>>>>;

/// A linter config chain's id and the overrides of it that match a file.
type SettingsKey = (usize, Vec<usize>);

impl JobMaker<'_> {
    fn job(&self, candidate: Candidate, stdin: bool) -> Job {
        let chain = if stdin && candidate.path.as_os_str() == "-" {
            self.resolver.for_cwd()
        } else {
            self.resolver.for_file(&candidate.path)
        };
        let settings = match chain {
            Ok(Some(c)) => {
                let matched = c.matching_overrides(self.cwd, &candidate.path);
                match self.by_overrides.lock() {
                    Ok(mut map) => {
                        Arc::clone(map.entry((c.id, matched)).or_insert_with_key(|(_, m)| {
                            Arc::new(c.settings_for(m, self.flag_layer))
                        }))
                    }
                    Err(_) => Arc::new(c.settings_for(&matched, self.flag_layer)),
                }
            }
            // A config that cannot be used stops the run once the files are done
            // (`config_errors`); until then the file is linted without one.
            Ok(None) | Err(_) => Arc::clone(&self.no_config),
        };
        let log = if self.auto_log {
            self.auto_log_for(&candidate)
        } else {
            self.shared_log.clone()
        };
        Job {
            candidate,
            stdin,
            settings,
            log,
        }
    }

    fn auto_log_for(&self, candidate: &Candidate) -> Option<Arc<LogFacts>> {
        let dir = linter_config::absolute(self.cwd, &candidate.path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.cwd.to_path_buf());
        let cell = match self.logs_by_dir.lock() {
            Ok(mut map) => Arc::clone(map.entry(dir.clone()).or_default()),
            Err(_) => Arc::default(),
        };
        let log = cell
            .get_or_init(|| {
                let mut notes = Vec::new();
                let log = auto_log_for(&dir, self.cwd, &mut notes);
                if let Ok(mut n) = self.notes.lock() {
                    n.extend(notes);
                }
                log
            })
            .clone();
        if log.is_none() && !dir.join(AUTO_LOG_NAME).is_file() {
            if let Ok(mut n) = self.no_log.lock() {
                n.push(candidate.display.clone());
            }
        }
        log
    }

    /// The notes gathered while making jobs, in a stable order.
    fn into_notes(self) -> Vec<String> {
        let mut notes = self.notes.into_inner().unwrap_or_default();
        notes.sort();
        let mut no_log = self.no_log.into_inner().unwrap_or_default();
        if !no_log.is_empty() {
            no_log.sort();
            notes.push(format!(
                "--log auto: no {AUTO_LOG_NAME} next to {}",
                list_some(&no_log, 3)
            ));
        }
        notes
    }
}

/// Lint the files named and the configs found under the directories given. Walked files
/// are linted as the walk finds them (on every core, so the walk costs no time of its own);
/// the results come back in the order files are shown, each file once.
fn lint_inputs(
    inputs: &discover::Inputs,
    named: Vec<(Candidate, bool)>,
    maker: &JobMaker<'_>,
    shared: &Shared<'_>,
) -> (Vec<Linted>, Vec<String>) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A thread is not worth starting for a few named files (the pre-commit case).
    let threads = if inputs.has_dirs() {
        cores
    } else {
        cores.min(named.len().div_ceil(32))
    };
    let (mut results, notes) = if threads <= 1 && !inputs.has_dirs() {
        let results = named
            .into_iter()
            .map(|(c, stdin)| lint_one(maker.job(c, stdin), shared))
            .collect();
        (results, Vec::new())
    } else {
        lint_on_workers(threads, inputs, named, maker, shared)
    };
    // Files named alone are read on this thread, which outlives the run.
    crate::open::forget();
    results.sort_by(|a, b| a.display.cmp(&b.display));
    results.dedup_by(|a, b| a.display == b.display);
    keep_first_missing(&mut results);
    (results, notes)
}

/// Workers take files from a channel that the named files and then the walk feed, so no
/// core waits for the walk to end or for another core's share of the files.
fn lint_on_workers(
    threads: usize,
    inputs: &discover::Inputs,
    named: Vec<(Candidate, bool)>,
    maker: &JobMaker<'_>,
    shared: &Shared<'_>,
) -> (Vec<Linted>, Vec<String>) {
    // Files go in batches (see `discover::BATCH`); the flag says the batch is stdin's.
    let (tx, rx) = std::sync::mpsc::channel::<(Vec<Candidate>, bool)>();
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    crate::open::private_fd_table();
                    let mut done = Vec::new();
                    loop {
                        let next = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok((batch, stdin)) = next else { break };
                        for candidate in batch {
                            done.push(lint_one(maker.job(candidate, stdin), shared));
                        }
                    }
                    // Sorted here, in parallel: the main thread then merges sorted runs.
                    done.sort_by(|a, b| a.display.cmp(&b.display));
                    done
                })
            })
            .collect();
        // The receivers live until the sender is dropped below.
        let (stdin, files): (Vec<_>, Vec<_>) = named.into_iter().partition(|(_, stdin)| *stdin);
        for (c, _) in stdin {
            let _ = tx.send((vec![c], true));
        }
        let mut files = files.into_iter().map(|(c, _)| c).peekable();
        while files.peek().is_some() {
            let _ = tx.send((files.by_ref().take(discover::BATCH).collect(), false));
        }
        let notes = inputs.walk(&|batch| {
            let _ = tx.send((batch, false));
        });
        drop(tx);
        let mut results = Vec::new();
        for w in workers {
            match w.join() {
                Ok(v) => results.extend(v),
                // A panic in a rule is a bug; re-raise it rather than lose files silently.
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        (results, notes)
    })
}

fn lint_one(job: Job, shared: &Shared<'_>) -> Linted {
    let mut result = Box::new(FileResult {
        display: job.candidate.display,
        log_file: job.log.as_ref().map(|l| l.file.clone()),
        diagnostics: Vec::new(),
        skipped: None,
        suppressed: 0,
        target: None,
        error: None,
        missing_dropped: [0; 3],
        missing_kept: false,
        elsewhere: false,
        settings: Arc::clone(&job.settings),
    });
    let bytes = match job.candidate.bytes {
        Some(bytes) if bytes.len() as u64 > MAX_CONFIG_BYTES => Err(too_big(bytes.len() as u64)),
        Some(bytes) => Ok(bytes),
        None => read_config_bytes(&job.candidate.path, job.candidate.regular),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(why) => {
            result.skipped = Some(why);
            return result;
        }
    };
    // The absolute path only matters next to a log (is this the file InvokeAI reads?), and
    // resolving it costs a readlink per path component, so only then.
    let path = if job.stdin || job.log.is_none() {
        None
    } else {
        std::fs::canonicalize(&job.candidate.path).ok()
    };
    let config = config_from_bytes(&result.display, bytes).with_path(path);
    let facts = combine_facts(
        job.log,
        shared.host.as_ref(),
        &job.settings.facts,
        &shared.flags,
    );
    let per_file;
    let target = match &shared.flag_target {
        Some((t, text)) => {
            result.target = Some((Arc::clone(text), t.source_kind()));
            t
        }
        None => match choose_target_for(None, job.settings.facts.invokeai_version.as_ref(), &facts)
        {
            Ok(t) => {
                result.target = Some((t.version.to_string().into(), t.source_kind()));
                per_file = t;
                &per_file
            }
            Err(e) => {
                result.error = Some(e);
                return result;
            }
        },
    };
    let said = std::cell::OnceCell::new();
    let (found, unsaid) = lint_config_unless_said(
        &config,
        &job.settings.rules,
        &facts,
        target,
        !shared.input.no_inline_suppressions,
        // Asked only when a rule lacked a fact; the lock is taken once per file at most.
        &|fact| said.get_or_init(|| missing_said_before(&result.display, shared))[fact_index(fact)],
    );
    for (d, skipped) in result.missing_dropped.iter_mut().zip(unsaid) {
        *d += usize::from(skipped);
    }
    result.suppressed = found.suppressed;
    // Sorted already, here on the worker, so the run's final sort meets one ascending run
    // per file and has little left to do on the main thread.
    result.diagnostics = found.diagnostics;
    drop_later_missing(&mut result, shared);
    // Kept until every file is done: give back the growth room now, while this thread can
    // still reuse it for the next file, instead of taking fresh pages for each file.
    result.diagnostics.shrink_to_fit();
    for d in &mut result.diagnostics {
        d.remember_bounds();
        result.elsewhere |= !Arc::ptr_eq(&d.location.source, &config.source);
    }
    result
}

fn read_stdin(input: &LintInput) -> Result<Vec<u8>, UsageError> {
    if let Some(b) = &input.stdin {
        return Ok(b.clone());
    }
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut buf)
        .map_err(|e| UsageError(format!("cannot read stdin: {e}")))?;
    Ok(buf)
}

/// The whole `lint` command as a library call.
pub fn run(input: &LintInput) -> Result<Outcome, UsageError> {
    let cwd = match &input.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()
            .map_err(|e| UsageError(format!("cannot read the working directory: {e}")))?,
    };
    let resolver = Arc::new(resolver(input, &cwd)?);
    let flag_layer =
        Layer::from_flags(input.select.as_deref(), &input.extend_select, &input.ignore)
            .map_err(UsageError)?;
    let flags = FlagFacts::from_input(input)?;
    let flag_target = match &input.invokeai_version {
        Some(v) => {
            let t = choose_target_for(Some(v), None, &Facts::default())?;
            let text: Arc<str> = t.version.to_string().into();
            Some((t, text))
        }
        None => None,
    };
    // The run's own exit settings: flags, else the working directory's linter config.
    // Files another config governs are judged by theirs (`ExitRule`).
    let cwd_config = resolver.for_cwd().map_err(UsageError)?;
    let fail_on = input
        .fail_on
        .or(cwd_config.as_ref().and_then(|c| c.fail_on()).map(|f| f.0))
        .unwrap_or(Severity::Error);
    let (max_warnings, max_warnings_from) = match (input.max_warnings, &cwd_config) {
        (Some(n), _) => (Some(n), None),
        (None, Some(c)) => c
            .max_warnings()
            .map_or((None, None), |(n, f)| (Some(n), Some(f))),
        (None, None) => (None, None),
    };
    let baseline = input
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()
        .map_err(UsageError)?;

    // Discovery.
    let given: Vec<PathBuf> = if input.paths.is_empty() {
        // `--stdin-filename` alone means stdin (editors pipe the buffer); else the
        // working directory, like ruff.
        if input.stdin_filename.is_some() {
            vec![PathBuf::from("-")]
        } else {
            vec![PathBuf::from(".")]
        }
    } else {
        input.paths.clone()
    };
    let (stdin_given, on_disk): (Vec<PathBuf>, Vec<PathBuf>) =
        given.iter().cloned().partition(|p| p.as_os_str() == "-");
    let mut inputs = discover::split(&on_disk, &resolver, input.force_exclude);
    let mut force_excluded = std::mem::take(&mut inputs.found.force_excluded);
    let mut named: Vec<(Candidate, bool)> = std::mem::take(&mut inputs.found.files)
        .into_iter()
        .map(|c| (c, false))
        .collect();
    if !stdin_given.is_empty() {
        let name = input.stdin_filename.clone();
        let excluded = input.force_exclude
            && name.as_ref().is_some_and(|n| {
                resolver
                    .for_file(n)
                    .ok()
                    .flatten()
                    .is_some_and(|c| c.excludes(&cwd, n))
            });
        let bytes = read_stdin(input)?;
        if excluded {
            force_excluded.push(name.as_deref().map_or("-".into(), discover::display));
        } else {
            named.push((
                Candidate {
                    path: name.clone().unwrap_or_else(|| PathBuf::from("-")),
                    display: name.as_deref().map_or("<stdin>".into(), discover::display),
                    bytes: Some(bytes),
                    regular: false,
                },
                true,
            ));
        }
    }

    // Logs: one for all, or `invokeai.log` next to each config.
    let shared_log = match &input.log {
        Some(p) if !is_auto(p) => Some(read_log(p)?),
        _ => None,
    };
    let maker = JobMaker {
        resolver: &resolver,
        flag_layer: &flag_layer,
        cwd: &cwd,
        no_config: Arc::new(linter_config::settings_without_config(&flag_layer)),
        by_overrides: Mutex::new(HashMap::new()),
        shared_log: shared_log.clone(),
        auto_log: input.log.as_deref().is_some_and(is_auto),
        logs_by_dir: Mutex::new(HashMap::new()),
        notes: Mutex::new(Vec::new()),
        no_log: Mutex::new(Vec::new()),
    };
    let mut detect_notes = Vec::new();
    let host = input.detect.then(|| {
        let h = crate::host::detect();
        detect_notes.extend(h.notes.iter().map(|n| format!("--detect: {n}")));
        h
    });
    let shared = Shared {
        input,
        flag_target,
        flags,
        host,
        first_missing: Mutex::new([None, None, None]),
    };
    let (results, walk_notes) = lint_inputs(&inputs, named, &maker, &shared);
    config_errors(&resolver)?;
    let mut notes = walk_notes;
    notes.extend(maker.into_notes());
    notes.extend(detect_notes);

    if results.is_empty() {
        if !force_excluded.is_empty() {
            notes.push(format!(
                "nothing linted: {} excluded by {} (--force-exclude)",
                force_excluded.join(", "),
                cwd_config
                    .as_ref()
                    .map_or("the linter config", |c| c.display())
            ));
            return Ok(Outcome {
                report: empty_report(),
                fail_on,
                max_warnings,
                max_warnings_from,
                by_file: HashMap::new(),
                notes,
                baseline: None,
                suppressed: 0,
                linter_config: cwd_config.map(|c| c.display().to_string()),
                spent: Vec::new(),
            });
        }
        let places: Vec<String> = given.iter().map(|p| discover::display(p)).collect();
        return Err(UsageError(format!(
            "no InvokeAI configs found under {} (looked for invokeai*.yaml and YAML files with a top-level `schema_version` or `InvokeAI` key; name files explicitly to lint them whatever their name)",
            places.join(", ")
        )));
    }

    // What the baseline speaks for: the files linted and their logs, so findings it lists
    // for files outside this run are not counted as fixed.
    let mut scope: HashSet<String> = HashSet::new();
    if baseline.is_some() {
        if let Some(l) = &shared_log {
            scope.insert(baseline::normalise_file(&l.file));
        }
        for r in &results {
            scope.insert(baseline::normalise_file(&r.display));
            if let Some(l) = &r.log_file {
                scope.insert(baseline::normalise_file(l));
            }
        }
    }

    let mut diagnostics = Vec::with_capacity(results.iter().map(|r| r.diagnostics.len()).sum());
    let mut skipped = Vec::new();
    let mut files = Vec::with_capacity(results.len());
    let mut targets: Vec<(Arc<str>, &'static str)> = Vec::new();
    let mut suppressed = 0;
    let run_rule = ExitRule {
        fail_on,
        max_warnings,
        config: max_warnings_from.clone(),
    };
    let mut by_file: HashMap<String, ExitRule> = HashMap::new();
    // The per-file results are emptied, not freed: they were allocated on the workers, and
    // giving ten thousand of them back one by one from this thread took as long as the
    // rest of this loop. They go into the outcome, which `lint` forgets before exiting.
    let mut results = results;
    for r in &mut results {
        if let Some(e) = r.error.take() {
            return Err(e);
        }
        if let Some(why) = r.skipped.take() {
            skipped.push((std::mem::take(&mut r.display), why));
            continue;
        }
        if let Some(t) = &r.target {
            if !targets.contains(t) {
                targets.push(t.clone());
            }
        }
        suppressed += r.suppressed;
        if input.fail_on.is_none() || input.max_warnings.is_none() {
            let rule = ExitRule::for_file(input, &r.settings);
            if rule != run_rule {
                by_file.insert(r.display.clone(), rule);
            }
        }
        files.push(std::mem::take(&mut r.display));
        diagnostics.append(&mut r.diagnostics);
    }
    // Each file's findings are in order and the files are; only findings in another file
    // (a log several configs share) can be out of place or repeated.
    if results.iter().any(|r| r.elsewhere) {
        finish(&mut diagnostics);
    }
    let stats = baseline.map(|b| {
        let compared = baseline::compare(&b, std::mem::take(&mut diagnostics), &scope);
        diagnostics = compared.new;
        BaselineStats {
            known: compared.known,
            fixed: compared.fixed,
        }
    });
    let summary = Summary::count(files.len(), &diagnostics);
    let (invokeai_version, target_source) = describe_targets(&targets);
    Ok(Outcome {
        report: Report {
            invokeai_version,
            target_source,
            files,
            diagnostics,
            skipped,
            summary,
        },
        fail_on,
        max_warnings,
        max_warnings_from,
        by_file,
        notes,
        baseline: stats,
        suppressed,
        linter_config: cwd_config.map(|c| c.display().to_string()),
        spent: results,
    })
}

/// `invokeai.log` in a config's directory, for `--log auto`; absence is not an error (the
/// caller lists the configs without one), an unreadable log is a note.
fn auto_log_for(dir: &Path, cwd: &Path, notes: &mut Vec<String>) -> Option<Arc<LogFacts>> {
    let path = dir.join(AUTO_LOG_NAME);
    if !path.is_file() {
        return None;
    }
    let shown = path
        .strip_prefix(cwd)
        .map_or(path.clone(), Path::to_path_buf);
    match crate::log::read_log(&shown) {
        Ok(l) => Some(Arc::new(l)),
        Err(e) => {
            notes.push(format!("--log auto: cannot read {}: {e}", shown.display()));
            None
        }
    }
}

/// "a, b and c", or "a, b, c and 7 more" past `max` items.
fn list_some(items: &[String], max: usize) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() <= max => format!(
            "{} and {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
        _ => format!("{} and {} more", items[..max].join(", "), items.len() - max),
    }
}

/// The report's one version and source, when files were linted against several.
fn describe_targets(targets: &[(Arc<str>, &'static str)]) -> (String, &'static str) {
    let Some(first) = targets.first() else {
        return (Knowledge::get().newest().version.to_string(), "default");
    };
    let mut versions: Vec<&str> = Vec::new();
    for (v, _) in targets {
        if !versions.contains(&&**v) {
            versions.push(v);
        }
    }
    let kinds: Vec<&str> = targets.iter().map(|(_, k)| *k).collect();
    let kind = if kinds.iter().all(|k| *k == first.1) {
        first.1
    } else if kinds.contains(&"config") {
        "config"
    } else if kinds.contains(&"log") {
        "log"
    } else {
        first.1
    };
    (versions.join(", "), kind)
}

fn empty_report() -> Report {
    Report {
        invokeai_version: String::new(),
        target_source: "default",
        files: Vec::new(),
        diagnostics: Vec::new(),
        skipped: Vec::new(),
        summary: Summary::default(),
    }
}

/// The `lint` command's report (see [`run`] for everything else the run decides).
pub fn lint(input: &LintInput) -> Result<Report, UsageError> {
    run(input).map(|o| o.report)
}

/// Sort by file and position, and drop exact repeats (a log finding seen from two configs).
fn finish(diagnostics: &mut Vec<Diagnostic>) {
    // The order of `Diagnostic::sort_key`, compared in place: building the key allocates,
    // and a tree of configs has tens of thousands of findings to sort.
    // Findings of one file share its source: the pointer settles the file without
    // comparing names, which for a tree are long and share their start.
    let same_file = |a: &Diagnostic, b: &Diagnostic| {
        Arc::ptr_eq(&a.location.source, &b.location.source)
            || a.location.file() == b.location.file()
    };
    let order = |a: &Diagnostic, b: &Diagnostic| {
        let file = if same_file(a, b) {
            std::cmp::Ordering::Equal
        } else {
            a.location.file().cmp(b.location.file())
        };
        file.then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.code.cmp(b.code))
    };
    // Files sorted on the workers and joined in path order are usually in order already
    // (only findings in a log shared by several configs are not); the stable sort would
    // take scratch memory the size of the findings even then.
    if !diagnostics.is_sorted_by(|a, b| order(a, b).is_le()) {
        diagnostics.sort_by(order);
    }
    diagnostics.dedup_by(|a, b| {
        a.code == b.code
            && a.location.span == b.location.span
            && same_file(a, b)
            && a.message == b.message
    });
}

/// What makes a run fail for one file: its `fail-on` and `max-warnings`, the flags' or
/// else those of the linter config that governs it.
#[derive(Clone, Debug, PartialEq)]
pub struct ExitRule {
    pub fail_on: Severity,
    pub max_warnings: Option<usize>,
    /// The linter config that set `max-warnings`; its files' warnings are counted together.
    pub config: Option<String>,
}

impl ExitRule {
    fn for_file(input: &LintInput, settings: &FileSettings) -> ExitRule {
        let fail_on = input
            .fail_on
            .or(settings.fail_on.as_ref().map(|f| f.0))
            .unwrap_or(Severity::Error);
        let (max_warnings, config) = match (input.max_warnings, &settings.max_warnings) {
            (Some(n), _) => (Some(n), None),
            (None, Some((n, file))) => (Some(*n), Some(file.clone())),
            (None, None) => (None, None),
        };
        ExitRule {
            fail_on,
            max_warnings,
            config,
        }
    }
}

/// Why a run fails, if it does. 0 clean, 1 findings at or above `fail_on` or more
/// warnings than allowed, 2 inputs that could not be read. Each file is judged by its
/// own [`ExitRule`].
pub fn exit_code(o: &Outcome, exit_zero: bool) -> (i32, Option<String>) {
    if !o.report.skipped.is_empty() {
        return (
            2,
            Some(format!(
                "{} of the inputs could not be linted",
                o.report.skipped.len()
            )),
        );
    }
    if exit_zero {
        return (0, None);
    }
    let run_rule = ExitRule {
        fail_on: o.fail_on,
        max_warnings: o.max_warnings,
        config: o.max_warnings_from.clone(),
    };
    let rule_of = |d: &Diagnostic| o.by_file.get(d.location.file()).unwrap_or(&run_rule);
    let failing = o
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity >= rule_of(d).fail_on)
        .count();
    if failing > 0 {
        return (1, None);
    }
    if o.by_file.is_empty() {
        if let Some(max) = o.max_warnings {
            let warnings = o.report.summary.warnings;
            if warnings > max {
                return (
                    1,
                    Some(format!(
                        "{warnings} warnings, more than --max-warnings {max} allows"
                    )),
                );
            }
        }
        return (0, None);
    }
    // Warnings counted per linter config that sets `max-warnings` (the run's own count
    // the rest).
    let mut counts: Vec<(&ExitRule, usize)> = Vec::new();
    for d in &o.report.diagnostics {
        if d.severity != Severity::Warning {
            continue;
        }
        let rule = rule_of(d);
        match counts.iter_mut().find(|(r, _)| r.config == rule.config) {
            Some((_, n)) => *n += 1,
            None => counts.push((rule, 1)),
        }
    }
    for (rule, warnings) in counts {
        let Some(max) = rule.max_warnings else {
            continue;
        };
        if warnings > max {
            let why = match &rule.config {
                Some(file) => format!(
                    "{warnings} warnings in the files {file} governs, more than its max-warnings {max} allows"
                ),
                None => format!("{warnings} warnings, more than --max-warnings {max} allows"),
            };
            return (1, Some(why));
        }
    }
    (0, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;

    fn outcome(
        sevs: &[Severity],
        skipped: usize,
        fail_on: Severity,
        max: Option<usize>,
    ) -> Outcome {
        let src = SourceFile::new("f.yaml", "a: 1\n");
        let diagnostics: Vec<Diagnostic> = sevs
            .iter()
            .map(|s| {
                Diagnostic::new(
                    rules::find("unknown-key").unwrap(),
                    Location::new(&src, Default::default()),
                    "m",
                )
                .severity(*s)
            })
            .collect();
        let summary = Summary::count(1, &diagnostics);
        Outcome {
            report: Report {
                invokeai_version: "5.9.1".into(),
                target_source: "flag",
                files: vec!["f.yaml".into()],
                diagnostics,
                skipped: (0..skipped)
                    .map(|i| (format!("f{i}"), "no such file".into()))
                    .collect(),
                summary,
            },
            fail_on,
            max_warnings: max,
            max_warnings_from: None,
            by_file: HashMap::new(),
            notes: vec![],
            baseline: None,
            suppressed: 0,
            linter_config: None,
            spent: Vec::new(),
        }
    }

    #[test]
    fn exit_codes_follow_the_contract() {
        use Severity::*;
        assert_eq!(exit_code(&outcome(&[], 0, Error, None), false).0, 0);
        assert_eq!(
            exit_code(&outcome(&[Warning, Info], 0, Error, None), false).0,
            0
        );
        assert_eq!(exit_code(&outcome(&[Error], 0, Error, None), false).0, 1);
        assert_eq!(
            exit_code(&outcome(&[Warning], 0, Warning, None), false).0,
            1
        );
        assert_eq!(exit_code(&outcome(&[Info], 0, Warning, None), false).0, 0);
        assert_eq!(exit_code(&outcome(&[Info], 0, Info, None), false).0, 1);
        assert_eq!(exit_code(&outcome(&[Error], 0, Error, None), true).0, 0);
        assert_eq!(exit_code(&outcome(&[], 1, Error, None), true).0, 2);
        let (code, why) = exit_code(&outcome(&[Warning, Warning], 0, Error, Some(1)), false);
        assert_eq!(code, 1);
        assert_eq!(
            why.unwrap(),
            "2 warnings, more than --max-warnings 1 allows"
        );
        assert_eq!(
            exit_code(&outcome(&[Warning], 0, Error, Some(1)), false).0,
            0
        );
    }

    #[test]
    fn facts_follow_the_order_of_trust() {
        let host = HostFacts {
            vram_gib: Some(Fact::new(8.0, Origin::Host("nvidia-smi".into()))),
            ram_gib: Some(Fact::new(16.0, Origin::Host("sysinfo".into()))),
            ..Default::default()
        };
        let config = ConfigFacts {
            vram_gb: Some(Fact::new(
                12.0,
                Origin::LinterConfig {
                    file: "invokeai-lint.toml".into(),
                    detail: "[facts] vram_gb".into(),
                },
            )),
            device: Some(Fact::new(
                "mps".into(),
                Origin::LinterConfig {
                    file: "invokeai-lint.toml".into(),
                    detail: "[facts] device".into(),
                },
            )),
            ..Default::default()
        };
        let none = FlagFacts::default();
        let f = combine_facts(None, Some(&host), &config, &none);
        assert_eq!(f.vram_gib.as_ref().unwrap().value, 12.0);
        assert_eq!(f.ram_gib.as_ref().unwrap().value, 16.0);
        assert_eq!(f.device.as_ref().unwrap().value.kind, DeviceKind::Mps);
        let flags = FlagFacts {
            vram_gb: Some(24.0),
            os: Some("windows".into()),
            ..Default::default()
        };
        let f = combine_facts(None, Some(&host), &config, &flags);
        assert_eq!(f.vram_gib.unwrap().origin, Origin::Flag("--vram-gb".into()));
        assert_eq!(f.os.unwrap().value, "windows");
    }

    #[test]
    fn flag_facts_are_checked() {
        let bad = LintInput {
            device: Some("gpu".into()),
            ..Default::default()
        };
        assert!(FlagFacts::from_input(&bad)
            .unwrap_err()
            .0
            .contains("--device gpu"));
        let bad = LintInput {
            vram_gb: Some(-2.0),
            ..Default::default()
        };
        assert!(FlagFacts::from_input(&bad)
            .unwrap_err()
            .0
            .contains("--vram-gb"));
        let bad = LintInput {
            os: Some("beos".into()),
            ..Default::default()
        };
        assert!(FlagFacts::from_input(&bad)
            .unwrap_err()
            .0
            .contains("--os beos"));
        let ok = LintInput {
            os: Some("Windows".into()),
            ..Default::default()
        };
        assert_eq!(
            FlagFacts::from_input(&ok).unwrap().os.as_deref(),
            Some("windows")
        );
    }

    #[test]
    fn selection_drops_rules_that_are_off_and_remaps_configured_severities() {
        let src = SourceFile::new("f.yaml", "a: 1\n");
        let d = |name: &str| {
            Diagnostic::new(
                rules::find(name).unwrap(),
                Location::new(&src, Default::default()),
                "m",
            )
        };
        let mut layer = Layer::new(crate::selection::LayerOrigin::Flags);
        layer.ignore = vec![crate::selection::Selector::parse("deprecated-key").unwrap()];
        layer.severity = vec![(
            crate::selection::Selector::parse("unknown-key").unwrap(),
            crate::selection::Level::On(Severity::Info),
        )];
        let set = RuleSet::defaults().with_layers([&layer]);
        let out = apply_selection(
            vec![
                d("unknown-key").severity(Severity::Warning),
                d("deprecated-key"),
                d("wrong-type").severity(Severity::Warning),
            ],
            &set,
        );
        let got: Vec<(&str, Severity)> = out.iter().map(|d| (d.name, d.severity)).collect();
        assert_eq!(
            got,
            vec![
                ("unknown-key", Severity::Info),
                ("wrong-type", Severity::Warning)
            ]
        );
    }

    #[test]
    fn reading_refuses_directories_and_missing_files_with_a_reason() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(
            read_config_bytes(t.path(), false).unwrap_err(),
            "is a directory"
        );
        assert_eq!(
            read_config_bytes(&t.path().join("nope.yaml"), false).unwrap_err(),
            "no such file"
        );
        let f = t.path().join("invokeai.yaml");
        std::fs::write(&f, "a: 1\n").unwrap();
        assert_eq!(read_config_bytes(&f, false).unwrap(), b"a: 1\n");
    }

    #[test]
    fn regular_files_read_whole_at_every_size_around_the_buffer_and_the_limit() {
        // One read when the file fits the per-thread buffer; on to the end when it fills
        // it; refused past the limit. The same bytes as the read-to-the-end path.
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("invokeai.yaml");
        let limit = usize::try_from(MAX_CONFIG_BYTES).unwrap();
        for len in [
            0,
            1,
            5,
            16 * 1024 - 1,
            16 * 1024,
            16 * 1024 + 1,
            100_000,
            limit,
        ] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&f, &text).unwrap();
            for regular in [true, false] {
                let got = read_config_bytes(&f, regular).unwrap();
                assert_eq!(got.len(), len, "regular={regular}");
                assert!(got == text, "regular={regular} len={len}");
            }
        }
        std::fs::write(&f, vec![b'x'; limit + 1]).unwrap();
        for regular in [true, false] {
            let err = read_config_bytes(&f, regular).unwrap_err();
            assert!(err.contains("an invokeai.yaml is a few KB"), "{err}");
        }
        // The buffer is back to small reads after a too-large file.
        std::fs::write(&f, "a: 1\n").unwrap();
        assert_eq!(read_config_bytes(&f, true).unwrap(), b"a: 1\n");
        assert_eq!(
            read_config_bytes(t.path(), true).unwrap_err(),
            "is a directory"
        );
    }

    #[test]
    fn lint_text_applies_suppressions_and_selection_without_touching_disk() {
        let facts = Facts::default();
        let target = choose_target(Some("5.9.1"), &facts).unwrap();
        let text = "schema_version: 4.0.2\nnot_a_key: 1\nnor_this: 2  # invokeai-lint: disable=unknown-key\n";
        let all = RuleSet::defaults();
        let names = |d: &[Diagnostic]| -> Vec<(u32, &'static str)> {
            d.iter()
                .map(|d| (d.location.start().line, d.name))
                .collect()
        };
        let found = lint_text("mem.yaml", text, &all, &facts, &target);
        assert_eq!(names(&found), vec![(2, "unknown-key")], "{found:?}");
        assert_eq!(found[0].location.file(), "mem.yaml");
        let mut layer = Layer::new(crate::selection::LayerOrigin::Flags);
        layer.ignore = vec![crate::selection::Selector::parse("unknown-key").unwrap()];
        let quiet = RuleSet::defaults().with_layers([&layer]);
        assert!(lint_text("mem.yaml", text, &quiet, &facts, &target).is_empty());
        let config = config_from_bytes("mem.yaml", text.as_bytes().to_vec());
        let raw = lint_config(&config, &all, &facts, &target, false);
        assert_eq!(raw.suppressed, 0);
        assert_eq!(
            names(&raw.diagnostics),
            vec![(2, "unknown-key"), (3, "unknown-key")]
        );
        assert_eq!(
            lint_config(&config, &all, &facts, &target, true).suppressed,
            1
        );
    }

    #[test]
    fn long_lists_are_cut() {
        let v = |n: usize| (0..n).map(|i| format!("f{i}")).collect::<Vec<_>>();
        assert_eq!(list_some(&v(1), 3), "f0");
        assert_eq!(list_some(&v(3), 3), "f0, f1 and f2");
        assert_eq!(list_some(&v(5), 3), "f0, f1, f2 and 2 more");
    }

    #[test]
    fn several_targets_are_listed_once_each() {
        assert_eq!(
            describe_targets(&[
                ("5.5.0".into(), "config"),
                ("5.9.1".into(), "config"),
                ("5.5.0".into(), "config"),
            ]),
            ("5.5.0, 5.9.1".to_string(), "config")
        );
        assert_eq!(
            describe_targets(&[("5.5.0".into(), "default"), ("5.9.1".into(), "config")]).1,
            "config"
        );
    }
}

//! Stage 3, facts: one file's facts, combined in order of trust — flags, the linter config,
//! `--detect` (this machine), the log.

use std::path::Path;
use std::sync::Arc;

use super::input::{FlagFacts, LintInput, UsageError};
use crate::facts::{Device, DeviceKind, Fact, Facts, Origin};
use crate::host::HostFacts;
use crate::linter_config::ConfigFacts;
use crate::log::LogFacts;

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

pub(super) fn is_auto(p: &Path) -> bool {
    p.as_os_str() == "auto"
}

pub(super) fn read_log(path: &Path) -> Result<Arc<LogFacts>, UsageError> {
    crate::log::read_log(path)
        .map(Arc::new)
        .map_err(|e| UsageError(format!("cannot read log {}: {e}", path.display())))
}

/// What the reader noticed in a log, for the run's notes on stderr. A log with no
/// InvokeAI start-up in it (not an InvokeAI log at all, or cut after the start) is said
/// plainly: nothing is taken from it, and the release linted against does not come
/// from it.
pub(super) fn log_notes(log: &LogFacts, how: &str) -> Vec<String> {
    const NO_STARTUP: &str = "no InvokeAI start-up lines found";
    let mut notes: Vec<String> = log
        .notes
        .iter()
        .filter(|n| !n.starts_with(NO_STARTUP))
        .map(|n| format!("{how} {}: {n}", log.file))
        .collect();
    if log.sessions.is_empty() {
        let what = if log.lines == 0 {
            "is empty".to_string()
        } else {
            "is not an InvokeAI log, or holds no InvokeAI start-up (no version, root or device line)"
                .to_string()
        };
        notes.push(format!(
            "{how} {}: {what}; no facts were taken from it",
            log.file
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

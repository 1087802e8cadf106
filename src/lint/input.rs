//! Stage 1, inputs: what a `lint` run was asked to do (paths, flags, stdin), and the flag
//! facts checked once for the whole run.

use std::io::Read;
use std::path::PathBuf;

use crate::config::MAX_CONFIG_BYTES;
use crate::diagnostic::Severity;
use crate::facts::DeviceKind;
use crate::linter_config;

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
    /// `--fix` / `--diff`: fix each file in memory until no fix applies; the report is
    /// of the fixed text, and [`super::Outcome::fixed`] holds it (nothing is written here).
    pub fix: Option<crate::fix::FixMode>,
}

/// A problem with the run itself (exit 2).
#[derive(Debug, PartialEq)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
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

pub(super) fn read_stdin(input: &LintInput) -> Result<Vec<u8>, UsageError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}

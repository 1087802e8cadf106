//! `print-config [PATH]`: the settings and facts that apply to one file, and where each
//! came from — the answer to "why did (or didn't) this rule fire on the 12 GB boxes?".

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Serialize;

use crate::diagnostic::Severity;
use crate::facts::{Fact, Origin};
use crate::lint::{self, FlagFacts, LintInput, UsageError};
use crate::linter_config::{self, settings_for_path};
use crate::selection::Layer;

#[derive(Debug, Serialize)]
pub struct Shown {
    pub value: Option<String>,
    /// `default`, `unknown`, a flag, a log line, or `invokeai-lint.toml <table> <key>`.
    pub from: String,
}

#[derive(Debug, Serialize)]
pub struct RuleShown {
    pub code: &'static str,
    pub name: &'static str,
    pub enabled: bool,
    pub severity: Severity,
    pub enabled_from: String,
    pub severity_from: String,
}

#[derive(Debug, Serialize)]
pub struct View {
    pub file: Option<String>,
    /// The linter config that applies to the file (the nearest, or `--config`'s).
    pub linter_config: Option<String>,
    /// The configs it extends, nearest first.
    pub extends: Vec<String>,
    /// The `[[overrides]]` entries that match the file.
    pub overrides: Vec<String>,
    pub invokeai_version: Shown,
    pub vram_gb: Shown,
    pub ram_gb: Shown,
    pub device: Shown,
    pub os: Shown,
    pub fail_on: Shown,
    pub max_warnings: Shown,
    pub rules: Vec<RuleShown>,
}

fn from(o: Option<&Origin>) -> String {
    o.map_or_else(|| "default".to_string(), Origin::describe)
}

fn fact<T>(f: Option<&Fact<T>>, show: impl Fn(&T) -> String) -> Shown {
    match f {
        Some(f) => Shown {
            value: Some(show(&f.value)),
            from: f.origin.describe(),
        },
        None => Shown {
            value: None,
            from: "unknown".to_string(),
        },
    }
}

/// Work out what applies to `path` (which need not exist) under `input`'s flags.
pub fn view(input: &LintInput, path: Option<&Path>) -> Result<View, UsageError> {
    let cwd = match &input.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()
            .map_err(|e| UsageError(format!("cannot read the working directory: {e}")))?,
    };
    let resolver = lint::resolver(input, &cwd)?;
    let flag_layer =
        Layer::from_flags(input.select.as_deref(), &input.extend_select, &input.ignore)
            .map_err(UsageError)?;
    let flags = FlagFacts::from_input(input)?;
    let (config, settings) = settings_for_path(&resolver, path, &flag_layer).map_err(UsageError)?;
    let log = match &input.log {
        Some(p) if p.as_os_str() == "auto" => path
            .and_then(|p| {
                linter_config::absolute(&cwd, p)
                    .parent()
                    .map(Path::to_path_buf)
            })
            .map(|d| d.join(lint::AUTO_LOG_NAME))
            .filter(|p| p.is_file()),
        Some(p) => Some(p.clone()),
        None => None,
    };
    let log = log
        .map(|p: PathBuf| {
            crate::log::read_log(&p)
                .map(Arc::new)
                .map_err(|e| UsageError(format!("cannot read log {}: {e}", p.display())))
        })
        .transpose()?;
    let host = input.detect.then(crate::host::detect);
    let facts = lint::combine_facts(log, host.as_ref(), &settings.facts, &flags);
    let target = lint::choose_target_for(
        input.invokeai_version.as_deref(),
        settings.facts.invokeai_version.as_ref(),
        &facts,
    )?;
    let (fail_on, fail_from) = match (input.fail_on, &settings.fail_on) {
        (Some(s), _) => (s, "--fail-on".to_string()),
        (None, Some((s, file))) => (*s, format!("{file} fail-on")),
        (None, None) => (Severity::Error, "default".to_string()),
    };
    let (max_warnings, max_from) = match (input.max_warnings, &settings.max_warnings) {
        (Some(n), _) => (Some(n), "--max-warnings".to_string()),
        (None, Some((n, file))) => (Some(*n), format!("{file} max-warnings")),
        (None, None) => (None, "default (no limit)".to_string()),
    };
    Ok(View {
        file: path.map(crate::discover::display),
        linter_config: config.as_ref().map(|c| c.display().to_string()),
        extends: config
            .as_ref()
            .map(|c| c.displays().split_off(1))
            .unwrap_or_default(),
        overrides: settings.overrides.clone(),
        invokeai_version: Shown {
            value: Some(target.version.to_string()),
            from: match &target.origin {
                Some(o) => o.describe(),
                None => "default (the newest final release known)".to_string(),
            },
        },
        vram_gb: fact(facts.vram_gib.as_ref(), |v| crate::rules::util::gib(*v)),
        ram_gb: fact(facts.ram_gib.as_ref(), |v| crate::rules::util::gib(*v)),
        device: fact(facts.device.as_ref(), |d| match &d.name {
            Some(n) => format!("{} ({n})", d.kind.as_str()),
            None => d.kind.as_str().to_string(),
        }),
        os: fact(facts.os.as_ref(), Clone::clone),
        fail_on: Shown {
            value: Some(fail_on.as_str().to_string()),
            from: fail_from,
        },
        max_warnings: Shown {
            value: max_warnings.map(|n| n.to_string()),
            from: max_from,
        },
        rules: settings
            .rules
            .rules
            .iter()
            .map(|r| RuleShown {
                code: r.meta.code,
                name: r.meta.name,
                enabled: r.enabled,
                severity: r.severity,
                enabled_from: from(r.enabled_from.as_ref()),
                severity_from: from(r.severity_from.as_ref()),
            })
            .collect(),
    })
}

/// Aligned text for people.
pub fn render_text(v: &View) -> String {
    let mut s = String::new();
    let line = |s: &mut String, k: &str, value: &str, from: &str| {
        s.push_str(&format!("  {k:<17} {value:<10} {from}\n"));
    };
    s.push_str(&format!(
        "file              {}\n",
        v.file
            .as_deref()
            .unwrap_or("(none given: top-level settings)")
    ));
    s.push_str(&format!(
        "linter config     {}\n",
        v.linter_config.as_deref().unwrap_or("none")
    ));
    if !v.extends.is_empty() {
        s.push_str(&format!("extends           {}\n", v.extends.join(", ")));
    }
    if !v.overrides.is_empty() {
        s.push_str(&format!("overrides         {}\n", v.overrides.join(", ")));
    }
    s.push_str("\nfacts\n");
    for (k, f) in [
        ("invokeai_version", &v.invokeai_version),
        ("vram_gb", &v.vram_gb),
        ("ram_gb", &v.ram_gb),
        ("device", &v.device),
        ("os", &v.os),
    ] {
        line(&mut s, k, f.value.as_deref().unwrap_or("-"), &f.from);
    }
    s.push_str("\nexit\n");
    line(
        &mut s,
        "fail-on",
        v.fail_on.value.as_deref().unwrap_or("-"),
        &v.fail_on.from,
    );
    line(
        &mut s,
        "max-warnings",
        v.max_warnings.value.as_deref().unwrap_or("-"),
        &v.max_warnings.from,
    );
    s.push_str("\nrules\n");
    let name_w = v.rules.iter().map(|r| r.name.len()).max().unwrap_or(0);
    for r in &v.rules {
        let state = if r.enabled { "on " } else { "off" };
        let mut why = Vec::new();
        if r.enabled_from != "default" {
            why.push(format!(
                "{} by {}",
                if r.enabled { "on" } else { "off" },
                r.enabled_from
            ));
        }
        if r.severity_from != "default" {
            why.push(format!("severity by {}", r.severity_from));
        }
        let why = if why.is_empty() {
            String::new()
        } else {
            format!("  ({})", why.join("; "))
        };
        let line = format!(
            "  {}  {:<name_w$}  {state}  {:<7}{why}",
            r.code,
            r.name,
            r.severity.as_str(),
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet(dir: &Path) {
        std::fs::write(
            dir.join("invokeai-lint.toml"),
            "ignore = [\"deprecated-key\"]\n[facts]\ninvokeai_version = \"5.9.1\"\n\
             [[overrides]]\npaths = [\"small/**\"]\nfacts = { vram_gb = 8 }\nseverity = { unknown-key = \"warning\" }\n",
        )
        .unwrap();
    }

    #[test]
    fn shows_where_each_setting_and_fact_came_from() {
        let t = tempfile::tempdir().unwrap();
        fleet(t.path());
        let input = LintInput {
            cwd: Some(t.path().to_path_buf()),
            ram_gb: Some(32.0),
            ..Default::default()
        };
        let v = view(&input, Some(Path::new("small/invokeai.yaml"))).unwrap();
        assert_eq!(v.linter_config.as_deref(), Some("invokeai-lint.toml"));
        assert_eq!(v.overrides, vec!["[[overrides]] #1 (small/**)"]);
        assert_eq!(v.invokeai_version.value.as_deref(), Some("5.9.1"));
        assert_eq!(
            v.invokeai_version.from,
            "invokeai-lint.toml [facts] invokeai_version"
        );
        assert_eq!(v.vram_gb.value.as_deref(), Some("8"));
        assert_eq!(
            v.vram_gb.from,
            "invokeai-lint.toml [[overrides]] #1 (small/**) vram_gb"
        );
        assert_eq!(v.ram_gb.from, "--ram-gb");
        assert_eq!(v.device.from, "unknown");
        let uk = v.rules.iter().find(|r| r.name == "unknown-key").unwrap();
        assert_eq!(uk.severity, Severity::Warning);
        let dk = v.rules.iter().find(|r| r.name == "deprecated-key").unwrap();
        assert!(!dk.enabled);
        assert_eq!(dk.enabled_from, "invokeai-lint.toml ignore");
        let text = render_text(&v);
        assert!(text.contains("  vram_gb           8          invokeai-lint.toml [[overrides]] #1 (small/**) vram_gb\n"), "{text}");
        assert!(text.contains("deprecated-key"), "{text}");

        let other = view(&input, Some(Path::new("big/invokeai.yaml"))).unwrap();
        assert!(other.overrides.is_empty());
        assert_eq!(other.vram_gb.value, None);
    }

    #[test]
    fn without_a_linter_config_everything_is_default() {
        let t = tempfile::tempdir().unwrap();
        let input = LintInput {
            cwd: Some(t.path().to_path_buf()),
            isolated: true,
            ..Default::default()
        };
        let v = view(&input, None).unwrap();
        assert_eq!(v.linter_config, None);
        assert!(v
            .rules
            .iter()
            .all(|r| r.enabled && r.enabled_from == "default"));
        assert_eq!(v.fail_on.value.as_deref(), Some("error"));
        assert_eq!(v.fail_on.from, "default");
    }
}

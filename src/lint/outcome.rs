//! Stage 7, the outcome: the report and what decides the exit code (each file judged by
//! the `fail-on` and `max-warnings` of the linter config that governs it, flags first).

use std::collections::HashMap;
use std::sync::Arc;

use super::input::LintInput;
use super::result::Linted;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::knowledge::Knowledge;
use crate::linter_config::FileSettings;
use crate::report::Report;

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
    /// With `--fix` / `--diff`: the files the fixes change, in report order.
    pub fixed: Vec<crate::fix::FixedFile>,
    /// The emptied per-file results, kept rather than freed (see `run`); never read.
    #[allow(dead_code)]
    pub(super) spent: Vec<Linted>,
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
    pub(super) fn for_file(input: &LintInput, settings: &FileSettings) -> ExitRule {
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
                        "{}, more than --max-warnings {max} allows",
                        crate::report::plural(warnings, "warning")
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
                    "{} in the files {file} governs, more than its max-warnings {max} allows",
                    crate::report::plural(warnings, "warning")
                ),
                None => format!(
                    "{}, more than --max-warnings {max} allows",
                    crate::report::plural(warnings, "warning")
                ),
            };
            return (1, Some(why));
        }
    }
    (0, None)
}

/// The report's one version and source, when files were linted against several.
pub(super) fn describe_targets(targets: &[(Arc<str>, &'static str)]) -> (String, &'static str) {
    let Some(first) = targets.first() else {
        return (
            Knowledge::get().newest_final().version.to_string(),
            "default",
        );
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

pub(super) fn empty_report() -> Report {
    Report {
        invokeai_version: String::new(),
        target_source: "default",
        files: Vec::new(),
        diagnostics: Vec::new(),
        skipped: Vec::new(),
        summary: Summary::default(),
        fail_on: Severity::Error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::rules;
    use crate::source::SourceFile;

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
                fail_on: Severity::Error,
            },
            fail_on,
            max_warnings: max,
            max_warnings_from: None,
            by_file: HashMap::new(),
            notes: vec![],
            baseline: None,
            suppressed: 0,
            linter_config: None,
            fixed: Vec::new(),
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

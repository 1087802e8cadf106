//! Renderers for the one diagnostic model, one file per output format.
//!
//! Every renderer reads the same [`Report`]; none of them re-reads a file or
//! re-parses anything. What several formats share lives here: the docs URL of a
//! rule, the stable fingerprint, the summary sentence.

use std::io::{self, IsTerminal, Write};

use crate::diagnostic::{Diagnostic, Severity, Summary};

mod concise;
mod fingerprint;
mod github;
mod gitlab;
pub mod human;
mod json;
mod junit;
mod sarif;
mod window;

pub use fingerprint::fingerprints;

/// What was linted and what was found, ready to render.
pub struct Report {
    /// The InvokeAI version linted against and where it came from (`flag`, `log`, `config`, `default`).
    pub invokeai_version: String,
    pub target_source: &'static str,
    /// The configs that were linted, as given, in the order linted. JUnit needs them to
    /// give a clean file its passing test case.
    pub files: Vec<String>,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be linted: (path, why).
    pub skipped: Vec<(String, String)>,
    pub summary: Summary,
    /// The lowest severity that fails the run (`--fail-on`): JUnit makes failures of these
    /// and passing cases of the rest.
    pub fail_on: Severity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
}

/// Width the human report wraps at when stdout is not a terminal: fixed, so that
/// output piped to a file or compared in a test does not depend on who ran it.
pub const PIPE_WIDTH: usize = 100;

/// How the human report is drawn here: fitted to the terminal when stdout is one.
pub fn human_style(color: bool) -> human::Style {
    let fit = io::stdout().is_terminal();
    let width = if fit {
        crate::table::terminal_width().unwrap_or(PIPE_WIDTH)
    } else {
        PIPE_WIDTH
    };
    human::Style { color, width, fit }
}

/// Render a report. `color` only matters for `human`.
pub fn render(report: &Report, format: Format, color: bool, out: &mut dyn Write) -> io::Result<()> {
    match format {
        Format::Human => human::render(report, &human_style(color), out),
        Format::Concise => concise::render(report, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, out),
        Format::Github => github::render(report, out),
        Format::Gitlab => gitlab::render(report, out),
        Format::Junit => junit::render(report, out),
    }
}

/// Where a rule's documentation lives; the one place that knows the URL scheme.
pub fn rule_doc_url(name: &str) -> String {
    format!("https://github.com/invokeai-lint/invokeai-lint/blob/main/rules/{name}.md")
}

/// The project's home page, for SARIF's `informationUri`.
pub const HOME_URL: &str = "https://github.com/invokeai-lint/invokeai-lint";

/// The closing sentence of the human and concise formats, e.g.
/// `Found 3 errors, 1 warning in 2 files (linted against InvokeAI 5.9.1, from --invokeai-version)`.
pub fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    let counts: Vec<String> = [
        (s.errors, "error"),
        (s.warnings, "warning"),
        (s.infos, "info"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, word)| plural(*n, word))
    .collect();
    let target = target_phrase(report);
    let hidden = match s.baseline_hidden {
        0 => String::new(),
        n => format!("; {} hidden by the baseline", plural(n, "known finding")),
    };
    if let Some(fixable) = fixable_line(report) {
        return format!(
            "Found {} in {}{hidden} ({target}); {fixable}",
            counts.join(", "),
            plural(s.files, "file")
        );
    }
    if counts.is_empty() {
        match (s.files, hidden.is_empty()) {
            (0, _) => format!("No files linted ({target})"),
            (n, false) => format!(
                "No new findings in {}{hidden} ({target})",
                plural(n, "file")
            ),
            (1, true) => format!("1 file clean ({target})"),
            (n, true) => format!("All {n} files clean ({target})"),
        }
    } else {
        format!(
            "Found {} in {}{hidden} ({target})",
            counts.join(", "),
            plural(s.files, "file")
        )
    }
}

/// How a finding's fix is marked in the human and concise formats.
pub fn fix_mark(a: crate::diagnostic::Applicability) -> &'static str {
    match a {
        crate::diagnostic::Applicability::Safe => "fix",
        crate::diagnostic::Applicability::Unsafe => "fix (unsafe)",
    }
}

/// `3 fixable with --fix (1 more with --unsafe-fixes)`, when a finding has a fix.
pub fn fixable_line(report: &Report) -> Option<String> {
    let (mut safe, mut unsafe_) = (0, 0);
    for d in &report.diagnostics {
        match d.fix.as_ref().map(|f| f.applicability) {
            Some(crate::diagnostic::Applicability::Safe) => safe += 1,
            Some(crate::diagnostic::Applicability::Unsafe) => unsafe_ += 1,
            None => {}
        }
    }
    match (safe, unsafe_) {
        (0, 0) => None,
        (s, 0) => Some(format!("{s} fixable with --fix")),
        (0, u) => Some(format!("{u} fixable with --fix --unsafe-fixes")),
        (s, u) => Some(format!(
            "{s} fixable with --fix ({u} more with --unsafe-fixes)"
        )),
    }
}

fn target_phrase(report: &Report) -> String {
    let version = &report.invokeai_version;
    let from = match report.target_source {
        "flag" => "from --invokeai-version".to_string(),
        "log" => "from the log".to_string(),
        "config" => "from invokeai-lint.toml".to_string(),
        "default" => {
            return format!(
                "linted against InvokeAI {version}, the newest final release known; pass --invokeai-version to choose"
            )
        }
        other => format!("from {other}"),
    };
    format!("linted against InvokeAI {version}, {from}")
}

pub(crate) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// A rule's code and name: every diagnostic carries them from its rule's RuleMeta.
fn rule_ident(d: &Diagnostic) -> (&'static str, &'static str) {
    (d.code, d.name)
}

/// The message with the help appended on its own line, for formats that have one text field.
fn message_with_help(d: &Diagnostic) -> String {
    match &d.help {
        Some(help) => format!("{}\nhelp: {help}", d.message),
        None => d.message.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(
        files: usize,
        errors: usize,
        warnings: usize,
        infos: usize,
        src: &'static str,
    ) -> Report {
        Report {
            invokeai_version: "5.9.1".into(),
            target_source: src,
            files: Vec::new(),
            diagnostics: Vec::new(),
            skipped: Vec::new(),
            summary: Summary {
                files,
                errors,
                warnings,
                infos,
                baseline_hidden: 0,
            },
            fail_on: Severity::Error,
        }
    }

    #[test]
    fn summary_counts_only_what_was_found_with_plurals() {
        assert_eq!(
            summary_line(&report(2, 3, 1, 0, "flag")),
            "Found 3 errors, 1 warning in 2 files (linted against InvokeAI 5.9.1, from --invokeai-version)"
        );
        assert_eq!(
            summary_line(&report(1, 0, 0, 2, "log")),
            "Found 2 infos in 1 file (linted against InvokeAI 5.9.1, from the log)"
        );
    }

    #[test]
    fn summary_of_a_clean_run_says_where_the_version_came_from() {
        assert_eq!(
            summary_line(&report(2, 0, 0, 0, "default")),
            "All 2 files clean (linted against InvokeAI 5.9.1, the newest final release known; pass --invokeai-version to choose)"
        );
        assert_eq!(
            summary_line(&report(1, 0, 0, 0, "config")),
            "1 file clean (linted against InvokeAI 5.9.1, from invokeai-lint.toml)"
        );
    }

    #[test]
    fn summary_says_how_many_findings_the_baseline_hid() {
        let mut r = report(2, 0, 0, 0, "flag");
        r.summary.baseline_hidden = 8;
        assert_eq!(
            summary_line(&r),
            "No new findings in 2 files; 8 known findings hidden by the baseline (linted against InvokeAI 5.9.1, from --invokeai-version)"
        );
        let mut r = report(1, 0, 1, 0, "flag");
        r.summary.baseline_hidden = 1;
        assert_eq!(
            summary_line(&r),
            "Found 1 warning in 1 file; 1 known finding hidden by the baseline (linted against InvokeAI 5.9.1, from --invokeai-version)"
        );
    }

    #[test]
    fn doc_url_names_the_rule_doc() {
        assert_eq!(
            rule_doc_url("unknown-key"),
            "https://github.com/invokeai-lint/invokeai-lint/blob/main/rules/unknown-key.md"
        );
    }
}

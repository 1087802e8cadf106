//! JUnit XML, for CI systems that show test reports: one test suite per file, one
//! test case per finding, and one passing case for a file with no finding.
//!
//! Findings at or above `--fail-on` (errors, by default) are `<failure>`s, as they
//! are what fails the run. The others are passing cases that carry their text in
//! `<system-out>`: a run that exits 0 should not turn a test report red. A file that could not be linted is an `<error>`.

use std::io::{self, Write};

use super::{rule_ident, Report};
use crate::diagnostic::{Diagnostic, Severity};

/// One `<testsuite>`: a file and what happened to it.
struct Suite<'a> {
    file: &'a str,
    findings: Vec<&'a Diagnostic>,
    skipped: Option<&'a str>,
    fail_on: Severity,
}

impl Suite<'_> {
    fn tests(&self) -> usize {
        self.findings.len().max(1)
    }
    fn failures(&self) -> usize {
        self.findings
            .iter()
            .filter(|d| d.severity >= self.fail_on)
            .count()
    }
    fn errors(&self) -> usize {
        usize::from(self.skipped.is_some())
    }
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let suites = suites(report);
    let tests: usize = suites.iter().map(Suite::tests).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let errors: usize = suites.iter().map(Suite::errors).sum();
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="invokeai-lint" tests="{tests}" failures="{failures}" errors="{errors}">"#
    )?;
    for suite in &suites {
        write_suite(suite, out)?;
    }
    writeln!(out, "</testsuites>")
}

/// Linted files in the order linted, then skipped ones, then any other file a
/// finding points at (a log).
fn suites(report: &Report) -> Vec<Suite<'_>> {
    let mut suites: Vec<Suite<'_>> = report
        .files
        .iter()
        .map(|f| Suite {
            file: f,
            findings: Vec::new(),
            skipped: None,
            fail_on: report.fail_on,
        })
        .collect();
    for (file, why) in &report.skipped {
        suites.push(Suite {
            file,
            findings: Vec::new(),
            skipped: Some(why),
            fail_on: report.fail_on,
        });
    }
    for d in &report.diagnostics {
        let file = d.location.file();
        match suites.iter_mut().find(|s| s.file == file) {
            Some(suite) => suite.findings.push(d),
            None => suites.push(Suite {
                file,
                findings: vec![d],
                skipped: None,
                fail_on: report.fail_on,
            }),
        }
    }
    suites
}

fn write_suite(suite: &Suite<'_>, out: &mut dyn Write) -> io::Result<()> {
    let file = escape(suite.file);
    writeln!(
        out,
        r#"  <testsuite name="{file}" tests="{}" failures="{}" errors="{}" skipped="0">"#,
        suite.tests(),
        suite.failures(),
        suite.errors()
    )?;
    if let Some(why) = suite.skipped {
        writeln!(
            out,
            r#"    <testcase name="lint" classname="{file}" file="{file}">"#
        )?;
        writeln!(
            out,
            r#"      <error message="{}" type="skipped">{}</error>"#,
            escape(&format!("not linted: {why}")),
            escape_text(why)
        )?;
        writeln!(out, "    </testcase>")?;
    } else if suite.findings.is_empty() {
        writeln!(
            out,
            r#"    <testcase name="lint" classname="{file}" file="{file}"/>"#
        )?;
    }
    for d in &suite.findings {
        write_case(d, &file, suite.fail_on, out)?;
    }
    writeln!(out, "  </testsuite>")
}

fn write_case(
    d: &Diagnostic,
    file: &str,
    fail_on: Severity,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (code, name) = rule_ident(d);
    let at = d.location.start();
    writeln!(
        out,
        r#"    <testcase name="{}" classname="{file}" file="{file}" line="{}">"#,
        escape(&format!("{code} {name} at {}:{}", at.line, at.column)),
        at.line
    )?;
    let mut body = format!(
        "{}:{}:{}: {}[{code}] {}",
        d.location.file(),
        at.line,
        at.column,
        d.severity.as_str(),
        d.message
    );
    if let Some(help) = &d.help {
        body.push_str(&format!("\nhelp: {help}"));
    }
    for r in &d.related {
        let rat = r.location.start();
        body.push_str(&format!(
            "\n{}:{}:{}: {}",
            r.location.file(),
            rat.line,
            rat.column,
            r.message
        ));
    }
    match d.severity {
        s if s < fail_on => writeln!(out, "      <system-out>{}</system-out>", escape_text(&body))?,
        _ => writeln!(
            out,
            r#"      <failure message="{}" type="{}">{}</failure>"#,
            escape(&d.message),
            d.severity.as_str(),
            escape_text(&body)
        )?,
    }
    writeln!(out, "    </testcase>")
}

/// Escape for an XML 1.0 attribute value. Line breaks and tabs become character
/// references, or a parser would turn them into spaces.
fn escape(s: &str) -> String {
    escape_xml(s, true)
}

/// Escape for XML 1.0 element text, where line breaks may stay as they are.
fn escape_text(s: &str) -> String {
    escape_xml(s, false)
}

/// Control characters XML 1.0 cannot carry at all, not even as references, become U+FFFD.
fn escape_xml(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' | '\t' if !attribute => out.push(c),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            '\u{0}'..='\u{1f}' | '\u{fffe}' | '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, escape_text};

    #[test]
    fn escapes_markup_breaks_and_forbidden_controls() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>\n\u{1}"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;&#10;\u{fffd}"
        );
        assert_eq!(escape_text("a\n\tb\r\u{0}"), "a\n\tb&#13;\u{fffd}");
    }
}

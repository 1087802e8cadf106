//! GitLab Code Quality: a JSON array of issues, shown in merge requests.

use std::io::{self, Write};

use serde::Serialize;

use super::{fingerprints, message_with_help, rule_ident, Report};
use crate::diagnostic::Severity;

#[derive(Serialize)]
struct Issue<'a> {
    description: String,
    check_name: &'a str,
    fingerprint: String,
    severity: &'static str,
    location: Location<'a>,
}

#[derive(Serialize)]
struct Location<'a> {
    path: &'a str,
    lines: Lines,
}

#[derive(Serialize)]
struct Lines {
    begin: u64,
    end: u64,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let issues: Vec<Issue<'_>> = report
        .diagnostics
        .iter()
        .zip(fingerprints(&report.diagnostics))
        .map(|(d, fingerprint)| {
            let (start, end) = d.bounds();
            Issue {
                description: message_with_help(d),
                check_name: rule_ident(d).0,
                fingerprint,
                severity: match d.severity {
                    Severity::Error => "major",
                    Severity::Warning => "minor",
                    Severity::Info => "info",
                },
                location: Location {
                    path: d.location.file(),
                    lines: Lines {
                        begin: start.line,
                        end: end.line,
                    },
                },
            }
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &issues)?;
    writeln!(out)
}

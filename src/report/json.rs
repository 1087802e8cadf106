//! The JSON contract other tools read (version 1). Field order is the struct order.
//!
//! Positions are 1-based; columns count characters; `end_*` is the position just
//! after the span (an empty span ends where it starts).

use std::io::{self, Write};

use serde::Serialize;

use super::{rule_ident, Report};
use crate::diagnostic::{Applicability, Diagnostic, Severity, Summary};
use crate::source::{SourceFile, Span};

#[derive(Serialize)]
struct Output<'a> {
    version: u32,
    target: Target<'a>,
    diagnostics: Vec<Item<'a>>,
    summary: Summary,
    skipped: Vec<Skipped<'a>>,
}

#[derive(Serialize)]
struct Target<'a> {
    invokeai_version: &'a str,
    source: &'a str,
}

#[derive(Serialize)]
struct Item<'a> {
    rule: &'a str,
    name: &'a str,
    severity: Severity,
    file: &'a str,
    line: u64,
    column: u32,
    end_line: u64,
    end_column: u32,
    key: Option<&'a str>,
    message: &'a str,
    help: Option<&'a str>,
    related: Vec<RelatedItem<'a>>,
    fix: Option<FixItem<'a>>,
}

#[derive(Serialize)]
struct RelatedItem<'a> {
    file: &'a str,
    line: u64,
    column: u32,
    message: &'a str,
}

#[derive(Serialize)]
struct FixItem<'a> {
    description: &'a str,
    applicability: Applicability,
    edits: Vec<EditItem<'a>>,
}

#[derive(Serialize)]
struct EditItem<'a> {
    line: u64,
    column: u32,
    end_line: u64,
    end_column: u32,
    replacement: std::borrow::Cow<'a, str>,
}

#[derive(Serialize)]
struct Skipped<'a> {
    file: &'a str,
    reason: &'a str,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let output = Output {
        version: 1,
        target: Target {
            invokeai_version: &report.invokeai_version,
            source: report.target_source,
        },
        diagnostics: report.diagnostics.iter().map(item).collect(),
        summary: report.summary,
        skipped: report
            .skipped
            .iter()
            .map(|(file, reason)| Skipped { file, reason })
            .collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &output)?;
    writeln!(out)
}

fn item(d: &Diagnostic) -> Item<'_> {
    let (rule, name) = rule_ident(d);
    let (start, end) = d.bounds();
    Item {
        rule,
        name,
        severity: d.severity,
        file: d.location.file(),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        key: d.key.as_deref(),
        message: &d.message,
        help: d.help.as_deref(),
        related: d
            .related
            .iter()
            .map(|r| {
                let at = r.location.start();
                RelatedItem {
                    file: r.location.file(),
                    line: at.line,
                    column: at.column,
                    message: &r.message,
                }
            })
            .collect(),
        fix: d.fix.as_ref().map(|f| FixItem {
            description: &f.description,
            applicability: f.applicability,
            edits: f
                .edits
                .iter()
                .map(|e| edit(&d.location.source, e.span, &e.replacement))
                .collect(),
        }),
    }
}

/// Fix edits are spans in the diagnostic's own file.
fn edit<'a>(source: &SourceFile, span: Span, replacement: &'a str) -> EditItem<'a> {
    let (start, end) = source.span_bounds(span);
    EditItem {
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        replacement: crate::redact::shown_replacement(
            replacement,
            source.text(),
            source.secret_spans(),
        ),
    }
}

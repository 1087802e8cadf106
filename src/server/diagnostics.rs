//! Findings → LSP diagnostics.
//!
//! A finding located in the config gets its exact range; the facts it rests on (the log
//! line with the version, the other copy of a duplicate key) become `relatedInformation`,
//! so the editor can jump to the line of `invokeai.log` that proves it. A finding located
//! in the log itself (an out-of-memory event) is published on the log's URI.

use std::path::Path;
use std::sync::Arc;

use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, DiagnosticTag, Location,
    NumberOrString, Position, Range, Uri,
};

use crate::diagnostic::{self, Diagnostic, Severity};
use crate::source::SourceFile;

use super::position::{path_to_uri, LineIndex};

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

/// The range of a place in a file other than the open document (a log snippet keeps its
/// real line numbers).
fn foreign_range(source: &SourceFile, span: crate::source::Span) -> Range {
    let index = LineIndex::new(source.text());
    let mut range = index.range(source.text(), span);
    // LSP positions are u32: a line past that (a log of over 4 billion lines) shows at
    // the last line LSP can name.
    let shift = u32::try_from(source.first_line().saturating_sub(1)).unwrap_or(u32::MAX);
    range.start.line = range.start.line.saturating_add(shift);
    range.end.line = range.end.line.saturating_add(shift);
    range
}

/// The URI of a file a finding names (as the CLI shows it: relative to the workspace root).
pub fn uri_of(name: &str, root: &Path) -> Option<Uri> {
    path_to_uri(&root.join(name))
}

/// One finding as the client sees it. `doc` is the open config; `text`/`index` its text.
pub fn to_lsp(
    d: &Diagnostic,
    doc: &Arc<SourceFile>,
    index: &LineIndex,
    root: &Path,
) -> lsp_types::Diagnostic {
    let range = if Arc::ptr_eq(&d.location.source, doc) {
        index.range(doc.text(), d.location.span)
    } else {
        foreign_range(&d.location.source, d.location.span)
    };
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    if let Some(fix) = &d.fix {
        let how = match fix.applicability {
            diagnostic::Applicability::Safe => "fixable",
            diagnostic::Applicability::Unsafe => "fixable (unsafe)",
        };
        message.push_str(&format!("\n{how}: {}", fix.description));
    }
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let (uri, range) = if Arc::ptr_eq(&r.location.source, doc) {
                (None, index.range(doc.text(), r.location.span))
            } else {
                let uri = uri_of(r.location.source.name(), root)?;
                (
                    Some(uri),
                    foreign_range(&r.location.source, r.location.span),
                )
            };
            Some((uri, range, r.message.clone()))
        })
        .filter_map(|(uri, range, message)| {
            let uri = match uri {
                Some(u) => u,
                None => uri_of(doc.name(), root)?,
            };
            Some(DiagnosticRelatedInformation {
                location: Location::new(uri, range),
                message,
            })
        })
        .collect();
    // An unused suppression is dead text: clients grey it out.
    let tags = (d.code == crate::rules::unused_suppression::META.code)
        .then(|| vec![DiagnosticTag::UNNECESSARY]);
    lsp_types::Diagnostic {
        range,
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.code.to_string())),
        code_description: crate::report::rule_doc_url(d.name)
            .parse()
            .ok()
            .map(|href| CodeDescription { href }),
        source: Some("invokeai-lint".to_string()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags,
        data: Some(serde_json::json!({ "rule": d.name })),
    }
}

/// Does the finding's range touch `range` (a client's cursor or selection)?
pub fn touches(a: Range, b: Range) -> bool {
    let before = |x: Position, y: Position| (x.line, x.character) < (y.line, y.character);
    !(before(a.end, b.start) || before(b.end, a.start))
}

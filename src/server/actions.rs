//! Code actions: each finding's fix (safe or unsafe, marked), "suppress on this line" with
//! a reason to fill in, and "fix all safe" — the same edits `--fix` makes.

use std::collections::HashMap;
use std::sync::Arc;

use lsp_types::{CodeAction, CodeActionKind, Range, TextEdit, Uri, WorkspaceEdit};

use crate::diagnostic::{Applicability, Diagnostic};
use crate::source::SourceFile;

use super::diagnostics::touches;
use super::position::LineIndex;

/// The kind a client asks for when it fixes a file on save.
pub const FIX_ALL_KIND: &str = "source.fixAll.invokeai-lint";

fn edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

/// The fixes and suppressions for the findings of `doc` that touch `range`.
pub fn for_range(
    uri: &Uri,
    doc: &Arc<SourceFile>,
    index: &LineIndex,
    findings: &[(Diagnostic, lsp_types::Diagnostic)],
    range: Range,
) -> Vec<CodeAction> {
    let text = doc.text();
    let mut actions = Vec::new();
    let mut suppressions = Vec::new();
    for (d, shown) in findings {
        if !Arc::ptr_eq(&d.location.source, doc) || !touches(shown.range, range) {
            continue;
        }
        if let Some(fix) = &d.fix {
            let unsafe_fix = fix.applicability == Applicability::Unsafe;
            let edits = fix
                .edits
                .iter()
                .map(|e| TextEdit::new(index.range(text, e.span), e.replacement.clone()))
                .collect();
            actions.push(CodeAction {
                title: if unsafe_fix {
                    format!("{} (unsafe: changes what InvokeAI does)", fix.description)
                } else {
                    fix.description.clone()
                },
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![shown.clone()]),
                edit: Some(edit(uri, edits)),
                is_preferred: Some(!unsafe_fix),
                ..CodeAction::default()
            });
        }
        if let Some(action) = suppress_action(uri, text, index, d, shown) {
            if !suppressions
                .iter()
                .any(|a: &CodeAction| a.title == action.title)
            {
                suppressions.push(action);
            }
        }
    }
    actions.extend(suppressions);
    actions
}

/// `# invokeai-lint: disable=<rule> -- <reason>` on a line of its own above the finding,
/// indented like it (a comment at the end of the line could land inside a quoted value).
fn suppress_action(
    uri: &Uri,
    text: &str,
    index: &LineIndex,
    d: &Diagnostic,
    shown: &lsp_types::Diagnostic,
) -> Option<CodeAction> {
    // An unused suppression is removed, not suppressed again.
    if d.code == crate::rules::unused_suppression::META.code {
        return None;
    }
    let line = shown.range.start.line;
    let line_start = index.offset(text, lsp_types::Position::new(line, 0));
    let indent: String = text[line_start..]
        .chars()
        .take_while(|c| *c == ' ')
        .collect();
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let comment = format!(
        "{indent}# invokeai-lint: disable={} -- <reason>{newline}",
        d.name
    );
    let at = lsp_types::Position::new(line, 0);
    Some(CodeAction {
        title: format!("Suppress {} ({}) on this line", d.name, d.code),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![shown.clone()]),
        edit: Some(edit(uri, vec![TextEdit::new(Range::new(at, at), comment)])),
        ..CodeAction::default()
    })
}

/// One edit that replaces the whole text of a document.
pub fn replace_all(uri: &Uri, old: &str, index: &LineIndex, new: String) -> WorkspaceEdit {
    let end = index.position(old, old.len());
    let whole = Range::new(lsp_types::Position::new(0, 0), end);
    edit(uri, vec![TextEdit::new(whole, new)])
}

/// The "fix all safe" action, when it would change something.
pub fn fix_all_action(edit: WorkspaceEdit, kind: CodeActionKind) -> CodeAction {
    CodeAction {
        title: "Fix all safe invokeai-lint findings".to_string(),
        kind: Some(kind),
        edit: Some(edit),
        ..CodeAction::default()
    }
}

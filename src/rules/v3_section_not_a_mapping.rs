//! IL112 v3-section-not-a-mapping: in a 3.x file, `InvokeAI:` or a section heading 3.x reads
//! holds nothing, a scalar, or a list: InvokeAI 3.x crashes at start-up.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::values::v3_target_reads_file;
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::yaml::{Node, NodeKind, Resolved};

pub static META: RuleMeta = RuleMeta {
    code: "IL112",
    name: "v3-section-not-a-mapping",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "In a 3.x file, `InvokeAI:` or a section heading with nothing (or a scalar) under it stops InvokeAI 3.x",
    doc: include_str!("../../rules/v3-section-not-a-mapping.md"),
};

pub struct V3SectionNotAMapping;

impl Rule for V3SectionNotAMapping {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !v3_target_reads_file(cx) {
            return;
        }
        let Some(sections) = cx.kb.v3_sections_at(&cx.target.release.version) else {
            return;
        };
        let Some(top) = cx.config.root().and_then(|r| r.get("InvokeAI")) else {
            return;
        };
        // 3.x asks `category in <InvokeAI value>` for every field's category, then
        // `name in <section value>` for every field of a category present
        // (config_base.py@v3.3.0, @v3.6.2 `add_parser_arguments`).
        let categories: Vec<&str> = sections.keys().map(String::as_str).collect();
        if let Some(crash) = membership_crash(&top.value, &categories) {
            out.push(finding(cx, &top.key, "InvokeAI", &top.value, &crash));
            return;
        }
        for sec in top.value.entries().unwrap_or(&[]) {
            let Some(name) = sec.key.as_str() else {
                continue;
            };
            let Some(fields) = sections.get(name) else {
                continue;
            };
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            if let Some(crash) = membership_crash(&sec.value, &fields) {
                out.push(finding(
                    cx,
                    &sec.key,
                    &format!("InvokeAI.{name}"),
                    &sec.value,
                    &crash,
                ));
            }
        }
    }
}

/// The exception Python raises for `name in value` followed by `value.get(name)`, for the
/// names asked; None when the value is a mapping or the questions pass harmlessly.
fn membership_crash(value: &Node, names: &[&str]) -> Option<String> {
    match &value.kind {
        NodeKind::Mapping { .. } | NodeKind::Alias(_) => None,
        NodeKind::Scalar(s) => match &s.resolved {
            Resolved::Null => Some("TypeError: argument of type 'NoneType' is not iterable".into()),
            Resolved::Bool(_) => Some("TypeError: argument of type 'bool' is not iterable".into()),
            Resolved::Int(_) | Resolved::BigInt(_) => {
                Some("TypeError: argument of type 'int' is not iterable".into())
            }
            Resolved::Float(_) => {
                Some("TypeError: argument of type 'float' is not iterable".into())
            }
            // `in` on a string is a substring test; only a hit goes on to `.get`.
            _ => names
                .iter()
                .any(|n| s.value.contains(n))
                .then(|| "AttributeError: 'str' object has no attribute 'get'".into()),
        },
        // `in` on a list compares items; a hit goes on to ListConfig.get with a string.
        NodeKind::Sequence { items, .. } => items
            .iter()
            .any(|i| i.as_str().is_some_and(|t| names.contains(&t)))
            .then(|| {
                "KeyValidationError: ListConfig indices must be integers or slices, not str".into()
            }),
    }
}

fn finding(cx: &Context<'_>, key: &Node, path: &str, value: &Node, crash: &str) -> Diagnostic {
    let name = key.as_str().unwrap_or("?");
    let what = match &value.kind {
        NodeKind::Scalar(s) if s.resolved == Resolved::Null => "nothing".to_string(),
        _ => value.describe(),
    };
    let d = Diagnostic::new(
        &META,
        cx.config.loc(key.span),
        format!(
            "`{name}:` holds {what}, not a mapping of settings: {} stops at start-up with {crash}",
            target_phrase(cx.target)
        ),
    )
    .key(path)
    .label("a section must hold `key: value` lines")
    .help(format!(
        "Put the settings this heading should hold under it, indented, or delete the `{name}:` line"
    ));
    cite_target(d, cx.target)
}

//! IL003 empty-config: no settings at all — no document, or only comments.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL003",
    name: "empty-config",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    summary: "The file is empty or only comments; InvokeAI 4.0+ stops with a bare AssertionError",
    doc: include_str!("../../rules/empty-config.md"),
};

pub struct EmptyConfig;

impl Rule for EmptyConfig {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.config.layout != Layout::Empty {
            return;
        }
        let what = if cx.config.source.text().trim().is_empty() {
            "the file is empty"
        } else {
            "the file has no settings, only comments"
        };
        let at = cx.config.loc(Span::new(0, 0));
        let d = if cx.target.at_least("4.0.0") {
            Diagnostic::new(
                &META,
                at,
                format!("{what}: InvokeAI {} stops at start-up with a bare AssertionError (yaml.safe_load gives None, not a mapping)", cx.target.release.version),
            )
            .help(format!(
                "Put at least `schema_version: {}` in the file, or delete it and let InvokeAI write a default one",
                cx.target.release.schema_version.as_deref().unwrap_or("4.0.2")
            ))
        } else {
            Diagnostic::new(
                &META,
                at,
                format!("{what}: InvokeAI 3.x uses the defaults for every setting"),
            )
            .severity(Severity::Warning)
            .help("Run invokeai-configure to write a complete invokeai.yaml, or add the settings you need under `InvokeAI:`")
        };
        out.push(d.label(what));
    }
}

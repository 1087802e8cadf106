//! IL004 not-a-mapping: the top level is a list or a single value, not `key: value` pairs.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL004",
    name: "not-a-mapping",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    summary: "The top level is not a mapping of settings",
    doc: include_str!("../../rules/not-a-mapping.md"),
};

pub struct NotAMapping;

impl Rule for NotAMapping {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.config.layout != Layout::NotMapping {
            return;
        }
        let Some(root) = cx.config.root() else { return };
        let found = root.describe();
        let consequence = if cx.target.at_least("4.0.0") {
            "InvokeAI stops at start-up with a bare AssertionError"
        } else {
            "InvokeAI 3.x reads no setting from it, ignores all of it and starts on the defaults"
        };
        // Point at the first line of the root only: a long list would swamp the report.
        let span = cx.config.source.rest_of_line(root.span.start);
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(span),
                format!("the top level is {found}, not a mapping of settings: {consequence}"),
            )
            .label(format!("{found} at the top level"))
            .help("invokeai.yaml is a mapping: one `key: value` per line at the left margin, e.g. `schema_version: 4.0.2`"),
        );
    }
}

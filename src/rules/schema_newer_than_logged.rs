//! IL403 schema-newer-than-logged: the file's schema_version is newer than the release the
//! log shows running writes, so that release refuses the file.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::schema_version::cmp_schema;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL403",
    name: "schema-newer-than-logged",
    category: Category::Log,
    default_severity: Severity::Error,
    fixable: false,
    summary: "schema_version was written by a newer InvokeAI than the one the log shows running",
    doc: include_str!("../../rules/schema-newer-than-logged.md"),
};

pub struct SchemaNewerThanLogged;

impl Rule for SchemaNewerThanLogged {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(logged) = &cx.facts.log_version else {
            return;
        };
        // When the log chose the target, schema-version-too-new already judges the file.
        if cx.target.origin.as_ref() == Some(&logged.origin) || cx.config.layout != Layout::Flat {
            return;
        }
        let Some(rel) = cx.kb.release_for(&logged.value) else {
            return;
        };
        let Some(written) = rel.schema_version.as_deref() else {
            return;
        };
        let Some(entry) = cx.config.schema_version() else {
            return;
        };
        let Some(v) = entry.value.as_str() else {
            return;
        };
        if cmp_schema(v, written) != Some(std::cmp::Ordering::Greater) {
            return;
        }
        let mut d = Diagnostic::new(
            &META,
            cx.config.loc(entry.value.span),
            format!(
                "`schema_version: {v}` is newer than the {written} that InvokeAI {} (the version in the log) writes: that InvokeAI refuses this file (\"Invalid schema version, expected {written}: {v}\")",
                logged.value
            ),
        )
        .key("schema_version")
        .label(format!("InvokeAI {} reads {written} and older", logged.value))
        .help("The file was written by a newer InvokeAI. Upgrade the InvokeAI that runs it, or restore the invokeai.yaml.bak the newer release left");
        if let Some(at) = logged.origin.location() {
            d = d.related(at, format!("InvokeAI {} runs here", logged.value));
        }
        out.push(d);
    }
}

//! IL107 schema-version-too-new: a schema_version the target release cannot read.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::schema_version::{cmp_schema, facts, KNOWN};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL107",
    name: "schema-version-too-new",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "schema_version is newer than (or unknown to) the target release: \"Invalid schema version\"",
    doc: include_str!("../../rules/schema-version-too-new.md"),
};

pub struct SchemaVersionTooNew;

impl Rule for SchemaVersionTooNew {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(f) = facts(cx) else { return };
        let Some(entry) = f.entry else { return };
        // InvokeAI's own words (load_and_migrate_config, config_default.py@v4.0.0 … @v6.13.8).
        let refusal = |v: &str| {
            format!(
                "{} refuses to start (\"Invalid schema version, expected {}: {v}\")",
                target_phrase(cx.target),
                f.written
            )
        };
        let d = match f.value {
            // A number is a pydantic type error, reported by wrong-type: InvokeAI validates the
            // fields before it compares the schema (load_and_migrate_config, config_default.py).
            None => return,
            Some(v) if !KNOWN.contains(&v) => Diagnostic::new(
                &META,
                cx.config.loc(entry.value.span),
                format!(
                    "`schema_version: {v}` is not a schema any InvokeAI release writes: {}",
                    refusal(v)
                ),
            )
            .label(format!("known schemas: {}", KNOWN.join(", ")))
            .help(format!(
                "Write `schema_version: {}`, the schema this release writes",
                f.written
            )),
            Some(v) => {
                // 4.0.0–4.0.4 have no migration chain: they read only their own schema.
                let readable = if cx.target.at_least("4.1.0") {
                    cmp_schema(v, f.written).is_some_and(|o| o.is_le())
                } else {
                    v == f.written
                };
                if readable {
                    return;
                }
                let writers = cx
                    .kb
                    .releases_writing_schema(v)
                    .map(|(a, b)| format!("InvokeAI {} – {}", a.version, b.version))
                    .unwrap_or_else(|| "a newer InvokeAI".into());
                Diagnostic::new(
                    &META,
                    cx.config.loc(entry.value.span),
                    format!("`schema_version: {v}` is written by {writers}: {}", refusal(v)),
                )
                .label(format!("this release reads schema {} and older", f.written))
                .help(format!(
                    "This file was written by a newer InvokeAI. Upgrade InvokeAI, or lint against the release that runs it; \
                     setting `schema_version: {}` by hand works only if no newer setting is in the file",
                    f.written
                ))
            }
        };
        out.push(cite_target(d.key("schema_version"), cx.target));
    }
}

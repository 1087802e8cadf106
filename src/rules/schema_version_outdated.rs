//! IL108 schema-version-outdated: an older schema that InvokeAI migrates (and rewrites) at start-up.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::schema_version::{cmp_schema, facts};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL108",
    name: "schema-version-outdated",
    category: Category::Schema,
    default_severity: Severity::Info,
    fixable: false,
    summary: "An older schema_version: InvokeAI migrates and rewrites the file at start-up, dropping comments",
    doc: include_str!("../../rules/schema-version-outdated.md"),
};

pub struct SchemaVersionOutdated;

impl Rule for SchemaVersionOutdated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        // With no release given the target is only the newest one assumed, and the file's own
        // schema is better evidence of the release it is for: a 4.0.2 file is what 4.2.6 – 6.12
        // write, not news. Said only about a release someone named (flag, config, log).
        if cx.target.origin.is_none() {
            return;
        }
        let Some(f) = facts(cx) else { return };
        let (Some(entry), Some(v)) = (f.entry, f.value) else {
            return;
        };
        if !cx.target.at_least("4.1.0")
            || cmp_schema(v, f.written) != Some(std::cmp::Ordering::Less)
        {
            return;
        }
        let steps: Vec<String> = cx
            .kb
            .migrations
            .iter()
            .filter(|m| {
                cmp_schema(&m.from, v).is_some_and(|o| o.is_ge())
                    && cmp_schema(&m.to_schema, f.written).is_some_and(|o| o.is_le())
            })
            .map(|m| {
                format!(
                    "{} → {} ({})",
                    m.from,
                    m.to_schema,
                    m.changes.join("; ").replace("->", "→")
                )
            })
            .collect();
        let mut help = format!(
            "InvokeAI keeps a copy as invokeai.yaml.bak. To keep your comments, run `invokeai-lint migrate {} --to {} --write` first (it makes the same changes on your text); or set `schema_version: {}` yourself after checking them",
            cx.config.name(),
            cx.target.release.version,
            f.written
        );
        if !steps.is_empty() {
            help = format!("Migration steps: {}. {help}", steps.join(", "));
        }
        let d = Diagnostic::new(
            &META,
            cx.config.loc(entry.value.span),
            format!(
                "schema {v} is older than the {} that {} writes: it migrates the file at start-up and rewrites it without comments",
                f.written,
                target_phrase(cx.target)
            ),
        )
        .key("schema_version")
        .label(format!("migrated to {} at start-up", f.written))
        .help(help);
        out.push(cite_target(d, cx.target));
    }
}

//! IL106 missing-schema-version: a flat file without `schema_version`.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::edits::{insert_setting, Place};
use crate::rules::schema_version::facts;
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL106",
    name: "missing-schema-version",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: true,
    summary: "No schema_version: InvokeAI 4.1.0+ stops with KeyError: 'schema_version'",
    doc: include_str!("../../rules/missing-schema-version.md"),
};

pub struct MissingSchemaVersion;

impl Rule for MissingSchemaVersion {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(f) = facts(cx) else { return };
        if f.entry.is_some() {
            return;
        }
        let fatal = cx.target.at_least("4.1.0");
        let msg = if fatal {
            format!(
                "no `schema_version`: {} stops at start-up with a bare KeyError: 'schema_version'",
                target_phrase(cx.target)
            )
        } else {
            format!(
                "no `schema_version`: {} assumes the current schema ({})",
                target_phrase(cx.target),
                f.written
            )
        };
        // Point at the first setting, where the line belongs.
        let first = cx
            .config
            .root()
            .and_then(|r| r.entries())
            .and_then(|e| e.first())
            .map(|e| e.key.span)
            .unwrap_or_default();
        let mut d = Diagnostic::new(&META, cx.config.loc(first), msg)
            .severity(if fatal {
                Severity::Error
            } else {
                Severity::Info
            })
            .key("schema_version")
            .label("`schema_version` belongs at the top of the file")
            .help(format!(
                "Add `schema_version: {}` as the first setting (the schema this release writes)",
                f.written
            ));
        let value = f.written.to_string();
        if let Some(edit) = insert_setting(cx.config, "schema_version", &value, None, Place::First)
        {
            d = d.fix(Fix {
                description: format!("Insert `schema_version: {}`", f.written),
                applicability: Applicability::Safe,
                edits: vec![edit],
            });
        }
        out.push(cite_target(d, cx.target));
    }
}

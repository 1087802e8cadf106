//! IL005 multiple-documents: `---` starts a second YAML document; `yaml.safe_load` refuses.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::yaml_syntax::V3_IGNORED;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL005",
    name: "multiple-documents",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    summary: "The file holds more than one YAML document; yaml.safe_load refuses it",
    doc: include_str!("../../rules/multiple-documents.md"),
};

pub struct MultipleDocuments;

impl Rule for MultipleDocuments {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let docs = &cx.config.parsed.documents;
        let Some(second) = docs.get(1) else { return };
        let consequence = if cx.target.at_least("4.0.0") {
            "InvokeAI stops at start-up (\"expected a single document in the stream\")"
        } else {
            V3_IGNORED
        };
        let span = cx.config.source.rest_of_line(second.span.start);
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(span),
                format!(
                    "the file holds {} YAML documents: {consequence}",
                    docs.len()
                ),
            )
            .label("a second document starts here")
            .help("Keep one document: remove the `---` separator and merge the settings into one mapping"),
        );
    }
}

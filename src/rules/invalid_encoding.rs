//! IL006 invalid-encoding: bytes that are not UTF-8.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL006",
    name: "invalid-encoding",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    summary: "The file is not valid UTF-8",
    doc: include_str!("../../rules/invalid-encoding.md"),
};

pub struct InvalidEncoding;

impl Rule for InvalidEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(at) = cx.config.invalid_utf8_at else {
            return;
        };
        // In the decoded text the bad byte became U+FFFD (3 bytes).
        let end = (at + '\u{FFFD}'.len_utf8()).min(cx.config.source.text().len());
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(Span::new(at, end)),
                "the file is not valid UTF-8: InvokeAI opens invokeai.yaml in the locale's encoding (UTF-8 on Linux and macOS) and stops with UnicodeDecodeError",
            )
            .label("first byte that is not UTF-8")
            .help("Save the file as UTF-8 (without re-typing paths: a path in a legacy code page is the usual cause)"),
        );
    }
}

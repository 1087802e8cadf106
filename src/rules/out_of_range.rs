//! IL103 out-of-range: a number that breaks the setting's gt/ge/lt/le constraint.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::validate::Invalid;
use crate::rules::util::cite_target;
use crate::rules::values::{consequence, written};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL103",
    name: "out-of-range",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "A number outside the range the setting allows",
    doc: include_str!("../../rules/out-of-range.md"),
};

pub struct OutOfRange;

impl Rule for OutOfRange {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (s, k, why) in cx.invalid_values() {
            let Invalid::Range { bound } = why else {
                continue;
            };
            let d = Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`{}: {}` is out of range: it must be {bound}; {}",
                    s.name,
                    written(cx, s),
                    consequence(cx)
                ),
            )
            .key(s.path())
            .label(format!("must be {bound}"))
            .help(match &k.rev.default {
                serde_json::Value::Null => "Remove the key to let InvokeAI choose".to_string(),
                v => format!("The default is {v}; remove the key to use it"),
            });
            out.push(cite_target(d, cx.target));
        }
    }
}

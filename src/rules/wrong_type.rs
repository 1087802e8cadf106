//! IL102 wrong-type: a value pydantic cannot turn into the setting's type.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::validate::Invalid;
use crate::rules::util::cite_target;
use crate::rules::values::{consequence, invalid_values};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL102",
    name: "wrong-type",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "A value of the wrong type for its setting (as pydantic's lax mode judges it)",
    doc: include_str!("../../rules/wrong-type.md"),
};

pub struct WrongType;

impl Rule for WrongType {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (s, k, why) in invalid_values(cx) {
            let Invalid::Type { expected, found } = why else {
                continue;
            };
            let mut d = Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`{}` must be {expected}, but the file gives {found}: {}",
                    s.name,
                    consequence(cx)
                ),
            )
            .key(s.path())
            .label(format!("expected {expected}"));
            d = d.help(type_help(&k.rev.type_text, &found));
            out.push(cite_target(d, cx.target));
        }
    }
}

fn type_help(ty: &str, found: &str) -> String {
    if found.contains("date") {
        return format!(
            "YAML reads this as a date; quote it to make it a string. The setting is `{ty}`"
        );
    }
    if ty.contains("list") && !found.contains("list") {
        return format!(
            "The setting is `{ty}`: write a YAML list, e.g. `[a, b]` or one `- item` per line"
        );
    }
    if ty.contains("Literal") && found.starts_with("the string") {
        return format!("The setting is `{ty}`: a number in quotes is a string, not the number; remove the quotes");
    }
    format!("The setting is `{ty}`")
}

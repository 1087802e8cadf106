//! IL102 wrong-type: a value pydantic cannot turn into the setting's type.

use crate::diagnostic::{Diagnostic, Severity};
use crate::knowledge::validate::Invalid;
use crate::rules::util::cite_target;
use crate::rules::values::{consequence, pydantic_dependent, written};
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
        for (s, k, why) in cx.invalid_values() {
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
            d = d.help(type_help(s.name, &k.rev.type_text, found));
            out.push(cite_target(d, cx.target));
        }
        for (s, older) in pydantic_dependent(cx) {
            let d = Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`{}: {}` loads with the {} that InvokeAI {} ships (its uv.lock), but {} rejects it: the release does not pin pydantic, so an install with an older one stops at start-up",
                    s.name,
                    written(cx, &s),
                    cx.pydantic().describe(),
                    cx.target.release.version,
                    older.describe()
                ),
            )
            .severity(Severity::Info)
            .key(s.path())
            .label("accepted by lax matching that changed between pydantic versions")
            .help("Write the value in its plain form (an integer without quotes or spaces) so every pydantic accepts it");
            out.push(cite_target(d, cx.target));
        }
    }
}

fn type_help(name: &str, ty: &str, found: &str) -> String {
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
    // `4GB`, `12 GB`: the unit is already in the setting's name (GB means GiB).
    if name.ends_with("_gb") {
        if let Some(n) = found
            .strip_prefix("the string '")
            .and_then(|v| v.strip_suffix('\''))
            .and_then(number_before_unit)
        {
            return format!(
                "The setting is `{ty}`: write the number alone, `{n}`; the unit is in the setting's name"
            );
        }
    }
    if ty == "str" && (found.starts_with("the number") || found.starts_with("the integer")) {
        return "The setting is `str`: put the value in quotes to make it a string".to_string();
    }
    if ty.contains("Literal") && found.starts_with("the string") {
        return format!("The setting is `{ty}`: a number in quotes is a string, not the number; remove the quotes");
    }
    format!("The setting is `{ty}`")
}

/// `4GB`, `4 GB`, `4.5gb`, `12G` → the number, when the unit is GB (a `_gb` setting's unit).
fn number_before_unit(v: &str) -> Option<&str> {
    let v = v.trim();
    let digits = v
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .trim_end();
    let unit = v[digits.len()..].trim();
    let is_gb = ["gb", "g", "gib"].contains(&unit.to_ascii_lowercase().as_str());
    (is_gb && !digits.is_empty() && digits.parse::<f64>().is_ok()).then_some(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gb_suffix_is_found_and_others_are_not() {
        assert_eq!(number_before_unit("4GB"), Some("4"));
        assert_eq!(number_before_unit("4.5 gb"), Some("4.5"));
        assert_eq!(number_before_unit("12G"), Some("12"));
        assert_eq!(number_before_unit("512MB"), None);
        assert_eq!(number_before_unit("GB"), None);
        assert_eq!(number_before_unit("auto"), None);
    }
}

//! IL104 invalid-choice: a value that is not one of the setting's allowed values.

use crate::config::Layout;
use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::knowledge::validate::Invalid;
use crate::rules::util::cite_target;
use crate::rules::values::{consequence, written};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL104",
    name: "invalid-choice",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: true,
    summary: "A value that is not one of the setting's allowed values",
    doc: include_str!("../../rules/invalid-choice.md"),
};

pub struct InvalidChoice;

impl Rule for InvalidChoice {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (s, _k, why) in cx.invalid_values() {
            // A 3.x file's `precision: autocast` under 4.1.0 – 4.2.5: v3-config-migrated
            // reports that the migration fails on it, which is the more exact finding.
            if cx.config.layout == Layout::V3Nested
                && s.name == "precision"
                && s.value.as_str() == Some("autocast")
            {
                continue;
            }
            let value = written(cx, s).to_string();
            let bare = s.value.as_str().unwrap_or(&value).to_string();
            let (allowed, choices) = match &why {
                Invalid::Choice { choices } => {
                    // Choices come as Python prints them ('info', 4): show them as YAML.
                    let plain: Vec<String> = choices
                        .iter()
                        .map(|c| c.trim_matches('\'').to_string())
                        .collect();
                    (
                        plain
                            .iter()
                            .map(|c| format!("`{c}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        plain,
                    )
                }
                Invalid::Pattern { pattern } => (format!("a match of `{pattern}`"), Vec::new()),
                _ => continue,
            };
            let mut d = Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`{}: {value}` is not an allowed value for {}: {}",
                    s.name,
                    crate::rules::util::target_phrase(cx.target),
                    consequence(cx)
                ),
            )
            .key(s.path())
            // A long list belongs in the help only; under the span it would run off the screen.
            .label(if choices.len() > 8 {
                format!("not one of the {} allowed values", choices.len())
            } else {
                format!("expected {allowed}")
            });
            let best = if s.name == "device" {
                device_suggestion(&bare)
            } else {
                closest(&bare, &choices)
            };
            let quoted_number = s.value.as_scalar().is_some_and(|sc| {
                sc.style != crate::yaml::ScalarStyle::Plain && choices.contains(&sc.value)
            });
            let mut help = format!("Allowed: {allowed}");
            if let Some(best) = best.as_ref().filter(|_| !quoted_number) {
                help = format!("Did you mean `{best}`? {help}");
                d = d.fix(Fix::one(
                    Applicability::Unsafe,
                    format!("Replace with `{best}`"),
                    crate::edits::replace_value(cx.config.source.text(), s.value, best),
                ));
            }
            if quoted_number {
                d = d.label(format!("a string, not the number {bare}"));
                help = format!(
                    "Remove the quotes: '{bare}' is a string, and the allowed value is the number {bare}. {help}"
                );
                d = d.fix(Fix::replace(
                    Applicability::Safe,
                    "Remove the quotes",
                    s.value.span,
                    bare.clone(),
                ));
            }
            if let Some(extra) = device_hint(s.name, &bare, cx) {
                help.push_str(". ");
                help.push_str(&extra);
            }
            out.push(cite_target(d.help(help), cx.target));
        }
    }
}

/// The allowed value closest to what was written: same letters in another case, a choice the
/// value is the start of (`blake3` → `blake3_single`), or a small edit.
fn closest(value: &str, choices: &[String]) -> Option<String> {
    if let Some(c) = choices.iter().find(|c| c.eq_ignore_ascii_case(value)) {
        return Some(c.clone());
    }
    let lower = value.to_ascii_lowercase();
    if let Some(c) = choices
        .iter()
        .find(|c| c.starts_with(&lower) && c[lower.len()..].starts_with(['_', '-']))
    {
        return Some(c.clone());
    }
    choices
        .iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, c), c))
        .filter(|(dist, c)| *dist <= (c.len() / 3).max(1))
        .min_by_key(|(dist, _)| *dist)
        .map(|(_, c)| c.clone())
}

/// For `device`, only a suggestion that keeps the same GPU: `CUDA` → `cuda`, `cuda:0` → `cuda`
/// (GPU 0 is what `cuda` means). `cuda:2` has no equivalent before 5.15.0, so none.
fn device_suggestion(value: &str) -> Option<String> {
    let lower = value.trim().to_ascii_lowercase();
    match lower.as_str() {
        "cuda" | "cuda:0" => Some("cuda".into()),
        "cuda:1" | "cpu" | "mps" | "auto" => Some(lower),
        _ => None,
    }
}

/// `device: cuda:0` before 5.15.0 is the classic: only `cuda:1` was listed.
fn device_hint(name: &str, value: &str, cx: &Context<'_>) -> Option<String> {
    if name != "device" {
        return None;
    }
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("cuda:") && !cx.target.at_least("5.15.0") {
        return Some("Before 5.15.0 only `cuda` (the first GPU) and `cuda:1` are accepted; `cuda:N` for any N arrived in 5.15.0".into());
    }
    if lower.starts_with("xpu") && !cx.target.at_least("6.14.0rc2") {
        return Some("`xpu` devices are accepted from 6.14.0-rc2".into());
    }
    None
}

//! IL105 deprecated-key: a key the release still accepts but marks deprecated.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::util::cite_target;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL105",
    name: "deprecated-key",
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: true,
    summary: "A deprecated key: still validated, but InvokeAI does not use it the way it reads",
    doc: include_str!("../../rules/deprecated-key.md"),
};

pub struct DeprecatedKey;

impl Rule for DeprecatedKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for &s in cx.settings() {
            let Some(k) = cx.kb.key_in(s.name, cx.target.release) else {
                continue;
            };
            // A default of the days the key was read, written by InvokeAI itself (3.x wrote every
            // default; its migration carries them on): nobody chose it, so nothing is lost.
            if !k.deprecated || cx.kb.is_former_default(k.spec, s.value) {
                continue;
            }
            let since = k
                .spec
                .deprecated_in
                .as_ref()
                .map(|v| format!(" since {v}"))
                .unwrap_or_default();
            let what = k
                .spec
                .deprecation_note
                .as_deref()
                .map(sentence_tail)
                .unwrap_or_else(|| "InvokeAI no longer uses it".into());
            let mut d = Diagnostic::new(
                &META,
                cx.config.loc(s.key.span),
                format!("`{}` is deprecated{since}: {what}", s.name),
            )
            .key(s.path())
            .label(format!("deprecated{since}"));
            match k.spec.replaced_by.as_deref() {
                Some(by) if cx.kb.key_in(by, cx.target.release).is_some() => {
                    let set = cx.config.get(by).is_some();
                    d = d.help(if set {
                        format!("`{by}` is already set; delete `{}`", s.name)
                    } else {
                        format!("Use `{by}` instead (check the value: the replacement may not mean the same), or delete the key")
                    });
                    if !set && crate::rules::unknown_key::accepts(cx, by, &s) {
                        d = d.fix(Fix::replace(
                            Applicability::Unsafe,
                            format!("Rename to `{by}`"),
                            s.key.span,
                            by.to_string(),
                        ));
                    }
                }
                Some(by) => d = d.help(format!("Use {by} instead, and delete the key")),
                None => d = d.help("Delete the key"),
            }
            out.push(cite_target(d, cx.target));
        }
    }
}

/// A note written as a sentence, made to follow a colon: lower-case start, no final period.
fn sentence_tail(note: &str) -> String {
    let t = note.trim().trim_end_matches('.');
    let first_word = t.split(|c: char| !c.is_alphanumeric()).next().unwrap_or("");
    let mut chars = first_word.chars();
    // Lower-case an ordinary first word (`From`), never a name or acronym (`InvokeAI`, `GB`).
    let ordinary = chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase);
    if ordinary {
        let mut c = t.chars();
        let f = c
            .next()
            .map(|f| f.to_lowercase().collect::<String>())
            .unwrap_or_default();
        f + c.as_str()
    } else {
        t.to_string()
    }
}

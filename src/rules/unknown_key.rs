//! IL101 unknown-key: a key the target release does not have.

use crate::config::{Layout, Setting};
use crate::diagnostic::{Applicability, Diagnostic, Edit, Fix, Severity};
use crate::rules::util::{cite_target, ranges_phrase, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL101",
    name: "unknown-key",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: true,
    summary: "A key the target InvokeAI release does not have (fatal from 4.0.0, ignored in 3.x)",
    doc: include_str!("../../rules/unknown-key.md"),
};

pub struct UnknownKey;

impl Rule for UnknownKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let v3_target = !cx.target.at_least("4.0.0");
        match (cx.config.layout, v3_target) {
            (Layout::Flat, false) => {}
            // A 3.x file under a 3.x release: keys unknown in every section are ignored.
            (Layout::V3Nested, true) => {}
            // Other combinations are whole-file findings of their own rules.
            _ => return,
        }
        let rel = &cx.target.release.version;
        let sections = cx.kb.v3_sections_at(rel);
        for &s in cx.settings() {
            if cx.kb.key_in(s.name, cx.target.release).is_some() || deleted_by_migration(cx, s.name)
            {
                continue;
            }
            // In a 3.x file a key that some section of this release has is misplaced, not unknown.
            if v3_target
                && sections.is_some_and(|m| m.values().any(|keys| keys.iter().any(|k| k == s.name)))
            {
                continue;
            }
            out.push(finding(cx, &s, v3_target));
        }
    }
}

fn finding(cx: &Context<'_>, s: &Setting<'_>, v3_target: bool) -> Diagnostic {
    let rel = &cx.target.release.version;
    let target = target_phrase(cx.target);
    let consequence = if v3_target {
        "InvokeAI 3.x ignores it silently, so the setting has no effect"
    } else {
        "InvokeAI refuses to start (\"Extra inputs are not permitted\")"
    };
    let mut d = Diagnostic::new(
        &META,
        cx.config.loc(s.key.span),
        format!(
            "unknown key `{}` for {target}: {consequence}",
            crate::rules::util::visible_name(s.name)
        ),
    )
    .key(s.path())
    .label("not a setting in this release");
    if v3_target {
        d = d.severity(Severity::Warning);
    }
    let spec = cx.kb.key(s.name);
    if let Some(spec) = spec {
        // The key exists in other releases: say which, the guide's central mistake.
        let ranges = ranges_phrase(cx.kb, s.name).unwrap_or_default();
        let when = if spec.added_in > *rel {
            format!(
                "`{}` exists from {}; this config targets {rel}",
                s.name, spec.added_in
            )
        } else {
            format!("`{}` exists in {ranges}; this config targets {rel}", s.name)
        };
        d = d.label(when);
        let mut help = Vec::new();
        // A successor this release has: renaming is the way out, not removing.
        let rename_to = spec
            .replaced_by
            .as_deref()
            .filter(|b| is_key_name(b) && cx.kb.key_in(b, cx.target.release).is_some());
        match (&spec.replaced_by, rename_to) {
            (_, Some(by)) => help.push(format!("Rename it to `{by}`.")),
            (Some(by), None) if is_key_name(by) => help.push(format!("It was replaced by `{by}`.")),
            // Free text such as "--root CLI flag or INVOKEAI_ROOT".
            (Some(by), None) => help.push(format!("Its replacement: {by}.")),
            (None, None) => {}
        }
        if let Some(note) = &spec.deprecation_note {
            help.push(note.clone());
        }
        if spec.added_in > *rel {
            help.push(format!(
                "Upgrade InvokeAI to {} or later, or remove the key.",
                spec.added_in
            ));
        } else if rename_to.is_none() {
            help.push("Remove the key.".into());
        }
        let help = help.join(" ");
        d = d.help(help);
        if let Some(by) = spec.replaced_by.as_deref().filter(|b| is_key_name(b)) {
            if accepts(cx, by, s) && cx.config.get(by).is_none() {
                d = d.fix(rename(s, by, format!("Rename to `{by}`")));
            }
        }
    } else if let Some(key) = case_twin(cx, s.name) {
        // `Device: cuda`: the key in other case, not the 3.x section of the same name
        // (its value is a setting's, and the key exists in this release).
        d = d.label(format!("did you mean `{key}`?")).help(format!(
            "Setting names are case-sensitive: InvokeAI {rel} knows `{key}`, not `{}`",
            s.name
        ));
        if accepts(cx, &key, s) && cx.config.get(&key).is_none() {
            d = d.fix(rename(s, &key, format!("Rename to `{key}`")));
        }
    } else if let Some(heading) = v3_heading(cx, s.name) {
        d = d.help(format!(
            "`{heading}` is a 3.x section heading. From 4.0.0 invokeai.yaml is flat: move the settings under it to the top level"
        ));
    } else {
        let suggestions = cx.kb.suggest(s.name, rel);
        if let Some(best) = suggestions.first() {
            let list = suggestions
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ");
            d = d
                .label(format!("did you mean `{best}`?"))
                .help(format!("Did you mean {list}? Run `invokeai-lint keys --invokeai-version {rel}` for every key this release accepts"));
            // Only to a key that takes this value and is not set already: a rename that
            // makes a start-up error or a duplicate is no fix.
            if let Some(to) = suggestions
                .iter()
                .find(|k| accepts(cx, k, s) && cx.config.get(k).is_none())
            {
                d = d.fix(rename(s, to, format!("Rename to `{to}`")));
            }
        } else {
            d = d.help(format!(
                "Remove the key. Run `invokeai-lint keys --invokeai-version {rel}` for every key this release accepts"
            ));
        }
    }
    cite_target(d, cx.target)
}

/// `convert_cache` in a schema 4.0.0/4.0.1 file: from 4.2.6 the 4.0.1 → 4.0.2 migration
/// deletes it before validation (config_default.py@v4.2.6), so it is not an error.
fn deleted_by_migration(cx: &Context<'_>, name: &str) -> bool {
    name == "convert_cache"
        && cx.target.at_least("4.2.6")
        && matches!(
            cx.config.schema_version().and_then(|e| e.value.as_str()),
            Some("4.0.0" | "4.0.1")
        )
}

fn is_key_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
}

/// Whether `key` exists in the target release and accepts the setting's value as written.
pub fn accepts(cx: &Context<'_>, key: &str, s: &Setting<'_>) -> bool {
    cx.kb
        .key_in(key, cx.target.release)
        .is_some_and(|k| crate::knowledge::validate::check(k.rev, s.value, cx.pydantic()).is_ok())
}

/// Renaming changes which setting the value goes to: never automatic.
fn rename(s: &Setting<'_>, to: &str, description: String) -> Fix {
    Fix {
        description,
        applicability: Applicability::Unsafe,
        edits: vec![Edit {
            span: s.key.span,
            replacement: to.to_string(),
        }],
    }
}

/// The target release's key that `name` spells in other case (`Device` → `device`).
fn case_twin(cx: &Context<'_>, name: &str) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    (lower != name && cx.kb.key_in(&lower, cx.target.release).is_some()).then_some(lower)
}

/// The name of a 3.x section heading, when `name` is one (case as written in 3.x).
fn v3_heading<'k>(cx: &'k Context<'_>, name: &str) -> Option<&'k str> {
    cx.kb
        .v3_sections
        .iter()
        .flat_map(|(_, m)| m.keys())
        .find(|h| h.as_str() == name)
        .map(String::as_str)
}

//! Hover: on a setting, what `explain KEY` says, for the release the file is linted
//! against; on a rule in a suppression comment, the rule's summary.

use std::fmt::Write as _;

use crate::config::ConfigFile;
use crate::facts::Target;
use crate::knowledge::explain::{default_text, plain, removal_consequence};
use crate::knowledge::Knowledge;
use crate::source::Span;

/// The hover text (Markdown) at byte `offset`, and the span it is about.
pub fn at(config: &ConfigFile, target: &Target, offset: usize) -> Option<(String, Span)> {
    rule_in_suppression(config.source.text(), offset).or_else(|| setting(config, target, offset))
}

fn setting(config: &ConfigFile, target: &Target, offset: usize) -> Option<(String, Span)> {
    let s = config
        .settings()
        .into_iter()
        .find(|s| s.key.span.start <= offset && offset <= s.key.span.end)?;
    Some((key_text(s.name, target), s.key.span))
}

/// A setting as `target`'s release has it: type, default, allowed values, the releases
/// that have it, what replaced it.
pub fn key_text(name: &str, target: &Target) -> String {
    let kb = Knowledge::get();
    let version = &target.version;
    let mut out = String::new();
    let Some(spec) = kb.key(name) else {
        let _ = write!(
            out,
            "**{name}** is not a setting of any InvokeAI release from 3.0.0 to {}.",
            kb.newest().version
        );
        let close = kb.suggest_any(name);
        if !close.is_empty() {
            let _ = write!(out, " Did you mean `{}`?", close.join("`, `"));
        }
        return out;
    };
    let _ = writeln!(out, "**{}** — InvokeAI {version}\n", spec.name);
    let _ = writeln!(out, "{}\n", spec.description);
    match kb.key_in(name, target.release) {
        Some(at) => {
            let rev = at.rev;
            let _ = writeln!(out, "- type: `{}` ({})", rev.type_text, rev.ty.describe());
            let _ = writeln!(out, "- default: `{}`", default_text(rev));
            if let Some(choices) = &rev.choices {
                let list: Vec<String> = choices.iter().map(|c| format!("`{}`", plain(c))).collect();
                let _ = writeln!(out, "- allowed: {}", list.join(", "));
            }
            if !rev.constraints.is_empty() {
                let _ = writeln!(out, "- constraint: {}", rev.constraints.describe());
            }
            if let Some(section) = &rev.v3_section {
                let _ = writeln!(out, "- section: `InvokeAI:` → `{section}:`");
            }
        }
        None => {
            let _ = writeln!(out, "- **not in InvokeAI {version}**");
        }
    }
    let _ = writeln!(out, "- since: {}", spec.added_in);
    if let Some(removed) = &spec.removed_in {
        let _ = writeln!(
            out,
            "- removed in: {removed}{}",
            removal_consequence(removed)
        );
    }
    if let Some(dep) = &spec.deprecated_in {
        let _ = write!(out, "- deprecated since {dep}");
        if let Some(by) = &spec.replaced_by {
            let _ = write!(out, "; replaced by `{by}`");
        }
        let _ = writeln!(out);
    } else if let Some(by) = &spec.replaced_by {
        let _ = writeln!(out, "- replaced by `{by}`");
    }
    if let Some(note) = &spec.deprecation_note {
        let _ = writeln!(out, "\n{note}");
    }
    let _ = write!(out, "\nSource: `{}`", spec.source);
    out
}

/// A rule code or name under the cursor inside `# invokeai-lint: disable=...`.
fn rule_in_suppression(text: &str, offset: usize) -> Option<(String, Span)> {
    let line_start = text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line = &text[line_start..line_end];
    let marker = line.find("invokeai-lint:")?;
    if offset < line_start + marker {
        return None;
    }
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let rel = offset - line_start;
    let start = line[..rel]
        .rfind(|c: char| !is_word(c))
        .map_or(0, |i| i + 1);
    let end = line[rel..]
        .find(|c: char| !is_word(c))
        .map_or(line.len(), |i| rel + i);
    let word = &line[start..end];
    let meta = crate::rules::find(word)?;
    let text = format!(
        "**{} {}** ({}, {})\n\n{}\n\n[Documentation]({})",
        meta.code,
        meta.name,
        meta.category.as_str(),
        meta.default_severity.as_str(),
        meta.summary,
        crate::report::rule_doc_url(meta.name)
    );
    Some((text, Span::new(line_start + start, line_start + end)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rule_named_in_a_suppression_is_explained() {
        let text = "a: 1 # invokeai-lint: disable=unknown-key,IL102 -- fork\n";
        let at = text.find("IL102").unwrap() + 2;
        let (hover, span) = rule_in_suppression(text, at).unwrap();
        assert!(hover.starts_with("**IL102 wrong-type**"), "{hover}");
        assert_eq!(&text[span.start..span.end], "IL102");
        let at = text.find("unknown").unwrap();
        assert!(rule_in_suppression(text, at).unwrap().0.contains("IL101"));
        // Before the marker, nothing.
        assert!(rule_in_suppression(text, 1).is_none());
    }
}

//! IL001 yaml-syntax: the file is not valid YAML as PyYAML reads it.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;
use crate::yaml::{constructor_error, omegaconf_rejects};

pub static META: RuleMeta = RuleMeta {
    code: "IL001",
    name: "yaml-syntax",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: true,
    summary: "The file is not valid YAML, so InvokeAI cannot read it",
    doc: include_str!("../../rules/yaml-syntax.md"),
};

pub struct YamlSyntax;

impl Rule for YamlSyntax {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(err) = &cx.config.parsed.error else {
            load_error(cx, out);
            return;
        };
        let text = cx.config.source.text();
        let v3 = !cx.target.at_least("4.0.0");
        let consequence = if v3 {
            V3_IGNORED
        } else {
            "InvokeAI stops at start-up with this error"
        };
        let message = if v3 {
            format!("{}: {V3_IGNORED}", err.message)
        } else {
            err.message.clone()
        };
        let mut d = Diagnostic::new(&META, cx.config.loc(err.span), message)
            .label("here")
            .help(consequence);
        if let Some(quoted) = windows_path_in_double_quotes(text, err.span) {
            let inner = &text[quoted.start + 1..quoted.end - 1];
            d = d
                .label("a backslash starts an escape sequence inside double quotes")
                .help(format!(
                    "{consequence}. Inside double quotes YAML reads `\\` as the start of an escape \
                     (`\\n`, `\\t`, …), so a Windows path breaks. Write it in single quotes ('{inner}') \
                     or with forward slashes ({})",
                    inner.replace('\\', "/")
                ));
            if !inner.contains('\'') {
                d = d.fix(Fix::replace(
                    Applicability::Safe,
                    "Put the path in single quotes",
                    quoted,
                    format!("'{inner}'"),
                ));
            }
        }
        out.push(d);
    }
}

/// What 3.x does with a file OmegaConf cannot load (config_default.py@v3.6.2 `parse_args`:
/// `OmegaConf.load` inside a bare `try … except: pass`).
pub const V3_IGNORED: &str =
    "InvokeAI 3.x cannot load the file, ignores all of it and starts on the defaults";

/// A file that parses but that the loader refuses to build: an unknown tag, an unhashable key,
/// a bad merge (safe_load, so every release); in 3.x also what only OmegaConf refuses (a null
/// key, a `!!set`). Repeated keys are the duplicate-key rule's.
fn load_error(cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
    let Some(root) = cx.config.root() else { return };
    let v3 = !cx.target.at_least("4.0.0");
    // Only the first document is read; a second one has its own finding.
    let found = if v3 {
        omegaconf_rejects(root).filter(|e| !e.duplicate_key)
    } else {
        constructor_error(root)
    };
    let Some(e) = found else { return };
    let (message, help) = if v3 {
        (
            format!("{}: {}: {V3_IGNORED}", e.exception, e.message),
            "Remove the tag or key OmegaConf cannot read; 3.x reads plain strings, numbers, booleans, lists and mappings",
        )
    } else {
        (
            format!(
                "{}: {}: yaml.safe_load refuses the file and {} stops at start-up",
                e.exception,
                e.message,
                crate::rules::util::target_phrase(cx.target)
            ),
            "Remove the tag (safe_load builds only plain strings, numbers, booleans, dates, lists and mappings) or write the key as a plain string",
        )
    };
    out.push(
        Diagnostic::new(&META, cx.config.loc(e.span), message)
            .label("the loader cannot build this")
            .help(help),
    );
}

/// When the error is at a backslash inside a double-quoted scalar on one line, the span of
/// that scalar including its quotes — the classic `"E:\Softwares\models"`.
fn windows_path_in_double_quotes(text: &str, at: Span) -> Option<Span> {
    // PyYAML's mark is at the character after the backslash; accept either.
    let at = match text.as_bytes().get(at.start) {
        Some(b'\\') => at,
        _ if at.start > 0 && text.as_bytes().get(at.start - 1) == Some(&b'\\') => {
            Span::new(at.start - 1, at.start)
        }
        _ => return None,
    };
    let line_start = text[..at.start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[at.start..]
        .find('\n')
        .map_or(text.len(), |i| at.start + i);
    let open = line_start + text[line_start..at.start].rfind('"')?;
    // The closing quote: the first `"` after the error not preceded by a backslash.
    let bytes = text.as_bytes();
    let mut i = at.start + 1;
    while i < line_end {
        if bytes[i] == b'"' && bytes[i - 1] != b'\\' {
            let inner = &text[open + 1..i];
            // Only when it looks like a path: a drive letter or a run of backslash-separated parts.
            let looks_like_path = inner.len() > 2
                && (inner.as_bytes().get(1) == Some(&b':') || inner.starts_with("\\\\"))
                || inner.matches('\\').count() >= 2;
            return looks_like_path.then(|| Span::new(open, i + 1));
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_quoted_windows_path() {
        let t = "models_dir: \"E:\\Softwares\\models\"\n";
        let at = t.find('\\').unwrap();
        let s = windows_path_in_double_quotes(t, Span::new(at, at + 1)).unwrap();
        assert_eq!(&t[s.start..s.end], "\"E:\\Softwares\\models\"");
    }

    #[test]
    fn ignores_errors_elsewhere() {
        let t = "a: [1, 2\n";
        assert_eq!(windows_path_in_double_quotes(t, Span::new(8, 9)), None);
    }
}

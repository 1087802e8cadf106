//! IL007 path-escape: a path setting in double quotes whose escapes YAML turns into
//! control characters (`"D:\new\test"` is `D:`, a line break, `ew`, a tab, `est`).

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::util::cite_target;
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;
use crate::yaml::ScalarStyle;

pub static META: RuleMeta = RuleMeta {
    code: "IL007",
    name: "path-escape",
    category: Category::Syntax,
    default_severity: Severity::Warning,
    fixable: true,
    summary: "A double-quoted path whose backslashes YAML reads as escapes (`\\n`, `\\t`): the path holds control characters",
    doc: include_str!("../../rules/path-escape.md"),
};

/// Escapes YAML's double quotes turn into a control character (YAML 1.1 §5.7, as PyYAML).
const CONTROL_ESCAPES: &[(char, &str)] = &[
    ('0', "NUL"),
    ('a', "bell"),
    ('b', "backspace"),
    ('t', "tab"),
    ('n', "line break"),
    ('v', "vertical tab"),
    ('f', "form feed"),
    ('r', "carriage return"),
    ('e', "escape"),
];

pub struct PathEscape;

impl Rule for PathEscape {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let text = cx.config.source.text();
        for s in cx.settings().iter().filter(|s| s.effective) {
            let Some(scalar) = s.value.as_scalar() else {
                continue;
            };
            if scalar.style != ScalarStyle::DoubleQuoted {
                continue;
            }
            let is_path = cx
                .kb
                .key_in(s.name, cx.target.release)
                .is_some_and(|k| k.rev.type_text.contains("Path"));
            if !is_path {
                continue;
            }
            let span = s.value.span;
            let Some(raw) = text.get(span.start..span.end) else {
                continue;
            };
            let Some((at, name)) = first_control_escape(raw) else {
                continue;
            };
            let esc = Span::new(span.start + at, span.start + at + 2);
            let mut d = Diagnostic::new(
                &META,
                cx.config.loc(esc),
                format!(
                    "`{}` is read with `{}` turned into a {name}: inside double quotes YAML reads a backslash as the start of an escape, so this path is not the one written",
                    s.path(),
                    &raw[at..at + 2]
                ),
            )
            .key(s.path())
            .label(format!("a {name}, not a backslash"));
            let intended = intended_path(raw);
            d = match &intended {
                Some(path) => d
                    .help(format!(
                        "Write the path in single quotes ('{path}'), where a backslash is a backslash, or with forward slashes ({})",
                        path.replace('\\', "/")
                    ))
                    .fix(Fix::replace(
                        Applicability::Unsafe,
                        "Put the path in single quotes",
                        span,
                        format!("'{path}'"),
                    )),
                None => d.help("Write the path in single quotes, where a backslash is a backslash, or with forward slashes"),
            };
            out.push(cite_target(d, cx.target));
        }
    }
}

/// Byte offset (in `raw`, the quoted scalar's source) and name of the first escape that
/// makes a control character. `\\` is a backslash and skipped.
fn first_control_escape(raw: &str) -> Option<(usize, &'static str)> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            let next = bytes[i + 1] as char;
            if let Some((_, name)) = CONTROL_ESCAPES.iter().find(|(c, _)| *c == next) {
                return Some((i, name));
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

/// The path as the user meant it, for single quotes: each backslash as written (`\\`
/// meant one backslash). None when the text holds what single quotes cannot carry as
/// simply (a quote, another escape, a line break).
fn intended_path(raw: &str) -> Option<String> {
    let inner = raw.strip_prefix('"')?.strip_suffix('"')?;
    if inner.contains(['\'', '\n', '\r']) {
        return None;
    }
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some(n) if CONTROL_ESCAPES.iter().any(|(e, _)| *e == n) => {
                out.push('\\');
                out.push(n);
            }
            // Any other escape meant something else: no automatic rewrite.
            _ => return None,
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_escapes_are_found_and_backslashes_skipped() {
        assert_eq!(
            first_control_escape(r#""D:\new\test""#),
            Some((3, "line break"))
        );
        assert_eq!(first_control_escape(r#""D:\\new""#), None);
        assert_eq!(first_control_escape(r#""D:\\\test""#), Some((5, "tab")));
        assert_eq!(first_control_escape(r#""C:\Users""#), None);
    }

    #[test]
    fn the_intended_path_keeps_each_backslash() {
        assert_eq!(
            intended_path(r#""D:\new\test""#).as_deref(),
            Some(r"D:\new\test")
        );
        assert_eq!(
            intended_path(r#""D:\\models\new""#).as_deref(),
            Some(r"D:\models\new")
        );
        assert_eq!(intended_path(r#""it's\new""#), None);
        assert_eq!(intended_path(r#""\x41\new""#), None);
    }
}

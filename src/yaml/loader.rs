//! What the loaders refuse after a file has parsed: PyYAML's SafeConstructor (InvokeAI 4.0.0+
//! calls `yaml.safe_load`) and OmegaConf's loader (3.x calls `OmegaConf.load`, a SafeLoader
//! subclass with stricter rules, inside a try that ignores the whole file on any error).

use super::{Node, NodeKind, Resolved, ScalarStyle};
use crate::source::Span;

/// Why a loader refuses a parsed file, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadError {
    pub span: Span,
    /// The exception as Python names it: `ConstructorError`, `KeyValidationError`, …
    pub exception: &'static str,
    pub message: String,
    /// A repeated key (the duplicate-key rule's finding, not the syntax rule's).
    pub duplicate_key: bool,
}

/// Tags SafeConstructor has a constructor for (yaml/constructor.py, PyYAML 6.0).
const SAFE_TAGS: &[&str] = &[
    "null",
    "bool",
    "int",
    "float",
    "binary",
    "timestamp",
    "omap",
    "pairs",
    "set",
    "str",
    "seq",
    "map",
];

/// The core-schema name of a tag (`!!int` or `tag:yaml.org,2002:int` → `int`); None for a
/// local or foreign tag.
fn core_name(tag: &str) -> Option<&str> {
    tag.strip_prefix("!!")
        .or_else(|| tag.strip_prefix("tag:yaml.org,2002:"))
        .or_else(|| {
            tag.strip_prefix("!<tag:yaml.org,2002:")
                .and_then(|t| t.strip_suffix('>'))
        })
}

/// The first thing `yaml.safe_load` cannot construct: a tag it has no constructor for
/// (`!!python/int`, `!foo`), a scalar its explicit tag cannot read (`!!int abc`), a list or
/// mapping used as a key ("found unhashable key"), a merge key (`<<`) whose value is not a
/// mapping or a list of mappings.
pub fn constructor_error(root: &Node) -> Option<LoadError> {
    let mut found = None;
    walk(root, &mut |node| {
        if found.is_some() {
            return;
        }
        found = constructor_error_at(node);
    });
    found
}

fn constructor_error_at(node: &Node) -> Option<LoadError> {
    let err = |span: Span, message: String| LoadError {
        span,
        exception: "ConstructorError",
        message,
        duplicate_key: false,
    };
    if let Some(tag) = node.tag() {
        match core_name(tag) {
            Some(name) if SAFE_TAGS.contains(&name) => {
                if let NodeKind::Scalar(s) = &node.kind {
                    let readable = match name {
                        "int" => matches!(s.resolved, Resolved::Int(_) | Resolved::BigInt(_)),
                        "float" => matches!(s.resolved, Resolved::Float(_)),
                        "bool" => matches!(s.resolved, Resolved::Bool(_)),
                        "timestamp" => s.resolved == Resolved::Timestamp,
                        "map" | "seq" | "omap" | "pairs" | "set" => false,
                        _ => true,
                    };
                    if !readable {
                        return Some(LoadError {
                            span: node.span,
                            exception: "ValueError",
                            message: format!("the tag {tag} cannot read `{}`", s.value),
                            duplicate_key: false,
                        });
                    }
                }
            }
            // The non-specific tag `!` makes a plain scalar a string.
            _ if tag == "!" => {}
            _ => {
                return Some(err(
                    node.span,
                    format!(
                        "could not determine a constructor for the tag '{}'",
                        full_tag(tag)
                    ),
                ))
            }
        }
    }
    if let NodeKind::Mapping { entries, .. } = &node.kind {
        for e in entries {
            if matches!(
                e.key.kind,
                NodeKind::Mapping { .. } | NodeKind::Sequence { .. }
            ) {
                return Some(err(e.key.span, "found unhashable key".into()));
            }
            if is_merge_key(&e.key) {
                let ok = match &e.value.kind {
                    NodeKind::Mapping { .. } | NodeKind::Alias(_) => true,
                    NodeKind::Sequence { items, .. } => items
                        .iter()
                        .all(|i| matches!(i.kind, NodeKind::Mapping { .. } | NodeKind::Alias(_))),
                    NodeKind::Scalar(_) => false,
                };
                if !ok {
                    return Some(err(
                        e.value.span,
                        "expected a mapping or list of mappings for merging".into(),
                    ));
                }
            }
        }
    }
    None
}

/// `!!python/int` → `tag:yaml.org,2002:python/int`, as PyYAML prints it.
fn full_tag(tag: &str) -> String {
    match tag.strip_prefix("!!") {
        Some(rest) => format!("tag:yaml.org,2002:{rest}"),
        None => tag.to_string(),
    }
}

/// A plain `<<` key: PyYAML's merge key.
pub fn is_merge_key(key: &Node) -> bool {
    key.as_scalar()
        .is_some_and(|s| s.style == ScalarStyle::Plain && s.value == "<<" && key.tag().is_none())
}

/// The first thing OmegaConf's loader refuses (omegaconf 2.3 `OmegaConf.load`): anything
/// `safe_load` refuses, a key repeated in one mapping (its loader raises on duplicate string
/// keys), a null key (KeyValidationError), and values it cannot hold (`!!set`, an explicit
/// `!!timestamp`: UnsupportedValueType). Duplicates are found by the duplicate-key rule; this
/// reports them too, so callers can ask one question.
pub fn omegaconf_rejects(root: &Node) -> Option<LoadError> {
    if let Some(e) = constructor_error(root) {
        return Some(e);
    }
    let mut found = None;
    walk(root, &mut |node| {
        if found.is_some() {
            return;
        }
        if let Some(tag) = node.tag().and_then(core_name) {
            if matches!(tag, "set" | "timestamp" | "omap" | "pairs") {
                found = Some(LoadError {
                    span: node.span,
                    exception: "UnsupportedValueType",
                    message: format!("OmegaConf cannot hold a value tagged !!{tag}"),
                    duplicate_key: false,
                });
                return;
            }
        }
        if let NodeKind::Scalar(sc) = &node.kind {
            if sc.resolved == Resolved::Str && sc.value.contains("${") {
                if let Some(why) = interpolation_grammar_error(&sc.value) {
                    found = Some(LoadError {
                        span: node.span,
                        exception: "GrammarParseError",
                        message: why,
                        duplicate_key: false,
                    });
                }
            }
            return;
        }
        let NodeKind::Mapping { entries, .. } = &node.kind else {
            return;
        };
        let mut seen: Vec<&str> = Vec::new();
        for e in entries {
            let Some(k) = e.key.as_scalar() else { continue };
            if k.resolved == Resolved::Null && !is_merge_key(&e.key) {
                found = Some(LoadError {
                    span: e.key.span,
                    exception: "KeyValidationError",
                    message: "Incompatible key type 'NoneType' (a null key)".into(),
                    duplicate_key: false,
                });
                return;
            }
            if !matches!(k.resolved, Resolved::Str) || is_merge_key(&e.key) {
                continue;
            }
            if seen.contains(&k.value.as_str()) {
                found = Some(LoadError {
                    span: e.key.span,
                    exception: "ConstructorError",
                    message: format!("found duplicate key {}", k.value),
                    duplicate_key: true,
                });
                return;
            }
            seen.push(&k.value);
        }
    });
    found
}

/// OmegaConf checks every string holding `${` against its interpolation grammar when it
/// builds the config (omegaconf 2.3 `grammar/OmegaConfGrammarParser.g4`), so a malformed one
/// makes the load fail. The common faults: no closing `}`, an empty `${}`, a key path with a
/// space or quote (`${InvokeAI.Web Server.port}`), a resolver name that is not an identifier.
/// Nested interpolations are not looked into.
fn interpolation_grammar_error(text: &str) -> Option<String> {
    let mut from = 0;
    while let Some(i) = text[from..].find("${").map(|i| i + from) {
        from = i + 2;
        if i > 0 && text.as_bytes()[i - 1] == b'\\' {
            continue;
        }
        let rest = &text[i + 2..];
        let Some(end) = rest.find('}') else {
            return Some(format!("`{text}`: an interpolation `${{` is never closed"));
        };
        let inner = &rest[..end];
        if inner.contains("${") {
            return None;
        }
        let bad = if let Some((resolver, _args)) = inner.split_once(':') {
            let ident = |p: &str| {
                let p = p.trim();
                p.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                    && p.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            };
            !resolver.split('.').all(ident)
        } else {
            inner.trim().is_empty()
                || inner.trim().chars().any(|c| {
                    c.is_whitespace()
                        || matches!(c, '\\' | '{' | '(' | ')' | '[' | ']' | '\'' | '"')
                })
        };
        if bad {
            return Some(format!("`${{{inner}}}` is not a valid interpolation"));
        }
        from = i + 2 + end;
    }
    None
}

/// Every node, parents before children, keys before values.
fn walk<'a>(node: &'a Node, f: &mut impl FnMut(&'a Node)) {
    f(node);
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            for e in entries {
                walk(&e.key, f);
                walk(&e.value, f);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for i in items {
                walk(i, f);
            }
        }
        NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        let p = crate::yaml::parse(text);
        assert!(p.error.is_none(), "{text}: {:?}", p.error);
        p.documents.into_iter().next().unwrap().root
    }

    #[test]
    fn python_and_local_tags_have_no_constructor() {
        let e = constructor_error(&root("port: !!python/int 9090\n")).unwrap();
        assert_eq!(
            e.message,
            "could not determine a constructor for the tag 'tag:yaml.org,2002:python/int'"
        );
        assert!(constructor_error(&root("a: !foo 1\n")).is_some());
        assert!(constructor_error(&root("a: !!int 12\nb: !!str x\nc: ! 5\n")).is_none());
        assert!(constructor_error(&root("a: !!int abc\n")).is_some());
    }

    #[test]
    fn merge_keys_and_collection_keys() {
        assert!(constructor_error(&root("<<: {port: 9091}\n")).is_none());
        assert!(constructor_error(&root("<<: [{a: 1}, {b: 2}]\n")).is_none());
        assert!(constructor_error(&root("<<: 5\n")).is_some());
        assert!(constructor_error(&root("? [a]\n: 1\n")).is_some());
    }

    #[test]
    fn omegaconf_is_stricter() {
        assert!(omegaconf_rejects(&root("a: 1\na: 2\n")).is_some());
        assert!(omegaconf_rejects(&root("a: 1\n'a': 2\n")).is_some());
        assert!(omegaconf_rejects(&root("1: 1\n1: 2\n")).is_none());
        assert!(omegaconf_rejects(&root("~: 1\n")).is_some());
        assert!(omegaconf_rejects(&root("a: !!set {x}\n")).is_some());
        assert!(omegaconf_rejects(&root("a: {b: 1}\nc: {b: 2}\n")).is_none());
        assert!(omegaconf_rejects(&root("a: ${x.y}\nb: ${oc.env:A B}\nc: \\${ x\n")).is_none());
        assert!(omegaconf_rejects(&root("a: '${InvokeAI.Web Server.port}'\n")).is_some());
        assert!(omegaconf_rejects(&root("a: '${}'\n")).is_some());
        assert!(omegaconf_rejects(&root("a: '${'\n")).is_some());
    }
}

//! pydantic lax-mode answers for hand-built YAML nodes (the YAML parser is tested on its own).
//! Cases from CONFIG_FACTS.md §1.5 are marked "§1.5".

use super::*;
use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::{Constraints, Knowledge, Version};
use crate::source::Span;
use crate::yaml::{Entry, Node, NodeKind, Resolved, Scalar, ScalarStyle};

fn node(kind: NodeKind) -> Node {
    Node::new(Span::default(), kind)
}

/// A plain scalar as PyYAML would have typed it.
fn plain(text: &str, resolved: Resolved) -> Node {
    node(NodeKind::Scalar(Scalar {
        value: text.into(),
        style: ScalarStyle::Plain,
        resolved,
    }))
}
fn int(i: i128) -> Node {
    plain(&i.to_string(), Resolved::Int(i))
}
fn float(text: &str) -> Node {
    let f = match text {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        t => t.parse().unwrap(),
    };
    plain(text, Resolved::Float(f))
}
fn boolean(b: bool) -> Node {
    plain(if b { "true" } else { "false" }, Resolved::Bool(b))
}
fn null() -> Node {
    plain("", Resolved::Null)
}
/// A plain scalar PyYAML leaves as a string (`1e3`, `cuda`).
fn word(text: &str) -> Node {
    plain(text, Resolved::Str)
}
fn quoted(text: &str) -> Node {
    node(NodeKind::Scalar(Scalar {
        value: text.into(),
        style: ScalarStyle::SingleQuoted,
        resolved: Resolved::Str,
    }))
}
fn date(text: &str) -> Node {
    plain(text, Resolved::Timestamp)
}
fn seq(items: Vec<Node>) -> Node {
    node(NodeKind::Sequence { items, flow: false })
}
fn map(pairs: Vec<(&str, Node)>) -> Node {
    node(NodeKind::Mapping {
        entries: pairs
            .into_iter()
            .map(|(k, value)| Entry {
                key: word(k),
                value,
            })
            .collect(),
        flow: false,
    })
}
fn alias(name: &str) -> Node {
    node(NodeKind::Alias(name.into()))
}

/// The pydantic of 6.13.8.
const P13: Pydantic = Pydantic::new(2, 13);

fn shipped(version: &str) -> Pydantic {
    Pydantic::shipped_with(&Version::parse(version).unwrap())
}

/// The key's revision at a release, from the real table.
fn rev(key: &str, version: &str) -> &'static KeyRevision {
    Knowledge::get()
        .key_at(key, &Version::parse(version).unwrap())
        .unwrap_or_else(|| panic!("{key} at {version}"))
        .rev
}

fn ok(key: &str, version: &str, n: &Node) {
    assert_eq!(
        check(rev(key, version), n, shipped(version)),
        Ok(()),
        "{key}@{version} should accept {n:?}"
    );
}

fn err(key: &str, version: &str, n: &Node) -> Invalid {
    match check(rev(key, version), n, shipped(version)) {
        Ok(()) => panic!("{key}@{version} should reject {n:?}"),
        Err(e) => e,
    }
}

const V: &str = "6.13.8";

mod compound;
mod scalars;

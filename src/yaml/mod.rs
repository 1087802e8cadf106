//! YAML as InvokeAI reads it: a located tree from saphyr-parser events, with plain
//! scalars typed the way PyYAML 1.1 `safe_load` types them.
//!
//! Every node keeps its byte span; aliases are kept as aliases (never expanded), so
//! an alias bomb costs nothing.
//!
//! saphyr-parser reads YAML 1.2; InvokeAI reads YAML with PyYAML (1.1). Where PyYAML refuses
//! what saphyr accepts (tabs outside quotes, comments and block text; control characters;
//! anchor names; duplicate anchors; keyless `: value`), `parse` reports the error PyYAML
//! would. Module map: `tree` builds nodes from events, `lex` finds in the text what events
//! leave out, `checks` holds PyYAML's extra rules, `errors` rewords saphyr's messages,
//! `resolve` types plain scalars, `chars` maps saphyr's character offsets to bytes.

mod chars;
mod checks;
mod errors;
mod lex;
mod loader;
pub mod resolve;
mod stand_in;
mod tree;

pub use loader::{constructor_error, is_merge_key, omegaconf_rejects, LoadError};
pub use resolve::{resolve_plain, resolve_scalar, Resolved};
pub use tree::parse;

use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Scalar {
    /// The decoded value (escapes processed, folding applied).
    pub value: String,
    pub style: ScalarStyle,
    /// What PyYAML's resolver makes of it (plain scalars only; quoted and block scalars are strings,
    /// unless an explicit tag says otherwise).
    pub resolved: Resolved,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar(Scalar),
    Mapping {
        entries: Vec<Entry>,
        flow: bool,
    },
    Sequence {
        items: Vec<Node>,
        flow: bool,
    },
    /// `*name`: not expanded.
    Alias(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Bytes of the node in the source text. For a scalar: from its first character
    /// (the opening quote for quoted scalars, the `|`/`>` for block scalars) to its last
    /// (the closing quote; the end of a block scalar's last line of text). Properties
    /// (`&anchor`, `!!tag`) are not part of it. An empty node (`key:`) has an empty span
    /// just after its `:` or `-`. A block collection spans its first key or `-` to the end
    /// of its last node; a flow collection its brackets.
    pub span: Span,
    /// Its tag and anchor, boxed: most nodes have neither, and a tree's nodes are moved
    /// about as it is built (this keeps a node at 96 bytes instead of 128).
    pub props: Option<Box<Properties>>,
    pub kind: NodeKind,
}

/// A node's `!tag` and `&anchor`.
#[derive(Clone, Debug, PartialEq)]
pub struct Properties {
    pub tag: Option<String>,
    pub anchor: Option<String>,
}

impl Properties {
    /// None when there is neither.
    pub fn boxed(tag: Option<String>, anchor: Option<String>) -> Option<Box<Properties>> {
        (tag.is_some() || anchor.is_some()).then(|| Box::new(Properties { tag, anchor }))
    }
}

impl Node {
    /// A node without tag or anchor.
    pub fn new(span: Span, kind: NodeKind) -> Node {
        Node {
            span,
            props: None,
            kind,
        }
    }
    /// Its tag as written, resolved (`!!int`, `!local`), if it has one.
    pub fn tag(&self) -> Option<&str> {
        self.props.as_ref()?.tag.as_deref()
    }
    /// Its anchor's name, if it has one.
    pub fn anchor(&self) -> Option<&str> {
        self.props.as_ref()?.anchor.as_deref()
    }
    pub fn as_scalar(&self) -> Option<&Scalar> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }
    /// The decoded text of a scalar.
    pub fn as_str(&self) -> Option<&str> {
        self.as_scalar().map(|s| s.value.as_str())
    }
    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Mapping { entries, .. } => Some(entries),
            _ => None,
        }
    }
    /// The last entry whose key is the scalar `key` (PyYAML keeps the last of duplicates).
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries()?
            .iter()
            .rev()
            .find(|e| e.key.as_str() == Some(key))
    }
    /// A short name of the node's kind for messages: "a mapping", "a list", "the string 'x'", "null".
    pub fn describe(&self) -> String {
        match &self.kind {
            NodeKind::Mapping { .. } => "a mapping".into(),
            NodeKind::Sequence { .. } => "a list".into(),
            NodeKind::Alias(a) => format!("the alias *{a}"),
            NodeKind::Scalar(s) => s.resolved.describe(&s.value),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The root node; an empty document has a null scalar with an empty span.
    pub root: Node,
    /// Byte span of the whole document, from its first token to its last.
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct YamlError {
    /// Where the parser stopped: usually one character wide (the offending character); a bad
    /// escape runs from its backslash to the offending character, an undefined alias covers
    /// the `*name`, an unclosed quote is its opening quote.
    pub span: Span,
    /// The parser's message, reworded for people where it helps.
    pub message: String,
    /// What went wrong, for rules that give specific help.
    pub kind: YamlErrorKind,
    /// saphyr-parser's own words, when the error came from it (for bug reports, not for people).
    pub detail: Option<String>,
}

/// The kinds of YAML errors a rule may want to explain. PyYAML refuses the same texts, except
/// for `TooDeep` (our limit) and the few things saphyr is stricter about (see the tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum YamlErrorKind {
    /// `\S` inside a double-quoted scalar: not one of YAML's escapes. The classic case is a
    /// Windows path in double quotes (`"E:\Softwares\models"`). `ch` is the character after
    /// the backslash.
    BadEscape { ch: char },
    /// `\x`, `\u` or `\U` (`ch`) without enough hex digits after it, or naming no
    /// character: the same Windows-path mistake when a folder starts with x, u or U
    /// (`"C:\Users\me"`). The span runs from the backslash to the first character that
    /// is not a hex digit.
    BadHexEscape { ch: char },
    /// A tab where PyYAML only accepts spaces: indentation, between tokens, in a plain scalar.
    /// (Tabs are fine inside quotes, comments and block scalar text.)
    Tab,
    /// A character PyYAML's reader refuses anywhere in the file (control characters, DEL, ...).
    NonPrintable { ch: char },
    /// A quoted scalar whose closing quote never comes.
    UnclosedQuote,
    /// A line indented in a way that fits no mapping or list around it.
    Indentation,
    /// `*name` with no `&name` before it in the document.
    UndefinedAlias,
    /// Anchor or alias names PyYAML refuses (it takes only `[0-9A-Za-z_-]`).
    BadAnchorName,
    /// The same `&name` twice in one document: YAML 1.2 allows it, PyYAML does not.
    DuplicateAnchor,
    /// Collections nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Any other syntax error.
    Syntax,
}

/// How deep collections may nest before `parse` gives up (InvokeAI configs nest 3 levels).
pub const MAX_DEPTH: usize = 128;

#[derive(Clone, Debug, PartialEq, Default)]
pub struct Parsed {
    /// Documents read before any error.
    pub documents: Vec<Document>,
    pub error: Option<YamlError>,
    /// The text starts with a byte-order mark (PyYAML skips it).
    pub bom: bool,
}

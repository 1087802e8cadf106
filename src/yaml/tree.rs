//! The located tree, built from saphyr-parser's events.
//!
//! saphyr gives each event a span in characters; we turn those into byte offsets and fix up
//! what the events leave out (see `lex`). Collections are built on an explicit stack, never
//! by recursion, and the depth is capped, so no input can overflow the stack. Aliases stay
//! aliases.

use std::borrow::Cow;
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use saphyr_parser::{Event, Parser, ScalarStyle as SaphyrStyle, Span as SaphyrSpan, Tag};

use super::chars::CharIndex;
use super::checks::{self, Leaf, LeafKind};
use super::errors::{char_span, from_saphyr};
use super::lex;
use super::resolve::resolve_scalar;
use super::stand_in::{bom_stand_in, snap, snap_node, BOM_STAND_IN};
use super::{
    Document, Entry, Node, NodeKind, Parsed, Properties, Resolved, Scalar, ScalarStyle, YamlError,
    YamlErrorKind, MAX_DEPTH,
};
use crate::source::Span;

/// Parse YAML text into located documents. Never panics; a syntax error ends the
/// parse and is reported in `Parsed::error` next to the documents read before it.
///
/// Line breaks that PyYAML knows and saphyr does not (a lone `\r`, NEL, U+2028, U+2029)
/// are read as `\n` (the text given to saphyr has the same length, so every span
/// holds); spans are then moved onto the original text's character boundaries. A value
/// that holds such a break inside quotes reads as if it were a plain line break.
pub fn parse(text: &str) -> Parsed {
    let Some(plain) = crate::source::yaml_breaks_as_newlines(text) else {
        return parse_breaks(text);
    };
    let mut parsed = parse_breaks(&plain);
    for d in &mut parsed.documents {
        d.span = snap(text, d.span);
        snap_node(text, &mut d.root);
    }
    if let Some(e) = &mut parsed.error {
        e.span = snap(text, e.span);
    }
    parsed
}

fn parse_breaks(text: &str) -> Parsed {
    let bom = text.starts_with('\u{feff}');
    // PyYAML's reader checks the whole stream before scanning: nothing gets read.
    if let Some(error) = checks::non_printable(text) {
        return Parsed {
            documents: Vec::new(),
            error: Some(error),
            bom,
        };
    }
    // PyYAML skips a byte-order mark at the very start; saphyr would too, but then a
    // byte-order mark anywhere else is an error to it, so we drop it ourselves.
    let offset = if bom { '\u{feff}'.len_utf8() } else { 0 };
    let body = &text[offset..];
    // Any other byte-order mark is an ordinary character to PyYAML (a second one at the
    // start makes the first key `\ufeffschema_version`); saphyr refuses it inside a
    // document and skips it at one's start. It reads a stand-in of the same length
    // instead, turned back into U+FEFF in every scalar.
    let swapped = bom_stand_in(body);
    let body = swapped.as_deref().unwrap_or(body);
    let mut builder = Builder::new(text, body, offset);
    builder.bom_stand_in = swapped.is_some();
    // saphyr-parser asserts a few invariants of its own; should one ever fail on odd input,
    // report it as an error rather than take the linter down.
    let saphyr_error = catch_unwind(AssertUnwindSafe(|| builder.run(body))).unwrap_or_else(|_| {
        Some(YamlError {
            span: char_span(text, builder.floor),
            message: "internal error in the YAML parser (saphyr-parser panicked)".into(),
            kind: YamlErrorKind::Syntax,
            detail: None,
        })
    });
    builder.finish(saphyr_error)
}

/// A collection being read.
struct Frame {
    mapping: bool,
    /// Inside `[...]`/`{...}`, opened here or around it.
    flow: bool,
    /// Opened by a bracket here: it ends at its closing bracket.
    bracket: bool,
    start: usize,
    tag: Option<String>,
    anchor: Option<String>,
    /// A sequence's items.
    items: Vec<Node>,
    /// A mapping's entries, made as each value arrives (not paired up at the end: that
    /// took a second list and a copy of every node, for every mapping of every file).
    entries: Vec<Entry>,
    /// A mapping's key still waiting for its value.
    key: Option<Node>,
}

struct OpenDocument {
    /// Where `---` starts, for an explicit document.
    start: Option<usize>,
    root: Option<Node>,
}

struct Builder<'t> {
    text: &'t str,
    /// Byte offset of the text saphyr reads (after a byte-order mark).
    offset: usize,
    chars: CharIndex<'t>,
    stack: Vec<Frame>,
    doc: Option<OpenDocument>,
    documents: Vec<Document>,
    /// End of the last token read: what lies between it and the next node is blanks,
    /// comments and indicators.
    floor: usize,
    /// Scalars, aliases and properties, for the tab check.
    leaves: Vec<Leaf>,
    /// The first problem PyYAML has that saphyr does not (anchors, empty keys).
    compat_error: Option<YamlError>,
    /// Anchors of the current document, to catch one defined twice.
    anchors: HashMap<String, Span>,
    /// The body saphyr reads has [`BOM_STAND_IN`] where the text has U+FEFF.
    bom_stand_in: bool,
}

impl<'t> Builder<'t> {
    fn new(text: &'t str, body: &'t str, offset: usize) -> Self {
        Builder {
            text,
            offset,
            chars: CharIndex::new(body),
            stack: Vec::new(),
            doc: None,
            documents: Vec::new(),
            floor: offset,
            leaves: Vec::new(),
            compat_error: None,
            anchors: HashMap::new(),
            bom_stand_in: false,
        }
    }

    fn pos(&self, char_index: usize) -> usize {
        self.offset + self.chars.byte(char_index)
    }

    fn run(&mut self, body: &'t str) -> Option<YamlError> {
        for item in Parser::new_from_str(body) {
            match item {
                Ok((event, span)) => {
                    if let Err(e) = self.event(event, span) {
                        return Some(e);
                    }
                }
                Err(e) => {
                    let pos = self.pos(e.marker().index());
                    return Some(from_saphyr(self.text, e.info(), pos));
                }
            }
        }
        None
    }

    fn event(&mut self, event: Event<'t>, span: SaphyrSpan) -> Result<(), YamlError> {
        let start = self.pos(span.start.index());
        let end = self.pos(span.end.index()).max(start);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(explicit) => {
                self.anchors.clear();
                self.doc = Some(OpenDocument {
                    start: explicit.then_some(start),
                    root: None,
                });
                if explicit {
                    self.floor = self.floor.max(end);
                }
            }
            Event::DocumentEnd => self.end_document(start, end),
            Event::Alias(_) => {
                let name = Span::new((start + 1).min(end), end);
                self.check_anchor_name(name);
                self.leaves.push(Leaf {
                    start,
                    end,
                    kind: LeafKind::Other,
                });
                self.floor = self.floor.max(end);
                let name = self.text.get(name.start..name.end).unwrap_or_default();
                self.attach(Node::new(
                    Span::new(start, end),
                    NodeKind::Alias(name.to_string()),
                ));
            }
            Event::Scalar(value, style, anchor_id, tag) => {
                let node = self.scalar(value, style, anchor_id, tag, start, end);
                self.attach(node);
            }
            Event::SequenceStart(anchor_id, tag) => self.open(false, anchor_id, tag, start)?,
            Event::MappingStart(anchor_id, tag) => self.open(true, anchor_id, tag, start)?,
            Event::SequenceEnd | Event::MappingEnd => self.close(end),
        }
        Ok(())
    }

    fn end_document(&mut self, start: usize, end: usize) {
        let explicit_end = lex::is_document_end_marker(self.text, Span::new(start, end));
        if let Some(doc) = self.doc.take() {
            let root = doc
                .root
                .unwrap_or_else(|| empty_null(Span::new(self.floor, self.floor)));
            let doc_start = doc.start.unwrap_or(root.span.start);
            let doc_end = if explicit_end { end } else { root.span.end };
            self.documents.push(Document {
                span: Span::new(doc_start.min(root.span.start), doc_end),
                root,
            });
        }
        if explicit_end {
            self.floor = self.floor.max(end);
        }
    }

    fn attach(&mut self, node: Node) {
        if let Some(top) = self.stack.last_mut() {
            if !top.mapping {
                top.items.push(node);
            } else if let Some(key) = top.key.take() {
                top.entries.push(Entry { key, value: node });
            } else {
                top.key = Some(node);
            }
        } else if let Some(doc) = self.doc.as_mut() {
            doc.root = Some(node);
        }
    }

    /// Read the node's properties from the text, which starts with them when there are any.
    /// Returns the anchor's name and where the properties end.
    fn properties(
        &mut self,
        anchor_id: usize,
        tagged: bool,
        start: usize,
    ) -> (Option<String>, Option<usize>) {
        let count = usize::from(anchor_id > 0) + usize::from(tagged);
        if count == 0 {
            return (None, None);
        }
        let (props, end) = lex::properties(self.text, start, count);
        let mut anchor = None;
        for p in props {
            self.leaves.push(Leaf {
                start: p.span.start,
                end: p.span.end,
                kind: LeafKind::Other,
            });
            if let Some(name) = p.anchor {
                self.check_anchor_name(name);
                let text = self.text.get(name.start..name.end).unwrap_or_default();
                if self.anchors.insert(text.to_string(), p.span).is_some() {
                    self.note(YamlError {
                        span: p.span,
                        message: format!(
                            "found duplicate anchor '{text}': PyYAML refuses an anchor defined \
                             twice in one document"
                        ),
                        kind: YamlErrorKind::DuplicateAnchor,
                        detail: None,
                    });
                }
                anchor = Some(text.to_string());
            }
        }
        self.floor = self.floor.max(end);
        (anchor, Some(end))
    }

    fn check_anchor_name(&mut self, name: Span) {
        if let Some(e) = checks::bad_anchor_name(self.text, name) {
            self.note(e);
        }
    }

    /// Keep the first of PyYAML's own errors (events come in text order).
    fn note(&mut self, e: YamlError) {
        if self.compat_error.is_none() {
            self.compat_error = Some(e);
        }
    }

    /// Whether the next node is a mapping key.
    fn at_key(&self) -> bool {
        self.stack
            .last()
            .is_some_and(|f| f.mapping && f.key.is_none())
    }

    fn scalar(
        &mut self,
        value: Cow<'t, str>,
        style: SaphyrStyle,
        anchor_id: usize,
        tag: Option<Cow<'t, Tag>>,
        start: usize,
        end: usize,
    ) -> Node {
        let tag = tag.map(|t| render_tag(&t));
        let value = if self.bom_stand_in && value.contains(BOM_STAND_IN) {
            Cow::Owned(value.replace(BOM_STAND_IN, "\u{feff}"))
        } else {
            value
        };
        let (anchor, props_end) = self.properties(anchor_id, tag.is_some(), start);
        let style = match style {
            SaphyrStyle::Plain => ScalarStyle::Plain,
            SaphyrStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            SaphyrStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            SaphyrStyle::Literal => ScalarStyle::Literal,
            SaphyrStyle::Folded => ScalarStyle::Folded,
        };
        let content = props_end.map_or(start, |p| lex::skip_blank(self.text, p, end));
        let span = if value.is_empty() && style == ScalarStyle::Plain {
            // No text at all (`key:`): saphyr puts it at the next token; we put it right
            // after what introduced it.
            let p = props_end.unwrap_or_else(|| lex::empty_node_position(self.text, self.floor));
            if props_end.is_none() && self.at_key() {
                self.check_empty_key();
            }
            Span::new(p, p)
        } else {
            match style {
                ScalarStyle::Plain => {
                    self.leaves.push(Leaf {
                        start: content,
                        end,
                        kind: LeafKind::Plain,
                    });
                    Span::new(content, end)
                }
                ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => {
                    let end = lex::quoted_end(self.text, content, end).unwrap_or(end);
                    self.leaves.push(Leaf {
                        start: content,
                        end,
                        kind: LeafKind::Quoted,
                    });
                    Span::new(content, end)
                }
                ScalarStyle::Literal | ScalarStyle::Folded => {
                    self.block_scalar_span(props_end.unwrap_or(self.floor), content, end)
                }
            }
        };
        self.floor = self.floor.max(span.end);
        let resolved = resolve_scalar(tag.as_deref(), style, &value);
        Node {
            span,
            props: Properties::boxed(tag, anchor),
            kind: NodeKind::Scalar(Scalar {
                value: value.into_owned(),
                style,
                resolved,
            }),
        }
    }

    /// YAML 1.2 allows `: value` with no key; PyYAML only takes an empty key after `? `.
    fn check_empty_key(&mut self) {
        let b = self.text.as_bytes();
        let mut p = self.floor;
        // Step over what may come between the last token and the key: a list item's `-`,
        // a flow comma.
        loop {
            p = lex::skip_blank(self.text, p, b.len());
            match b.get(p) {
                Some(b',') => p += 1,
                Some(b'-') if b.get(p + 1).is_none_or(|c| c.is_ascii_whitespace()) => p += 1,
                _ => break,
            }
        }
        if b.get(p) == Some(&b':') {
            self.note(YamlError {
                span: char_span(self.text, p),
                message: "expected a key before ':': PyYAML does not accept a mapping entry \
                          without a key (an empty key needs '? ')"
                    .into(),
                kind: YamlErrorKind::Syntax,
                detail: None,
            });
        }
    }

    /// saphyr's span of a block scalar runs from its first line of text to the line after its
    /// last; ours from the `|`/`>` to the end of its last line of text.
    fn block_scalar_span(&mut self, from: usize, content: usize, end: usize) -> Span {
        let indicator = lex::block_indicator(self.text, from, end).unwrap_or(content);
        let header_end = lex::block_header_end(self.text, indicator);
        let indent = self.block_indent(indicator, header_end, end);
        self.leaves.push(Leaf {
            start: indicator,
            end: end.max(header_end),
            kind: LeafKind::Block { header_end, indent },
        });
        Span::new(indicator, lex::block_scalar_end(self.text, header_end, end))
    }

    /// The indentation of a block scalar's text as PyYAML works it out: the parent block
    /// collection's column plus the explicit indicator, or else the most leading spaces over
    /// the lines up to and including the first line of text (at least one more than the
    /// parent's column).
    fn block_indent(&self, indicator: usize, header_end: usize, end: usize) -> usize {
        let b = self.text.as_bytes();
        let parent = self
            .stack
            .last()
            .map_or(-1, |f| lex::column(self.text, f.start) as isize);
        let explicit = b
            .get(indicator + 1..header_end)
            .and_then(|h| h.iter().find(|c| c.is_ascii_digit()))
            .map(|d| isize::from(d - b'0'));
        if let Some(d) = explicit {
            return (parent + d).max(0) as usize;
        }
        let min = (parent + 1).max(1) as usize;
        let end = end.min(b.len());
        let mut most = 0;
        let mut pos =
            memchr::memchr(b'\n', &b[header_end.min(end)..end]).map_or(end, |k| header_end + k + 1);
        while pos < end {
            let spaces = b[pos..end].iter().take_while(|&&c| c == b' ').count();
            most = most.max(spaces);
            match b.get(pos + spaces) {
                Some(b'\r' | b'\n') => {
                    pos = memchr::memchr(b'\n', &b[pos..end]).map_or(end, |k| pos + k + 1);
                }
                _ => break,
            }
        }
        most.max(min)
    }

    fn open(
        &mut self,
        mapping: bool,
        anchor_id: usize,
        tag: Option<Cow<'t, Tag>>,
        start: usize,
    ) -> Result<(), YamlError> {
        let tag = tag.map(|t| render_tag(&t));
        let (anchor, props_end) = self.properties(anchor_id, tag.is_some(), start);
        let mut content =
            props_end.map_or(start, |p| lex::skip_blank(self.text, p, self.text.len()));
        if self.stack.len() >= MAX_DEPTH {
            return Err(YamlError {
                span: char_span(self.text, content),
                message: format!(
                    "collections nested deeper than {MAX_DEPTH} levels: this is not a config file"
                ),
                kind: YamlErrorKind::TooDeep,
                detail: None,
            });
        }
        let open_bracket = if mapping { b'{' } else { b'[' };
        let bracket = self.text.as_bytes().get(content) == Some(&open_bracket);
        if bracket {
            self.floor = self.floor.max(content + 1);
        } else if !mapping {
            // saphyr starts a list that is not indented under its key after the first `- `.
            content = lex::back_to_dash(self.text, content);
        }
        let flow = bracket || self.stack.last().is_some_and(|f| f.flow);
        self.stack.push(Frame {
            mapping,
            flow,
            bracket,
            start: content,
            tag,
            anchor,
            items: Vec::new(),
            entries: Vec::new(),
            key: None,
        });
        Ok(())
    }

    fn close(&mut self, end: usize) {
        let Some(mut frame) = self.stack.pop() else {
            return;
        };
        // The collection's nodes in order: a mapping's keys and values, then a key left
        // without a value.
        let nodes = || {
            frame
                .items
                .iter()
                .chain(frame.entries.iter().flat_map(|e| [&e.key, &e.value]))
                .chain(frame.key.as_ref())
        };
        let start = nodes()
            .next()
            .map_or(frame.start, |n| n.span.start.min(frame.start));
        let end = if frame.bracket {
            self.floor = self.floor.max(end);
            end
        } else {
            nodes().map(|n| n.span.end).max().unwrap_or(frame.start)
        };
        let kind = if frame.mapping {
            if let Some(key) = frame.key.take() {
                let value = empty_null(Span::new(key.span.end, key.span.end));
                frame.entries.push(Entry { key, value });
            }
            NodeKind::Mapping {
                entries: frame.entries,
                flow: frame.flow,
            }
        } else {
            NodeKind::Sequence {
                items: frame.items,
                flow: frame.flow,
            }
        };
        self.attach(Node {
            span: Span::new(start, end),
            props: Properties::boxed(frame.tag, frame.anchor),
            kind,
        });
    }

    /// Settle which error comes first (saphyr's, or one of PyYAML's own), and keep the
    /// documents that end before it.
    fn finish(mut self, saphyr_error: Option<YamlError>) -> Parsed {
        let limit = match &saphyr_error {
            // Past the last event saphyr may have scanned tokens it never reported: leave
            // that stretch to saphyr's error.
            Some(e) => e.span.start.min(self.floor),
            None => self.text.len(),
        };
        self.leaves.sort_by_key(|l| l.start);
        let tab_error = checks::misplaced_tab(self.text, &self.leaves, limit);
        let gap_error = saphyr_error
            .as_ref()
            .and_then(|e| checks::gap_problem(self.text, limit, e.span.start));
        let error = [tab_error, self.compat_error.take(), gap_error, saphyr_error]
            .into_iter()
            .flatten()
            .min_by_key(|e| e.span.start);
        if let Some(e) = &error {
            self.documents.retain(|d| d.span.end <= e.span.start);
        }
        Parsed {
            documents: self.documents,
            error,
            bom: self.offset > 0,
        }
    }
}

fn empty_null(span: Span) -> Node {
    Node {
        span,
        props: None,
        kind: NodeKind::Scalar(Scalar {
            value: String::new(),
            style: ScalarStyle::Plain,
            resolved: Resolved::Null,
        }),
    }
}

/// A tag as written in YAML: `!!int` for the core schema, `!foo` for local tags, the full tag
/// otherwise (`!<tag:x>`, or a `%TAG` prefix expanded).
fn render_tag(tag: &Tag) -> String {
    if tag.handle == "tag:yaml.org,2002:" {
        format!("!!{}", tag.suffix)
    } else if tag.handle == "!" {
        format!("!{}", tag.suffix)
    } else {
        format!("{}{}", tag.handle, tag.suffix)
    }
}

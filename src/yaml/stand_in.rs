//! What saphyr reads instead of the text, and back: characters PyYAML takes that saphyr does
//! not are swapped for stand-ins of the same length before parsing (line breaks in
//! `source::yaml_breaks_as_newlines`, byte-order marks here), so every offset holds; spans are
//! then widened onto the original text's character boundaries.

use super::{Node, NodeKind};
use crate::source::Span;

/// A span widened to character boundaries of `text`.
pub(super) fn snap(text: &str, span: Span) -> Span {
    let mut start = span.start.min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = span.end.clamp(start, text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    Span::new(start, end)
}

pub(super) fn snap_node(text: &str, node: &mut Node) {
    node.span = snap(text, node.span);
    match &mut node.kind {
        NodeKind::Mapping { entries, .. } => {
            for e in entries {
                snap_node(text, &mut e.key);
                snap_node(text, &mut e.value);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for i in items {
                snap_node(text, i);
            }
        }
        NodeKind::Scalar(_) | NodeKind::Alias(_) => {}
    }
}

/// What saphyr reads in place of a byte-order mark that does not start the text: a
/// noncharacter, printable to PyYAML as U+FEFF is, and as long in UTF-8 (so every offset
/// holds).
pub(super) const BOM_STAND_IN: char = '\u{fdd0}';
const _: () = assert!(BOM_STAND_IN.len_utf8() == '\u{feff}'.len_utf8());

/// `body` with its byte-order marks replaced by [`BOM_STAND_IN`]; None when it has none
/// (nearly always), or when it already holds the stand-in (then it could not be told
/// apart; saphyr's reading stands).
pub(super) fn bom_stand_in(body: &str) -> Option<String> {
    let finder = memchr::memmem::Finder::new("\u{feff}".as_bytes());
    finder.find(body.as_bytes())?;
    if body.contains(BOM_STAND_IN) {
        return None;
    }
    Some(body.replace('\u{feff}', BOM_STAND_IN.encode_utf8(&mut [0; 4])))
}

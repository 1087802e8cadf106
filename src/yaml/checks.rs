//! What PyYAML refuses but saphyr-parser (a YAML 1.2 parser) lets through.
//!
//! - PyYAML's reader refuses non-printable characters anywhere in the stream, before it
//!   scans a single token.
//! - PyYAML's scanner skips only spaces between tokens (its `scan_to_next_token`), so a tab is
//!   an error anywhere but inside quotes, comments and block scalar text: as indentation, after
//!   a `:` or `-`, at the end of a line, even inside a plain scalar.
//! - PyYAML's anchor and alias names are `[0-9A-Za-z_-]+`; YAML 1.2 takes almost anything.

use memchr::{memchr, memchr_iter, memrchr};

use super::{YamlError, YamlErrorKind};
use crate::source::Span;

/// PyYAML's `Reader.NON_PRINTABLE`, inverted.
fn printable(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r' | ' '..='~' | '\u{85}' | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// The first character PyYAML's reader refuses.
pub(super) fn non_printable(text: &str) -> Option<YamlError> {
    // Configs are nearly always plain ASCII: a byte test the compiler vectorises settles
    // those without decoding a character.
    let plain = |b: u8| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r');
    let all_plain = text
        .as_bytes()
        .chunks(64)
        .all(|chunk| chunk.iter().fold(true, |ok, &b| ok & plain(b)));
    if all_plain {
        return None;
    }
    let (at, ch) = text.char_indices().find(|&(_, c)| !printable(c))?;
    let code = u32::from(ch);
    Some(YamlError {
        span: Span::new(at, at + ch.len_utf8()),
        message: format!(
            "unacceptable character #x{code:04x}: special characters are not allowed \
             (a control character; PyYAML refuses the whole file)"
        ),
        kind: YamlErrorKind::NonPrintable { ch },
        detail: None,
    })
}

/// A node's text, as far as tabs are concerned.
#[derive(Clone, Copy, Debug)]
pub(super) enum LeafKind {
    /// Tabs end a plain scalar in PyYAML, and the tab then starts no token.
    Plain,
    /// Anything goes between quotes.
    Quoted,
    /// From the `|`/`>` to saphyr's end of the scalar. Tabs are text from column `indent` on;
    /// on the header line they may only sit in a comment.
    Block { header_end: usize, indent: usize },
    /// Anchors, tags, aliases: no tabs inside.
    Other,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Leaf {
    pub start: usize,
    pub end: usize,
    pub kind: LeafKind,
}

/// The first tab before `limit` that PyYAML would refuse. `leaves` are the scalars, aliases
/// and properties read so far, in text order: outside them there are only blanks, indicators
/// and comments.
pub(super) fn misplaced_tab(text: &str, leaves: &[Leaf], limit: usize) -> Option<YamlError> {
    let b = text.as_bytes();
    let limit = limit.min(b.len());
    let line_end = |p: usize| memchr(b'\n', &b[p..]).map_or(b.len(), |k| p + k);
    // Tabs come in text order: the line start is kept up to date incrementally, and once a tab
    // is known to be fine, every tab up to `skip_until` is too (the rest of a comment, of a
    // quoted scalar, of a line of block text). Both keep this linear in the text's length.
    let mut ls = 0;
    let mut last = 0;
    let mut skip_until = 0;
    for p in memchr_iter(b'\t', &b[..limit]) {
        if let Some(k) = memrchr(b'\n', &b[last..p]) {
            ls = last + k + 1;
        }
        last = p;
        if p < skip_until {
            continue;
        }
        let i = leaves.partition_point(|l| l.start <= p);
        let prev = i.checked_sub(1).and_then(|i| leaves.get(i));
        let mut after = ls;
        if let Some(leaf) = prev {
            if p < leaf.end {
                let fine_until = match leaf.kind {
                    LeafKind::Quoted => Some(leaf.end),
                    LeafKind::Plain | LeafKind::Other => None,
                    LeafKind::Block { header_end, indent } => {
                        let header_line_end = line_end(leaf.start);
                        if p < header_line_end {
                            let in_comment = memchr(b'#', &b[header_end.min(p)..p]).is_some();
                            in_comment.then_some(header_line_end)
                        } else {
                            // Text once the line is indented enough; before that only spaces
                            // count as indentation.
                            let text_here = p - ls >= indent || b[ls..p].iter().any(|&c| c != b' ');
                            text_here.then(|| line_end(p))
                        }
                    }
                };
                match fine_until {
                    Some(until) => {
                        skip_until = until;
                        continue;
                    }
                    None => return Some(tab_error(text, p, ls)),
                }
            }
            after = after.max(leaf.end);
        }
        // Outside any node: fine only in a comment, that is after a `#` on this line.
        if memchr(b'#', &b[after.min(p)..p]).is_none() {
            return Some(tab_error(text, p, ls));
        }
        skip_until = line_end(p);
    }
    None
}

/// PyYAML's problems between the last token saphyr reported and the error it stopped at
/// (saphyr may have scanned that far without reporting anything): a misplaced tab, or a bad
/// alias or anchor name (`**precision: float16` — a Markdown bold pasted into a config).
/// Without nodes to go by, this reads the stretch token by token and gives up (None) at
/// anything it cannot be sure of: a block scalar, a quote that does not close.
pub(super) fn gap_problem(text: &str, from: usize, to: usize) -> Option<YamlError> {
    let b = text.as_bytes();
    let to = to.min(b.len());
    let mut i = from.min(to);
    while i < to {
        match b[i] {
            b'\t' => {
                let ls = memrchr(b'\n', &b[..i]).map_or(0, |k| k + 1);
                return Some(tab_error(text, i, ls));
            }
            b'#' if i == 0 || matches!(b[i - 1], b' ' | b'\n' | b'\r') => {
                i = memchr(b'\n', &b[i..to]).map_or(to, |k| i + k);
            }
            b'"' | b'\'' if node_start(b, i) => i = super::lex::quoted_end(text, i, to)?,
            b'|' | b'>' if node_start(b, i) => return None,
            b'&' | b'*' if node_start(b, i) => {
                let end = super::lex::token_end(text, i + 1);
                if let Some(e) = bad_anchor_name(text, Span::new(i + 1, end)) {
                    return Some(e);
                }
                i = end;
            }
            _ => i += 1,
        }
    }
    None
}

/// Whether a node may start at `i`: only blanks since the line start or an indicator.
fn node_start(b: &[u8], i: usize) -> bool {
    let mut j = i;
    while j > 0 && matches!(b[j - 1], b' ' | b'\t') {
        j -= 1;
    }
    j == 0
        || matches!(
            b[j - 1],
            b'\n' | b'\r' | b'-' | b':' | b'?' | b'[' | b'{' | b','
        )
}

fn tab_error(text: &str, p: usize, ls: usize) -> YamlError {
    let indentation = text.as_bytes()[ls..p]
        .iter()
        .all(|&c| c == b' ' || c == b'\t');
    let message = if indentation {
        "found character '\\t' that cannot start any token: a tab in the indentation. \
         YAML indents with spaces only"
    } else {
        "found character '\\t' that cannot start any token: PyYAML takes tabs only inside \
         quotes, comments and block text; use spaces here"
    };
    YamlError {
        span: Span::new(p, p + 1),
        message: message.into(),
        kind: YamlErrorKind::Tab,
        detail: None,
    }
}

/// PyYAML's check of an anchor or alias name (`name` excludes the `&` or `*`).
pub(super) fn bad_anchor_name(text: &str, name: Span) -> Option<YamlError> {
    let s = text.get(name.start..name.end)?;
    let bad = |c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_');
    let (i, ch) = match s.char_indices().find(|&(_, c)| bad(c)) {
        Some(found) => found,
        None if s.is_empty() => (0, ' '),
        None => return None,
    };
    let at = name.start + i;
    let what = match text.as_bytes().get(name.start.wrapping_sub(1)) {
        Some(b'*') => "a value starting with '*' is an alias, a reference to an '&anchor'",
        _ => "a value starting with '&' defines an anchor",
    };
    Some(YamlError {
        span: Span::new(at, at + if s.is_empty() { 0 } else { ch.len_utf8() }),
        message: format!(
            "expected alphabetic or numeric character, but found {}: {what} (PyYAML allows \
             only letters, digits, '-' and '_' in its name); put the value in quotes if it \
             is text",
            py_repr(ch)
        ),
        kind: YamlErrorKind::BadAnchorName,
        detail: None,
    })
}

/// A character as Python's `repr` shows it in PyYAML's messages.
pub(super) fn py_repr(c: char) -> String {
    match c {
        '\'' => "\"'\"".into(),
        '\t' => "'\\t'".into(),
        '\n' => "'\\n'".into(),
        '\r' => "'\\r'".into(),
        '\\' => "'\\\\'".into(),
        c if c.is_control() => format!("'\\x{:02x}'", u32::from(c)),
        c => format!("'{c}'"),
    }
}

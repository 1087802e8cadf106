//! Small readers of the source text around what saphyr reports.
//!
//! saphyr's events say where a node's tokens are, but not everything we want: anchors come
//! as numbers (the name is in the text), a block scalar's span starts at its content rather
//! than at its `|`, and an empty node has no text at all. These helpers find those places.
//! They only look for ASCII delimiters, so every offset they return is a char boundary.

use memchr::memchr;

use crate::source::Span;

fn is_blank(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Skip spaces, tabs, line breaks and comments from `pos`, stopping at `limit`.
pub(super) fn skip_blank(text: &str, mut pos: usize, limit: usize) -> usize {
    let b = text.as_bytes();
    let limit = limit.min(b.len());
    while pos < limit {
        match b[pos] {
            c if is_blank(c) => pos += 1,
            b'#' => pos = memchr(b'\n', &b[pos..limit]).map_or(limit, |i| pos + i),
            _ => break,
        }
    }
    pos
}

/// End of an anchor, alias or tag token starting at `pos`: the next blank or flow indicator.
pub(super) fn token_end(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut end = pos;
    while end < b.len() && !is_blank(b[end]) && !matches!(b[end], b',' | b'[' | b']' | b'{' | b'}')
    {
        end += 1;
    }
    end
}

/// One node property in the text.
pub(super) struct Prop {
    pub span: Span,
    /// For `&name`: the name's span (without the `&`).
    pub anchor: Option<Span>,
}

/// Read `count` node properties (`&anchor`, `!tag`) from `pos`. Returns them and where the
/// last one ends (`pos` if none was found).
pub(super) fn properties(text: &str, pos: usize, count: usize) -> (Vec<Prop>, usize) {
    let b = text.as_bytes();
    let mut props = Vec::with_capacity(count);
    let mut end = pos;
    for _ in 0..count {
        let p = skip_blank(text, end, b.len());
        match b.get(p) {
            Some(b'&') => {
                let e = token_end(text, p + 1);
                props.push(Prop {
                    span: Span::new(p, e),
                    anchor: Some(Span::new(p + 1, e)),
                });
                end = e;
            }
            Some(b'!') => {
                // A verbatim tag `!<...>` may hold any URI character up to its `>`.
                let e = if b.get(p + 1) == Some(&b'<') {
                    memchr(b'>', &b[p..]).map_or_else(|| token_end(text, p), |i| p + i + 1)
                } else {
                    token_end(text, p)
                };
                props.push(Prop {
                    span: Span::new(p, e),
                    anchor: None,
                });
                end = e;
            }
            _ => break,
        }
    }
    (props, end)
}

/// The `|` or `>` of a block scalar: the first one from `floor` (the end of the previous
/// token), stepping over indicators (`:`, `-`, `?`, `---`), blanks and comments on the way.
/// None if there is none before `limit`.
pub(super) fn block_indicator(text: &str, floor: usize, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let limit = limit.min(b.len());
    let mut pos = floor;
    while pos < limit {
        pos = skip_blank(text, pos, limit);
        match b.get(pos) {
            Some(b'|' | b'>') if pos < limit => return Some(pos),
            Some(_) => pos += 1,
            None => break,
        }
    }
    None
}

/// End of a block scalar header's indicators: `|`, `>-`, `|2+`, ...
pub(super) fn block_header_end(text: &str, indicator: usize) -> usize {
    let b = text.as_bytes();
    let mut end = indicator + 1;
    while end < b.len() && end <= indicator + 2 && matches!(b[end], b'0'..=b'9' | b'+' | b'-') {
        end += 1;
    }
    end
}

/// saphyr ends a block scalar where the next token's line starts, after any trailing blank
/// lines. Cut back to the end of its last line holding text (keeping that line's trailing
/// spaces, which are content), but never before `floor` (the end of the header).
pub(super) fn block_scalar_end(text: &str, floor: usize, end: usize) -> usize {
    let b = text.as_bytes();
    let end = end.min(b.len());
    let mut e = end;
    while e > floor && is_blank(b[e - 1]) {
        e -= 1;
    }
    if e <= floor {
        return floor;
    }
    while e < end && matches!(b[e], b' ' | b'\t') {
        e += 1;
    }
    e
}

/// Where an empty node (`key:` with nothing after it, a bare `-`) is put: just after the
/// indicator that introduced it, when that is the next thing after `floor`; else at `floor`.
pub(super) fn empty_node_position(text: &str, floor: usize) -> usize {
    let b = text.as_bytes();
    let p = skip_blank(text, floor, b.len());
    let ends_indicator = |i: usize| {
        b.get(i)
            .is_none_or(|&c| is_blank(c) || matches!(c, b',' | b']' | b'}'))
    };
    match b.get(p) {
        Some(b':' | b'-' | b'?') if ends_indicator(p + 1) => p + 1,
        _ => floor,
    }
}

/// Just after the closing quote of the quoted scalar opening at `open` (saphyr's span also
/// takes in the blanks and comment after it). None if it does not close before `limit`.
pub(super) fn quoted_end(text: &str, open: usize, limit: usize) -> Option<usize> {
    let b = text.as_bytes();
    let limit = limit.min(b.len());
    let quote = *b.get(open)?;
    let mut i = open + 1;
    while i < limit {
        match b[i] {
            // `''` is a quote inside a single-quoted scalar.
            b'\'' if quote == b'\'' && b.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            b'\\' if quote == b'"' => i += 2,
            _ => i += 1,
        }
    }
    None
}

/// The `-` of a block list's first item, when `pos` is just after it (and its spaces).
pub(super) fn back_to_dash(text: &str, pos: usize) -> usize {
    let b = text.as_bytes();
    let mut p = pos.min(b.len());
    while p > 0 && b[p - 1] == b' ' {
        p -= 1;
    }
    if p > 0 && b[p - 1] == b'-' {
        p - 1
    } else {
        pos
    }
}

/// Whether the text at `pos` is the explicit document end marker `...`.
pub(super) fn is_document_end_marker(text: &str, span: Span) -> bool {
    text.get(span.start..span.end) == Some("...")
}

/// Column (0-based, in characters) of `pos` in its line.
pub(super) fn column(text: &str, pos: usize) -> usize {
    let pos = pos.min(text.len());
    let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..pos]).map_or(0, |i| i + 1);
    text.get(line_start..pos).map_or(0, |s| s.chars().count())
}

/// The first escape PyYAML would refuse in the double-quoted scalar opening at `quote`.
pub(super) enum EscapeProblem {
    /// `\c` with `c` not an escape: the span covers the backslash and `c`.
    Unknown { span: Span, ch: char },
    /// `\x`/`\u`/`\U` (`ch`) with `found` where its `expected`-digit hex code should go
    /// on: the span runs from the backslash to `found`.
    NotHex {
        span: Span,
        ch: char,
        expected: usize,
        found: Option<char>,
    },
    /// A hex code that names no character (a surrogate, or beyond U+10FFFF).
    NotAChar { span: Span, ch: char },
}

const SIMPLE_ESCAPES: &str = "0abt\tnvfre \"/\\N_LP";

pub(super) fn double_quoted_problem(text: &str, quote: usize) -> Option<EscapeProblem> {
    if text.as_bytes().get(quote) != Some(&b'"') {
        return None;
    }
    let body = text.get(quote + 1..)?;
    let at = |i: usize| quote + 1 + i;
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return None,
            '\\' => {
                let (j, e) = it.next()?;
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    'U' => 8,
                    '\n' | '\r' => continue,
                    e if SIMPLE_ESCAPES.contains(e) => continue,
                    e => {
                        return Some(EscapeProblem::Unknown {
                            span: Span::new(at(i), at(j + e.len_utf8())),
                            ch: e,
                        });
                    }
                };
                let mut code: u32 = 0;
                let mut last = at(j + 1);
                for _ in 0..n {
                    match it.peek() {
                        Some(&(k, h)) if h.is_ascii_hexdigit() => {
                            code = code * 16 + h.to_digit(16).unwrap_or(0);
                            last = at(k + 1);
                            it.next();
                        }
                        Some(&(k, h)) => {
                            return Some(EscapeProblem::NotHex {
                                span: Span::new(at(i), at(k + h.len_utf8())),
                                ch: e,
                                expected: n,
                                found: Some(h),
                            });
                        }
                        None => {
                            return Some(EscapeProblem::NotHex {
                                span: Span::new(at(i), text.len()),
                                ch: e,
                                expected: n,
                                found: None,
                            });
                        }
                    }
                }
                if char::from_u32(code).is_none() {
                    return Some(EscapeProblem::NotAChar {
                        span: Span::new(at(i), last),
                        ch: e,
                    });
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_read_in_any_order() {
        let t = "a: !!str &x  'v'";
        let (props, end) = properties(t, 3, 2);
        assert_eq!(props.len(), 2);
        assert_eq!(&t[props[0].span.start..props[0].span.end], "!!str");
        let anchor = props[1].anchor.unwrap();
        assert_eq!(&t[anchor.start..anchor.end], "x");
        assert_eq!(&t[end..], "  'v'");
        let t = "- !<tag:a b> x";
        let (props, _) = properties(t, 2, 1);
        assert_eq!(&t[props[0].span.start..props[0].span.end], "!<tag:a b>");
    }

    #[test]
    fn quoted_scalars_end_at_their_closing_quote() {
        let t = r#"a: 'it''s' # c"#;
        assert_eq!(quoted_end(t, 3, t.len()), Some(10));
        let t = r#""a\"b\\" x"#;
        assert_eq!(quoted_end(t, 0, t.len()), Some(8));
        assert_eq!(quoted_end("'open", 0, 5), None);
    }

    #[test]
    fn block_indicator_skips_comments_and_indicators() {
        let t = "a: # not | this\n  |\n  x";
        assert_eq!(block_indicator(t, 1, t.len()), Some(18));
        assert_eq!(block_indicator("--- >-\n x", 0, 9), Some(4));
        assert_eq!(block_indicator("a: b", 1, 4), None);
    }

    #[test]
    fn block_scalar_end_keeps_the_last_line_only() {
        let t = "a: |\n  x  \n\n\nb: 1";
        assert_eq!(block_scalar_end(t, 4, 13), 10);
        // Empty content: the span ends with the header.
        assert_eq!(block_scalar_end("a: |\nb", 4, 5), 4);
    }

    #[test]
    fn escapes_pyyaml_refuses() {
        let t = r#"p: "E:\Softwares""#;
        match double_quoted_problem(t, 3) {
            Some(EscapeProblem::Unknown { span, ch }) => {
                assert_eq!((span.start, span.end, ch), (6, 8, 'S'));
            }
            _ => panic!(),
        }
        assert!(double_quoted_problem(r#""a\/b\x41\u00e9\U0001F600\"" x"#, 0).is_none());
        match double_quoted_problem(r#""\x4g""#, 0) {
            Some(EscapeProblem::NotHex {
                span,
                ch: 'x',
                expected: 2,
                found: Some('g'),
            }) => assert_eq!((span.start, span.end), (1, 5)),
            _ => panic!(),
        }
        assert!(matches!(
            double_quoted_problem(r#""\uD800""#, 0),
            Some(EscapeProblem::NotAChar { .. })
        ));
    }
}

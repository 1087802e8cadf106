//! saphyr-parser's errors, reworded for people who edit invokeai.yaml by hand.
//!
//! Where PyYAML words the same problem differently, its words come first: that is what
//! InvokeAI prints when it fails to start, and what people search for.

use memchr::{memchr, memrchr};

use super::checks::py_repr;
use super::lex::{self, double_quoted_problem, EscapeProblem};
use super::{YamlError, YamlErrorKind};
use crate::source::Span;

/// One character at `pos` (empty at the end of the text).
pub(super) fn char_span(text: &str, pos: usize) -> Span {
    let pos = pos.min(text.len());
    let len = text
        .get(pos..)
        .and_then(|t| t.chars().next())
        .map_or(0, char::len_utf8);
    Span::new(pos, pos + len)
}

fn error(span: Span, kind: YamlErrorKind, message: impl Into<String>) -> YamlError {
    YamlError {
        span,
        message: message.into(),
        kind,
        detail: None,
    }
}

/// Turn saphyr's `info` at byte `pos` into our error.
pub(super) fn from_saphyr(text: &str, info: &str, pos: usize) -> YamlError {
    let mut e = reword(text, info, pos);
    e.detail = Some(info.to_string());
    e
}

fn reword(text: &str, info: &str, pos: usize) -> YamlError {
    use YamlErrorKind::*;
    let here = char_span(text, pos);
    let at = text.get(pos..).and_then(|t| t.chars().next());

    // Escape errors: saphyr points at the opening quote; find the escape itself.
    if info.contains("escape") || info.contains("hexadecimal") {
        if let Some(problem) = double_quoted_problem(text, pos) {
            return escape_error(problem);
        }
    }
    // saphyr may stop inside a quoted scalar for another reason (a continuation line indented
    // less than YAML 1.2 wants) when the real trouble is that the quote never closes.
    let never_closed = matches!(at, Some('"' | '\''))
        && info.contains("quoted scalar")
        && lex::quoted_end(text, pos, text.len()).is_none();
    if never_closed || info.contains("quoted scalar, found unexpected end of stream") {
        let q = at.map_or_else(|| "quote".to_string(), |c| format!("{c}"));
        return error(
            here,
            UnclosedQuote,
            format!("found unexpected end of stream: this quoted string is never closed (no closing {q} before the end of the file)"),
        );
    }
    if info.contains("quoted scalar, found unexpected document indicator") {
        return error(
            here,
            UnclosedQuote,
            "found unexpected document separator inside a quoted string: its closing quote is \
             probably missing",
        );
    }
    if info.contains("tab") {
        return error(tab_near(text, pos).unwrap_or(here), Tab, format!(
            "found character '\\t' that cannot start any token: YAML indents with spaces only ({info})"
        ));
    }
    if info.contains("found unknown anchor") {
        let name_end = text
            .get(pos..)
            .and_then(|t| t.find(|c: char| c.is_whitespace() || ",[]{}".contains(c)))
            .map_or(text.len(), |i| pos + i);
        // PyYAML's scanner refuses some names before its composer looks for the anchor.
        if let Some(e) = super::checks::bad_anchor_name(text, Span::new(pos + 1, name_end)) {
            return e;
        }
        let alias = text.get(pos..name_end).unwrap_or("*");
        return error(
            Span::new(pos, name_end),
            UndefinedAlias,
            format!(
                "found undefined alias '{}': there is no anchor '&{}' before it in this document",
                alias.trim_start_matches('*'),
                alias.trim_start_matches('*')
            ),
        );
    }
    let (kind, message): (YamlErrorKind, String) = match info {
        "mapping values are not allowed in this context" => (
            Syntax,
            "mapping values are not allowed here: a second ': ' on this line? Put a value that \
             contains ': ' in quotes"
                .into(),
        ),
        "while parsing a block mapping, did not find expected key" => (
            Indentation,
            "bad indentation: this line does not line up with the keys of the mapping above it"
                .into(),
        ),
        "while parsing a block collection, did not find expected '-' indicator" => (
            Indentation,
            "bad indentation: expected another list item ('- ') at this indentation".into(),
        ),
        "invalid indentation in quoted scalar" => (
            Indentation,
            "bad indentation: a quoted string continued on the next line must indent that \
             line more than its key"
                .into(),
        ),
        "invalid indentation" | "wrongly indented line in block scalar" => {
            (Indentation, format!("bad indentation ({info})"))
        }
        "simple key expect ':'" | "simple key expected" => (
            Syntax,
            "could not find expected ':': a key without its colon, or a line that continues \
             the one above at the wrong indentation"
                .into(),
        ),
        "block sequence entries are not allowed in this context" => (
            Syntax,
            "sequence entries are not allowed here: a '- ' list item after a key's value on \
             the same line, or at the wrong indentation"
                .into(),
        ),
        "while parsing a flow sequence, expected ',' or ']'" => (
            Syntax,
            "expected ',' or ']': this [...] list is not closed or lacks a comma".into(),
        ),
        "while parsing a flow mapping, did not find expected ',' or '}'" => (
            Syntax,
            "expected ',' or '}': this {...} mapping is not closed or lacks a comma".into(),
        ),
        "':' must be followed by a valid YAML whitespace" => (
            Syntax,
            "':' must be followed by a space (or the end of the line) after a key".into(),
        ),
        // saphyr counts flow nesting in a byte and stops at 255 while scanning ahead, before
        // our own depth check sees the events.
        "recursion limit exceeded" => (
            TooDeep,
            format!(
                "collections nested deeper than {} levels: this is not a config file",
                super::MAX_DEPTH
            ),
        ),
        "misplaced bracket" => (Syntax, "a closing bracket without an opening one".into()),
        "invalid trailing content after double-quoted scalar" => (
            Syntax,
            "unexpected text after the closing quote: quote the whole value, or nothing of it"
                .into(),
        ),
        "did not find expected <document start>" | "invalid content after document end marker" => (
            Syntax,
            "expected '<document start>': unexpected content after the end of the document".into(),
        ),
        "while parsing a node, did not find expected node content" => {
            (Syntax, "expected a value here".into())
        }
        "unexpected end of plain scalar" => (
            Syntax,
            "a value may not start with '-' directly followed by one of ,[]{}".into(),
        ),
        _ if info.starts_with("unexpected character") => (
            Syntax,
            format!(
                "found character {} that cannot start any token: put a value starting with it \
                 in quotes",
                at.map_or_else(|| "''".into(), py_repr)
            ),
        ),
        _ => (Syntax, info.to_string()),
    };
    error(here, kind, message)
}

fn escape_error(problem: EscapeProblem) -> YamlError {
    match problem {
        EscapeProblem::Unknown { span, ch } => error(
            span,
            YamlErrorKind::BadEscape { ch },
            format!(
                "found unknown escape character {}: inside double quotes a backslash starts an \
                 escape sequence, and '\\{ch}' is not one",
                py_repr(ch)
            ),
        ),
        EscapeProblem::NotHex {
            span,
            ch,
            expected,
            found,
        } => error(
            span,
            YamlErrorKind::BadHexEscape { ch },
            format!(
                "expected escape sequence of {expected} hexadecimal numbers, but found {}: \
                 inside double quotes a backslash starts an escape sequence, and '\\{ch}' \
                 must be followed by {expected} hex digits",
                found.map_or_else(|| "the end of the file".into(), py_repr)
            ),
        ),
        EscapeProblem::NotAChar { span, ch } => error(
            span,
            YamlErrorKind::BadHexEscape { ch },
            "this escape names no Unicode character (a surrogate or beyond U+10FFFF)",
        ),
    }
}

/// saphyr reports tab errors next to the tab (at the token after it, or at the start of the
/// plain scalar it ended): the first tab from the start of that line is the culprit.
fn tab_near(text: &str, pos: usize) -> Option<Span> {
    let b = text.as_bytes();
    let pos = pos.min(b.len());
    let ls = memrchr(b'\n', &b[..pos]).map_or(0, |i| i + 1);
    let t = memchr(b'\t', &b[ls..])? + ls;
    Some(Span::new(t, t + 1))
}

//! Reading suppressions: a small scanner finds the YAML comments (the parser drops them),
//! and each `# invokeai-lint:` comment becomes a [`Directive`] or a [`Malformed`] entry.

use super::{Directive, Malformed, RuleRef, Scope, Suppressions};
use crate::selection::find_rule;
use crate::source::Span;

const MARKER: &str = "invokeai-lint:";

/// A comment in YAML text: the byte offset of its `#`, and whether YAML precedes it on its line.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Comment {
    at: usize,
    line: u32,
    after_code: bool,
}

/// Find comments and which lines carry YAML. Lines are 1-based; `code[i]` is line `i + 1`.
fn scan(text: &str) -> (Vec<Comment>, Vec<bool>) {
    let mut comments = Vec::new();
    let mut code = Vec::new();
    let mut quote: Option<u8> = None;
    // Indent of the line that opened a block scalar (`key: |`): deeper lines are its text.
    let mut block: Option<usize> = None;
    let mut offset = 0;
    // Lines as PyYAML counts them (a lone `\r`, U+2028, ... end one too).
    for (idx, raw) in crate::source::yaml_lines(text).enumerate() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let start = offset;
        offset += raw.len();
        let line = crate::source::trim_break(raw);
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        let blank = line.trim().is_empty();
        if let Some(parent) = block {
            if blank || indent > parent {
                code.push(!blank);
                continue;
            }
            block = None;
        }
        let mut has_code = quote.is_some() && !blank;
        let mut comment_at = None;
        let mut prev: Option<u8> = None; // previous byte on this line
        let mut prev_sig: Option<u8> = None; // previous non-space byte on this line
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(b'"') => {
                    if b == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b == b'"' {
                        quote = None;
                    }
                }
                Some(_) => {
                    if b == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        quote = None;
                    }
                }
                None => {
                    if b == b'#' && prev.is_none_or(|p| p == b' ' || p == b'\t') {
                        comment_at = Some(i);
                        break;
                    }
                    let opens_scalar = prev_sig.is_none_or(|p| b":-[{,?".contains(&p))
                        && prev.is_none_or(|p| b" \t[{,".contains(&p));
                    if (b == b'"' || b == b'\'') && opens_scalar {
                        quote = Some(b);
                    }
                    if !b.is_ascii_whitespace() {
                        has_code = true;
                    }
                }
            }
            prev = Some(b);
            if !b.is_ascii_whitespace() {
                prev_sig = Some(b);
            }
            i += 1;
        }
        code.push(has_code);
        if quote.is_none() {
            let before = line.get(..comment_at.unwrap_or(line.len())).unwrap_or("");
            if opens_block_scalar(before) {
                block = Some(indent);
            }
        }
        if let Some(at) = comment_at {
            comments.push(Comment {
                at: start + at,
                line: line_no,
                after_code: has_code,
            });
        }
    }
    (comments, code)
}

/// `key: |`, `key: >-`, `- |2`: the line's YAML ends with a block scalar indicator.
fn opens_block_scalar(before_comment: &str) -> bool {
    let t = before_comment.trim_end();
    let body = t.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(head) = body.strip_suffix('|').or_else(|| body.strip_suffix('>')) else {
        return false;
    };
    head.is_empty() || head.ends_with(' ') || head.ends_with(':')
}

/// Read every `# invokeai-lint:` comment of a file.
pub fn parse(text: &str) -> Suppressions {
    let mut out = Suppressions::default();
    // Most files have none; skip the scan for them.
    // The searcher is built once: building it per file cost more than the search.
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARKER));
    if FINDER.find(text.as_bytes()).is_none() {
        return out;
    }
    let (comments, code) = scan(text);
    for c in comments {
        let body_start = c.at + 1;
        let line_end = text
            .get(body_start..)
            .and_then(|t| t.find(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']))
            .map_or(text.len(), |n| body_start + n);
        let Some(body) = text.get(body_start..line_end) else {
            continue;
        };
        let lead = body.len() - body.trim_start().len();
        let Some(rest) = body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let rest_at = body_start + lead + MARKER.len();
        match directive(rest, rest_at) {
            Ok((file_wide, rules, reason)) => {
                let scope = if file_wide {
                    Scope::File
                } else if c.after_code {
                    Scope::Line {
                        target: Some(c.line),
                    }
                } else {
                    let next = code
                        .iter()
                        .enumerate()
                        .skip(c.line as usize)
                        .find(|(_, has)| **has)
                        .and_then(|(i, _)| u32::try_from(i + 1).ok());
                    Scope::Line { target: next }
                };
                out.directives.push(Directive {
                    scope,
                    line: c.line,
                    rules,
                    reason,
                });
            }
            Err((at, message)) => out.malformed.push(Malformed {
                span: Span::new(at, line_end),
                message,
            }),
        }
    }
    out
}

type Parts = (bool, Vec<RuleRef>, Option<String>);

/// `disable=a,b -- why` after the marker. `base` is the offset of `s` in the file.
fn directive(s: &str, base: usize) -> Result<Parts, (usize, String)> {
    let trimmed = s.trim_start();
    let mut pos = base + (s.len() - trimmed.len());
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(trimmed.len());
    let word = &trimmed[..word_len];
    let file_wide = match word {
        "disable" => false,
        "disable-file" => true,
        _ => {
            return Err((
                pos,
                format!("expected `disable=<rule>` or `disable-file=<rule>`, found `{word}`"),
            ))
        }
    };
    let after_word = &trimmed[word_len..];
    pos += word_len;
    let after_ws = after_word.trim_start();
    pos += after_word.len() - after_ws.len();
    let Some(list) = after_ws.strip_prefix('=') else {
        return Err((pos, format!("expected `=` and rule names after `{word}`")));
    };
    pos += 1;
    let (rules_text, reason) = match list.find("--") {
        Some(n) => (&list[..n], Some(list[n + 2..].trim().to_string())),
        None => (list, None),
    };
    let mut rules = Vec::new();
    let mut at = pos;
    for part in rules_text.split(',') {
        let t = part.trim();
        let lead = part.len() - part.trim_start().len();
        if t.is_empty() {
            if rules_text.trim().is_empty() {
                return Err((at, format!("expected rule names after `{word}=`")));
            }
            return Err((at, "empty rule name between commas".to_string()));
        }
        if t.contains(char::is_whitespace) {
            return Err((
                at + lead,
                format!("`{t}`: separate rules with `,` and put the reason after ` -- `"),
            ));
        }
        rules.push(RuleRef {
            text: t.to_string(),
            span: Span::new(at + lead, at + lead + t.len()),
            meta: find_rule(t),
        });
        at += part.len() + 1;
    }
    Ok((file_wide, rules, reason.filter(|r| !r.is_empty())))
}

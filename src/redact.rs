//! What counts as a secret, and masking it: one mechanism every output goes through.
//!
//! A secret is found in the text itself, line by line, without parsing it, so a config that
//! does not parse, a log, or a message quoting a value are all covered the same way:
//!
//! - the value after a secret-named key (`token:`, `hf_token:`, `external_openai_api_key:`,
//!   `password=`, `'token': '…'` in a logged Python dict, `--hf_token=…` in an old init file);
//! - a string with a known token prefix anywhere (`hf_…`, `sk-…`, `ghp_…`, `AIza…`, a JWT);
//! - the user-info part of a URL (`postgresql://user:pass@host`, `https://TOKEN@host`);
//! - a long, mixed-case, high-entropy word as the whole value of a `key: value` line.
//!
//! Masking replaces each byte of a secret with `*`, so a masked text has the same length and
//! every byte span, line and column into it stays valid: renderers show the masked text with
//! the spans they already have.

use std::borrow::Cow;

use std::ops::Range;

/// A byte range of a text.
pub type Span = Range<usize>;

/// Masked values stand in for this in messages, where the secret's length does not matter.
pub const MASK: &str = "****";

/// Keys whose value is a secret: an exact name or a name ending so (`hf_token`, `api_key`).
/// `remote_api_tokens` holds a list of pairs; a scalar written there is a pasted token.
fn is_secret_key(ident: &str) -> bool {
    let k = ident.to_ascii_lowercase();
    const ENDINGS: [&str; 11] = [
        "token",
        "api_key",
        "apikey",
        "api-key",
        "password",
        "passwd",
        "secret",
        "secret_key",
        "access_key",
        "private_key",
        "remote_api_tokens",
    ];
    ENDINGS.iter().any(|e| k.ends_with(e))
}

/// Token prefixes of well-known services, with the least body length after the prefix.
const PREFIXES: [(&str, usize); 14] = [
    ("hf_", 16),
    ("sk-", 16),
    ("ghp_", 16),
    ("gho_", 16),
    ("ghu_", 16),
    ("ghs_", 16),
    ("ghr_", 16),
    ("github_pat_", 16),
    ("glpat-", 16),
    ("xoxb-", 10),
    ("xoxp-", 10),
    ("AIza", 30),
    ("r8_", 16),
    ("AKIA", 16),
];

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn is_ident_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.'
}

/// Byte spans of the secrets in `text`, sorted, not overlapping.
pub fn secret_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    // A block scalar (`token: |`) under a secret key: its more-indented lines are secret too.
    let mut block_under: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        let body = &text[start..end];
        let indent = body.len() - body.trim_start().len();
        match block_under {
            Some(key_indent) if body.trim().is_empty() || indent > key_indent => {
                out.push((start + indent)..(end));
                start += line.len();
                continue;
            }
            _ => block_under = None,
        }
        if let Some(key_indent) = scan_line(bytes, start, end, &mut out) {
            block_under = Some(key_indent);
        }
        start += line.len();
    }
    normalise(out)
}

fn normalise(mut spans: Vec<Span>) -> Vec<Span> {
    spans.retain(|s| !s.is_empty());
    spans.sort_by_key(|s| (s.start, s.end));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match merged.last_mut() {
            Some(last) if s.start <= last.end => last.end = last.end.max(s.end),
            _ => merged.push(s),
        }
    }
    merged
}

/// Secrets in one line `[start, end)`. Returns the key's indent when the line opens a block
/// scalar under a secret key.
fn scan_line(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) -> Option<usize> {
    let mut block = None;
    // Keys: every identifier followed by `:` or `=` (after an optional closing quote).
    let mut i = start;
    let mut first_key = true;
    while i < end {
        if !is_ident_byte(b[i]) || (i > start && is_ident_byte(b[i - 1])) {
            i += 1;
            continue;
        }
        let id_start = i;
        while i < end && is_ident_byte(b[i]) {
            i += 1;
        }
        let ident = std::str::from_utf8(&b[id_start..i]).unwrap_or("");
        let mut j = i;
        if j < end && (b[j] == b'"' || b[j] == b'\'') {
            j += 1;
        }
        while j < end && b[j] == b' ' {
            j += 1;
        }
        let sep = j < end
            && (b[j] == b'='
                || (b[j] == b':' && (j + 1 == end || b[j + 1] == b' ' || b[j + 1] == b'\t')));
        if !sep {
            first_key = false;
            continue;
        }
        let is_first = first_key && line_prefix_is_key_start(b, start, id_start);
        first_key = false;
        let Some(value) = value_after(b, start, j + 1, end) else {
            continue;
        };
        let text = std::str::from_utf8(&b[value.start..value.end]).unwrap_or("");
        if is_secret_key(ident) {
            if text == "|" || text.starts_with("|-") || text == ">" || text.starts_with(">-") {
                block = Some(id_start - start);
            } else if !is_harmless(text) {
                out.push(value);
            }
        } else if is_first && high_entropy(text) {
            out.push(value);
        }
        i = j + 1;
    }
    prefixed_tokens(b, start, end, out);
    url_userinfo(b, start, end, out);
    block
}

/// Only blanks, `- ` list markers, `--` (a command-line flag) or an opening quote before the key.
fn line_prefix_is_key_start(b: &[u8], start: usize, key: usize) -> bool {
    b[start..key]
        .iter()
        .all(|&c| matches!(c, b' ' | b'\t' | b'-' | b'"' | b'\'' | b'{' | b','))
}

/// The value after a separator: quoted (without its quotes) or plain. A plain value after
/// `=` (a flag, a DSN, a log line) ends at a blank, a quote or a `,`/`;`; after `:` it runs to a
/// ` #` comment or the end of the line, or in a flow collection (`{`/`[` before it on the line)
/// to a `,`/`]`/`}`. A backtick ends either (messages quote values in backticks).
fn value_after(b: &[u8], line_start: usize, mut i: usize, end: usize) -> Option<Span> {
    let equals = i > 0 && b[i - 1] == b'=';
    let in_flow = b[line_start..i].iter().any(|&c| c == b'{' || c == b'[');
    while i < end && (b[i] == b' ' || b[i] == b'\t') {
        i += 1;
    }
    if i >= end {
        return None;
    }
    if b[i] == b'"' || b[i] == b'\'' {
        let q = b[i];
        let from = i + 1;
        let mut k = from;
        while k < end && b[k] != q {
            if q == b'"' && b[k] == b'\\' {
                k += 1;
            }
            k += 1;
        }
        return Some((from)..(k.min(end)));
    }
    let from = i;
    let mut k = from;
    while k < end {
        let c = b[k];
        let stop = c == b'`'
            || (c == b'#' && k > from && (b[k - 1] == b' ' || b[k - 1] == b'\t'))
            || (equals
                && (c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b',' | b';' | b'&')))
            || (in_flow && matches!(c, b',' | b']' | b'}'));
        if stop {
            break;
        }
        k += 1;
    }
    while k > from && (b[k - 1] == b' ' || b[k - 1] == b'\t') {
        k -= 1;
    }
    Some((from)..(k))
}

/// Values under a secret key that are not secrets: booleans, nulls, placeholders, refs.
fn is_harmless(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    l.len() < 4
        || matches!(
            l.as_str(),
            "true" | "false" | "null" | "none" | "yes" | "~" | "[]" | "{}"
        )
        || l.starts_with('[')
        || l.starts_with('{')
        || l.starts_with('*')
        || l.starts_with("${")
}

/// A long word of mixed case and digits with high entropy: an API key more than any word.
fn high_entropy(v: &str) -> bool {
    if v.len() < 20 || v.len() > 512 {
        return false;
    }
    let ok = v
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=' | b'_' | b'-' | b'.'));
    if !ok || v.starts_with('/') || v.contains("//") {
        return false;
    }
    let upper = v.bytes().any(|c| c.is_ascii_uppercase());
    let lower = v.bytes().any(|c| c.is_ascii_lowercase());
    let digit = v.bytes().any(|c| c.is_ascii_digit());
    if !(upper && lower && digit) {
        return false;
    }
    let mut counts = [0u32; 256];
    for c in v.bytes() {
        counts[c as usize] += 1;
    }
    let n = v.len() as f64;
    let entropy: f64 = counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum();
    entropy >= 3.5
}

fn prefixed_tokens(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) {
    let line = &b[start..end];
    for (prefix, min_body) in PREFIXES {
        let p = prefix.as_bytes();
        let mut from = 0;
        while let Some(pos) = memchr::memmem::find(&line[from..], p) {
            let at = from + pos;
            from = at + 1;
            if at > 0 && is_token_byte(line[at - 1]) {
                continue;
            }
            let mut k = at + p.len();
            while k < line.len() && is_token_byte(line[k]) {
                k += 1;
            }
            if k - at - p.len() >= min_body {
                out.push((start + at)..(start + k));
            }
        }
    }
    // A JWT: three base64url parts, the first one `eyJ` (a JSON object).
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&line[from..], b"eyJ") {
        let at = from + pos;
        from = at + 1;
        if at > 0 && is_token_byte(line[at - 1]) {
            continue;
        }
        let mut k = at;
        let mut dots = 0;
        while k < line.len() && (is_token_byte(line[k]) || line[k] == b'.') {
            dots += usize::from(line[k] == b'.');
            k += 1;
        }
        if dots >= 2 && k - at >= 30 {
            out.push((start + at)..(start + k));
        }
    }
}

/// `scheme://userinfo@host`: the user-info (a user and password, or a token) is masked.
fn url_userinfo(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) {
    let line = &b[start..end];
    let mut from = 0;
    while let Some(pos) = memchr::memmem::find(&line[from..], b"://") {
        let auth = from + pos + 3;
        from = auth;
        let mut k = auth;
        let mut at = None;
        while k < line.len()
            && !matches!(
                line[k],
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'"' | b'\'' | b'>' | b')'
            )
        {
            if line[k] == b'@' {
                at = Some(k);
            }
            k += 1;
        }
        if let Some(at) = at {
            if at > auth {
                out.push((start + auth)..(start + at));
            }
        }
    }
}

/// `text` with every byte of every span replaced by `*` (same length; spans stay valid).
pub fn mask<'t>(text: &'t str, spans: &[Span]) -> Cow<'t, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for s in spans {
        let (a, z) = (s.start.min(bytes.len()), s.end.min(bytes.len()));
        if a < z {
            bytes[a..z].fill(b'*');
        }
    }
    // Whole characters are replaced (a span starts and ends on char boundaries, or, cut
    // into a character, the rest of that character is replaced too), so this is UTF-8.
    Cow::Owned(
        String::from_utf8(bytes)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    )
}

/// A string (a message, a value from a log) with every secret it shows masked.
pub fn clean(s: &str) -> Cow<'_, str> {
    let spans = secret_spans(s);
    if spans.is_empty() {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut at = 0;
    for sp in spans {
        out.push_str(&s[at..sp.start]);
        out.push_str(MASK);
        at = sp.end;
    }
    out.push_str(&s[at..]);
    Cow::Owned(out)
}

/// A fix's replacement text as output may show it. The edit itself keeps the secret, so
/// `--fix` still writes the file right; only what is printed is masked.
pub fn shown_replacement<'a>(replacement: &'a str, text: &str, spans: &[Span]) -> Cow<'a, str> {
    match scrub(replacement, text, spans) {
        Some(clean) => Cow::Owned(clean),
        None => Cow::Borrowed(replacement),
    }
}

/// A message with the file's secrets (the texts under `spans` of `source`) and anything
/// secret-shaped masked.
pub fn scrub(message: &str, source: &str, spans: &[Span]) -> Option<String> {
    let mut msg = Cow::Borrowed(message);
    for s in spans {
        let Some(secret) = source.get(s.start..s.end) else {
            continue;
        };
        if secret.len() >= 4 && msg.contains(secret) {
            msg = Cow::Owned(msg.replace(secret, MASK));
        }
    }
    let cleaned = clean(&msg).into_owned();
    (cleaned != message).then_some(cleaned)
}

#[cfg(test)]
mod tests;

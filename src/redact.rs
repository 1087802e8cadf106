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

/// What the names of keys holding secrets end with (compared in any case).
const SECRET_NAME_ENDINGS: [&str; 11] = [
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

/// Keys whose value is a secret: an exact name or a name ending so (`hf_token`, `api_key`).
/// `remote_api_tokens` holds a list of pairs; a scalar written there is a pasted token.
fn is_secret_key(ident: &str) -> bool {
    // Compared without lower-casing a copy: this runs on every key of every line scanned.
    let k = ident.as_bytes();
    SECRET_NAME_ENDINGS
        .iter()
        .any(|e| k.len() >= e.len() && k[k.len() - e.len()..].eq_ignore_ascii_case(e.as_bytes()))
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

/// Byte classes, looked up rather than computed: every byte of every key passes here.
const TOKEN: u8 = 1;
const IDENT: u8 = 2;
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' {
            table[b] = TOKEN | IDENT;
        } else if c == b'.' {
            table[b] = IDENT;
        }
        b += 1;
    }
    table
};

/// A byte of a token: ASCII letters and digits, `_`, `-`.
fn is_token_byte(b: u8) -> bool {
    CLASS[usize::from(b)] & TOKEN != 0
}

/// A byte of a key name: a token byte or `.`.
fn is_ident_byte(b: u8) -> bool {
    CLASS[usize::from(b)] & IDENT != 0
}

/// Byte spans of the secrets in `text`, sorted, not overlapping.
///
/// Every finding's texts and every file with a finding go through here, so the scans jump
/// to the bytes that can start what they look for instead of reading every byte: the
/// separators `:`/`=` of key–value pairs, the known token prefixes, the `:` of `://`.
/// (`reference_spans` in the tests is the plain line-by-line reading it must agree with.)
pub fn secret_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    key_values(text, &mut out);
    prefixed_tokens(text.as_bytes(), &mut out);
    url_userinfo(text.as_bytes(), &mut out);
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

/// A line of the text: `[start, end)` without its line break, `next` where the next begins.
#[derive(Clone, Copy, Default)]
struct Line {
    start: usize,
    end: usize,
    next: usize,
}

impl Line {
    /// The line holding byte `at`. Only `\n` breaks a line; trailing `\r`s are not part of it.
    fn around(b: &[u8], at: usize) -> Line {
        let start = memchr::memrchr(b'\n', &b[..at]).map_or(0, |p| p + 1);
        let next = memchr::memchr(b'\n', &b[at..]).map_or(b.len(), |p| at + p + 1);
        let mut end = next;
        while end > start && matches!(b[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        Line { start, end, next }
    }
}

/// The last letters of the names [`is_secret_key`] accepts (`token`, `api_key`, `passwd`,
/// `password`, `secret`, `remote_api_tokens`), lower-cased.
const SECRET_NAME_LAST: [u8; 5] = [b'n', b'y', b'd', b't', b's'];

/// Values of secret-named keys (`token: …`, `--hf_token=…`, `'token': '…'`), a block scalar
/// under such a key, and a high-entropy value of a line's first key. Each separator is read
/// backwards for the key before it: `key`, then an optional closing quote, then blanks.
fn key_values(text: &str, out: &mut Vec<Span>) {
    let b = text.as_bytes();
    let mut line = Line::default();
    // Secret lines of a block scalar are masked whole and not read for keys.
    let mut skip_to = 0;
    let mut block: Option<(usize, usize)> = None; // (where it starts, the key's indent)
    for sep in memchr::memchr2_iter(b':', b'=', b) {
        if sep < skip_to {
            continue;
        }
        if sep >= line.next {
            if let Some((from, key_indent)) = block.take() {
                skip_to = block_lines(text, from, key_indent, out);
                if sep < skip_to {
                    continue;
                }
            }
            line = Line::around(b, sep);
        }
        let colon_ok = b[sep] == b'=' || sep + 1 == line.end || matches!(b[sep + 1], b' ' | b'\t');
        if sep >= line.end || !colon_ok {
            continue;
        }
        let mut k = sep;
        while k > line.start && b[k - 1] == b' ' {
            k -= 1;
        }
        if k > line.start && matches!(b[k - 1], b'"' | b'\'') {
            k -= 1;
        }
        let ident_end = k;
        // A key that cannot be secret-named (see `SECRET_NAME_LAST`) on a line too short for
        // a high-entropy value: nothing to find, and most separators end here.
        let last = b[..ident_end].last().map(u8::to_ascii_lowercase);
        if !last.is_some_and(|c| SECRET_NAME_LAST.contains(&c))
            && line.end - sep <= HIGH_ENTROPY_MIN_LEN
        {
            continue;
        }
        while k > line.start && is_ident_byte(b[k - 1]) {
            k -= 1;
        }
        let ident_start = k;
        if ident_start == ident_end {
            continue;
        }
        // The line's first key: nothing but blanks, quotes and flow punctuation before it
        // (a `- ` list marker is a word of its own, so a list item's key is not first).
        let first_on_line = b[line.start..ident_start]
            .iter()
            .all(|&c| matches!(c, b' ' | b'\t' | b'"' | b'\'' | b'{' | b','));
        let ident = &text[ident_start..ident_end];
        let secret_key = is_secret_key(ident);
        // Most keys are neither secret-named nor followed by room for a high-entropy value
        // (20 bytes at least): their value need not be found.
        let room_for_entropy = first_on_line && line.end - sep > HIGH_ENTROPY_MIN_LEN;
        if !(secret_key || room_for_entropy) {
            continue;
        }
        let Some(value) = value_after(b, line.start, sep + 1, line.end) else {
            continue;
        };
        let value_text = &text[value.start..value.end];
        if secret_key {
            if value_text == "|"
                || value_text.starts_with("|-")
                || value_text == ">"
                || value_text.starts_with(">-")
            {
                block = Some((line.next, ident_start - line.start));
            } else if !is_harmless(value_text) {
                out.push(value);
            }
        } else if first_on_line && high_entropy(value_text) {
            out.push(value);
        }
    }
    if let Some((from, key_indent)) = block {
        block_lines(text, from, key_indent, out);
    }
}

/// The lines of a block scalar from `from` on: blank or indented more than its key. Each is
/// masked from its first non-blank character; returns where the first line after them starts.
fn block_lines(text: &str, from: usize, key_indent: usize, out: &mut Vec<Span>) -> usize {
    let mut start = from;
    for line in text[from..].split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        let body = &text[start..end];
        let indent = body.len() - body.trim_start().len();
        if !(body.trim().is_empty() || indent > key_indent) {
            break;
        }
        out.push((start + indent)..end);
        start += line.len();
    }
    start
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
    let l = v.trim();
    let word = |w: &str| l.eq_ignore_ascii_case(w);
    l.len() < 4
        || ["true", "false", "null", "none", "yes", "~", "[]", "{}"]
            .into_iter()
            .any(word)
        || l.starts_with(['[', '{', '*'])
        || l.starts_with("${")
}

/// The shortest value [`high_entropy`] can call a secret.
const HIGH_ENTROPY_MIN_LEN: usize = 20;

/// A long word of mixed case and digits with high entropy: an API key more than any word.
fn high_entropy(v: &str) -> bool {
    if v.len() < HIGH_ENTROPY_MIN_LEN || v.len() > 512 {
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

/// Where a known token prefix or a JWT's `eyJ` occurs (pattern `i` < `PREFIXES.len()` is
/// `PREFIXES[i]`; the last pattern is `eyJ`). No pattern is a prefix of another.
static TOKEN_STARTS: std::sync::LazyLock<aho_corasick::AhoCorasick> =
    std::sync::LazyLock::new(|| {
        let patterns = PREFIXES.iter().map(|(p, _)| *p).chain(["eyJ"]);
        aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostFirst)
            .build(patterns)
            .expect("a handful of literal patterns always build")
    });

/// Tokens with a known prefix, and JWTs, each starting a word (not preceded by a token byte).
fn prefixed_tokens(b: &[u8], out: &mut Vec<Span>) {
    let run = |from: usize, also_dots: bool| {
        b[from..]
            .iter()
            .take_while(|&&c| is_token_byte(c) || (also_dots && c == b'.'))
            .count()
    };
    for m in TOKEN_STARTS.find_iter(b) {
        let at = m.start();
        if at > 0 && is_token_byte(b[at - 1]) {
            continue;
        }
        match PREFIXES.get(m.pattern().as_usize()) {
            Some((prefix, min_body)) => {
                let body = run(at + prefix.len(), false);
                if body >= *min_body {
                    out.push(at..at + prefix.len() + body);
                }
            }
            // A JWT: three base64url parts, the first one `eyJ` (a JSON object).
            None => {
                let len = run(at, true);
                let dots = b[at..at + len].iter().filter(|&&c| c == b'.').count();
                if dots >= 2 && len >= 30 {
                    out.push(at..at + len);
                }
            }
        }
    }
}

/// `scheme://userinfo@host`: the user-info (a user and password, or a token) is masked.
/// It ends at the line's end like every other stop.
fn url_userinfo(b: &[u8], out: &mut Vec<Span>) {
    let mut from = 0;
    while let Some(pos) = memchr::memchr(b':', &b[from..]) {
        let colon = from + pos;
        from = colon + 1;
        if !b[colon + 1..].starts_with(b"//") {
            continue;
        }
        let auth = colon + 3;
        from = auth;
        let mut k = auth;
        let mut at = None;
        while k < b.len()
            && !matches!(
                b[k],
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'"' | b'\'' | b'>' | b')' | b'\n'
            )
        {
            if b[k] == b'@' {
                at = Some(k);
            }
            k += 1;
        }
        if let Some(at) = at {
            if at > auth {
                out.push(auth..at);
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

/// Texts up to this long that were scanned and found free of secrets are remembered.
const REMEMBERED_TEXT_MAX: usize = 1024;
/// The memory is emptied when it holds this many texts (at most ~8 MiB per thread).
const REMEMBERED_MAX: usize = 8192;

thread_local! {
    /// Texts this thread found free of secrets. A tree's findings repeat the same messages,
    /// help texts and labels (on the tree benchmark 29,610 of them, 2,448 distinct), and
    /// scanning each again was a third of the run; a lookup is a hash and one compare.
    static KNOWN_CLEAN: std::cell::RefCell<rustc_hash::FxHashSet<Box<str>>> =
        std::cell::RefCell::default();
}

fn known_clean(s: &str) -> bool {
    s.len() <= REMEMBERED_TEXT_MAX && KNOWN_CLEAN.with(|known| known.borrow().contains(s))
}

fn remember_clean(s: &str) {
    if s.len() > REMEMBERED_TEXT_MAX {
        return;
    }
    KNOWN_CLEAN.with(|known| {
        let mut known = known.borrow_mut();
        if known.len() >= REMEMBERED_MAX {
            known.clear();
        }
        known.insert(s.into());
    });
}

/// A string (a message, a value from a log) with every secret it shows masked.
pub fn clean(s: &str) -> Cow<'_, str> {
    if known_clean(s) {
        return Cow::Borrowed(s);
    }
    let spans = secret_spans(s);
    if spans.is_empty() {
        remember_clean(s);
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
    if let Cow::Owned(cleaned) = clean(&msg) {
        return Some(cleaned);
    }
    match msg {
        Cow::Owned(replaced) => Some(replaced),
        Cow::Borrowed(_) => None,
    }
}

#[cfg(test)]
mod tests;

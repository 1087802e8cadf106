//! Source text with a line index: byte spans in, 1-based line/column out.
//!
//! Columns count Unicode scalar values (not bytes), 1-based, the way editors and
//! GitHub annotations number them.

use std::sync::{Arc, OnceLock};

/// A half-open byte range `[start, end)` into a [`SourceFile`]'s text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }
    pub fn len(&self) -> usize {
        self.end - self.start
    }
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }
}

/// 1-based line and column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineCol {
    /// u64: a log snippet may come from past line 4,294,967,295 of a huge log.
    pub line: u64,
    pub column: u32,
}

/// A file's text, whole (a config) or a window of it (a few cited lines of a log).
///
/// `first_line` is the 1-based number of the text's first line in the real file,
/// so a snippet cut from line 40 of a 2 GB log still reports line 40.
#[derive(Debug)]
pub struct SourceFile {
    name: String,
    text: String,
    first_line: u64,
    line_starts: Vec<usize>,
    /// Byte spans of secret values (see [`crate::redact`]), found the first time output needs them.
    secrets: OnceLock<Vec<std::ops::Range<usize>>>,
    /// The text with those secrets masked; None when it has none.
    masked: OnceLock<Option<String>>,
}

impl SourceFile {
    /// A whole file, YAML or TOML: lines end where PyYAML ends them (see [`line_break`]).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        if !has_rare_breaks(text.as_bytes()) {
            return Self::snippet(name, text, 1);
        }
        let mut line_starts = vec![0];
        let b = text.as_bytes();
        let mut i = 0;
        while i < b.len() {
            match line_break(b, i) {
                Some(n) => {
                    i += n;
                    line_starts.push(i);
                }
                None => i += 1,
            }
        }
        Arc::new(SourceFile {
            name: name.into(),
            text,
            first_line: 1,
            line_starts,
            secrets: OnceLock::new(),
            masked: OnceLock::new(),
        })
    }

    /// A window of a larger file whose first line is line `first_line` of that file.
    /// Lines end at `\n` only, as a log's are counted.
    pub fn snippet(name: impl Into<String>, text: impl Into<String>, first_line: u64) -> Arc<Self> {
        let text = text.into();
        // Sized exactly: counting the breaks first is cheaper than growing the list (and
        // a tree keeps thousands of these until its report is written).
        let breaks = memchr::memchr_iter(b'\n', text.as_bytes()).count();
        let mut line_starts = Vec::with_capacity(breaks + 1);
        line_starts.push(0);
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Arc::new(SourceFile {
            name: name.into(),
            text,
            first_line: first_line.max(1),
            line_starts,
            secrets: OnceLock::new(),
            masked: OnceLock::new(),
        })
    }

    /// Byte spans of the secret values in the text (tokens, API keys, URL passwords).
    pub fn secret_spans(&self) -> &[std::ops::Range<usize>] {
        self.secrets
            .get_or_init(|| crate::redact::secret_spans(&self.text))
    }

    /// The text as output may show it: every secret byte replaced by `*`. Same length as
    /// [`SourceFile::text`], so spans, lines and columns carry over.
    pub fn shown_text(&self) -> &str {
        self.masked
            .get_or_init(|| {
                let spans = self.secret_spans();
                (!spans.is_empty()).then(|| crate::redact::mask(&self.text, spans).into_owned())
            })
            .as_deref()
            .unwrap_or(&self.text)
    }

    pub fn name(&self) -> &str {
        &self.name
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn first_line(&self) -> u64 {
        self.first_line
    }

    /// Index (0-based, within this text) of the line holding `offset`.
    fn line_index(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let idx = self.line_index(offset);
        let start = self.line_starts[idx];
        let column = self.text[start..offset].chars().count() as u32 + 1;
        LineCol {
            line: self
                .first_line
                .saturating_add(u64::try_from(idx).unwrap_or(u64::MAX)),
            column,
        }
    }

    /// The start and end positions of a span. An empty span ends where it starts.
    pub fn span_bounds(&self, span: Span) -> (LineCol, LineCol) {
        (self.line_col(span.start), self.line_col(span.end))
    }

    /// The text of the line holding `offset`, without its line break.
    pub fn line_text(&self, offset: usize) -> &str {
        let idx = self.line_index(offset.min(self.text.len()));
        let start = self.line_starts[idx];
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.text.len());
        trim_break(&self.text[start..end])
    }

    /// From `offset` to the end of its line (line break excluded): where a finding about a
    /// large node (a whole document, a long list) should point.
    pub fn rest_of_line(&self, offset: usize) -> Span {
        let line = self.line_col(offset).line;
        match self.line_span(line) {
            Some(s) => Span::new(offset.clamp(s.start, s.end), s.end),
            None => Span::new(offset, offset),
        }
    }

    /// Byte span of the 1-based line `line` of the real file, without its line break.
    pub fn line_span(&self, line: u64) -> Option<Span> {
        let idx = usize::try_from(line.checked_sub(self.first_line)?).ok()?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .copied()
            .unwrap_or(self.text.len());
        let body = trim_break(&self.text[start..end]);
        Some(Span::new(start, start + body.len()))
    }
}

/// The length of the line break at `b[i]`, if one starts there. PyYAML (YAML 1.1) ends a
/// line at `\r\n`, `\n`, a lone `\r`, NEL (U+0085), LINE SEPARATOR (U+2028) and
/// PARAGRAPH SEPARATOR (U+2029); saphyr and editors at `\n` and `\r\n` only.
pub fn line_break(b: &[u8], i: usize) -> Option<usize> {
    match b.get(i..)? {
        [b'\r', b'\n', ..] => Some(2),
        [b'\n' | b'\r', ..] => Some(1),
        [0xC2, 0x85, ..] => Some(2),
        [0xE2, 0x80, 0xA8 | 0xA9, ..] => Some(3),
        _ => None,
    }
}

/// Might the text hold a line break other than `\n` / `\r\n`? (A quick test: `\r`, or a
/// byte that starts NEL, U+2028 or U+2029.)
pub fn has_rare_breaks(b: &[u8]) -> bool {
    memchr::memchr3(b'\r', 0xC2, 0xE2, b).is_some()
}

/// A line without its line break (whichever kind).
pub fn trim_break(line: &str) -> &str {
    line.strip_suffix("\r\n")
        .or_else(|| line.strip_suffix(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']))
        .unwrap_or(line)
}

/// The text's lines as PyYAML counts them, each with its line break.
pub fn yaml_lines(text: &str) -> impl Iterator<Item = &str> {
    let b = text.as_bytes();
    let rare = has_rare_breaks(b);
    let mut start = 0;
    std::iter::from_fn(move || {
        if start >= b.len() {
            return None;
        }
        let from = start;
        let end = if rare {
            let mut i = from;
            loop {
                if i >= b.len() {
                    break b.len();
                }
                if let Some(n) = line_break(b, i) {
                    break i + n;
                }
                i += 1;
            }
        } else {
            memchr::memchr(b'\n', &b[from..]).map_or(b.len(), |k| from + k + 1)
        };
        start = end;
        Some(&text[from..end])
    })
}

/// The text with every line break PyYAML knows but saphyr does not (a lone `\r`, NEL,
/// U+2028, U+2029) replaced by spaces and a `\n` of the same total length, so that every
/// byte offset means the same in both texts; None when there is none. (Trailing spaces
/// before a line break are not content in YAML, except in block scalars.)
pub fn yaml_breaks_as_newlines(text: &str) -> Option<String> {
    let b = text.as_bytes();
    if !has_rare_breaks(b) {
        return None;
    }
    let mut out = Vec::with_capacity(b.len());
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        match (b[i], line_break(b, i)) {
            (b'\r', Some(1)) => {
                out.push(b'\n');
                changed = true;
                i += 1;
            }
            (0xC2 | 0xE2, Some(n)) => {
                out.extend(std::iter::repeat_n(b' ', n - 1));
                out.push(b'\n');
                changed = true;
                i += n;
            }
            _ => {
                out.push(b[i]);
                i += 1;
            }
        }
    }
    // Only ASCII replaced whole characters: still UTF-8.
    changed.then(|| String::from_utf8(out).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = SourceFile::new("a.yaml", "a: 1\nmodels_dir: 'é:x'\n");
        assert_eq!(f.line_col(0), LineCol { line: 1, column: 1 });
        let x = f.text().find('x').unwrap();
        assert_eq!(
            f.line_col(x),
            LineCol {
                line: 2,
                column: 16
            }
        );
    }

    #[test]
    fn snippets_keep_real_line_numbers() {
        let f = SourceFile::snippet("big.log", "line forty\nline forty-one\n", 40);
        assert_eq!(f.line_col(12).line, 41);
        assert_eq!(f.line_span(41), Some(Span::new(11, 25)));
        assert_eq!(f.line_span(39), None);
    }

    #[test]
    fn offsets_past_the_end_are_clamped() {
        let f = SourceFile::new("a", "ab");
        assert_eq!(f.line_col(99), LineCol { line: 1, column: 3 });
    }
}

#[cfg(test)]
mod break_tests {
    use super::*;

    #[test]
    fn lines_end_where_pyyaml_ends_them() {
        let text = "a: 1\rb: 2\r\nc: 3\u{2028}d: 4\u{85}e: 5\nf";
        let f = SourceFile::new("x.yaml", text);
        for (i, key) in ["a", "b", "c", "d", "e", "f"].iter().enumerate() {
            let at = text.find(key).unwrap();
            assert_eq!(f.line_col(at).line, i as u64 + 1, "{key}");
            assert_eq!(f.line_text(at).chars().next(), key.chars().next());
        }
        let lines: Vec<&str> = yaml_lines(text).collect();
        assert_eq!(lines.len(), 6);
        assert_eq!(lines[1], "b: 2\r\n");
        let norm = yaml_breaks_as_newlines(text).unwrap();
        assert_eq!(norm.len(), text.len());
        assert_eq!(norm, "a: 1\nb: 2\r\nc: 3  \nd: 4 \ne: 5\nf");
        assert!(yaml_breaks_as_newlines("a: é\r\n").is_none());
    }
}

//! What the human report shows of a source: only the lines a finding's labels touch
//! (with miette's one line of context around them), each line that is too wide cut
//! around the labels, with `…` where text was left out.
//!
//! Cutting serves two ends. On a terminal it keeps every source line within the
//! terminal's width, so an underline stays under its text instead of the terminal
//! wrapping the line away from it. Everywhere (a pipe too) it keeps miette's padding
//! below 65 536 columns: miette pads with `{:width$}`, and Rust's formatter panics on a
//! width that large; a label far out on a megabyte line used to crash the report.
//!
//! Labels are given in the real file's offsets and mapped into the window's text; the
//! position miette prints in a snippet's header (`file:line:col`) is still the real
//! one, read from the real file.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};
use unicode_width::UnicodeWidthChar;

use crate::source::{SourceFile, Span};

/// Lines wider than this are cut even when the report is not going to a terminal (a
/// pipe, a file): far below the 65 536 columns where miette's padding panics, far
/// above any line a person writes by hand.
pub const PIPE_LINE_LIMIT: usize = 4096;

/// The narrowest cut line: below this a snippet says nothing useful anyway.
const MIN_LINE: usize = 24;

/// Lines of context miette reads around each label (its default, which we keep).
pub const CONTEXT_LINES: u64 = 1;

/// Columns a tab takes in miette's rendering (its default tab width).
const TAB_COLUMNS: usize = 4;

const ELLIPSIS: &str = "…";

/// One kept line: where it sits in the window's text and which part of the real line
/// it shows.
#[derive(Debug)]
struct Kept {
    /// 1-based line number in the real file.
    line: u64,
    /// Start of the line in the window's text, end of its body there (before the line
    /// break), and start of the next kept line.
    at: usize,
    body_end: usize,
    next: usize,
    /// The real line's body, and the part of it that is shown.
    real_start: usize,
    real_end: usize,
    shown_start: usize,
    shown_end: usize,
    /// Bytes of `…` written before the shown part.
    lead: usize,
}

/// A window onto one source, to hand to miette as its `SourceCode`.
#[derive(Debug)]
pub struct Window<'a> {
    src: &'a SourceFile,
    text: String,
    kept: Vec<Kept>,
}

impl<'a> Window<'a> {
    /// A window showing `spans` (the first is the one to keep in view when a line must
    /// be cut) with lines at most `max_columns` wide.
    pub fn new(src: &'a SourceFile, spans: &[Span], max_columns: usize) -> Self {
        let max_columns = max_columns.max(MIN_LINE);
        let mut window = Window {
            src,
            text: String::new(),
            kept: Vec::new(),
        };
        for (first, last) in line_ranges(src, spans) {
            for line in first..=last {
                window.keep(line, spans, max_columns);
            }
        }
        window
    }

    /// The widest line number shown, in digits: the gutter miette draws before each line.
    pub fn line_number_digits(&self) -> usize {
        self.kept.last().map_or(1, |k| k.line.to_string().len())
    }

    fn keep(&mut self, line: u64, spans: &[Span], max_columns: usize) {
        let Some(body) = self.src.line_span(line) else {
            return;
        };
        // Secrets masked, same length: every span still fits (see `crate::redact`).
        let text = self.src.shown_text();
        let line_text = &text[body.start..body.end];
        // The part of the line the labels cover, the first label's part if it has one.
        let on_line = |s: &Span| {
            let (a, b) = (s.start.max(body.start), s.end.min(body.end));
            (s.start <= body.end && s.end >= body.start).then_some((a, b.max(a)))
        };
        let focus = spans
            .first()
            .and_then(on_line)
            .or_else(|| {
                spans
                    .iter()
                    .filter_map(on_line)
                    .reduce(|x, y| (x.0.min(y.0), x.1.max(y.1)))
            })
            .map(|(a, b)| (a - body.start, b - body.start));
        let (shown_start, shown_end) = cut(line_text, focus, max_columns);
        let at = self.text.len();
        let lead = if shown_start > 0 { ELLIPSIS.len() } else { 0 };
        if lead > 0 {
            self.text.push_str(ELLIPSIS);
        }
        self.text.push_str(&line_text[shown_start..shown_end]);
        if shown_end < line_text.len() {
            self.text.push_str(ELLIPSIS);
        }
        let body_end = self.text.len();
        // The real line break (LF or CRLF), so miette splits lines as before.
        let next_start = self.src.line_span(line + 1).map_or(text.len(), |s| s.start);
        self.text
            .push_str(&text[body.end..next_start.max(body.end)]);
        self.kept.push(Kept {
            line,
            at,
            body_end,
            next: self.text.len(),
            real_start: body.start,
            real_end: body.end,
            shown_start: body.start + shown_start,
            shown_end: body.start + shown_end,
            lead,
        });
    }

    /// A real span as one in the window's text: parts cut away land on the `…`.
    pub fn span(&self, span: Span) -> SourceSpan {
        let start = self.offset(span.start, false);
        let end = self.offset(span.end, true).max(start);
        SourceSpan::new(start.into(), end - start)
    }

    fn offset(&self, real: usize, is_end: bool) -> usize {
        let idx = match self.kept.binary_search_by(|k| k.real_start.cmp(&real)) {
            Ok(i) => i,
            Err(0) => return 0,
            Err(i) => i - 1,
        };
        let k = &self.kept[idx];
        if real > k.real_end {
            // In the line break, or past the lines kept.
            return (k.body_end + (real - k.real_end)).min(k.next);
        }
        if real < k.shown_start {
            k.at
        } else if real > k.shown_end || (is_end && real == k.real_end) {
            k.body_end
                .max(k.at + k.lead + (real.min(k.shown_end) - k.shown_start))
        } else {
            k.at + k.lead + (real - k.shown_start)
        }
    }

    /// The real offset a window offset shows (for the position in a header).
    fn real(&self, at: usize) -> usize {
        let idx = match self.kept.binary_search_by(|k| k.at.cmp(&at)) {
            Ok(i) => i,
            Err(0) => return 0,
            Err(i) => i - 1,
        };
        let k = &self.kept[idx];
        if at >= k.body_end {
            k.real_end
        } else {
            let inside = at.saturating_sub(k.at + k.lead);
            (k.shown_start + inside).min(k.shown_end)
        }
    }

    /// Display column (from 0) of a window offset within its line.
    pub fn column(&self, at: usize) -> usize {
        match self.kept_at(at) {
            Some(i) => self.columns(self.kept[i].at, at - self.kept[i].at),
            None => 0,
        }
    }

    /// Display columns of `len` bytes from `at`, up to the end of that line.
    pub fn columns(&self, at: usize, len: usize) -> usize {
        let end = match self.kept_at(at) {
            Some(i) => (at + len).min(self.kept[i].body_end),
            None => at,
        };
        self.text
            .get(at..end.max(at))
            .map_or(0, |t| t.chars().map(char_columns).sum())
    }

    fn kept_at(&self, at: usize) -> Option<usize> {
        match self.kept.binary_search_by(|k| k.at.cmp(&at)) {
            Ok(i) => Some(i),
            Err(0) => None,
            Err(i) => Some(i - 1),
        }
    }
}

/// The runs of lines to show: every label's lines with context, runs that touch or
/// overlap merged (as miette merges the snippets it draws, so one read never spans two
/// runs).
fn line_ranges(src: &SourceFile, spans: &[Span]) -> Vec<(u64, u64)> {
    let first_line = src.first_line();
    let last_line = src.line_col(src.text().len()).line;
    let mut ranges: Vec<(u64, u64)> = spans
        .iter()
        .map(|s| {
            let a = src.line_col(s.start).line;
            let b = src
                .line_col(if s.end > s.start { s.end - 1 } else { s.start })
                .line;
            (
                a.saturating_sub(CONTEXT_LINES).max(first_line),
                b.saturating_add(CONTEXT_LINES).min(last_line).max(a),
            )
        })
        .collect();
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (a, b) in ranges {
        match merged.last_mut() {
            Some(last) if a <= last.1.saturating_add(1) => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// Which bytes of `line` to show within `max_columns`: all of it when it fits, else a
/// cut around `focus` (a byte range of the line) with room kept for `…` at both ends.
/// Returns byte offsets on character boundaries.
fn cut(line: &str, focus: Option<(usize, usize)>, max_columns: usize) -> (usize, usize) {
    // A short line in bytes is short in columns too (a tab is the widest, 4 columns;
    // wide characters take 3 bytes or more for their 2 columns).
    if line.len() * TAB_COLUMNS <= max_columns {
        return (0, line.len());
    }
    // Column where each character starts, and where the line ends.
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(line.len().min(1 << 16));
    let mut col = 0usize;
    for (i, c) in line.char_indices() {
        starts.push((i, col));
        col += char_columns(c);
    }
    let total = col;
    if total <= max_columns {
        return (0, line.len());
    }
    let col_of = |byte: usize| {
        let i = starts.partition_point(|&(b, _)| b < byte);
        starts.get(i).map_or(total, |&(_, c)| c)
    };
    let room = max_columns - 2; // one `…` at each end
    let (from, to) = focus.map_or((0, 0), |(a, b)| (col_of(a), col_of(b)));
    let mut start_col = if to - from <= room {
        // Some text before the labelled part, more after it: the label's text is
        // written to the right of its underline and needs the room.
        from - from.min((room - (to - from)) / 4)
    } else {
        from - from.min(4)
    };
    if start_col + room > total {
        start_col = total.saturating_sub(room);
    }
    let end_col = start_col + room;
    let shown_start = starts
        .iter()
        .find(|&&(_, c)| c >= start_col)
        .map_or(line.len(), |&(b, _)| b);
    // The last character that ends by `end_col`.
    let shown_end = starts
        .iter()
        .skip_while(|&&(b, _)| b < shown_start)
        .find(|&&(_, c)| c >= end_col)
        .map_or(line.len(), |&(b, _)| b);
    let shown_start = if start_col == 0 { 0 } else { shown_start };
    (shown_start, shown_end.max(shown_start))
}

fn char_columns(c: char) -> usize {
    if c == '\t' {
        TAB_COLUMNS
    } else {
        c.width().unwrap_or(0)
    }
}

impl SourceCode for Window<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let start = span.offset();
        let end = start
            .checked_add(span.len())
            .filter(|&e| e <= self.text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let first = self.kept_at(start).ok_or(MietteError::OutOfBounds)?;
        let last = self
            .kept_at(if end > start { end - 1 } else { start })
            .ok_or(MietteError::OutOfBounds)?
            .max(first);
        // Context stops where the run of kept lines does (the next kept line is not
        // the next line of the file).
        let mut top = first;
        for _ in 0..context_lines_before {
            if top == 0 || self.kept[top - 1].line + 1 != self.kept[top].line {
                break;
            }
            top -= 1;
        }
        let mut bottom = last;
        for _ in 0..context_lines_after {
            match self.kept.get(bottom + 1) {
                Some(k) if k.line == self.kept[bottom].line + 1 => bottom += 1,
                _ => break,
            }
        }
        // Without leading context the contents start at the span itself, as in miette's
        // own sources, and the column shown in a header is the real file's.
        let (data_start, line, column) = if context_lines_before == 0 {
            let at = self.src.line_col(self.real(start));
            (start, at.line, at.column - 1)
        } else {
            (self.kept[top].at, self.kept[top].line, 0)
        };
        let data_end = self.kept[bottom].next.max(end);
        let data = self
            .text
            .as_bytes()
            .get(data_start..data_end)
            .ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.src.name().to_string(),
            data,
            SourceSpan::new(data_start.into(), data_end - data_start),
            line.saturating_sub(1) as usize,
            column as usize,
            bottom - top + 1,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(w: &Window, span: Span) -> String {
        let s = w.span(span);
        w.text[s.offset()..s.offset() + s.len()].to_string()
    }

    #[test]
    fn short_lines_are_kept_whole_with_their_context() {
        let f = SourceFile::new("a.yaml", "a: 1\nb: 2\nc: 3\nd: 4\n");
        let w = Window::new(&f, &[Span::new(5, 9)], 80);
        assert_eq!(w.text, "a: 1\nb: 2\nc: 3\n");
        assert_eq!(shown(&w, Span::new(5, 9)), "b: 2");
    }

    #[test]
    fn a_long_line_is_cut_around_its_label() {
        let line = format!("{}key: value{}", "x".repeat(300), "y".repeat(300));
        let f = SourceFile::new("a.yaml", format!("{line}\n"));
        let key = line.find("key").unwrap();
        let w = Window::new(&f, &[Span::new(key, key + 3)], 60);
        assert!(
            w.text.starts_with('…') && w.text.ends_with("…\n"),
            "{}",
            w.text
        );
        assert!(w.text.chars().count() <= 61, "{}", w.text);
        assert_eq!(shown(&w, Span::new(key, key + 3)), "key");
        // The header still names the real column.
        let c = w.read_span(&w.span(Span::new(key, key + 3)), 0, 0).unwrap();
        assert_eq!(c.column(), 300);
    }

    #[test]
    fn runs_of_lines_far_apart_stay_apart() {
        let text: String = (1..=20).map(|i| format!("k{i}: {i}\n")).collect();
        let f = SourceFile::new("a.yaml", text.clone());
        let l2 = f.line_span(2).unwrap();
        let l15 = f.line_span(15).unwrap();
        let w = Window::new(&f, &[l15, l2], 80);
        assert_eq!(
            w.kept.iter().map(|k| k.line).collect::<Vec<_>>(),
            [1, 2, 3, 14, 15, 16]
        );
        let c = w.read_span(&w.span(l15), 1, 1).unwrap();
        assert_eq!((c.line(), c.line_count()), (13, 3));
        assert_eq!(
            String::from_utf8_lossy(c.data()),
            "k14: 14\nk15: 15\nk16: 16\n"
        );
    }

    #[test]
    fn a_label_longer_than_the_line_budget_is_cut_too() {
        let f = SourceFile::new("a.yaml", format!("{}: 1\n", "k".repeat(70_000)));
        let w = Window::new(&f, &[Span::new(0, 70_000)], PIPE_LINE_LIMIT);
        assert!(w.text.len() < PIPE_LINE_LIMIT + 16);
        let s = w.span(Span::new(0, 70_000));
        assert!(w.columns(s.offset(), s.len()) <= PIPE_LINE_LIMIT);
    }
}

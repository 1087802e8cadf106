//! The terminal report: miette's graphical rendering of each finding, then the
//! summary sentence.
//!
//! Our [`Diagnostic`] is converted to miette only here, through [`Adapter`]. miette's
//! labels must all point into one source, so a related place in the same file is an
//! extra label, and one in another file (the log line a fact came from) is a related
//! child diagnostic that shows its own snippet.

use std::fmt;
use std::io::{self, Write};

use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};

use super::{rule_doc_url, rule_ident, summary_line, Report};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::source::{SourceFile, Span};

/// How to draw: with ANSI colour (and hyperlinked rule codes) or plain, and how wide.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let handler = handler(style);
    for d in &report.diagnostics {
        let mut text = String::new();
        handler
            .render_report(&mut text, &Adapter::new(d))
            .map_err(|_| io::Error::other("could not render a diagnostic"))?;
        writeln!(out, "{text}")?;
    }
    let summary = summary_line(report);
    if style.color {
        writeln!(out, "\x1b[1m{summary}\x1b[0m")
    } else {
        writeln!(out, "{summary}")
    }
}

fn handler(style: &Style) -> GraphicalReportHandler {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    // With colour the rule code is an OSC 8 hyperlink to its doc; without, no escape
    // sequence of any kind is written and the URL is printed as text instead.
    GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(style.color)
        .with_link_display_text("(docs)")
        .with_show_related_as_nested(true)
}

/// One of our diagnostics seen through miette's `Diagnostic` trait.
#[derive(Debug)]
struct Adapter<'a> {
    d: &'a Diagnostic,
    code: String,
    url: String,
    source: Snippet<'a>,
    labels: Vec<LabeledSpan>,
    children: Vec<Child<'a>>,
    /// The help, with the fix (and how safe it is) on a line of its own.
    help: Option<String>,
}

impl<'a> Adapter<'a> {
    fn new(d: &'a Diagnostic) -> Self {
        let (code, name) = rule_ident(d);
        let source = &d.location.source;
        let primary_text = d.label.clone().unwrap_or_else(|| d.message.clone());
        let mut labels = vec![LabeledSpan::new_primary_with_span(
            Some(primary_text),
            miette_span(source, d.location.span),
        )];
        let mut children = Vec::new();
        for r in &d.related {
            if same_source(&r.location.source, source) {
                labels.push(LabeledSpan::new_with_span(
                    Some(r.message.clone()),
                    miette_span(source, r.location.span),
                ));
            } else {
                children.push(Child::new(&r.location, &r.message));
            }
        }
        let fix = d.fix.as_ref().map(|f| {
            format!(
                "fix{}: {}",
                super::fix_mark(f.applicability).trim_start_matches("fix"),
                f.description
            )
        });
        let help = match (&d.help, fix) {
            (Some(h), Some(f)) => Some(format!("{h}\n{f}")),
            (h, f) => h.clone().or(f),
        };
        Adapter {
            d,
            help,
            code: format!("{code} {name}"),
            url: rule_doc_url(name),
            source: Snippet(source),
            labels,
            children,
        }
    }
}

impl fmt::Display for Adapter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Adapter<'_> {}

impl miette::Diagnostic for Adapter<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.code))
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }
    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn url<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(&self.url))
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'b>(&'b self) -> Option<Box<dyn Iterator<Item = &'b dyn miette::Diagnostic> + 'b>> {
        if self.children.is_empty() {
            return None;
        }
        Some(Box::new(
            self.children.iter().map(|c| c as &dyn miette::Diagnostic),
        ))
    }
}

/// A related place in another file, shown under the finding with its own snippet.
#[derive(Debug)]
struct Child<'a> {
    message: &'a str,
    source: Snippet<'a>,
    span: SourceSpan,
}

impl<'a> Child<'a> {
    fn new(at: &'a Location, message: &'a str) -> Self {
        Child {
            message,
            source: Snippet(&at.source),
            span: miette_span(&at.source, at.span),
        }
    }
}

impl fmt::Display for Child<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message)
    }
}

impl std::error::Error for Child<'_> {}

impl miette::Diagnostic for Child<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Advice)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.source)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            LabeledSpan::new_primary_with_span(None, self.span),
        )))
    }
}

/// Two locations share a source when they are the same text, not merely the same
/// file name: a log snippet and the whole log have different offsets.
fn same_source(a: &SourceFile, b: &SourceFile) -> bool {
    std::ptr::eq(a, b)
        || (a.name() == b.name() && a.first_line() == b.first_line() && a.text() == b.text())
}

/// Our span as miette's, clamped into the text and onto character boundaries, so
/// miette never fails to read it.
fn miette_span(source: &SourceFile, span: Span) -> SourceSpan {
    let text = source.text();
    let floor = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let mut start = floor(span.start);
    let end = floor(span.end).max(start);
    // An empty span after the final line break sits on a line miette does not draw;
    // show it at the end of the last line instead.
    if start == end && start == text.len() && text.ends_with('\n') {
        start = text.len() - 1;
        if text[..start].ends_with('\r') {
            start -= 1;
        }
        return SourceSpan::new(start.into(), 0);
    }
    SourceSpan::new(start.into(), end - start)
}

/// A [`SourceFile`] as miette's `SourceCode`, numbering lines as the real file does
/// (a log snippet that starts at line 23 shows 23) and counting columns in
/// characters, like the other formats.
#[derive(Debug)]
struct Snippet<'a>(&'a SourceFile);

impl SourceCode for Snippet<'_> {
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'b> + 'b>, MietteError> {
        let src = self.0;
        let text = src.text();
        let start = span.offset();
        let end = start
            .checked_add(span.len())
            .filter(|&e| e <= text.len())
            .ok_or(MietteError::OutOfBounds)?;
        let before = u32::try_from(context_lines_before).unwrap_or(u32::MAX);
        let after = u32::try_from(context_lines_after).unwrap_or(u32::MAX);

        let at = src.line_col(start);
        let last_line_of_span = src.line_col(if end > start { end - 1 } else { start }).line;
        let last_line_of_text = src.line_col(text.len()).line;
        let top = at.line.saturating_sub(before).max(src.first_line());
        let bottom = last_line_of_span
            .saturating_add(after)
            .min(last_line_of_text);

        // Like miette's own sources: without leading context the contents start at
        // the span itself, and that is where the reported column comes from.
        let (data_start, line, column) = if before == 0 {
            (start, at.line, at.column - 1)
        } else {
            let line_start = src.line_span(top).map_or(0, |s| s.start);
            (line_start, top, 0)
        };
        let data_end = bottom
            .checked_add(1)
            .and_then(|next| src.line_span(next))
            .map_or(text.len(), |s| s.start)
            .max(end);
        let data = text
            .as_bytes()
            .get(data_start..data_end)
            .ok_or(MietteError::OutOfBounds)?;
        Ok(Box::new(MietteSpanContents::new_named(
            src.name().to_string(),
            data,
            SourceSpan::new(data_start.into(), data_end - data_start),
            (line - 1) as usize,
            column as usize,
            (bottom - top + 1) as usize,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &SourceFile, start: usize, len: usize, ctx: usize) -> (usize, usize, String) {
        let snippet = Snippet(src);
        let c = snippet
            .read_span(&SourceSpan::new(start.into(), len), ctx, ctx)
            .expect("in bounds");
        (
            c.line(),
            c.column(),
            String::from_utf8_lossy(c.data()).into_owned(),
        )
    }

    #[test]
    fn snippet_lines_are_numbered_from_the_real_file() {
        let log = SourceFile::snippet("invokeai.log", "one\ntwo\nthree\n", 23);
        // miette lines are 0-based: line 24 of the real file is 23.
        assert_eq!(read(&log, 4, 3, 0), (23, 0, "two\n".into()));
        assert_eq!(read(&log, 4, 3, 1), (22, 0, "one\ntwo\nthree\n".into()));
    }

    #[test]
    fn columns_count_characters() {
        let f = SourceFile::new("a.yaml", "k: 'é' x\n");
        let x = f.text().find('x').unwrap();
        assert_eq!(read(&f, x, 1, 0).1, 7);
    }

    #[test]
    fn spans_past_the_end_are_refused_not_panicked_on() {
        let f = SourceFile::new("a.yaml", "ab");
        let s = Snippet(&f);
        assert!(s.read_span(&SourceSpan::new(1.into(), 5), 1, 1).is_err());
        assert!(s
            .read_span(&SourceSpan::new(usize::MAX.into(), 5), 1, 1)
            .is_err());
    }

    #[test]
    fn spans_are_clamped_to_the_text_and_to_char_boundaries() {
        let f = SourceFile::new("a.yaml", "é\n");
        assert_eq!(
            miette_span(&f, Span::new(1, 99)),
            SourceSpan::new(0.into(), 3)
        );
        // At the very end, after the last line break: moved onto the last line.
        assert_eq!(
            miette_span(&f, Span::new(3, 3)),
            SourceSpan::new(2.into(), 0)
        );
    }
}

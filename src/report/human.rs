//! The terminal report: miette's graphical rendering of each finding, then the
//! summary sentence.
//!
//! Our [`Diagnostic`] is converted to miette only here, through [`Adapter`]. miette's
//! labels must all point into one source, so a related place in the same file is an
//! extra label, and one in another file (the log line a fact came from) is a related
//! child diagnostic that shows its own snippet.

use std::fmt;
use std::io::{self, Write};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceCode, SourceSpan};

use super::window::{Window, PIPE_LINE_LIMIT};
use super::{rule_doc_url, rule_ident, summary_line, Report};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::source::{SourceFile, Span};

/// How to draw: with ANSI colour (and hyperlinked rule codes) or plain, and how wide.
/// `fit`: the report goes to a terminal `width` columns wide, so source lines are cut
/// to fit it; otherwise only lines wider than [`PIPE_LINE_LIMIT`] are cut.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub width: usize,
    pub fit: bool,
}

impl Style {
    /// Columns a source line may take: the width less miette's gutter (line number,
    /// ` │ `, room for the bars of labels that span lines).
    fn line_columns(&self, line_number_digits: usize) -> usize {
        if self.fit {
            self.width.saturating_sub(line_number_digits + 8)
        } else {
            PIPE_LINE_LIMIT
        }
    }
}

pub fn render(report: &Report, style: &Style, out: &mut dyn Write) -> io::Result<()> {
    let handler = handler(style);
    for d in &report.diagnostics {
        let mut text = String::new();
        handler
            .render_report(&mut text, &Adapter::new(d, style))
            .map_err(|_| io::Error::other("could not render a diagnostic"))?;
        writeln!(out, "{text}")?;
    }
    let summary = summary(report, style);
    if style.color {
        writeln!(out, "\x1b[1m{summary}\x1b[0m")
    } else {
        writeln!(out, "{summary}")
    }
}

/// The closing sentence, wrapped to the terminal when the report fits one.
pub fn summary(report: &Report, style: &Style) -> String {
    let line = summary_line(report);
    if style.fit {
        crate::table::fit_text(&line, Some(style.width))
    } else {
        line
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
        .with_context_lines(super::window::CONTEXT_LINES as usize)
}

/// One of our diagnostics seen through miette's `Diagnostic` trait.
#[derive(Debug)]
struct Adapter<'a> {
    d: &'a Diagnostic,
    code: String,
    url: Option<String>,
    /// The help, with the fix (and how safe it is) on a line of its own.
    help: Option<String>,
    source: Window<'a>,
    labels: Vec<LabeledSpan>,
    children: Vec<Child<'a>>,
}

impl<'a> Adapter<'a> {
    fn new(d: &'a Diagnostic, style: &Style) -> Self {
        let (code, name) = rule_ident(d);
        let source = &d.location.source;
        let primary_text = d.label.clone().unwrap_or_else(|| d.message.clone());
        let mut spans = vec![(clamp_span(source, d.location.span), primary_text)];
        let mut children = Vec::new();
        for r in &d.related {
            if same_source(&r.location.source, source) {
                spans.push((clamp_span(source, r.location.span), r.message.clone()));
            } else {
                children.push(Child::new(&r.location, &r.message, style));
            }
        }
        let real: Vec<Span> = spans.iter().map(|(s, _)| *s).collect();
        let window = Window::new(
            source,
            &real,
            style.line_columns(line_digits(source, &real)),
        );
        let labels = spans
            .into_iter()
            .enumerate()
            .map(|(i, (span, text))| {
                let at = window.span(span);
                let text = fit_label(&window, at, text, style);
                if i == 0 {
                    LabeledSpan::new_primary_with_span(Some(text), at)
                } else {
                    LabeledSpan::new_with_span(Some(text), at)
                }
            })
            .collect();
        let fix = d.fix.as_ref().map(|f| {
            format!(
                "fix{}: {}",
                super::fix_mark(f.applicability).trim_start_matches("fix"),
                f.description
            )
        });
        let mut help = match (&d.help, fix) {
            (Some(h), Some(f)) => Some(format!("{h}\n{f}")),
            (h, f) => h.clone().or(f),
        };
        let code = format!("{code} {name}");
        let mut url = Some(rule_doc_url(name));
        // Without colour the URL is printed after the code as text; on a narrow terminal
        // that line would wrap, so name the command that shows the same doc instead.
        if style.fit && !style.color && code.len() + rule_doc_url(name).len() + 3 > style.width {
            url = None;
            let docs = format!("docs: invokeai-lint explain {name}");
            help = Some(match help {
                Some(h) => format!("{h}\n{docs}"),
                None => docs,
            });
        }
        Adapter {
            d,
            code,
            url,
            help,
            source: window,
            labels,
            children,
        }
    }
}

/// Digits of the largest line number a window over `spans` shows (one line of context
/// below the last).
fn line_digits(source: &SourceFile, spans: &[Span]) -> usize {
    let last = spans
        .iter()
        .map(|s| source.line_col(s.end).line)
        .max()
        .unwrap_or(1);
    (last.saturating_add(1)).to_string().len()
}

/// On a terminal, a label's text wrapped to the room right of its underline, where
/// miette writes it; elsewhere as it is.
fn fit_label(window: &Window, at: SourceSpan, text: String, style: &Style) -> String {
    if !style.fit {
        return text;
    }
    let column = window.column(at.offset()) + window.columns(at.offset(), at.len()) / 2;
    let room = style
        .width
        .saturating_sub(window.line_number_digits() + 8 + column)
        .max(24);
    wrap(&text, room)
}

/// Words joined into lines of at most `width` columns (a longer word stands alone).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line_len = 0;
    for word in text.split(' ') {
        let len = word.chars().count();
        if line_len > 0 && line_len + 1 + len > width {
            out.push('\n');
            line_len = 0;
        } else if line_len > 0 {
            out.push(' ');
            line_len += 1;
        }
        out.push_str(word);
        line_len += len;
    }
    out
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
        self.url
            .as_ref()
            .map(|u| Box::new(u) as Box<dyn fmt::Display>)
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
    source: Window<'a>,
    span: SourceSpan,
}

impl<'a> Child<'a> {
    fn new(at: &'a Location, message: &'a str, style: &Style) -> Self {
        let span = clamp_span(&at.source, at.span);
        let source = Window::new(
            &at.source,
            &[span],
            style.line_columns(line_digits(&at.source, &[span])),
        );
        Child {
            message,
            span: source.span(span),
            source,
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

/// Our span clamped into the text and onto character boundaries, so miette never
/// fails to read it.
fn clamp_span(source: &SourceFile, span: Span) -> Span {
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
        return Span::new(start, start);
    }
    Span::new(start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(src: &SourceFile, start: usize, len: usize, ctx: usize) -> (usize, usize, String) {
        let w = Window::new(src, &[Span::new(start, start + len)], PIPE_LINE_LIMIT);
        let c = w
            .read_span(&w.span(Span::new(start, start + len)), ctx, ctx)
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
        let w = Window::new(&f, &[Span::new(0, 2)], 80);
        assert!(w.read_span(&SourceSpan::new(1.into(), 5), 1, 1).is_err());
        assert!(w
            .read_span(&SourceSpan::new(usize::MAX.into(), 5), 1, 1)
            .is_err());
    }

    #[test]
    fn spans_are_clamped_to_the_text_and_to_char_boundaries() {
        let f = SourceFile::new("a.yaml", "é\n");
        assert_eq!(clamp_span(&f, Span::new(1, 99)), Span::new(0, 3));
        // At the very end, after the last line break: moved onto the last line.
        assert_eq!(clamp_span(&f, Span::new(3, 3)), Span::new(2, 2));
    }

    #[test]
    fn label_text_is_wrapped_by_words() {
        assert_eq!(wrap("aa bb cc dd", 5), "aa bb\ncc dd");
        assert_eq!(wrap("toolongword x", 4), "toolongword\nx");
    }
}

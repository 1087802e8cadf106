//! One line per finding, `file:line:col: severity[CODE] message`, the shape editors
//! and `grep` understand, then the summary sentence.

use std::io::{self, Write};

use super::{summary_line, Report};

/// Findings past which the lines are built on two threads (each half into its own
/// buffer, written in order): the report is written after every file is linted, so it is
/// time no other work hides.
const SPLIT_AT: usize = 4096;

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let all = &report.diagnostics;
    if all.len() < SPLIT_AT {
        out.write_all(&lines(all))?;
    } else {
        let (first, second) = all.split_at(all.len() / 2);
        let (a, b) = std::thread::scope(|s| {
            let later = s.spawn(|| lines(second));
            let a = lines(first);
            // A panic building lines is a bug: raise it here rather than lose half a report.
            (
                a,
                later
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p)),
            )
        });
        out.write_all(&a)?;
        out.write_all(&b)?;
    }
    writeln!(out, "{}", summary_line(report))
}

/// The lines of `diagnostics`, built by hand: a tree of configs gives tens of thousands,
/// and `fmt` with a `dyn Write` call per piece showed up as a serial cost.
fn lines(diagnostics: &[crate::diagnostic::Diagnostic]) -> Vec<u8> {
    let mut out: Vec<u8> = Vec::with_capacity(diagnostics.len() * 160);
    for d in diagnostics {
        let (start, _) = d.bounds();
        out.extend_from_slice(d.location.file().as_bytes());
        out.push(b':');
        push_number(&mut out, start.line);
        out.push(b':');
        push_number(&mut out, start.column);
        out.extend_from_slice(b": ");
        out.extend_from_slice(d.severity.as_str().as_bytes());
        out.push(b'[');
        out.extend_from_slice(d.code.as_bytes());
        out.extend_from_slice(b"] ");
        if let Some(f) = &d.fix {
            out.push(b'[');
            out.extend_from_slice(super::fix_mark(f.applicability).as_bytes());
            out.extend_from_slice(b"] ");
        }
        // A message is one line here; a newline inside it would start a bogus record.
        let at = out.len();
        out.extend_from_slice(d.message.as_bytes());
        for b in &mut out[at..] {
            if matches!(*b, b'\r' | b'\n') {
                *b = b' ';
            }
        }
        out.push(b'\n');
    }
    out
}

fn push_number(buf: &mut Vec<u8>, n: impl Into<u64>) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n: u64 = n.into();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Diagnostic, Location, Summary};
    use crate::source::{SourceFile, Span};

    #[test]
    fn a_report_built_on_two_threads_keeps_the_order_of_the_findings() {
        let meta = crate::rules::find("unknown-key").unwrap();
        let text: String = (0..SPLIT_AT * 2).map(|i| format!("k{i}: 1\n")).collect();
        let src = SourceFile::new("big.yaml", text.as_str());
        let diagnostics: Vec<Diagnostic> = (0..SPLIT_AT * 2)
            .map(|i| {
                let at = text.find(&format!("k{i}:")).unwrap();
                Diagnostic::new(
                    meta,
                    Location::new(&src, Span::new(at, at + 1)),
                    format!("m{i}"),
                )
            })
            .collect();
        let report = Report {
            invokeai_version: "5.9.1".into(),
            target_source: "flag",
            files: vec!["big.yaml".into()],
            summary: Summary::count(1, &diagnostics),
            diagnostics,
            skipped: vec![],
            fail_on: crate::diagnostic::Severity::Error,
        };
        let mut out = Vec::new();
        render(&report, &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), SPLIT_AT * 2 + 1);
        for (i, line) in lines[..SPLIT_AT * 2].iter().enumerate() {
            let want = format!("big.yaml:{}:1: ", i + 1);
            assert!(line.starts_with(&want), "{line}");
            assert!(line.ends_with(&format!("] m{i}")), "{line}");
        }
    }
}

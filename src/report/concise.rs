//! One line per finding, `file:line:col: severity[CODE] message`, the shape editors
//! and `grep` understand, then the summary sentence.

use std::io::{self, Write};

use super::{summary_line, Report};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // Each line is built by hand in one reused buffer and written whole: a tree of configs
    // gives tens of thousands of lines, and `fmt` with a `dyn Write` call per piece showed
    // up as a serial cost at the end of the run.
    let mut line: Vec<u8> = Vec::with_capacity(256);
    for d in &report.diagnostics {
        line.clear();
        let (start, _) = d.bounds();
        line.extend_from_slice(d.location.file().as_bytes());
        line.push(b':');
        push_number(&mut line, start.line);
        line.push(b':');
        push_number(&mut line, start.column);
        line.extend_from_slice(b": ");
        line.extend_from_slice(d.severity.as_str().as_bytes());
        line.push(b'[');
        line.extend_from_slice(d.code.as_bytes());
        line.extend_from_slice(b"] ");
        // A message is one line here; a newline inside it would start a bogus record.
        let at = line.len();
        line.extend_from_slice(d.message.as_bytes());
        for b in &mut line[at..] {
            if matches!(*b, b'\r' | b'\n') {
                *b = b' ';
            }
        }
        line.push(b'\n');
        out.write_all(&line)?;
    }
    writeln!(out, "{}", summary_line(report))
}

fn push_number(buf: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let mut i = digits.len();
    let mut n = n;
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

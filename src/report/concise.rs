//! One line per finding, `file:line:col: severity[CODE] message`, the shape editors
//! and `grep` understand, then the summary sentence.

use std::io::{self, Write};

use super::{summary_line, Report};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        let start = d.location.start();
        // A message is one line here; a newline inside it would start a bogus record.
        let message = d.message.replace(['\r', '\n'], " ");
        writeln!(
            out,
            "{}:{}:{}: {}[{}] {message}",
            d.location.file(),
            start.line,
            start.column,
            d.severity.as_str(),
            d.code,
        )?;
    }
    writeln!(out, "{}", summary_line(report))
}

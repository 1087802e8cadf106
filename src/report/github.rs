//! GitHub Actions workflow commands: each finding becomes an annotation on the
//! pull request (`::error file=…,line=…::message`).

use std::io::{self, Write};

use super::{message_with_help, rule_ident, Report};
use crate::diagnostic::{Diagnostic, Severity};

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    for d in &report.diagnostics {
        writeln!(out, "{}", annotation(d))?;
    }
    Ok(())
}

fn annotation(d: &Diagnostic) -> String {
    let command = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    };
    let (start, end) = d.bounds();
    let (code, name) = rule_ident(d);
    let mut props = vec![
        ("file", d.location.file().to_string()),
        ("line", start.line.to_string()),
    ];
    // GitHub takes columns only for an annotation on a single line.
    if start.line == end.line {
        props.push(("col", start.column.to_string()));
    }
    props.push(("endLine", end.line.to_string()));
    if start.line == end.line {
        props.push(("endColumn", end.column.to_string()));
    }
    props.push(("title", format!("{code} {name}")));
    let props: Vec<String> = props
        .into_iter()
        .map(|(k, v)| format!("{k}={}", escape_property(&v)))
        .collect();

    // The log line a fact came from is worth seeing in the annotation itself.
    let mut message = message_with_help(d);
    for r in &d.related {
        let at = r.location.start();
        message.push_str(&format!(
            "\n{}:{}: {}",
            r.location.file(),
            at.line,
            r.message
        ));
    }
    format!("::{command} {}::{}", props.join(","), escape_data(&message))
}

/// The escaping GitHub's runner undoes for a command's message.
pub(crate) fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also may not hold the `:` and `,` that delimit them.
pub(crate) fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_percent_first_so_escapes_are_not_doubled() {
        assert_eq!(escape_data("50%\r\nnext"), "50%25%0D%0Anext");
        assert_eq!(escape_property("C:\\a,b%"), "C%3A\\a%2Cb%25");
    }
}

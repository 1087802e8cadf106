//! `--statistics`: how many findings each rule made, instead of the findings.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Severity};

#[derive(Debug, PartialEq, Serialize)]
pub struct RuleCount {
    pub code: &'static str,
    pub name: &'static str,
    pub count: usize,
    /// The most severe level among this rule's findings.
    pub severity: Severity,
    /// How many of them are at each level (a rule's severity depends on the case).
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// How many of them carry a fix.
    pub fixable: usize,
}

impl RuleCount {
    fn add(&mut self, d: &Diagnostic) {
        self.count += 1;
        self.severity = self.severity.max(d.severity);
        match d.severity {
            Severity::Error => self.errors += 1,
            Severity::Warning => self.warnings += 1,
            Severity::Info => self.infos += 1,
        }
        self.fixable += usize::from(d.fix.is_some());
    }

    /// `warning` when all are warnings, else each level with its count: `1 error, 7 info`.
    fn levels(&self) -> String {
        let levels: Vec<(usize, &str)> = [
            (self.errors, "error"),
            (self.warnings, "warning"),
            (self.infos, "info"),
        ]
        .into_iter()
        .filter(|&(n, _)| n > 0)
        .collect();
        match levels.as_slice() {
            [(_, level)] => level.to_string(),
            many => many
                .iter()
                .map(|(n, level)| format!("{n} {level}"))
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

/// Counts per rule, most frequent first, then by code.
pub fn count(diags: &[Diagnostic]) -> Vec<RuleCount> {
    let mut out: Vec<RuleCount> = Vec::new();
    for d in diags {
        let i = match out.iter().position(|c| c.code == d.code) {
            Some(i) => i,
            None => {
                out.push(RuleCount {
                    code: d.code,
                    name: d.name,
                    count: 0,
                    severity: d.severity,
                    errors: 0,
                    warnings: 0,
                    infos: 0,
                    fixable: 0,
                });
                out.len() - 1
            }
        };
        out[i].add(d);
    }
    out.sort_by(|a, b| b.count.cmp(&a.count).then(a.code.cmp(b.code)));
    out
}

/// Aligned columns: count, code, name, severity (each level's count when they differ),
/// and `[fixable]` when all of them are.
pub fn render_text(counts: &[RuleCount], out: &mut dyn Write) -> io::Result<()> {
    let width = counts
        .iter()
        .map(|c| c.count.to_string().len())
        .max()
        .unwrap_or(1);
    let name_width = counts.iter().map(|c| c.name.len()).max().unwrap_or(0);
    for c in counts {
        let fix = match c.fixable {
            0 => String::new(),
            n if n == c.count => "  [fixable]".to_string(),
            n => format!("  [{n} fixable]"),
        };
        writeln!(
            out,
            "{:>width$}  {}  {:<name_width$}  {}{fix}",
            c.count,
            c.code,
            c.name,
            c.levels()
        )?;
    }
    Ok(())
}

pub fn render_json(counts: &[RuleCount], out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(counts).map_err(io::Error::other)?;
    writeln!(out, "{text}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::rules;
    use crate::source::SourceFile;

    #[test]
    fn counts_sort_by_frequency_and_keep_the_worst_severity() {
        let src = SourceFile::new("f.yaml", "a: 1\n");
        let d = |name: &str, s: Severity| {
            Diagnostic::new(
                rules::find(name).unwrap(),
                Location::new(&src, Default::default()),
                "m",
            )
            .severity(s)
        };
        let counts = count(&[
            d("deprecated-key", Severity::Warning),
            d("unknown-key", Severity::Warning),
            d("unknown-key", Severity::Error),
        ]);
        assert_eq!(counts[0].name, "unknown-key");
        assert_eq!(counts[0].count, 2);
        assert_eq!(counts[0].severity, Severity::Error);
        assert_eq!((counts[0].errors, counts[0].warnings), (1, 1));
        let mut text = Vec::new();
        render_text(&counts, &mut text).unwrap();
        assert_eq!(
            String::from_utf8(text).unwrap(),
            "2  IL101  unknown-key     1 error, 1 warning\n1  IL105  deprecated-key  warning\n"
        );
    }
}

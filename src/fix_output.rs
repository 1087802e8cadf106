//! What `--fix` and `--diff` do with the fixed texts a lint run made: write the files,
//! print stdin's text, or print a unified diff and write nothing.

use std::io::Write;

use crate::fix::FixedFile;
use crate::lint::Outcome;

/// A unified diff from `before` to `after`, both named `name` (`patch -p0` applies it).
pub fn unified_diff(name: &str, before: &str, after: &str) -> String {
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(name, name)
        .to_string()
}

/// `--diff`: the diff of every file the fixes change, on stdout; exit 1 when there is one
/// (the pre-commit and CI convention), 0 when nothing would change.
pub fn print_diff(outcome: &Outcome, quiet: bool) -> Result<i32, String> {
    let changed: Vec<&FixedFile> = outcome
        .fixed
        .iter()
        .filter(|f| f.text != f.original.text())
        .collect();
    let mut out = std::io::stdout().lock();
    for f in &changed {
        // A diff is output like any report: secrets masked on both sides (crate::redact).
        let after = crate::redact::mask(&f.text, &crate::redact::secret_spans(&f.text));
        out.write_all(unified_diff(&f.display, f.original.shown_text(), &after).as_bytes())
            .map_err(|e| e.to_string())?;
    }
    out.flush().map_err(|e| e.to_string())?;
    if !quiet {
        say_stopped(&outcome.fixed);
        let fixes: usize = changed.iter().map(|f| f.fixes).sum();
        if changed.is_empty() {
            eprintln!("invokeai-lint: no fixes to apply");
        } else {
            eprintln!(
                "invokeai-lint: would fix {} in {}",
                plural(fixes, "finding"),
                plural(changed.len(), "file")
            );
        }
    }
    Ok(i32::from(!changed.is_empty()))
}

/// `--fix`: write the fixed files (stdin's text goes to stdout, whatever
/// `--stdin-filename` names). True when a file could not be written, so the report must
/// come from the files as they are on disk.
pub fn finish_fix(outcome: &Outcome, quiet: bool) -> Result<bool, String> {
    // Stdin's text (never a file with bytes that are not UTF-8: those are left alone).
    let stdin = outcome.fixed.iter().filter(|f| {
        f.path.is_none()
            && f.stopped
                .as_deref()
                .is_none_or(|s| !s.starts_with("not fixed"))
    });
    for f in stdin {
        let mut out = std::io::stdout().lock();
        out.write_all(f.text.as_bytes())
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    let done = crate::fix::write_fixed(&outcome.fixed);
    for (file, why) in &done.refused {
        eprintln!("invokeai-lint: not fixed {file}: {why}");
    }
    let stdin_fixes: usize = outcome
        .fixed
        .iter()
        .filter(|f| f.path.is_none())
        .map(|f| f.fixes)
        .sum();
    let (fixes, files) = (
        done.fixes + stdin_fixes,
        done.files + usize::from(stdin_fixes > 0),
    );
    if !quiet {
        say_stopped(&outcome.fixed);
        if fixes > 0 {
            eprintln!(
                "invokeai-lint: fixed {} in {}",
                plural(fixes, "finding"),
                plural(files, "file")
            );
        }
    }
    Ok(!done.refused.is_empty())
}

fn say_stopped(files: &[FixedFile]) {
    for f in files {
        if let Some(why) = &f.stopped {
            eprintln!("invokeai-lint: note: {}: {why}", f.display);
        }
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_name_the_file_and_show_context() {
        let d = unified_diff(
            "c.yaml",
            "a: 1\nb: 2\n",
            "schema_version: 4.0.2\na: 1\nb: 2\n",
        );
        assert_eq!(
            d,
            "--- c.yaml\n+++ c.yaml\n@@ -1,2 +1,3 @@\n+schema_version: 4.0.2\n a: 1\n b: 2\n"
        );
    }
}

//! Applying fixes: byte-exact span edits, written atomically.
//!
//! Only the bytes inside an edit's span change; everything else — line endings, a BOM,
//! comments, trailing whitespace — is copied through untouched.

use std::io::Write;
use std::path::Path;

use crate::diagnostic::{Applicability, Diagnostic, Edit};

/// Which fixes to apply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FixMode {
    Safe,
    /// Safe and unsafe (`--unsafe-fixes`).
    All,
}

/// The edits to apply to one file: from the diagnostics located in it, by mode, dropping any
/// fix whose edits overlap an earlier one (it is reported again on the next run).
pub fn collect_edits<'d>(
    file: &str,
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    mode: FixMode,
) -> (Vec<Edit>, usize) {
    let mut edits: Vec<Edit> = Vec::new();
    let mut applied = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
        if d.location.file() != file {
            continue;
        }
        if fix.applicability == Applicability::Unsafe && mode == FixMode::Safe {
            continue;
        }
        let clashes = fix.edits.iter().any(|e| {
            edits.iter().any(|o| {
                e.span.start < o.span.end && o.span.start < e.span.end
                    || (e.span.is_empty() && o.span.is_empty() && e.span.start == o.span.start)
            })
        });
        if clashes {
            continue;
        }
        edits.extend(fix.edits.iter().cloned());
        applied += 1;
    }
    edits.sort_by_key(|e| (e.span.start, e.span.end));
    (edits, applied)
}

/// Apply sorted, non-overlapping edits to `text`. Edits whose span falls outside the text or
/// off a character boundary are skipped (returned count says how many were applied).
pub fn apply(text: &str, edits: &[Edit]) -> (String, usize) {
    let mut out = String::with_capacity(text.len() + 64);
    let mut at = 0;
    let mut applied = 0;
    for e in edits {
        let ok = e.span.start >= at
            && e.span.end <= text.len()
            && text.is_char_boundary(e.span.start)
            && text.is_char_boundary(e.span.end);
        if !ok {
            continue;
        }
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
        applied += 1;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// Write `text` to `path` through a temporary file in the same folder and a rename, so a
/// crash leaves either the old file or the new one, never half of each.
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.invokeai-lint-{}", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if let Ok(meta) = std::fs::metadata(path) {
            std::fs::set_permissions(&tmp, meta.permissions())?;
        }
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(s: usize, e: usize, r: &str) -> Edit {
        Edit {
            span: Span::new(s, e),
            replacement: r.into(),
        }
    }

    #[test]
    fn only_the_spans_change() {
        let text = "\u{feff}a: \"x\"\r\n# keep me  \r\nb: 2";
        let start = text.find('"').unwrap();
        let (out, n) = apply(text, &[edit(start, start + 3, "'x'")]);
        assert_eq!(n, 1);
        assert_eq!(out, "\u{feff}a: 'x'\r\n# keep me  \r\nb: 2");
    }

    #[test]
    fn bad_spans_are_skipped_not_applied() {
        let (out, n) = apply("é", &[edit(1, 2, "x"), edit(5, 6, "y")]);
        assert_eq!((out.as_str(), n), ("é", 0));
    }

    #[test]
    fn inserts_and_replacements_compose() {
        let (out, n) = apply("abc", &[edit(0, 0, "X\n"), edit(1, 2, "B")]);
        assert_eq!((out.as_str(), n), ("X\naBc", 2));
    }

    #[test]
    fn atomic_write_replaces_the_file() {
        let dir = std::env::temp_dir().join(format!("il-fix-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("invokeai.yaml");
        std::fs::write(&p, "old").unwrap();
        write_atomic(&p, "new").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "new");
        assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

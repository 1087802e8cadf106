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

/// The edits to apply to one file, from diagnostics located in it, by mode, dropping any
/// fix whose edits overlap an earlier one (it is reported again on the next run).
pub fn collect_edits<'d>(
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    mode: FixMode,
) -> (Vec<Edit>, usize) {
    let mut edits: Vec<Edit> = Vec::new();
    let mut applied = 0;
    for d in diagnostics {
        let Some(fix) = &d.fix else { continue };
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

/// What `--fix` did.
#[derive(Debug, Default)]
pub struct Fixed {
    pub fixes: usize,
    pub files: usize,
    /// Files with fixes that were left alone, and why.
    pub refused: Vec<(String, String)>,
}

/// Apply the fixes of `diagnostics` to the config files they are in. A file is rewritten
/// only when its bytes on disk are still exactly the text that was linted (so nothing the
/// user wrote since, and no byte that was not valid UTF-8, can be lost); stdin and log
/// snippets are never written.
pub fn fix_files(diagnostics: &[Diagnostic], mode: FixMode) -> Fixed {
    let mut done = Fixed::default();
    let mut files: Vec<&std::sync::Arc<crate::source::SourceFile>> = Vec::new();
    for d in diagnostics.iter().filter(|d| d.fix.is_some()) {
        let src = &d.location.source;
        if !files.iter().any(|f| std::sync::Arc::ptr_eq(f, src)) {
            files.push(src);
        }
    }
    for src in files {
        let name = src.name();
        let (edits, count) = collect_edits(
            diagnostics
                .iter()
                .filter(|d| std::sync::Arc::ptr_eq(&d.location.source, src)),
            mode,
        );
        if count == 0 {
            continue;
        }
        let path = Path::new(name);
        match std::fs::read(path) {
            Ok(bytes) if src.first_line() == 1 && bytes == src.text().as_bytes() => {}
            Ok(_) => {
                done.refused.push((
                    name.to_string(),
                    "the file changed since it was read, or is not valid UTF-8".into(),
                ));
                continue;
            }
            Err(e) => {
                done.refused
                    .push((name.to_string(), format!("cannot read it back: {e}")));
                continue;
            }
        }
        let (text, applied) = apply(src.text(), &edits);
        if applied == 0 {
            continue;
        }
        match write_atomic(path, &text) {
            Ok(()) => {
                done.fixes += count;
                done.files += 1;
            }
            Err(e) => done
                .refused
                .push((name.to_string(), format!("cannot write it: {e}"))),
        }
    }
    done
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

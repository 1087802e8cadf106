//! Applying fixes: byte-exact span edits, written atomically.
//!
//! Only the bytes inside an edit's span change; everything else — line endings, a BOM,
//! comments, trailing whitespace — is copied through untouched.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Applicability, Diagnostic, Edit};
use crate::source::SourceFile;

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

/// Most passes of fix-then-lint for one file (ruff stops at 100 too). Real files settle
/// in two or three; the bound only guards against two fixes that undo each other.
pub const MAX_PASSES: usize = 100;

/// The text the fixes made, and the findings of that text.
pub struct Converged {
    pub text: String,
    /// Fixes applied over all passes.
    pub fixes: usize,
    /// The findings of the final text (so the report needs no second run).
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
    pub unsaid: [bool; 3],
    /// Why the loop stopped before no fix was left, when it did.
    pub stopped: Option<String>,
}

/// A pass's result: the text's source, its findings, suppressed count, unsaid facts.
pub type Pass = (Arc<SourceFile>, Vec<Diagnostic>, usize, [bool; 3]);

/// Apply the fixes of `first` (the findings of `source`) and lint the result again with
/// `relint`, until no fix applies or the text stops changing. Within a pass, fixes whose
/// edits overlap an earlier one (in report order) wait for the next pass, so the result
/// does not depend on anything but the findings. A pass that would make the YAML
/// unreadable, or bring back a text already seen, is not taken. None when nothing changed.
pub fn converge(
    source: &Arc<SourceFile>,
    first: &[Diagnostic],
    mode: FixMode,
    mut relint: impl FnMut(&str) -> Pass,
) -> Option<Converged> {
    let mut text = source.text().to_string();
    let mut current = Arc::clone(source);
    let mut diagnostics: Option<Vec<Diagnostic>> = None;
    let (mut suppressed, mut unsaid) = (0, [false; 3]);
    let mut fixes = 0;
    let mut seen: Vec<u64> = vec![hash(&text)];
    let mut stopped = None;
    for pass in 0.. {
        let diags = diagnostics.as_deref().unwrap_or(first);
        let (edits, count) = collect_edits(
            diags
                .iter()
                .filter(|d| Arc::ptr_eq(&d.location.source, &current)),
            mode,
        );
        if count == 0 {
            break;
        }
        if pass == MAX_PASSES {
            stopped = Some(format!("the fixes did not settle in {MAX_PASSES} passes"));
            break;
        }
        let (next, applied) = apply(&text, &edits);
        if applied == 0 || next == text {
            break;
        }
        if seen.contains(&hash(&next)) {
            stopped = Some("two fixes undo each other; the rest is left as it is".into());
            break;
        }
        let (src, d, s, u) = relint(&next);
        let was_readable = yaml_error(&text).is_none();
        if was_readable && yaml_error(&next).is_some() {
            stopped = Some("a fix would have made the YAML unreadable; it was not applied".into());
            break;
        }
        seen.push(hash(&next));
        text = next;
        current = src;
        diagnostics = Some(d);
        (suppressed, unsaid) = (s, u);
        fixes += count;
    }
    let diagnostics = diagnostics?;
    Some(Converged {
        text,
        fixes,
        diagnostics,
        suppressed,
        unsaid,
        stopped,
    })
}

fn yaml_error(text: &str) -> Option<crate::yaml::YamlError> {
    crate::yaml::parse(text).error
}

fn hash(text: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// One file the fixes change.
#[derive(Debug)]
pub struct FixedFile {
    /// The file as shown in the report.
    pub display: String,
    /// Where it is on disk; None for stdin (never written, whatever `--stdin-filename` says).
    pub path: Option<PathBuf>,
    /// The text as linted.
    pub original: Arc<SourceFile>,
    /// The text with every fix applied.
    pub text: String,
    pub fixes: usize,
    pub stopped: Option<String>,
}

/// What writing the fixes did.
#[derive(Debug, Default)]
pub struct Fixed {
    pub fixes: usize,
    pub files: usize,
    /// Files with fixes that were left alone, and why.
    pub refused: Vec<(String, String)>,
}

/// Write the fixed files. A file is rewritten only when its bytes on disk are still
/// exactly the text that was linted (so nothing the user wrote since can be lost).
pub fn write_fixed(files: &[FixedFile]) -> Fixed {
    let mut done = Fixed::default();
    for f in files {
        let Some(path) = f.path.as_ref().filter(|_| f.text != f.original.text()) else {
            continue;
        };
        match std::fs::read(path) {
            Ok(bytes) if bytes == f.original.text().as_bytes() => {}
            Ok(_) => {
                done.refused.push((
                    f.display.clone(),
                    "the file changed since it was read".into(),
                ));
                continue;
            }
            Err(e) => {
                done.refused
                    .push((f.display.clone(), format!("cannot read it back: {e}")));
                continue;
            }
        }
        // Compared with the linted text once more right before the rename.
        match crate::write::replace(path, f.text.as_bytes(), f.original.text().as_bytes()) {
            Ok(()) => {
                done.fixes += f.fixes;
                done.files += 1;
            }
            Err(crate::write::WriteError::Io(e)) => done
                .refused
                .push((f.display.clone(), format!("cannot write it: {e}"))),
            Err(e) => done.refused.push((f.display.clone(), e.to_string())),
        }
    }
    done
}

/// Write `text` to `path` through a temporary file in the same folder and a rename, so a
/// crash leaves either the old file or the new one, never half of each (see
/// [`crate::write`]: symlinks followed, mode and owner kept, hard links refused).
pub fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    crate::write::write_output(path, text.as_bytes(), None).map_err(|e| match e {
        crate::write::WriteError::Io(e) => e,
        other => std::io::Error::other(other.to_string()),
    })
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

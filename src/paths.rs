//! Paths as the linter shows and matches them: lexically absolute (no symlinks resolved),
//! relative to a linter config's folder, and displayed without `.` parts.
//!
//! The lowest layer of path handling: discovery, linter configs and baselines all use it.

use std::path::{Component, Path, PathBuf};

/// `cwd.join(path)` with `.` and `..` removed lexically (no symlinks resolved, so a
/// path in a symlinked checkout still matches the globs written for it).
pub fn absolute(cwd: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// `file` (relative to `cwd` when not absolute) relative to `dir`, `/`-separated, or None
/// when it is outside `dir`.
pub fn relative_to(dir: &Path, cwd: &Path, file: &Path) -> Option<String> {
    let abs = absolute(cwd, file);
    let rel = abs.strip_prefix(dir).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    Some(parts.join("/"))
}

/// A path for messages: as given, without `.` parts or doubled separators, so
/// `./a//b/./c.yaml` shows as `a/b/c.yaml`. Two candidates with the same display are the
/// same file as far as the paths tell, which is how a file reached twice (named and walked,
/// `./a` and `a`) is linted once; `..` is kept, as resolving it could cross a symlink.
pub fn display(p: &Path) -> String {
    let s = p.to_string_lossy();
    if is_plain(&s) {
        return s.into_owned();
    }
    let mut out = PathBuf::new();
    for c in p.components() {
        if c != Component::CurDir {
            out.push(c);
        }
    }
    if out.as_os_str().is_empty() {
        ".".to_string()
    } else {
        out.to_string_lossy().into_owned()
    }
}

/// Already in the form `Path::components` would rebuild: the walker's paths nearly always
/// are, and this byte test spares rebuilding ten thousand of them.
fn is_plain(s: &str) -> bool {
    !cfg!(windows)
        && !s.is_empty()
        && s != "."
        && !s.starts_with("./")
        && !s.ends_with("/.")
        && !s.ends_with('/')
        && !s.contains("//")
        && !s.contains("/./")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_paths_are_lexically_normalised() {
        let cwd = Path::new("/repo/sub");
        assert_eq!(
            absolute(cwd, Path::new("../a/./b.yaml")),
            PathBuf::from("/repo/a/b.yaml")
        );
        assert_eq!(
            relative_to(Path::new("/repo"), cwd, Path::new("x/invokeai.yaml")).as_deref(),
            Some("sub/x/invokeai.yaml")
        );
        assert_eq!(
            relative_to(
                Path::new("/repo"),
                cwd,
                Path::new("/elsewhere/invokeai.yaml")
            ),
            None
        );
    }
}

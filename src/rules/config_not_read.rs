//! IL402 config-not-read: the log shows InvokeAI reading its config from another place than
//! the file being linted.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{Fact, Origin};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL402",
    name: "config-not-read",
    category: Category::Log,
    default_severity: Severity::Info,
    fixable: false,
    summary: "The log's root directory says InvokeAI reads another invokeai.yaml than this one",
    doc: include_str!("../../rules/config-not-read.md"),
};

pub struct ConfigNotRead;

impl Rule for ConfigNotRead {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(log) = &cx.facts.log else { return };
        let Some(root) = log.sessions.iter().rev().find_map(|s| s.root.as_ref()) else {
            return;
        };
        let Some(path) = &cx.config.path else { return };
        let expected = join_root(&root.value);
        let log_style = PathStyle::of(&root.value);
        let same_machine_style = log_style == PathStyle::host();
        let verdict = if same_machine_style {
            if is_same_file(path, &expected, log_style) {
                return;
            }
            // The file is named by the finding's location; its absolute path would only repeat
            // it (and tie the message to the machine the lint ran on).
            format!("InvokeAI reads {expected} (from the log's root directory), not this file: edits here do not reach it unless it is started with --config pointing at this file")
        } else {
            // The log is from another kind of machine: only the file name can be compared.
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            if name == "invokeai.yaml" {
                return;
            }
            format!("InvokeAI reads {expected} (from the log's root directory); this file is named {name}, so it is not that file unless InvokeAI is started with --config")
        };
        let fact = Fact::new(
            root.value.clone(),
            Origin::Log {
                file: log.file.clone(),
                line: root.line,
                text: root.text.clone(),
            },
        );
        let mut d = Diagnostic::new(&META, cx.config.loc(Span::new(0, 0)), verdict)
            .label("not the file the logged InvokeAI reads")
            .help(format!(
                "Lint the file InvokeAI reads ({expected}), or copy your changes there; the root comes from --root, INVOKEAI_ROOT or the virtual environment's parent folder"
            ));
        if let Some(at) = fact.origin.location() {
            d = d.related(at, format!("Root directory = {}", root.value));
        }
        out.push(d);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PathStyle {
    Windows,
    Posix,
}

impl PathStyle {
    fn of(p: &str) -> Self {
        let b = p.as_bytes();
        let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
        if drive || p.starts_with("\\\\") || (p.contains('\\') && !p.starts_with('/')) {
            PathStyle::Windows
        } else {
            PathStyle::Posix
        }
    }
    fn host() -> Self {
        if cfg!(windows) {
            PathStyle::Windows
        } else {
            PathStyle::Posix
        }
    }
}

fn join_root(root: &str) -> String {
    let sep = match PathStyle::of(root) {
        PathStyle::Windows => '\\',
        PathStyle::Posix => '/',
    };
    let trimmed = root.trim_end_matches(['/', '\\']);
    format!("{trimmed}{sep}invokeai.yaml")
}

/// Whether the config at `path` (canonical) is the file at `expected` (the log's root
/// joined with invokeai.yaml). When `expected` exists here, the file system answers: the
/// same file reached through a symlink, a mapped or `subst` drive, a UNC share or another
/// letter case (Windows, and macOS's case-insensitive volumes) is the same file. Otherwise
/// the paths are compared as the log's operating system compares them.
fn is_same_file(path: &std::path::Path, expected: &str, style: PathStyle) -> bool {
    if let Ok(same) = same_file::is_same_file(path, expected) {
        return same;
    }
    normalize(&path.to_string_lossy(), style) == normalize(expected, style)
}

/// Compare paths the way the file system would: Windows folds case and both separators,
/// and a canonical path's verbatim prefix (`\\?\C:\`, `\\?\UNC\server\share`) is dropped.
fn normalize(p: &str, style: PathStyle) -> String {
    match style {
        PathStyle::Windows => {
            let p = p.replace('/', "\\");
            let p = if let Some(unc) = p.strip_prefix("\\\\?\\UNC\\") {
                format!("\\\\{unc}")
            } else if let Some(local) = p.strip_prefix("\\\\?\\") {
                local.to_string()
            } else {
                p
            };
            p.to_lowercase()
        }
        PathStyle::Posix => p.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_roots_join_with_backslashes() {
        assert_eq!(join_root("E:\\InvokeAI\\"), "E:\\InvokeAI\\invokeai.yaml");
        assert_eq!(
            join_root("/home/a/invokeai"),
            "/home/a/invokeai/invokeai.yaml"
        );
        assert_eq!(PathStyle::of("C:/Users/a"), PathStyle::Windows);
        assert_eq!(PathStyle::of("/root"), PathStyle::Posix);
    }

    #[test]
    fn windows_paths_compare_without_case_or_separator_differences() {
        assert_eq!(
            normalize("e:/invokeai/INVOKEAI.yaml", PathStyle::Windows),
            normalize("E:\\InvokeAI\\invokeai.yaml", PathStyle::Windows)
        );
        // What std::fs::canonicalize returns on Windows, against what the log prints.
        assert_eq!(
            normalize("\\\\?\\C:\\InvokeAI\\invokeai.yaml", PathStyle::Windows),
            normalize("C:\\InvokeAI\\invokeai.yaml", PathStyle::Windows)
        );
        assert_eq!(
            normalize("\\\\?\\UNC\\nas\\ai\\invokeai.yaml", PathStyle::Windows),
            normalize("\\\\NAS\\ai\\invokeai.yaml", PathStyle::Windows)
        );
        assert_ne!(
            normalize("/home/a/InvokeAI/invokeai.yaml", PathStyle::Posix),
            normalize("/home/a/invokeai/invokeai.yaml", PathStyle::Posix)
        );
    }

    #[test]
    fn an_existing_root_is_compared_by_file_identity() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("InvokeAI");
        std::fs::create_dir_all(&root).unwrap();
        let config = root.join("invokeai.yaml");
        std::fs::write(&config, "schema_version: 4.0.2\n").unwrap();
        let other = t.path().join("copy.yaml");
        std::fs::write(&other, "schema_version: 4.0.2\n").unwrap();
        let expected = join_root(&root.to_string_lossy());
        let style = PathStyle::host();
        assert!(is_same_file(&config, &expected, style));
        assert!(!is_same_file(&other, &expected, style));
        // The same file through another name of its folder.
        #[cfg(unix)]
        {
            let link = t.path().join("link");
            std::os::unix::fs::symlink(&root, &link).unwrap();
            let via_link = join_root(&link.to_string_lossy());
            assert!(is_same_file(&config, &via_link, style));
        }
    }
}

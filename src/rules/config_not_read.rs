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
        let here = path.to_string_lossy().to_string();
        let log_style = PathStyle::of(&root.value);
        let same_machine_style = log_style == PathStyle::host();
        let verdict = if same_machine_style {
            if normalize(&here, log_style) == normalize(&expected, log_style) {
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

/// Compare paths the way the file system would: Windows folds case and both separators.
fn normalize(p: &str, style: PathStyle) -> String {
    match style {
        PathStyle::Windows => p
            .trim_start_matches("\\\\?\\")
            .replace('/', "\\")
            .to_lowercase(),
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
    }
}

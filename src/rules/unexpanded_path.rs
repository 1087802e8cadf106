//! IL505 unexpanded-path: `~`, `$VAR` or `%VAR%` in a path InvokeAI never expands.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::path_settings;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL505",
    name: "unexpanded-path",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "`~`, `$VAR` or `%VAR%` in a path: InvokeAI takes it literally",
    doc: include_str!("../../rules/unexpanded-path.md"),
};

pub struct UnexpandedPath;

/// What in `path` a shell would expand and InvokeAI does not: `~`, `~user`, `$VAR`,
/// `${VAR}`, `%VAR%`.
pub fn unexpanded(path: &str) -> Option<&'static str> {
    let p = path.trim();
    if p == "~" || p.starts_with("~/") || p.starts_with("~\\") {
        return Some("`~` (the home folder)");
    }
    if p.starts_with('~') && p[1..].chars().next().is_some_and(|c| c.is_alphanumeric()) {
        return Some("`~user` (a home folder)");
    }
    let b = p.as_bytes();
    for (i, &c) in b.iter().enumerate() {
        if c == b'$' {
            let next = b.get(i + 1).copied();
            if next == Some(b'{') || next.is_some_and(|n| n.is_ascii_alphabetic() || n == b'_') {
                return Some("a `$VARIABLE`");
            }
        }
        if c == b'%' {
            if let Some(close) = p[i + 1..].find('%') {
                let name = &p[i + 1..i + 1 + close];
                if !name.is_empty()
                    && name
                        .bytes()
                        .all(|x| x.is_ascii_alphanumeric() || x == b'_' || x == b'(' || x == b')')
                {
                    return Some("a `%VARIABLE%`");
                }
            }
        }
    }
    None
}

impl Rule for UnexpandedPath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for (s, path) in path_settings(cx) {
            // 3.x's `root` goes through expanduser (config_default.py@v3.6.2 root_path).
            if s.name == "root" {
                continue;
            }
            let Some(what) = unexpanded(path) else {
                continue;
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!(
                        "`{}: {}` contains {what}, which InvokeAI never expands: the path is joined to \
                         the InvokeAI root as written, so it names a folder literally called `{}` inside the root",
                        s.name,
                        path.trim(),
                        first_part(path)
                    ),
                )
                .key(s.path())
                .label("taken literally, relative to the root")
                .help("Write the absolute path (`/home/ana/models`, `D:\\models`), or a path relative to the InvokeAI root"),
            );
        }
    }
}

/// The first component of the path, as the folder InvokeAI will create.
fn first_part(path: &str) -> &str {
    let p = path.trim();
    p.split(['/', '\\']).next().unwrap_or(p)
}

#[cfg(test)]
mod tests {
    use super::unexpanded;

    #[test]
    fn what_a_shell_would_expand() {
        for p in [
            "~",
            "~/models",
            "~ana/x",
            "$HOME/m",
            "${XDG_DATA_HOME}/x",
            "%USERPROFILE%\\m",
        ] {
            assert!(unexpanded(p).is_some(), "{p}");
        }
        for p in [
            "/home/ana/m",
            "models",
            "C:\\100%\\x",
            "a$",
            "price$5",
            "D:\\m~1",
        ] {
            assert!(unexpanded(p).is_none(), "{p}");
        }
    }
}

//! IL508 foreign-home-path: a path inside a particular user's home folder, in a config
//! that is shared (in git) or run by someone else.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{in_git, path_settings};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL508",
    name: "foreign-home-path",
    category: Category::Hygiene,
    default_severity: Severity::Info,
    fixable: false,
    summary: "A path inside one user's home folder in a shared config",
    doc: include_str!("../../rules/foreign-home-path.md"),
};

pub struct ForeignHomePath;

/// The user whose home folder `path` is in: `/home/ana/…`, `/Users/ana/…`, `C:\Users\ana\…`.
pub fn home_owner(path: &str) -> Option<&str> {
    let p = path.trim();
    let rest = p
        .strip_prefix("/home/")
        .or_else(|| p.strip_prefix("/Users/"))
        .or_else(|| {
            let b = p.as_bytes();
            // `C:\` or `C:/`: all ASCII, so byte 3 starts a character.
            let drive = b.len() > 3
                && b[0].is_ascii_alphabetic()
                && b[1] == b':'
                && matches!(b[2], b'\\' | b'/');
            drive.then(|| p.get(3..)).flatten().and_then(|r| {
                r.get(..6)
                    .filter(|h| {
                        h.eq_ignore_ascii_case("users\\") || h.eq_ignore_ascii_case("users/")
                    })
                    .map(|_| &r[6..])
            })
        })?;
    let user = rest.split(['/', '\\']).next()?;
    (!user.is_empty()
        && !user.eq_ignore_ascii_case("public")
        && !user.eq_ignore_ascii_case("shared"))
    .then_some(user)
}

impl Rule for ForeignHomePath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut shared = None;
        for (s, path) in path_settings(cx) {
            let Some(user) = home_owner(path) else {
                continue;
            };
            // Asked only once a home path is found: the common file pays nothing.
            let is_shared = *shared.get_or_insert_with(|| in_git(cx));
            let me = std::env::var("USER")
                .or_else(|_| std::env::var("USERNAME"))
                .unwrap_or_default();
            let someone_else = !me.is_empty() && !me.eq_ignore_ascii_case(user);
            if !is_shared && !someone_else {
                continue;
            }
            let why = if is_shared {
                "this file is in a git repository: on any other machine or account the folder does not exist, and InvokeAI creates it or fails to write there"
            } else {
                "the linter runs as another user, who cannot usually write there"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!("`{}` points into the home folder of the user `{user}`: {why}", s.name),
                )
                .key(s.path())
                .label(format!("inside {user}'s home folder"))
                .help("Use a path relative to the InvokeAI root (the default), or set it per machine rather than in the shared file"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::home_owner;

    #[test]
    fn home_folders() {
        assert_eq!(home_owner("/home/ana/outputs"), Some("ana"));
        assert_eq!(home_owner("/Users/bo/x"), Some("bo"));
        assert_eq!(home_owner("C:\\Users\\Cy\\Pictures"), Some("Cy"));
        assert_eq!(home_owner("D:/users/dee/m"), Some("dee"));
        assert_eq!(home_owner("/srv/invokeai"), None);
        assert_eq!(home_owner("C:\\Users\\Public\\m"), None);
        assert_eq!(home_owner("models"), None);
    }

    /// A drive letter and colon followed by a character of several bytes (found by the
    /// suppress fuzz target: slicing at byte 3 panicked).
    #[test]
    fn a_drive_without_a_separator_is_no_home() {
        assert_eq!(home_owner("D:\u{fffd}InvokeAI"), None);
        assert_eq!(home_owner(r"C:é\Users\x"), None);
        assert_eq!(home_owner(r"C:\Usérs\x"), None);
    }
}

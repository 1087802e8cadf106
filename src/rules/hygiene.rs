//! Shared by the hygiene and security rules (IL5xx): reading a setting the target release
//! has, its value as text or a flag, and whether the file sits in a git checkout.

use std::path::Path;

use crate::config::Setting;
use crate::knowledge::types::ValueType;
use crate::rules::machine::read;
use crate::rules::Context;
use crate::yaml::{Node, NodeKind, Resolved};

/// The setting InvokeAI reads for `name`, when the target release has such a key.
pub fn setting<'c>(cx: &'c Context<'_>, name: &str) -> Option<Setting<'c>> {
    // Most files do not set the name asked about; that answer is the cheaper one.
    let s = read(cx, name)?;
    cx.kb.key_in(name, cx.target.release)?;
    Some(s)
}

/// A flag as pydantic reads it (`true`, `yes`, `1`, `'on'`); None when not a flag.
pub fn flag(node: &Node) -> Option<bool> {
    let scalar = node.as_scalar()?;
    match &scalar.resolved {
        Resolved::Bool(b) => Some(*b),
        Resolved::Int(0) => Some(false),
        Resolved::Int(1) => Some(true),
        Resolved::Str => match scalar.value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "t" | "y" => Some(true),
            "false" | "no" | "off" | "0" | "f" | "n" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// The setting's flag value, when it is set to one.
pub fn flag_of<'c>(cx: &'c Context<'_>, name: &str) -> Option<(bool, Setting<'c>)> {
    let s = setting(cx, name)?;
    Some((flag(s.value)?, s))
}

/// A scalar's decoded text, when PyYAML would make it a string.
pub fn text(node: &Node) -> Option<&str> {
    let s = node.as_scalar()?;
    (s.resolved == Resolved::Str).then_some(s.value.as_str())
}

/// The items of a YAML list.
pub fn items(node: &Node) -> Option<&[Node]> {
    match &node.kind {
        NodeKind::Sequence { items, .. } => Some(items),
        _ => None,
    }
}

/// Is `name` a path setting (`Path` or `Optional[Path]`) at the target release?
pub fn is_path_key(cx: &Context<'_>, name: &str) -> bool {
    let Some(k) = cx.kb.key_in(name, cx.target.release) else {
        return false;
    };
    match &k.rev.ty {
        ValueType::Path => true,
        ValueType::Optional(inner) => **inner == ValueType::Path,
        _ => false,
    }
}

/// A 3.x value OmegaConf resolves (`${oc.env:HOME}`): what it becomes is not in the file.
pub fn interpolated(cx: &Context<'_>, value: &str) -> bool {
    !cx.target.at_least("4.0.0") && value.contains("${")
}

/// Every path setting the file sets with a string value, in file order (3.x values that
/// OmegaConf interpolates left out: their final text is not known).
pub fn path_settings<'c>(cx: &'c Context<'_>) -> Vec<(Setting<'c>, &'c str)> {
    cx.settings()
        .iter()
        .copied()
        .filter(|s| s.effective)
        .filter(|s| is_path_key(cx, s.name))
        .filter_map(|s| Some((s, text(s.value)?)))
        .filter(|(_, t)| !interpolated(cx, t))
        .collect()
}

/// Is the file inside a git work tree (a `.git` folder or file in it or a parent)?
/// Only asked once a rule has found something, so a clean tree pays nothing.
pub fn in_git(cx: &Context<'_>) -> bool {
    // The absolute path is kept only next to a log; otherwise the shown name is relative to
    // the working directory (stdin's `--stdin-filename` included).
    match &cx.config.path {
        Some(p) => in_git_checkout(p),
        None => std::env::current_dir()
            .map(|cwd| in_git_checkout(&cwd.join(cx.config.name())))
            .unwrap_or(false),
    }
}

fn in_git_checkout(file: &Path) -> bool {
    thread_local! {
        /// The last folder asked about and its answer: a walk lints a folder's files one
        /// after another, and each answer costs a `stat` per parent folder.
        static LAST: std::cell::RefCell<Option<(std::path::PathBuf, bool)>> =
            const { std::cell::RefCell::new(None) };
    }
    let Some(folder) = file.parent() else {
        return false;
    };
    if let Some(known) = LAST.with_borrow(|last| {
        last.as_ref()
            .filter(|(dir, _)| dir == folder)
            .map(|(_, answer)| *answer)
    }) {
        return known;
    }
    // Bounded: a path has few parents, and a symlink loop cannot make `ancestors` go round.
    let answer = folder
        .ancestors()
        .take(64)
        .any(|dir| dir.join(".git").exists());
    LAST.set(Some((folder.to_path_buf(), answer)));
    answer
}

/// The operating system, when a flag, the host or a log says which.
pub fn on_windows(cx: &Context<'_>) -> Option<bool> {
    cx.facts
        .os
        .as_ref()
        .map(|f| f.value.eq_ignore_ascii_case("windows"))
}

/// One `log_handlers` entry split as InvokeAI splits it (`name=arg`, at the first `=`).
pub struct Handler<'c> {
    pub node: &'c Node,
    pub name: &'c str,
    pub arg: Option<&'c str>,
}

/// The `log_handlers` entries that are strings, with the setting.
pub fn log_handlers<'c>(cx: &'c Context<'_>) -> Option<(Setting<'c>, Vec<Handler<'c>>)> {
    let s = setting(cx, "log_handlers")?;
    let list = items(s.value)?;
    let handlers = list
        .iter()
        .filter_map(|node| {
            let t = text(node)?;
            // `handler.split("=", 2)` then `args[0]`: the text between the first and any second `=`.
            let mut parts = t.splitn(3, '=');
            let name = parts.next().unwrap_or("");
            let arg = parts.next().filter(|a| !a.is_empty());
            Some(Handler { node, name, arg })
        })
        .collect();
    Some((s, handlers))
}

/// Is this path relative (neither `/…`, `\…`, `C:\…` nor `~…`)?
pub fn is_relative(path: &str) -> bool {
    let p = path.trim();
    let b = p.as_bytes();
    let drive = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':';
    !(p.starts_with('/') || p.starts_with('\\') || p.starts_with('~') || drive || p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_git_folder_above_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("repo/.git")).unwrap();
        std::fs::create_dir_all(dir.path().join("repo/conf")).unwrap();
        assert!(in_git_checkout(&dir.path().join("repo/conf/invokeai.yaml")));
        assert!(!in_git_checkout(
            &dir.path().join("elsewhere/invokeai.yaml")
        ));
    }
}

//! The crate's modules form a graph without cycles: lower layers (source text, YAML tree,
//! knowledge, facts, the diagnostic model) never import higher ones (rules, the pipeline,
//! reports, the command line). Read from the source: every `crate::` and `super::` path
//! outside comments and test modules is an edge.
//!
//! Two levels are checked: the top-level modules of the crate (`crate::lint` →
//! `crate::rules` is an edge from `lint` to `rules`), and the files of the folders that
//! are built as layers of files (the pipeline's stages, the linter config), where a
//! folder's `mod.rs` only declares and re-exports.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Folders whose files must form a graph without cycles among themselves.
const LAYERED_FOLDERS: &[&str] = &["lint", "linter_config"];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// Every `.rs` file under `src/`, as its module path (`["lint", "engine"]`; a `mod.rs` is
/// its folder's path).
fn modules() -> Vec<(Vec<String>, PathBuf)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    walk(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter_map(|p| {
            let rel = p.strip_prefix(src()).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|l| l == "mod") {
                parts.pop();
            }
            // The crate roots, and test-only files (`#[cfg(test)] mod tests;`).
            if parts == ["lib"] || parts == ["main"] || parts.last().is_some_and(|l| l == "tests") {
                return None;
            }
            Some((parts, p))
        })
        .collect()
}

/// The source without comments and without the test module at its end.
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let text = match text.find("#[cfg(test)]\nmod tests") {
        Some(i) => &text[..i],
        None => &text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The paths a file names: each `crate::a::b` / `super::a` with every item of a `{...}`
/// group after it, as segments (`super` resolved against `module`).
fn paths_named(module: &[String], code: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    for (start, head) in code
        .match_indices("crate::")
        .chain(code.match_indices("super::"))
    {
        // Only whole words: not `some_crate::`.
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'_') {
            continue;
        }
        let base: Vec<String> = if head == "crate::" {
            Vec::new()
        } else {
            // `super` of `a/b.rs` is `a`; of `a/mod.rs` (module `a`), the crate root.
            module[..module.len().saturating_sub(1)].to_vec()
        };
        let rest = &code[start + head.len()..];
        for tail in expand(rest) {
            let mut p = base.clone();
            p.extend(tail);
            out.push(p);
        }
    }
    out
}

/// The segments after `crate::`: `a::b::C` → [[a, b, C]]; `a::{b, c::D}` → [[a, b], [a, c, D]].
fn expand(rest: &str) -> Vec<Vec<String>> {
    let mut segs = Vec::new();
    let mut s = rest;
    loop {
        let n = s
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len());
        if n == 0 {
            break;
        }
        segs.push(s[..n].to_string());
        s = &s[n..];
        if let Some(r) = s.strip_prefix("::") {
            s = r;
            if let Some(group) = s.strip_prefix('{') {
                let mut depth = 1;
                let mut end = group.len();
                for (i, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = i;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                let inner = &group[..end];
                let mut items = Vec::new();
                let mut depth = 0;
                let mut from = 0;
                for (i, c) in inner.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            items.push(&inner[from..i]);
                            from = i + 1;
                        }
                        _ => {}
                    }
                }
                items.push(&inner[from..]);
                let mut out = Vec::new();
                for item in items {
                    let item = item.trim();
                    if item.is_empty() || item == "self" {
                        out.push(segs.clone());
                        continue;
                    }
                    for tail in expand(item) {
                        let mut p = segs.clone();
                        p.extend(tail);
                        out.push(p);
                    }
                }
                return out;
            }
            continue;
        }
        break;
    }
    vec![segs]
}

/// The deepest module among `known` that `path` starts with.
fn target(path: &[String], known: &BTreeSet<Vec<String>>) -> Option<Vec<String>> {
    (1..=path.len())
        .rev()
        .map(|n| path[..n].to_vec())
        .find(|p| known.contains(p))
}

/// A cycle in `edges`, if there is one, as the nodes along it.
fn find_cycle<T: Ord + Clone>(edges: &BTreeMap<T, BTreeSet<T>>) -> Option<Vec<T>> {
    fn visit<T: Ord + Clone>(
        n: &T,
        edges: &BTreeMap<T, BTreeSet<T>>,
        state: &mut BTreeMap<T, u8>,
        stack: &mut Vec<T>,
    ) -> Option<Vec<T>> {
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            match state.get(m) {
                Some(1) => {
                    let from = stack.iter().position(|x| x == m).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(m, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in edges.keys() {
        if !state.contains_key(n) {
            if let Some(c) = visit(n, edges, &mut state, &mut Vec::new()) {
                return Some(c);
            }
        }
    }
    None
}

struct Graph {
    /// Module → the modules it names.
    edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
}

fn graph() -> Graph {
    let mods = modules();
    let known: BTreeSet<Vec<String>> = mods.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = BTreeMap::new();
    for (m, path) in &mods {
        let mut to = BTreeSet::new();
        for p in paths_named(m, &code(path)) {
            if let Some(t) = target(&p, &known) {
                if &t != m {
                    to.insert(t);
                }
            }
        }
        edges.insert(m.clone(), to);
    }
    Graph { edges }
}

#[test]
fn top_level_modules_import_each_other_without_cycles() {
    let g = graph();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in &g.edges {
        let f = from[0].clone();
        let entry = top.entry(f.clone()).or_default();
        for t in tos {
            if t[0] != f {
                entry.insert(t[0].clone());
            }
        }
    }
    // The checker sees the edges it should (a check that finds none would pass anything).
    assert!(top["lint"].contains("rules"), "{top:?}");
    assert!(top["rules"].contains("diagnostic"), "{top:?}");
    if let Some(c) = find_cycle(&top) {
        panic!("modules import each other in a circle: {}", c.join(" → "));
    }
}

#[test]
fn the_files_of_the_layered_folders_form_no_cycle() {
    let g = graph();
    for folder in LAYERED_FOLDERS {
        let inside = |m: &Vec<String>| m.first().is_some_and(|f| f == folder) && m.len() == 2;
        let sub: BTreeMap<String, BTreeSet<String>> = g
            .edges
            .iter()
            .filter(|(m, _)| inside(m))
            .map(|(m, tos)| {
                (
                    m[1].clone(),
                    tos.iter()
                        .filter(|t| inside(t))
                        .map(|t| t[1].clone())
                        .collect(),
                )
            })
            .collect();
        assert!(sub.len() >= 3, "{folder}: {sub:?}");
        if let Some(c) = find_cycle(&sub) {
            panic!(
                "src/{folder}/: files import each other in a circle: {}",
                c.join(" → ")
            );
        }
        // mod.rs only declares and re-exports: nothing in the folder reaches back to it.
        for (m, tos) in &g.edges {
            if inside(m) {
                assert!(
                    !tos.contains(&vec![folder.to_string()]),
                    "src/{folder}/{}.rs uses its folder's mod.rs; use the sibling that defines the item",
                    m[1]
                );
            }
        }
    }
}

#[test]
fn the_path_reader_resolves_groups_and_super() {
    let m = vec!["lint".to_string(), "workers".to_string()];
    let got = paths_named(
        &m,
        "use super::engine::{fact_index, lint};\nuse crate::rules::{self, Context};\nlet x = crate::host::detect();",
    );
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(
        got.contains(&s(&["lint", "engine", "fact_index"])),
        "{got:?}"
    );
    assert!(got.contains(&s(&["rules"])), "{got:?}");
    assert!(got.contains(&s(&["rules", "Context"])), "{got:?}");
    assert!(got.contains(&s(&["host", "detect"])), "{got:?}");
    let mut edges = BTreeMap::new();
    edges.insert(1, BTreeSet::from([2]));
    edges.insert(2, BTreeSet::from([3]));
    assert_eq!(find_cycle(&edges), None);
    edges.insert(3, BTreeSet::from([1]));
    assert_eq!(find_cycle(&edges), Some(vec![1, 2, 3, 1]));
}

//! Applying suppressions to a file's findings: the silenced ones are dropped, and every
//! directive (or rule in it) that silenced nothing becomes an `unused-suppression`
//! finding, which can itself be suppressed.

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use super::{Scope, Suppressions};
use crate::diagnostic::{Diagnostic, Location};
use crate::rules::unused_suppression::META as UNUSED;
use crate::selection::unknown_rule_message;
use crate::source::SourceFile;

/// The findings left after suppressions, and the `unused-suppression` findings.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Diagnostic>,
    pub suppressed: usize,
    pub unused: Vec<Diagnostic>,
}

/// The line of a finding in this file (a config's lines fit in u32: it is at most 8 MB;
/// a line past that could only meet `disable-file`).
fn line_of(d: &Diagnostic, source: &SourceFile) -> Option<u32> {
    (d.location.file() == source.name())
        .then(|| u32::try_from(d.location.start().line).ok())
        .flatten()
}

/// The file's suppressions by what they silence.
struct Index {
    /// (target line, or 0 for the whole file; rule code) → the (directive, rule) pairs.
    by_key: FxHashMap<(u32, &'static str), Vec<(usize, usize)>>,
    /// Lines whose own `disable=` comment names `unused-suppression`.
    unused_named_on: FxHashSet<u32>,
}

impl Index {
    fn of(sup: &Suppressions) -> Index {
        let mut by_key: FxHashMap<(u32, &'static str), Vec<(usize, usize)>> = FxHashMap::default();
        let mut unused_named_on = FxHashSet::default();
        for (di, dir) in sup.directives.iter().enumerate() {
            for (ri, r) in dir.rules.iter().enumerate() {
                let Some(meta) = r.meta else { continue };
                let line = match dir.scope {
                    Scope::File => 0,
                    Scope::Line { target: Some(t) } => t,
                    Scope::Line { target: None } => {
                        if meta.code == UNUSED.code {
                            unused_named_on.insert(dir.line);
                        }
                        continue;
                    }
                };
                if meta.code == UNUSED.code && matches!(dir.scope, Scope::Line { .. }) {
                    unused_named_on.insert(dir.line);
                }
                by_key.entry((line, meta.code)).or_default().push((di, ri));
            }
        }
        Index {
            by_key,
            unused_named_on,
        }
    }

    /// The keys that may silence a finding of `code` on `line`.
    fn keys(&self, line: Option<u32>, code: &'static str) -> [(u32, &'static str); 2] {
        // Line 0 never holds a finding: a finding in another file only meets `disable-file`.
        [(0, code), (line.unwrap_or(0), code)]
    }
}

/// Drop the findings the file's suppressions silence, and report suppressions that are
/// unused, unknown or unreadable.
pub fn apply(sup: &Suppressions, source: &Arc<SourceFile>, diags: Vec<Diagnostic>) -> Applied {
    if sup.directives.is_empty() && sup.malformed.is_empty() {
        return Applied {
            kept: diags,
            ..Applied::default()
        };
    }
    let mut used: Vec<Vec<bool>> = sup
        .directives
        .iter()
        .map(|d| vec![false; d.rules.len()])
        .collect();
    // Findings are looked up by line and code, so a file with thousands of suppressions
    // costs one lookup per finding, not one pass over every directive.
    let index = Index::of(sup);
    let mut out = Applied::default();
    let mut marked: FxHashSet<(u32, &'static str)> = FxHashSet::default();
    for d in diags {
        let line = line_of(&d, source);
        let mut hit = false;
        for key in index.keys(line, d.code) {
            let Some(refs) = index.by_key.get(&key) else {
                continue;
            };
            hit = true;
            // Each (line, rule) marks its directives once, however many findings it has.
            if marked.insert(key) {
                for &(di, ri) in refs {
                    used[di][ri] = true;
                }
            }
        }
        if hit {
            out.suppressed += 1;
        } else {
            out.kept.push(d);
        }
    }
    let mut meta_findings = Vec::new();
    for m in &sup.malformed {
        meta_findings.push(
            Diagnostic::new(
                &UNUSED,
                Location::new(source, m.span),
                format!("unreadable suppression comment: {}", m.message),
            )
            .label("not understood, so it suppresses nothing")
            .help("write `# invokeai-lint: disable=<rule>[,<rule>] -- <reason>` or `# invokeai-lint: disable-file=<rule>`"),
        );
    }
    let mut unknown_said: FxHashMap<&str, String> = FxHashMap::default();
    for (di, dir) in sup.directives.iter().enumerate() {
        for (ri, r) in dir.rules.iter().enumerate() {
            let loc = Location::new(source, r.span);
            let Some(meta) = r.meta else {
                meta_findings.push(
                    Diagnostic::new(
                        &UNUSED,
                        loc,
                        format!(
                            "suppression names an {}",
                            // The did-you-mean compares with every rule name: once per name.
                            unknown_said
                                .entry(r.text.as_str())
                                .or_insert_with(|| unknown_rule_message(&r.text))
                        ),
                    )
                    .label("no such rule")
                    .help("name a rule by code (IL101) or name (unknown-key); `invokeai-lint rules` lists them"),
                );
                continue;
            };
            // A suppression of this very rule cannot be judged unused by itself.
            if used[di][ri] || meta.code == UNUSED.code {
                continue;
            }
            let (message, label) = match dir.scope {
                Scope::File => (
                    format!(
                        "unused suppression: no `{}` finding in this file",
                        meta.name
                    ),
                    "nothing to suppress in this file".to_string(),
                ),
                Scope::Line { target: Some(t) } => (
                    format!("unused suppression: no `{}` finding on line {t}", meta.name),
                    format!("nothing to suppress on line {t}"),
                ),
                Scope::Line { target: None } => (
                    format!(
                        "unused suppression: `{}` comment has no YAML line after it",
                        meta.name
                    ),
                    "applies to no line".to_string(),
                ),
            };
            meta_findings.push(
                Diagnostic::new(&UNUSED, loc, message)
                    .label(label)
                    .help("remove it: the finding it was written for is gone"),
            );
        }
    }
    // `disable=unused-suppression` (on the line, or file-wide) silences these too.
    for d in meta_findings {
        let line = line_of(&d, source);
        let silenced = index
            .keys(line, d.code)
            .into_iter()
            .any(|k| index.by_key.contains_key(&k))
            || line.is_some_and(|l| index.unused_named_on.contains(&l));
        if !silenced {
            out.unused.push(d);
        }
    }
    out
}

//! IL002 duplicate-key: the same key twice in one mapping; PyYAML keeps the last silently.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::yaml_syntax::V3_IGNORED;
use crate::rules::{Category, Context, Rule, RuleMeta};
use rustc_hash::FxHashMap;

use crate::yaml::{Node, NodeKind};

pub static META: RuleMeta = RuleMeta {
    code: "IL002",
    name: "duplicate-key",
    category: Category::Syntax,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "A key appears twice in one mapping; InvokeAI silently uses the last one",
    doc: include_str!("../../rules/duplicate-key.md"),
};

pub struct DuplicateKey;

impl Rule for DuplicateKey {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for doc in &cx.config.parsed.documents {
            walk(cx, &doc.root, "", out);
        }
    }
}

fn walk(cx: &Context<'_>, node: &Node, path: &str, out: &mut Vec<Diagnostic>) {
    match &node.kind {
        NodeKind::Mapping { entries, .. } => {
            // Per key: the last entry and how many there are, counted once per mapping
            // (a pass per entry over the rest was quadratic in a 100 000-key file).
            // Small mappings (every config's) are searched pair by pair instead.
            let tally: Option<FxHashMap<&str, (usize, usize)>> =
                (entries.len() > crate::config::SMALL_MAPPING).then(|| {
                    let mut tally = FxHashMap::default();
                    for (i, e) in entries.iter().enumerate() {
                        if let Some(name) = e.key.as_str() {
                            let t = tally.entry(name).or_insert((i, 0));
                            *t = (i, t.1 + 1);
                        }
                    }
                    tally
                });
            let last_and_count = |i: usize, name: &str| match &tally {
                Some(t) => t.get(name).copied().unwrap_or((i, 1)),
                None => {
                    let same = |x: &&crate::yaml::Entry| x.key.as_str() == Some(name);
                    match entries[i + 1..].iter().rposition(|x| same(&x)) {
                        Some(p) => (i + 1 + p, entries.iter().filter(same).count()),
                        None => (i, 1),
                    }
                }
            };
            for (i, e) in entries.iter().enumerate() {
                let Some(name) = e.key.as_str() else { continue };
                let child = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                // Report each shadowed occurrence once, pointing at the one that wins.
                let (last_at, count) = last_and_count(i, name);
                if last_at > i {
                    let last = &entries[last_at];
                    let src = &cx.config.source;
                    let winner_line = src.line_col(last.key.span.start).line;
                    let winner_text = &src.text()[last.value.span.start..last.value.span.end];
                    let winner = if winner_text.is_empty() {
                        "an empty value (null)".to_string()
                    } else {
                        format!("`{}`", ellipsize(winner_text))
                    };
                    let d = if cx.target.at_least("4.0.0") {
                        Diagnostic::new(
                            &META,
                            cx.config.loc(e.key.span),
                            format!(
                                "`{child}` is set again later: InvokeAI uses the last one, {winner} on line {winner_line}, and ignores this one"
                            ),
                        )
                        .label("ignored: a later duplicate wins")
                        .related(cx.config.loc(last.key.span), "this value is the one InvokeAI uses")
                    } else {
                        // 3.x loads the file with OmegaConf, whose loader refuses duplicate keys;
                        // 3.x swallows that error and ignores the whole file.
                        Diagnostic::new(
                            &META,
                            cx.config.loc(e.key.span),
                            format!(
                                "`{child}` is set again on line {winner_line}: OmegaConf refuses duplicate keys, so {V3_IGNORED}"
                            ),
                        )
                        .severity(Severity::Error)
                        .label("duplicate key: the whole file is ignored")
                        .related(cx.config.loc(last.key.span), "set again here")
                    };
                    let help = if e.value.entries().is_some() {
                        // Two `Model Cache:` blocks: the settings of both are meant.
                        format!("Merge the {count} `{name}:` blocks into one")
                    } else if count > 2 {
                        format!(
                            "Keep only one of the {count} lines, the one with the value you mean"
                        )
                    } else {
                        "Delete one of the two, keeping the value you mean".to_string()
                    };
                    out.push(d.key(child.clone()).help(help));
                }
                walk(cx, &e.value, &child, out);
            }
        }
        NodeKind::Sequence { items, .. } => {
            for item in items {
                walk(cx, item, path, out);
            }
        }
        _ => {}
    }
}

fn ellipsize(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    if first.chars().count() > 40 || s.contains('\n') {
        let cut: String = first.chars().take(40).collect();
        format!("{cut}…")
    } else {
        first.to_string()
    }
}

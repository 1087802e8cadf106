//! IL513 node-filter: `allow_nodes: []` (no node loads) or a node both allowed and denied.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{items, setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL513",
    name: "node-filter",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary:
        "allow_nodes is empty (no node is allowed), or a node is in both allow_nodes and deny_nodes",
    doc: include_str!("../../rules/node-filter.md"),
};

pub struct NodeFilter;

impl Rule for NodeFilter {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(allow) = setting(cx, "allow_nodes") else {
            return;
        };
        let Some(allowed) = items(allow.value) else {
            return;
        };
        if allowed.is_empty() {
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(allow.value.span),
                    "`allow_nodes: []` allows no node at all: an empty list is not \"no filter\", so every \
                     invocation type is left out and no workflow or generation can run",
                )
                .key(allow.path())
                .label("no node allowed")
                .help("Remove `allow_nodes` to allow every node, or list the nodes to keep"),
            );
            return;
        }
        let Some(deny) = setting(cx, "deny_nodes") else {
            return;
        };
        let denied: Vec<&str> = items(deny.value)
            .unwrap_or(&[])
            .iter()
            .filter_map(text)
            .collect();
        for node in allowed {
            let Some(name) = text(node) else { continue };
            if !denied.contains(&name) {
                continue;
            }
            let denied_at = items(deny.value)
                .unwrap_or(&[])
                .iter()
                .find(|n| text(n) == Some(name))
                .map_or(deny.value.span, |n| n.span);
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(node.span),
                    format!("`{name}` is in both `allow_nodes` and `deny_nodes`: the deny list wins, so the node is not loaded"),
                )
                .key(allow.path())
                .label("allowed here")
                .related(cx.config.loc(denied_at), "and denied here")
                .help("Remove it from one of the two lists"),
            );
        }
    }
}

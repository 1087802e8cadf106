//! IL514 queue-size: `max_queue_size` or `node_cache_size` at an extreme.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::setting;
use crate::rules::values::setting_number;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL514",
    name: "queue-size",
    category: Category::Hygiene,
    default_severity: Severity::Info,
    fixable: false,
    summary: "max_queue_size or node_cache_size set to an extreme value",
    doc: include_str!("../../rules/queue-size.md"),
};

/// Past these the queue table or the invocation cache grows large enough to notice; the
/// defaults are 10 000 and 512.
const BIG_QUEUE: f64 = 1_000_000.0;
const SMALL_QUEUE: f64 = 10.0;
const BIG_NODE_CACHE: f64 = 100_000.0;

pub struct QueueSize;

impl Rule for QueueSize {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        flag(
            cx,
            out,
            "max_queue_size",
            "Leave it at the default 10000 unless you know why not",
            |n| {
                if n >= BIG_QUEUE {
                    Some(format!("`max_queue_size: {n}` lets the session queue grow to {n} items: each is a row in the database with its whole graph, so the database and the queue view can grow very large (default 10000)"))
                } else if n > 0.0 && n < SMALL_QUEUE {
                    Some(format!("`max_queue_size: {n}` refuses new items once {n} are waiting: a batch larger than that is cut short (default 10000)"))
                } else {
                    None
                }
            },
        );
        flag(
            cx,
            out,
            "node_cache_size",
            "The default 512 suits most installs",
            |n| {
                if n == 0.0 {
                    Some("`node_cache_size: 0` turns the invocation cache off: every node runs again even when its inputs did not change".to_string())
                } else if n < 0.0 {
                    Some(format!("`node_cache_size: {n}` is negative: on every save the cache evicts everything it holds, so it keeps at most one output"))
                } else if n >= BIG_NODE_CACHE {
                    Some(format!("`node_cache_size: {n}` keeps up to {n} node outputs in memory: RAM grows with every distinct invocation (default 512)"))
                } else {
                    None
                }
            },
        );
    }
}

/// One finding for `key` when `why` says its number is far from the default.
fn flag(
    cx: &Context<'_>,
    out: &mut Vec<Diagnostic>,
    key: &str,
    help: &str,
    why: impl Fn(f64) -> Option<String>,
) {
    let Some(s) = setting(cx, key) else { return };
    let Some(message) = setting_number(cx, &s).and_then(why) else {
        return;
    };
    out.push(
        Diagnostic::new(&META, cx.config.loc(s.value.span), message)
            .key(s.path())
            .label("far from the default")
            .help(help),
    );
}

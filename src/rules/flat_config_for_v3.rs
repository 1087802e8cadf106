//! IL110 flat-config-for-v3: a flat (4.x-style) file under a 3.x release, which reads
//! settings only from `InvokeAI:` → section.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL110",
    name: "flat-config-for-v3",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "A file without `InvokeAI:` under InvokeAI 3.x: the whole file is silently ignored",
    doc: include_str!("../../rules/flat-config-for-v3.md"),
};

pub struct FlatConfigForV3;

impl Rule for FlatConfigForV3 {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.config.layout != Layout::Flat || cx.target.at_least("4.0.0") {
            return;
        }
        let Some(first) = cx
            .config
            .root()
            .and_then(|r| r.entries())
            .and_then(|e| e.first())
        else {
            return;
        };
        let d = Diagnostic::new(
            &META,
            cx.config.loc(first.key.span),
            format!(
                "no top-level `InvokeAI:` under {}: 3.x reads settings only from `InvokeAI:` → section heading → key, so it ignores the whole file and starts on the defaults",
                target_phrase(cx.target)
            ),
        )
        .label("3.x does not read top-level settings")
        .help(format!(
            "Either lint against the 4.x+ release this file was written for (--invokeai-version), or nest the settings, e.g. {}",
            example(cx)
        ));
        out.push(cite_target(d, cx.target));
    }
}

/// The file's own first setting, nested as this release wants it: `InvokeAI:` → `Web Server:`
/// → `host: 0.0.0.0`; a generic line when no setting of the file has a 3.x section.
fn example(cx: &Context<'_>) -> String {
    let text = cx.config.source.text();
    let sections = cx.kb.v3_sections_at(&cx.target.release.version);
    let found = cx.settings().iter().copied().find_map(|s| {
        let (sec, _) = sections?
            .iter()
            .find(|(_, keys)| keys.iter().any(|k| k == s.name))?;
        let value = text.get(s.value.span.start..s.value.span.end)?;
        let value = value.lines().next().filter(|v| !v.is_empty())?;
        Some(format!("`InvokeAI:` → `{sec}:` → `{}: {value}`", s.name))
    });
    found.unwrap_or_else(|| "`InvokeAI:` → `Web Server:` → `port: 9090`".to_string())
}

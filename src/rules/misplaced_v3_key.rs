//! IL111 misplaced-v3-key: in a 3.x file, a setting under a section that does not hold it.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::cite_target;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL111",
    name: "misplaced-v3-key",
    category: Category::Schema,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "In a 3.x file, a setting under the wrong section heading is silently ignored",
    doc: include_str!("../../rules/misplaced-v3-key.md"),
};

pub struct MisplacedV3Key;

impl Rule for MisplacedV3Key {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.config.layout != Layout::V3Nested || cx.target.at_least("4.0.0") {
            return;
        }
        let rel = &cx.target.release.version;
        let Some(sections) = cx.kb.v3_sections_at(rel) else {
            return;
        };
        let home = |name: &str| {
            sections
                .iter()
                .find(|(_, keys)| keys.iter().any(|k| k == name))
                .map(|(sec, _)| sec.clone())
        };
        // A setting written directly under `InvokeAI:` is read as a section and ignored.
        if let Some(top) = cx.config.root().and_then(|r| r.get("InvokeAI")) {
            for e in top.value.entries().unwrap_or(&[]) {
                let Some(name) = e.key.as_str() else { continue };
                if e.value.entries().is_some() {
                    continue;
                }
                if let Some(sec) = home(name) {
                    out.push(finding(
                        cx,
                        e.key.span,
                        &format!("InvokeAI.{name}"),
                        name,
                        None,
                        &sec,
                    ));
                }
            }
        }
        for &s in cx.settings() {
            let Some(sec) = home(s.name) else { continue };
            if s.section == Some(sec.as_str()) {
                continue;
            }
            out.push(finding(cx, s.key.span, &s.path(), s.name, s.section, &sec));
        }
    }
}

fn finding(
    cx: &Context<'_>,
    span: crate::source::Span,
    path: &str,
    name: &str,
    under: Option<&str>,
    home: &str,
) -> Diagnostic {
    let place = match under {
        Some(sec) => format!("under `{sec}:`"),
        None => "directly under `InvokeAI:`".to_string(),
    };
    let d = Diagnostic::new(
        &META,
        cx.config.loc(span),
        format!(
            "`{name}` is {place}, but InvokeAI {} reads it only under `{home}:`; here it is ignored and the default applies",
            cx.target.release.version
        ),
    )
    .key(path)
    .label(format!("belongs under `{home}:`"))
    .help(format!("Move `{name}` under the `{home}:` heading"));
    cite_target(d, cx.target)
}

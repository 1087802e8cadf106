//! IL506 relative-path: a relative `ssl_*` or log file path, resolved against the working
//! directory instead of the InvokeAI root.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{is_relative, log_handlers, setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL506",
    name: "relative-path",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "A relative ssl_* or log file path: relative to the working directory, not the root",
    doc: include_str!("../../rules/relative-path.md"),
};

pub struct RelativePath;

impl Rule for RelativePath {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for name in ["ssl_certfile", "ssl_keyfile"] {
            let Some(s) = setting(cx, name) else { continue };
            let Some(path) = text(s.value) else { continue };
            if !is_relative(path) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!(
                        "`{name}: {}` is relative: InvokeAI hands it to uvicorn as written, so it is \
                         found from the folder InvokeAI is started in, not from the InvokeAI root; \
                         started from elsewhere (a launcher, a service) the file is not found and the server does not start",
                        path.trim()
                    ),
                )
                .key(s.path())
                .label("relative to the working directory")
                .help("Write the absolute path of the file"),
            );
        }
        let Some((s, handlers)) = log_handlers(cx) else {
            return;
        };
        for h in handlers {
            let (true, Some(path)) = (h.name == "file", h.arg) else {
                continue;
            };
            if !is_relative(path) {
                continue;
            }
            // Point at the path inside the entry when it is written plainly.
            let span = cx
                .config
                .source
                .text()
                .get(h.node.span.start..h.node.span.end)
                .and_then(|w| w.find(path))
                .map_or(h.node.span, |at| {
                    Span::new(h.node.span.start + at, h.node.span.start + at + path.len())
                });
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(span),
                    format!(
                        "The log file `{path}` is relative: Python's FileHandler opens it from the folder \
                         InvokeAI is started in, not from the InvokeAI root, so the log lands wherever \
                         InvokeAI happens to be started"
                    ),
                )
                .key(s.path())
                .label("relative to the working directory")
                .help("Write the absolute path of the log file (`file=/var/log/invokeai.log`)"),
            );
        }
    }
}

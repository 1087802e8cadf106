//! IL515 legacy-config-file: an `invokeai.init` (2.x command-line flags) or a `.yml` config,
//! neither of which InvokeAI reads.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL515",
    name: "legacy-config-file",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    fixable: false,
    summary: "An invokeai.init (2.x flags) or a .yml config: InvokeAI does not read it",
    doc: include_str!("../../rules/legacy-config-file.md"),
};

pub struct LegacyConfigFile;

/// The first line that is neither blank nor a comment starts with `--`: 2.x flags.
fn looks_like_init(text: &str) -> Option<Span> {
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if !t.is_empty() && !t.starts_with('#') {
            let lead = line.len() - line.trim_start().len();
            return t
                .starts_with("--")
                .then(|| Span::new(at + lead, at + lead + t.len()));
        }
        at += line.len();
    }
    None
}

impl Rule for LegacyConfigFile {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let name = cx.config.name();
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(name)
            .to_ascii_lowercase();
        let flags = matches!(cx.config.layout, Layout::NotMapping | Layout::Broken)
            .then(|| looks_like_init(cx.config.source.text()))
            .flatten();
        if base.ends_with(".init") || flags.is_some() {
            let at = flags.unwrap_or(Span::new(0, 0));
            let three = !cx.target.at_least("4.0.0");
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(at),
                    format!(
                        "This is an InvokeAI 2.x `invokeai.init` (command-line flags, one or more per line): \
                         InvokeAI 3.0 and later never read it at start-up{}",
                        if three {
                            "; 3.x's `invokeai-configure` converted it once into `invokeai.yaml`, which is what runs"
                        } else {
                            ", and 4.x has no converter: its settings are ignored"
                        }
                    ),
                )
                .label("2.x command-line flags")
                .help("Write the settings you still need into the root's `invokeai.yaml` (flat keys with `schema_version`), then delete this file; `--xformers` became `attention_type`, `--max_loaded_models` the RAM cache size, `--outdir` `outputs_dir`"),
            );
            return;
        }
        if base.ends_with(".yml") {
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(Span::new(0, 0)),
                    if cx.target.at_least("4.0.0") {
                        "InvokeAI reads `invokeai.yaml` in its root, never a `.yml` file: this file is ignored there, and \
                         named with `--config` InvokeAI stops at start-up (the loader requires the `.yaml` suffix)"
                    } else {
                        "InvokeAI 3.x reads `invokeai.yaml` in its root, never a `.yml` file: this file is ignored"
                    },
                )
                .label("not a name InvokeAI reads")
                .help("Rename the file to `invokeai.yaml` (in the InvokeAI root, or pass it with `--config`)"),
            );
        }
    }
}

//! IL504 risky-switch: a development switch turned on in a config that runs for real.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::hygiene::flag_of;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL504",
    name: "risky-switch",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: true,
    summary: "unsafe_disable_picklescan, dev_reload or use_memory_db is on",
    doc: include_str!("../../rules/risky-switch.md"),
};

/// From this release `dev_reload` without the jurigged package stops start-up (RuntimeError
/// from `enable_dev_reload`); before it the error was only logged.
const DEV_RELOAD_FATAL_SINCE: &str = "5.7.2";

pub struct RiskySwitch;

impl Rule for RiskySwitch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for name in ["unsafe_disable_picklescan", "dev_reload", "use_memory_db"] {
            let Some((true, s)) = flag_of(cx, name) else {
                continue;
            };
            let (message, label, help) = match name {
                "unsafe_disable_picklescan" => (
                    "`unsafe_disable_picklescan: true` turns off the malware scan of model files: a \
                     pickled checkpoint (.ckpt, .pt, .bin) runs any code it carries when it is installed or loaded"
                        .to_string(),
                    "model files are no longer scanned",
                    "Remove the line (the default is false). Install only .safetensors files if a \
                     model fails the scan, rather than turning the scan off",
                ),
                "dev_reload" => (
                    if cx.target.at_least(DEV_RELOAD_FATAL_SINCE) {
                        "`dev_reload: true` reloads Python sources as they change, a development aid: it \
                         needs the `jurigged` package, and without it this release stops at start-up"
                            .to_string()
                    } else {
                        "`dev_reload: true` reloads Python sources as they change, a development aid: it \
                         needs the `jurigged` package, and without it this release logs an error and runs without it"
                            .to_string()
                    },
                    "a development switch",
                    "Remove the line unless you are developing InvokeAI itself (`pip install -e \".[dev]\"` \
                     brings jurigged)",
                ),
                _ => (
                    "`use_memory_db: true` keeps the database in memory: every image record, board, \
                     workflow, queue item and installed model entry is lost when InvokeAI stops"
                        .to_string(),
                    "nothing is kept after shutdown",
                    "Remove the line (the default is false) unless this is a throw-away test instance",
                ),
            };
            out.push(
                Diagnostic::new(&META, cx.config.loc(s.value.span), message)
                    .key(s.path())
                    .label(label)
                    .help(help)
                    .fix(Fix::replace(
                        Applicability::Unsafe,
                        format!("Set {name} to false"),
                        s.value.span,
                        "false",
                    )),
            );
        }
    }
}

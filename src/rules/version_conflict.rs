//! IL401 version-conflict: `--invokeai-version` (or the linter config) says one release, the
//! log says another ran.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL401",
    name: "version-conflict",
    category: Category::Log,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "The version given to the linter differs from the one the log shows running",
    doc: include_str!("../../rules/version-conflict.md"),
};

pub struct VersionConflict;

impl Rule for VersionConflict {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let (Some(logged), Some(given)) = (&cx.facts.log_version, &cx.target.origin) else {
            return;
        };
        if logged.origin == *given || logged.value == cx.target.version {
            return;
        }
        let Some(at) = logged.origin.location() else {
            return;
        };
        out.push(
            Diagnostic::new(
                &META,
                at,
                format!(
                    "the log shows InvokeAI {} running, but {} says {}; findings are for {}",
                    logged.value,
                    given.describe(),
                    cx.target.version,
                    cx.target.version
                ),
            )
            .label(format!("InvokeAI {} ran here", logged.value))
            .help(format!(
                "If this config runs on {}, drop {} (the log's version is used then); if you are preparing an upgrade, this is expected",
                logged.value,
                given.describe()
            )),
        );
    }
}

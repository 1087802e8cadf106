//! IL901 unused-suppression: an `# invokeai-lint: disable=...` comment that silences
//! nothing, names no rule, or cannot be read.
//!
//! Not a per-config rule: the pipeline emits it after applying suppressions (see
//! `crate::suppress`), so it knows which ones were used.

use crate::diagnostic::Severity;
use crate::rules::{Category, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL901",
    name: "unused-suppression",
    category: Category::Meta,
    default_severity: Severity::Warning,
    fixable: false,
    summary:
        "An inline suppression that silences nothing, names an unknown rule, or cannot be read",
    doc: include_str!("../../rules/unused-suppression.md"),
};

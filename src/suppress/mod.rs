//! Inline suppressions: YAML comments that silence a rule on one line or in a whole file.
//!
//! ```yaml
//! max_cache_vram_gb: 20  # invokeai-lint: disable=max-cache-vram-over-budget -- 24 GB cards only
//! # invokeai-lint: disable=unknown-key -- read by our fork
//! custom_setting: 1
//! # invokeai-lint: disable-file=deprecated-key
//! ```
//!
//! The YAML parser drops comments, so they are found here with a small scanner that knows
//! where a `#` starts a comment: outside quotes, at the start of a line or after a space,
//! and not inside a block scalar. Suppressions that silence nothing, name no rule, or
//! cannot be read are findings of their own (`unused-suppression`).

use crate::rules::RuleMeta;
use crate::source::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `disable=`: findings that start on `target` (the comment's own line when it ends a
    /// line of YAML, else the next line with YAML on it).
    Line { target: Option<u32> },
    /// `disable-file=`: every finding for the file.
    File,
}

/// A rule named in a suppression.
#[derive(Clone, Debug)]
pub struct RuleRef {
    pub text: String,
    pub span: Span,
    pub meta: Option<&'static RuleMeta>,
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
            && self.span == other.span
            && self.meta.map(|m| m.code) == other.meta.map(|m| m.code)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub scope: Scope,
    /// 1-based line of the comment.
    pub line: u32,
    pub rules: Vec<RuleRef>,
    pub reason: Option<String>,
}

/// An `# invokeai-lint:` comment that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suppressions {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Malformed>,
}

impl Suppressions {
    /// No directive and nothing malformed: the file has no `# invokeai-lint:` comment.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.malformed.is_empty()
    }
}

mod apply;
mod parse;

pub use apply::{apply, Applied};
pub use parse::parse;

#[cfg(test)]
mod tests;

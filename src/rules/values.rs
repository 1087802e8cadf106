//! Shared by the value rules: every effective setting the target has, judged as pydantic would.

use crate::config::{Layout, Setting};
use crate::knowledge::validate::{self, Invalid};
use crate::knowledge::KeyAt;
use crate::rules::Context;

/// Settings whose value InvokeAI would reject, with why.
pub fn invalid_values<'c>(cx: &'c Context<'_>) -> Vec<(Setting<'c>, KeyAt<'static>, Invalid)> {
    // A broken, empty or non-mapping file has its own findings; values there mean nothing.
    if !matches!(cx.config.layout, Layout::Flat | Layout::V3Nested) {
        return Vec::new();
    }
    let rel = &cx.target.release.version;
    cx.config
        .settings()
        .into_iter()
        .filter(|s| s.effective)
        .filter_map(|s| {
            let k = cx.kb.key_at(s.name, rel)?;
            validate::check(k.rev, s.value).err().map(|why| (s, k, why))
        })
        .collect()
}

/// The consequence at the target release, for messages.
pub fn consequence(cx: &Context<'_>) -> &'static str {
    if cx.target.at_least("4.0.0") {
        "InvokeAI refuses to start (\"Failed to load config file\")"
    } else {
        "InvokeAI 3.x stops at start-up with a validation error"
    }
}

/// The value's text as written, for messages.
pub fn written<'a>(cx: &'a Context<'_>, s: &Setting<'_>) -> &'a str {
    let t = &cx.config.source.text()[s.value.span.start..s.value.span.end];
    t.lines().next().unwrap_or("")
}

/// A setting's value as the number pydantic would make of it (None if not numeric or invalid).
pub fn setting_number(cx: &Context<'_>, s: &Setting<'_>) -> Option<f64> {
    let k = cx.kb.key_at(s.name, &cx.target.release.version)?;
    validate::as_number(&k.rev.ty, s.value)
}

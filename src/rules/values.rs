//! Shared by the value rules: every effective setting the target has, judged as pydantic would.

use crate::config::{Layout, Setting};
use crate::knowledge::validate::{self, Invalid};
use crate::knowledge::KeyAt;
use crate::rules::Context;

/// Settings whose value InvokeAI would reject, with why.
/// Use [`Context::invalid_values`], which works this out once per file.
pub(super) fn invalid_values<'a>(cx: &Context<'a>) -> Vec<(Setting<'a>, KeyAt<'static>, Invalid)> {
    // A broken, empty or non-mapping file has its own findings; values there mean nothing.
    if !matches!(cx.config.layout, Layout::Flat | Layout::V3Nested) {
        return Vec::new();
    }
    let v3_target = !cx.target.at_least("4.0.0");
    // 3.x reads only `InvokeAI:` → section; a flat file's values are never looked at.
    if v3_target && cx.config.layout == Layout::Flat {
        return Vec::new();
    }
    // 3.0.0 and 3.0.1 had no validate_assignment: Literal and range checks never ran.
    let checks_constraints = cx.target.at_least("3.0.2");
    cx.settings()
        .iter()
        .copied()
        .filter(|s| s.effective)
        .filter(|s| !migrated_away(cx, s))
        .filter_map(|s| {
            let k = cx.kb.key_in(s.name, cx.target.release)?;
            let why = validate::check(k.rev, s.value).err()?;
            let keep = match &why {
                Invalid::Type { found, .. } => {
                    // 3.x loads YAML through OmegaConf, which keeps dates as strings.
                    !(v3_target && found.starts_with("the date"))
                }
                _ => checks_constraints,
            };
            keep.then_some((s, k, why))
        })
        .collect()
}

/// Values a migration step rewrites before InvokeAI validates them: `precision: autocast`
/// becomes `auto` in a schema-4.0.0 file from 4.1.0 (migrate 4.0.0 → 4.0.1) and in a 3.x
/// file from 4.2.6, where the v3 step is followed by that one (config_default.py@v4.2.6).
fn migrated_away(cx: &Context<'_>, s: &Setting<'_>) -> bool {
    if s.name != "precision" || s.value.as_str() != Some("autocast") {
        return false;
    }
    match cx.config.layout {
        Layout::V3Nested => cx.target.at_least("4.2.6"),
        Layout::Flat => {
            cx.target.at_least("4.1.0")
                && cx.config.schema_version().and_then(|e| e.value.as_str()) == Some("4.0.0")
        }
        _ => false,
    }
}

/// The consequence at the target release, for messages.
pub fn consequence(cx: &Context<'_>) -> &'static str {
    if cx.target.at_least("4.0.0") && cx.config.layout == Layout::V3Nested {
        // The migrated settings are validated inside the migration's own try block.
        "InvokeAI refuses to start (\"Failed to load and migrate v3 config file\")"
    } else if cx.target.at_least("4.0.0") {
        "InvokeAI refuses to start (\"Failed to load config file\")"
    } else {
        "InvokeAI 3.x stops at start-up (an argparse or validation error)"
    }
}

/// The value's text as written, for messages.
pub fn written<'a>(cx: &'a Context<'_>, s: &Setting<'_>) -> &'a str {
    let t = &cx.config.source.text()[s.value.span.start..s.value.span.end];
    t.lines().next().unwrap_or("")
}

/// A setting's value as the number pydantic would make of it (None if not numeric or invalid).
pub fn setting_number(cx: &Context<'_>, s: &Setting<'_>) -> Option<f64> {
    let k = cx.kb.key_in(s.name, cx.target.release)?;
    validate::as_number(&k.rev.ty, s.value)
}

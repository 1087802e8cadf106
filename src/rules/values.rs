//! Shared by the value rules: every effective setting the target has, judged as pydantic would.

use crate::config::{Layout, Setting};
use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::validate::{self, Invalid};
use crate::knowledge::KeyAt;
use crate::rules::Context;
use crate::yaml::{omegaconf_rejects, Node, Resolved};

/// Settings whose value InvokeAI would reject, with why.
/// Use [`Context::invalid_values`], which works this out once per file.
pub(super) fn invalid_values<'a>(cx: &Context<'a>) -> Vec<(Setting<'a>, KeyAt<'static>, Invalid)> {
    // A broken, empty or non-mapping file has its own findings; values there mean nothing.
    if !matches!(cx.config.layout, Layout::Flat | Layout::V3Nested) {
        return Vec::new();
    }
    let pyd = cx.pydantic();
    if !cx.target.at_least("4.0.0") {
        return invalid_v3_values(cx, pyd);
    }
    if cx.config.layout == Layout::V3Nested {
        return invalid_migrated_values(cx, pyd);
    }
    cx.settings()
        .iter()
        .copied()
        .filter(|s| s.effective)
        .filter(|s| !migrated_away(cx, s))
        .filter_map(|s| {
            let k = cx.kb.key_in(s.name, cx.target.release)?;
            let why = validate::check(k.rev, s.value, pyd).err()?;
            Some((s, k, why))
        })
        .collect()
}

/// 3.x: only a setting under its own section is read (`InvokeAI:` → its field's category →
/// key); anything else is never looked at, so never judged. A file OmegaConf cannot read is
/// ignored whole, so none of its values are judged either.
fn invalid_v3_values<'a>(
    cx: &Context<'a>,
    pyd: Pydantic,
) -> Vec<(Setting<'a>, KeyAt<'static>, Invalid)> {
    if cx.config.layout != Layout::V3Nested || v3_ignores_file(cx) {
        return Vec::new();
    }
    // 3.0.0 and 3.0.1 had no validate_assignment: only argparse's conversions could fail.
    let validates = cx.target.at_least("3.0.2");
    cx.settings()
        .iter()
        .copied()
        .filter(|s| s.effective && read_by_v3(cx, s))
        .filter(|s| interpolation(s.value).is_none())
        .filter_map(|s| {
            let k = cx.kb.key_in(s.name, cx.target.release)?;
            let why = validate::v3::check(k.rev, s.value, pyd, validates).err()?;
            Some((s, k, why))
        })
        .collect()
}

/// Whether InvokeAI 3.x reads this setting: it sits under the section its field belongs to.
pub fn read_by_v3(cx: &Context<'_>, s: &Setting<'_>) -> bool {
    let Some(section) = s.section else {
        return false;
    };
    cx.kb
        .v3_sections_at(&cx.target.release.version)
        .and_then(|sections| sections.get(section))
        .is_some_and(|keys| keys.iter().any(|k| k == s.name))
}

/// Whether InvokeAI 3.x throws the whole file away: OmegaConf cannot read it (its own rules
/// report why: yaml-syntax, duplicate-key, multiple-documents, invalid-encoding), or it has no
/// top-level `InvokeAI:` mapping to read from.
pub fn v3_ignores_file(cx: &Context<'_>) -> bool {
    let c = cx.config;
    c.layout != Layout::V3Nested
        || c.invalid_utf8_at.is_some()
        || c.parsed.documents.len() > 1
        || c.root().is_some_and(|r| omegaconf_rejects(r).is_some())
}

/// Whether the target is a 3.x release and reads this file: a 3.x nested file that 3.x does
/// not throw away whole. The rules about what 3.x does with the file look only there.
pub fn v3_target_reads_file(cx: &Context<'_>) -> bool {
    cx.config.layout == Layout::V3Nested && !cx.target.at_least("4.0.0") && !v3_ignores_file(cx)
}

/// `${...}` in a string value: OmegaConf resolves it when 3.x reads the value.
pub fn interpolation(node: &Node) -> Option<&str> {
    let s = node.as_scalar()?;
    if !matches!(s.resolved, Resolved::Str) || !s.value.contains("${") {
        return None;
    }
    Some(&s.value)
}

/// 4.0.0+: a 3.x file is migrated first (migrate_v3_config_dict, config_default.py@v4.0.0 …
/// @v6.13.8): every section is flattened, `outdir` becomes `outputs_dir`, `max_cache_size`
/// becomes `ram` and `max_vram_cache_size` `vram` (unless the same section sets those),
/// `conf_path` becomes `legacy_models_yaml_path`, other keys the release has are copied and
/// the rest dropped; a later section overwrites an earlier one. The result is validated with
/// the release's own types, so each value is judged under the name it migrates to.
fn invalid_migrated_values<'a>(
    cx: &Context<'a>,
    pyd: Pydantic,
) -> Vec<(Setting<'a>, KeyAt<'static>, Invalid)> {
    let sections = cx
        .config
        .root()
        .and_then(|r| r.get("InvokeAI"))
        .and_then(|top| top.value.entries())
        .unwrap_or(&[]);
    let section_sets = |section: &str, key: &str| {
        sections
            .iter()
            .rev()
            .find(|e| e.key.as_str() == Some(section))
            .is_some_and(|e| e.value.get(key).is_some())
    };
    // Target name → the setting that wins it, in the order the migration assigns them.
    let mut migrated: Vec<(&'static str, Setting<'a>)> = Vec::new();
    for &s in cx.settings().iter().filter(|s| s.effective) {
        let section = s.section.unwrap_or_default();
        let to = match s.name {
            "outdir" => "outputs_dir",
            "max_cache_size" if !section_sets(section, "ram") => "ram",
            "max_vram_cache_size" if !section_sets(section, "vram") => "vram",
            "conf_path" => "legacy_models_yaml_path",
            name => name,
        };
        let Some(k) = cx.kb.key_in(to, cx.target.release) else {
            continue;
        };
        let name: &'static str = &k.spec.name;
        migrated.retain(|(n, _)| *n != name);
        migrated.push((name, s));
    }
    migrated
        .into_iter()
        .filter(|(_, s)| !migrated_away(cx, s))
        .filter_map(|(name, s)| {
            let k = cx.kb.key_in(name, cx.target.release)?;
            let why = validate::check(k.rev, s.value, pyd).err()?;
            Some((s, k, why))
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
    validate::as_number(&k.rev.ty, s.value, cx.pydantic())
}

/// Releases from 5.10.0 do not pin pydantic (their `uv.lock` chooses it): settings the shipped
/// pydantic accepts that an older pydantic 2 would reject (`attention_slice_size: true` before
/// 2.11, `port: ' 9090'` before 2.7), with the oldest pydantic 2 line that rejects it.
pub fn pydantic_dependent<'a>(cx: &Context<'a>) -> Vec<(Setting<'a>, Pydantic)> {
    let shipped = cx.pydantic();
    if !cx.target.at_least("5.10.0") || cx.config.layout != Layout::Flat {
        return Vec::new();
    }
    let strictest = Pydantic::new(2, 5);
    cx.settings()
        .iter()
        .copied()
        .filter(|s| s.effective)
        .filter_map(|s| {
            let k = cx.kb.key_in(s.name, cx.target.release)?;
            validate::check(k.rev, s.value, shipped).ok()?;
            validate::check(k.rev, s.value, strictest).err()?;
            // A line measured to reject it: 2.7 for Literal matching, 2.6 for spaces.
            let older = if validate::check(k.rev, s.value, Pydantic::new(2, 7)).is_ok() {
                Pydantic::new(2, 6)
            } else {
                Pydantic::new(2, 7)
            };
            Some((s, older))
        })
        .collect()
}

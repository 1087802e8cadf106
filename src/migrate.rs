//! `invokeai-lint migrate`: the migration InvokeAI performs on an old config at start-up,
//! done on the text so every comment stays with its key.
//!
//! What InvokeAI does (config_default.py, `migrate_v3_config_dict` and the
//! `migrate_v4_0_x_to_…` steps, checked against the releases themselves with
//! scripts/migrate_oracle.py; the fact base's `migrations` table says the same):
//! - a 3.x file (top-level `InvokeAI:`): every section's settings move to the top level;
//!   `outdir` → `outputs_dir`; `max_cache_size` → `ram` and `max_vram_cache_size` → `vram`
//!   unless the same section sets `ram`/`vram`; `conf_path` → `legacy_models_yaml_path`;
//!   `legacy_conf_dir`'s old default is dropped and a path ending in `stable-diffusion`
//!   becomes its parent (4.0.0 itself: the default became `configs`, other paths stayed);
//!   every key that is not a setting of the release is dropped; everything outside
//!   `InvokeAI:` is ignored. `precision: autocast` stays before 4.1.0, fails validation in
//!   4.1.0–4.2.5, and becomes `auto` from 4.2.6.
//! - a flat file: 4.0.0 → 4.0.1 (`autocast` → `auto`, from 4.1.0), 4.0.1 → 4.0.2
//!   (`convert_cache` deleted, from 4.2.6), 4.0.2 → 4.0.3 (number only, from 6.13.0).
//! - then the result is validated; a value the release refuses makes the migration fail
//!   (InvokeAI restores the file and stops).
//!
//! InvokeAI writes the result from scratch (no comments, defaults left out). Here every
//! kept key keeps its own lines and comments; a dropped key stays as a comment.

use crate::config::{ConfigFile, Layout};
use crate::edits::{self, line_ending};
use crate::knowledge::{Knowledge, Release, Version};
use crate::source::SourceFile;
use crate::yaml::{Entry, NodeKind};

/// What a migration made.
#[derive(Debug)]
pub struct Migrated {
    pub text: String,
    /// Keys InvokeAI's migration drops, each with why.
    pub dropped: Vec<String>,
    /// Other changes: renames, converted values, the schema number.
    pub changed: Vec<String>,
}

/// Migrate `config` to what `release` runs. Err: why InvokeAI's own migration fails on
/// it (or why there is nothing to do), in a sentence.
pub fn migrate(config: &ConfigFile, release: &Release) -> Result<Migrated, String> {
    let kb = Knowledge::get();
    let target = &release.version;
    let Some(schema) = release.schema_version.as_deref() else {
        return Err(format!(
            "InvokeAI {target} reads 3.x files as they are; there is nothing to migrate to"
        ));
    };
    let migrated = match config.layout {
        Layout::V3Nested => from_v3(config, release, schema)?,
        Layout::Flat => from_flat(config, release, schema)?,
        Layout::Broken => return Err("the file is not valid YAML: InvokeAI cannot read it, so it cannot migrate it".into()),
        Layout::Empty => return Err("the file has no settings: there is nothing to migrate".into()),
        Layout::NotMapping => return Err("the file is not a mapping of settings: InvokeAI's migration stops on it (assert isinstance(..., dict))".into()),
    };
    // InvokeAI validates the result: a value the release refuses fails the migration.
    let out = ConfigFile::parse(SourceFile::new(config.name(), migrated.text.as_str()));
    if out.parsed.error.is_some() {
        return Err("internal error: the migrated text does not parse; nothing written".into());
    }
    for s in out.settings() {
        if s.name == "schema_version" {
            continue;
        }
        let Some(k) = kb.key_in(s.name, release) else {
            return Err(format!(
                "`{}` is not a setting of InvokeAI {target}: its migration stops with \"Extra inputs are not permitted\"",
                s.name
            ));
        };
        if let Err(why) = crate::knowledge::validate::check(
            k.rev,
            s.value,
            crate::knowledge::pydantic::Pydantic::shipped_with(&release.version),
        ) {
            return Err(format!(
                "`{}: {}` is refused by InvokeAI {target} ({}): its migration stops and restores the file",
                s.name,
                &out.source.text()[s.value.span.start..s.value.span.end],
                describe(&why)
            ));
        }
    }
    Ok(migrated)
}

fn describe(why: &crate::knowledge::validate::Invalid) -> String {
    use crate::knowledge::validate::Invalid;
    match why {
        Invalid::Type { expected, found } => format!("expected {expected}, found {found}"),
        Invalid::Range { bound } => format!("must be {bound}"),
        Invalid::Choice { choices } => format!("must be one of {}", choices.join(", ")),
        Invalid::Pattern { pattern } => format!("must match {pattern}"),
    }
}

/// The flat-file steps, as edits on the file.
fn from_flat(config: &ConfigFile, release: &Release, schema: &str) -> Result<Migrated, String> {
    let target = &release.version;
    let text = config.source.text();
    let mut changed = Vec::new();
    let mut dropped = Vec::new();
    let mut edits_list = Vec::new();
    let from = config
        .schema_version()
        .and_then(|e| e.value.as_str().map(str::to_string));
    let step = |v: &str| target.at_least(v);
    let mut at = from.clone().unwrap_or_else(|| schema.to_string());
    if at == "4.0.0" && step("4.1.0") {
        if let Some(p) = config
            .get("precision")
            .filter(|p| p.value.as_str() == Some("autocast"))
        {
            edits_list.push(edits::replace_value(text, p.value, "auto"));
            changed.push("precision: autocast → auto (schema 4.0.0 → 4.0.1)".into());
        }
        at = "4.0.1".into();
    }
    if at == "4.0.1" && step("4.2.6") {
        if let Some(e) = edits::remove_setting(config, "convert_cache") {
            dropped.push(format!(
                "convert_cache: deleted by the schema 4.0.1 → 4.0.2 step (InvokeAI {target} no longer has it)"
            ));
            edits_list.extend(e);
        }
        at = "4.0.2".into();
    }
    if at == "4.0.2" && step("6.13.0") {
        at = "4.0.3".into();
    }
    if at != schema {
        // A newer schema than the release writes: a downgrade, possible when the release
        // knows every key (the 4.0.x steps only ever removed and renamed).
        let newer = schema_rank(&at) > schema_rank(schema);
        let unknown: Vec<&str> = config
            .settings()
            .iter()
            .filter(|s| s.name != "schema_version")
            .filter(|s| Knowledge::get().key_in(s.name, release).is_none())
            .map(|s| s.name)
            .collect();
        if !newer || !unknown.is_empty() {
            return Err(format!(
                "schema_version {at} cannot become {schema} (what InvokeAI {target} reads){}",
                if unknown.is_empty() {
                    String::new()
                } else {
                    format!(": it does not know {}", unknown.join(", "))
                }
            ));
        }
        changed.push(format!(
            "a downgrade: InvokeAI {target} refuses schema {at}; every key is known to it, so only the number changes"
        ));
    }
    match config.schema_version() {
        Some(e) => {
            if from.as_deref() != Some(schema) {
                edits_list.push(edits::replace_value(text, &e.value, schema));
                changed.push(format!(
                    "schema_version: {} → {schema}",
                    from.as_deref().unwrap_or("?")
                ));
            }
        }
        None => {
            let e =
                edits::insert_setting(config, "schema_version", schema, None, edits::Place::First)
                    .ok_or("no place to add schema_version in this file's layout")?;
            edits_list.push(e);
            changed.push(format!(
                "schema_version: {schema} added{}",
                if step("4.1.0") {
                    format!(" (InvokeAI {target} itself stops on a file without it: KeyError)")
                } else {
                    String::new()
                }
            ));
        }
    }
    edits_list.sort_by_key(|e| (e.span.start, e.span.end));
    let (text, _) = crate::fix::apply(text, &edits_list);
    Ok(Migrated {
        text,
        dropped,
        changed,
    })
}

fn schema_rank(s: &str) -> u32 {
    s.rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// One kept or dropped setting of a 3.x file, in file order.
struct Item<'a> {
    section: &'a str,
    entry: &'a Entry,
    /// The flat name it gets, None when dropped.
    name: Option<String>,
    /// A new value (plain YAML), when the migration converts it.
    value: Option<String>,
    why_dropped: Option<String>,
}

fn from_v3(config: &ConfigFile, release: &Release, schema: &str) -> Result<Migrated, String> {
    let kb = Knowledge::get();
    let target = &release.version;
    let text = config.source.text();
    let eol = line_ending(text);
    let root = config.root().ok_or("no settings")?;
    let top = root.get("InvokeAI").ok_or("no InvokeAI: block")?;
    let NodeKind::Mapping {
        entries: sections,
        flow: false,
    } = &top.value.kind
    else {
        return Err(
            "`InvokeAI:` is not a block of sections: InvokeAI's migration stops on it".into(),
        );
    };
    let mut items: Vec<Item<'_>> = Vec::new();
    for (i, sec) in sections.iter().enumerate() {
        let title = sec.key.as_str().unwrap_or("?");
        // A section repeated later is replaced whole by it (PyYAML keeps the last).
        if sections[i + 1..]
            .iter()
            .any(|l| l.key.as_str() == Some(title))
        {
            for e in sec.value.entries().unwrap_or(&[]) {
                items.push(Item {
                    section: title,
                    entry: e,
                    name: None,
                    value: None,
                    why_dropped: Some(format!(
                        "section `{title}` appears again later, and YAML keeps only the last"
                    )),
                });
            }
            continue;
        }
        let NodeKind::Mapping { entries, .. } = &sec.value.kind else {
            return Err(format!(
                "section `{title}` is {}, not a mapping: InvokeAI's migration stops on it (AttributeError: .items())",
                sec.value.describe()
            ));
        };
        let has = |k: &str| entries.iter().any(|e| e.key.as_str() == Some(k));
        for e in entries {
            let k = e.key.as_str().unwrap_or("");
            let v = e.value.as_str();
            let mut item = Item {
                section: title,
                entry: e,
                name: None,
                value: None,
                why_dropped: None,
            };
            match k {
                "outdir" => item.name = Some("outputs_dir".into()),
                "max_cache_size" if !has("ram") => item.name = Some("ram".into()),
                "max_vram_cache_size" if !has("vram") => item.name = Some("vram".into()),
                "max_cache_size" | "max_vram_cache_size" => {
                    item.why_dropped = Some(format!(
                        "the same section sets `{}`, so the migration ignores it",
                        if k == "max_cache_size" { "ram" } else { "vram" }
                    ));
                }
                "conf_path" => item.name = Some("legacy_models_yaml_path".into()),
                "legacy_conf_dir" => legacy_conf_dir(&mut item, v, target),
                "precision" if v == Some("autocast") && target.at_least("4.2.6") => {
                    item.name = Some("precision".into());
                    item.value = Some("auto".into());
                }
                _ if kb.key_in(k, release).is_some() => item.name = Some(k.to_string()),
                _ => {
                    item.why_dropped = Some(format!(
                        "not a setting of InvokeAI {target}; the migration skips unknown keys"
                    ));
                }
            }
            items.push(item);
        }
    }
    // A name set twice: the later one wins (a dict); the earlier is dropped.
    for i in 0..items.len() {
        let Some(name) = items[i].name.clone() else {
            continue;
        };
        if let Some(later) = items[i + 1..]
            .iter()
            .find(|l| l.name.as_deref() == Some(&name))
        {
            let why = format!("set again later (section `{}`), which wins", later.section);
            items[i].name = None;
            items[i].why_dropped = Some(why);
        }
    }
    let mut out = String::new();
    let mut dropped = Vec::new();
    let mut changed = Vec::new();
    // What comes before `InvokeAI:` (comments, a BOM, `---`) stays on top.
    let top_line = line_start(text, top.key.span.start);
    // Other top-level keys: the migration ignores them, so they stay only as comments.
    let others: Vec<(usize, usize)> = root
        .entries()
        .unwrap_or(&[])
        .iter()
        .filter(|e| e.key.as_str() != Some("InvokeAI"))
        .map(|e| {
            let end = line_end(text, e.value.span.end.max(e.key.span.end));
            (line_start(text, e.key.span.start), end)
        })
        .collect();
    push_commenting(&mut out, text, 0, top_line, &others, eol);
    out.push_str(&format!("schema_version: {schema}{eol}"));
    changed.push(format!(
        "schema_version: {schema} added (the 3.x layout becomes flat)"
    ));
    // Top-level keys beside `InvokeAI:` are ignored by the migration.
    for e in root.entries().unwrap_or(&[]) {
        if e.key.as_str() != Some("InvokeAI") {
            dropped.push(format!(
                "{}: outside the InvokeAI: block, which is all the migration reads",
                e.key.as_str().unwrap_or("?")
            ));
        }
    }
    let mut prev_end = line_end(text, top.key.span.end);
    for sec in sections {
        // The section heading's own comments (above it, and after it on its line).
        let heading = line_start(text, sec.key.span.start);
        push_dedented(&mut out, &text[prev_end..heading], eol);
        let after = &text[sec.key.span.end..line_end(text, sec.key.span.end)];
        if let Some(c) = after.find('#') {
            out.push_str(after[c..].trim_end_matches(['\r', '\n']));
            out.push_str(eol);
        }
        prev_end = line_end(text, sec.key.span.end);
        for item in items.iter().filter(|it| in_section(sec, it.entry)) {
            let e = item.entry;
            let start = line_start(text, e.key.span.start);
            let end = line_end(text, e.value.span.end.max(e.key.span.end));
            // Comment lines above the key, then the key's own lines.
            push_dedented(&mut out, &text[prev_end.min(start)..start], eol);
            let indent = e.key.span.start - start;
            let own = &text[start..end];
            let key_name = e.key.as_str().unwrap_or("");
            match &item.name {
                Some(name) => {
                    let mut lines = own.to_string();
                    if let Some(v) = &item.value {
                        let vs = e.value.span.start - start;
                        let ve = e.value.span.end - start;
                        lines.replace_range(vs..ve, v);
                        changed.push(format!(
                            "{key_name}: {} → {v}",
                            &text[e.value.span.start..e.value.span.end]
                        ));
                    }
                    let ks = e.key.span.start - start;
                    let ke = e.key.span.end - start;
                    if name != key_name {
                        lines.replace_range(ks..ke, name);
                        changed.push(format!("{key_name} → {name}"));
                    }
                    push_dedent_by(&mut out, &lines, indent, eol);
                }
                None => {
                    let why = item.why_dropped.clone().unwrap_or_default();
                    let line = config.source.line_col(e.key.span.start).line;
                    dropped.push(format!(
                        "{key_name} (line {line}, section {}): {why}",
                        item.section
                    ));
                    for l in own.split_inclusive('\n') {
                        let body = l.trim_end_matches(['\r', '\n']);
                        let body = body.get(indent.min(body.len())..).unwrap_or(body);
                        out.push_str(&format!("# {body}{eol}"));
                    }
                }
            }
            prev_end = end;
        }
    }
    // What follows the last setting (closing comments, other top-level keys) stays.
    push_commenting(
        &mut out,
        text,
        prev_end.min(text.len()),
        text.len(),
        &others,
        eol,
    );
    Ok(Migrated {
        text: out,
        dropped,
        changed,
    })
}

/// Copy `text[from..to]`, turning the lines inside `ranges` into comments.
fn push_commenting(
    out: &mut String,
    text: &str,
    from: usize,
    to: usize,
    ranges: &[(usize, usize)],
    eol: &str,
) {
    let mut at = from;
    for l in text[from..to].split_inclusive('\n') {
        let inside = ranges.iter().any(|&(s, e)| s <= at && at < e);
        if inside {
            out.push_str("# ");
        }
        out.push_str(l);
        if inside && !l.ends_with('\n') {
            out.push_str(eol);
        }
        at += l.len();
    }
}

fn in_section(sec: &Entry, e: &Entry) -> bool {
    sec.value.span.start <= e.key.span.start && e.key.span.end <= sec.value.span.end
}

fn legacy_conf_dir(item: &mut Item<'_>, v: Option<&str>, target: &Version) {
    let default = matches!(
        v,
        Some("configs/stable-diffusion" | "configs\\stable-diffusion")
    );
    if !target.at_least("4.0.1") {
        // 4.0.0: the default became `configs` (the new default: left out when written);
        // every other value was kept.
        item.name = Some("legacy_conf_dir".into());
        if v == Some("configs/stable-diffusion") {
            item.value = Some("configs".into());
        }
        return;
    }
    match v {
        _ if default => {
            item.why_dropped = Some(
                "the old default, which the migration leaves out (4.x's default is `configs`)"
                    .into(),
            );
        }
        Some(p) if p.rsplit('/').next() == Some("stable-diffusion") => {
            let parent = match p.rfind('/') {
                Some(0) => "/".to_string(),
                Some(i) => p[..i].to_string(),
                None => ".".to_string(),
            };
            item.name = Some("legacy_conf_dir".into());
            item.value = Some(quote(&parent));
        }
        _ => item.name = Some("legacy_conf_dir".into()),
    }
}

/// A string as plain YAML when it reads back as the same string, else single-quoted.
fn quote(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.chars().all(|c| c.is_alphanumeric() || "/._-".contains(c))
        && crate::yaml::resolve_plain(s) == crate::yaml::Resolved::Str;
    if plain_ok {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "''"))
    }
}

fn line_start(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1)
}

/// The offset just past the line break of the line holding `offset` (or the text's end).
fn line_end(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    text[offset..]
        .find('\n')
        .map_or(text.len(), |i| offset + i + 1)
}

/// Comment and blank lines, moved to the top level: leading blanks dropped.
fn push_dedented(out: &mut String, lines: &str, eol: &str) {
    for l in lines.split_inclusive('\n') {
        let t = l.trim_start_matches([' ', '\t']);
        out.push_str(t);
        if !t.ends_with('\n') && !t.is_empty() {
            out.push_str(eol);
        }
    }
}

/// A key's lines, moved left by `indent` columns (lines indented less lose only their
/// leading blanks), so nested values keep their shape.
fn push_dedent_by(out: &mut String, lines: &str, indent: usize, eol: &str) {
    for l in lines.split_inclusive('\n') {
        let lead = l.len() - l.trim_start_matches(' ').len();
        out.push_str(&l[lead.min(indent)..]);
        if !l.ends_with('\n') {
            out.push_str(eol);
        }
    }
}

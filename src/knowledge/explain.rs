//! Text for `explain KEY` and `keys`.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::knowledge::types::fmt_number;
use crate::knowledge::{KeyAt, KeyRevision, KeySpec, Knowledge, Version};

/// `invokeai-lint explain max_cache_vram_gb`: type, default, allowed values, the releases
/// that have it, what replaced it.
pub fn explain_key(name: &str) -> Result<String, String> {
    let kb = Knowledge::get();
    let Some(spec) = kb.key(name) else {
        let close = kb.suggest_any(name);
        let hint = if close.is_empty() {
            " Run `invokeai-lint rules` for the rules and `invokeai-lint keys` for the settings."
                .to_string()
        } else {
            format!(" Did you mean {}?", or_list(&close))
        };
        return Err(format!(
            "`{name}` is neither a rule nor a setting of any InvokeAI release from {} to {}.{hint}",
            kb.releases.first().map_or("?", |r| r.version.as_str()),
            kb.newest().version
        ));
    };
    Ok(key_page(kb, spec))
}

fn or_list(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [rest @ .., last] => format!(
            "{} or `{last}`",
            rest.iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn key_page(kb: &Knowledge, spec: &KeySpec) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", spec.name);
    let _ = writeln!(out, "{}", "=".repeat(spec.name.chars().count()));
    let _ = writeln!(out, "{}", spec.description);
    if spec.internal {
        let _ = writeln!(
            out,
            "Internal: written by InvokeAI itself, not meant to be set by hand."
        );
    }
    let _ = writeln!(out);

    let ranges = kb.ranges_with_key(&spec.name);
    let releases = ranges
        .iter()
        .map(|(a, b)| {
            if a.version == b.version {
                a.version.to_string()
            } else {
                format!("{} – {}", a.version, b.version)
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut fields: Vec<(&str, String)> = Vec::new();
    fields.push(("Releases", releases));
    if let Some(removed) = &spec.removed_in {
        fields.push((
            "Removed in",
            format!("{removed}{}", removal_consequence(removed)),
        ));
    }
    if let Some(rev) = spec.latest() {
        let label = if spec.removed_in.is_some() {
            "Last type"
        } else {
            "Type"
        };
        fields.push((label, format!("{} — {}", rev.type_text, rev.ty.describe())));
        fields.push(("Default", default_text(rev)));
        if let Some(choices) = &rev.choices {
            fields.push((
                "Allowed",
                choices.iter().map(plain).collect::<Vec<_>>().join(", "),
            ));
        }
        if !rev.constraints.is_empty() {
            fields.push(("Constraint", rev.constraints.describe()));
        }
        if let Some(p) = &rev.pattern {
            fields.push(("Pattern", p.clone()));
        }
    }
    if let Some(section) = spec
        .history
        .iter()
        .rev()
        .find_map(|h| h.v3_section.as_deref())
    {
        fields.push(("3.x section", format!("InvokeAI: → {section}:")));
    }
    if let Some(env) = &spec.env_var {
        fields.push(("Env var", env.clone()));
    }
    if let Some(dep) = &spec.deprecated_in {
        let mut text = format!("since {dep}");
        if let Some(by) = &spec.replaced_by {
            let _ = write!(text, "; replaced by {by}");
        }
        fields.push(("Deprecated", text));
    } else if let Some(by) = &spec.replaced_by {
        fields.push(("Replaced by", by.clone()));
    }
    if let Some(note) = &spec.deprecation_note {
        fields.push(("", note.clone()));
    }
    let width = fields.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
    for (label, value) in &fields {
        if label.is_empty() {
            let _ = writeln!(out, "  {:width$}  {value}", "");
        } else {
            let _ = writeln!(out, "  {:width$}  {value}", format!("{label}:"));
        }
    }

    if spec.history.len() > 1 {
        let _ = writeln!(out, "\nHistory:");
        for rev in &spec.history {
            let _ = writeln!(
                out,
                "  {:<12} {}",
                rev.since.to_string(),
                revision_summary(rev)
            );
        }
    }
    if !spec.notes.is_empty() {
        let _ = writeln!(out, "\nNotes:");
        for note in &spec.notes {
            let _ = writeln!(out, "  - {note}");
        }
    }
    let _ = writeln!(out, "\nSource: {} (invoke-ai/InvokeAI)", spec.source);
    out
}

pub(crate) fn removal_consequence(removed: &Version) -> String {
    if removed.at_least("4.0.0") {
        " (from then on a file that sets it fails to load: unknown keys are fatal in 4.x+)".into()
    } else {
        " (3.x ignores keys it does not know)".into()
    }
}

fn revision_summary(rev: &KeyRevision) -> String {
    let mut parts = vec![
        rev.type_text.clone(),
        format!("default {}", default_text(rev)),
    ];
    if !rev.constraints.is_empty() {
        parts.push(rev.constraints.describe());
    }
    if let Some(p) = &rev.pattern {
        parts.push(format!("pattern {p}"));
    }
    if let Some(s) = &rev.v3_section {
        parts.push(format!("section {s}"));
    }
    parts.join(", ")
}

pub(crate) fn default_text(rev: &KeyRevision) -> String {
    match &rev.default {
        Value::Null => "null (unset or computed at startup)".into(),
        v => plain(v),
    }
}

/// A value the way a user would type it in YAML: strings bare, the rest as JSON.
pub(crate) fn plain(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.as_f64().map_or_else(
            || n.to_string(),
            |f| {
                if n.is_f64() {
                    format!("{f:?}")
                } else {
                    fmt_number(f)
                }
            },
        ),
        other => other.to_string(),
    }
}

/// One row of `keys --format json`.
#[derive(Serialize)]
struct KeyRow<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    type_text: &'a str,
    default: &'a Value,
    choices: Option<&'a [Value]>,
    ge: Option<Value>,
    gt: Option<Value>,
    le: Option<Value>,
    lt: Option<Value>,
    deprecated: bool,
    /// Only while the key is deprecated at the listed release: `ram` is not "replaced by"
    /// max_cache_ram_gb in 4.0.0, where that key does not exist yet.
    replaced_by: Option<&'a str>,
}

/// Bounds as whole numbers when they are whole, so the JSON reads `0` like the fact base.
fn bound(b: Option<f64>) -> Option<Value> {
    b.map(|x| {
        if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 {
            Value::from(x as i64)
        } else {
            serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
        }
    })
}

fn row<'a>(k: &KeyAt<'a>) -> KeyRow<'a> {
    let c = &k.rev.constraints;
    KeyRow {
        name: &k.spec.name,
        type_text: &k.rev.type_text,
        default: &k.rev.default,
        choices: k.rev.choices.as_deref(),
        ge: bound(c.ge),
        gt: bound(c.gt),
        le: bound(c.le),
        lt: bound(c.lt),
        deprecated: k.deprecated,
        replaced_by: if k.deprecated {
            k.spec.replaced_by.as_deref()
        } else {
            None
        },
    }
}

/// `invokeai-lint keys --invokeai-version V [--format json]`.
///
/// `v` need not be a release in the table: the newest release at or before it is listed
/// (the CLI says so on stderr).
pub fn keys_listing(v: &Version, json: bool) -> Result<String, String> {
    let kb = Knowledge::get();
    let release = kb.release_for(v).ok_or_else(|| {
        format!(
            "InvokeAI {v} is older than {}, the oldest release invokeai-lint knows",
            kb.releases.first().map_or("?", |r| r.version.as_str())
        )
    })?;
    let keys = kb.keys_at(&release.version);
    if json {
        let rows: Vec<KeyRow> = keys.iter().map(row).collect();
        let mut text = serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?;
        text.push('\n');
        return Ok(text);
    }
    Ok(human_table(release, &keys))
}

fn human_table(release: &crate::knowledge::Release, keys: &[KeyAt<'_>]) -> String {
    let nested = release.schema_version.is_none();
    let mut out = String::new();
    let width = crate::table::stdout_width();
    let shape = match &release.schema_version {
        Some(s) => format!("flat file, schema_version {s}"),
        None => "3.x file: each under InvokeAI: → its SECTION".to_string(),
    };
    let heading = format!(
        "InvokeAI {} accepts {} settings ({shape}).",
        release.version,
        keys.len()
    );
    let _ = writeln!(out, "{}", crate::table::fit_text(&heading, width));
    let _ = writeln!(out);

    const TYPE_WIDTH: usize = 44;
    let mut rows: Vec<[String; 5]> = Vec::with_capacity(keys.len() + 1);
    rows.push([
        "NAME".into(),
        if nested {
            "SECTION".into()
        } else {
            String::new()
        },
        "TYPE".into(),
        "DEFAULT".into(),
        "NOTE".into(),
    ]);
    for k in keys {
        let ty = shorten(&k.rev.type_text, TYPE_WIDTH);
        let mut note = Vec::new();
        if !k.rev.constraints.is_empty() {
            note.push(k.rev.constraints.describe());
        }
        if let Some(p) = &k.rev.pattern {
            note.push(format!("matches {p}"));
        }
        if k.deprecated {
            match &k.spec.replaced_by {
                Some(by) => note.push(format!("deprecated, use {by}")),
                None => note.push("deprecated".into()),
            }
        }
        if k.spec.internal {
            note.push("internal".into());
        }
        let default = match &k.rev.default {
            Value::Null => "-".to_string(),
            v => plain(v),
        };
        rows.push([
            k.spec.name.clone(),
            k.rev.v3_section.clone().unwrap_or_default(),
            ty,
            default,
            note.join("; "),
        ]);
    }
    // On a terminal the table fits its width (NOTE and TYPE wrap); piped, it is as wide
    // as its cells.
    let column = |heading, wrap| crate::table::Column {
        heading,
        wrap,
        droppable: false,
    };
    let mut columns = vec![column("NAME", false)];
    if nested {
        columns.push(column("SECTION", true));
    }
    columns.extend([
        column("TYPE", true),
        column("DEFAULT", true),
        column("NOTE", true),
    ]);
    let rows: Vec<Vec<String>> = rows
        .into_iter()
        .skip(1)
        .map(|r| {
            r.into_iter()
                .enumerate()
                .filter(|&(i, _)| nested || i != 1)
                .map(|(_, c)| c)
                .collect()
        })
        .collect();
    out.push_str(&crate::table::render(&columns, &rows, width));
    let footer =
        "`invokeai-lint explain NAME` shows a setting's history; a TYPE cut short ends in …";
    let _ = writeln!(out, "\n{}", crate::table::fit_text(footer, width));
    out
}

/// Long Literal types would push every other column off the screen; `explain` has them whole.
fn shorten(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut s: String = text.chars().take(width.saturating_sub(2)).collect();
    s.push_str("…]");
    s
}

#[cfg(test)]
mod tests;

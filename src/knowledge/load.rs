//! Turning the generated JSON into the typed table.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use super::{Constraints, KeyRevision, KeySpec, Knowledge, Migration, Release, ValueType, Version};

#[derive(Deserialize)]
struct RawTable {
    releases: Vec<RawRelease>,
    keys: Vec<RawKey>,
    v3_layouts: Vec<RawLayout>,
    migrations: Vec<RawMigration>,
}

#[derive(Deserialize)]
struct RawRelease {
    version: String,
    date: String,
    prerelease: bool,
    schema_version: Option<String>,
}

#[derive(Deserialize)]
struct RawKey {
    name: String,
    description: String,
    added_in: String,
    removed_in: Option<String>,
    deprecated_in: Option<String>,
    replaced_by: Option<String>,
    deprecation_note: Option<String>,
    internal: bool,
    env_var: Option<String>,
    source: String,
    notes: Vec<String>,
    history: Vec<RawRevision>,
}

#[derive(Deserialize)]
struct RawRevision {
    since: String,
    #[serde(rename = "type")]
    type_text: String,
    default: Value,
    default_note: Option<String>,
    choices: Option<Vec<Value>>,
    constraints: Option<RawConstraints>,
    pattern: Option<String>,
    v3_section: Option<String>,
}

#[derive(Deserialize)]
struct RawConstraints {
    gt: Option<f64>,
    ge: Option<f64>,
    lt: Option<f64>,
    le: Option<f64>,
}

#[derive(Deserialize)]
struct RawLayout {
    since: String,
    sections: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct RawMigration {
    from: String,
    to_schema: String,
    available_in: String,
    changes: Vec<String>,
}

fn version(text: &str) -> Result<Version, String> {
    Version::parse(text)
}

pub(super) fn from_json(text: &str) -> Result<Knowledge, String> {
    let raw: RawTable = serde_json::from_str(text).map_err(|e| e.to_string())?;

    let mut releases = raw
        .releases
        .into_iter()
        .map(|r| {
            Ok(Release {
                index: 0,
                version: version(&r.version)?,
                date: r.date,
                prerelease: r.prerelease,
                schema_version: r.schema_version,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    if releases.is_empty() || releases.windows(2).any(|w| w[0].version >= w[1].version) {
        return Err("releases must be non-empty and in ascending order".into());
    }

    let mut keys = Vec::with_capacity(raw.keys.len());
    for k in raw.keys {
        let mut notes = k.notes;
        let next_since: Vec<Option<String>> = k
            .history
            .iter()
            .skip(1)
            .map(|h| Some(h.since.clone()))
            .chain(std::iter::once(None))
            .collect();
        let mut history = Vec::with_capacity(k.history.len());
        for (h, next) in k.history.into_iter().zip(next_since) {
            // A computed default is null in the table. Say how it is computed in the notes (so
            // `explain` shows it without a field every rule would have to ignore), unless the
            // fact base's own notes already explain it.
            if let Some(note) = &h.default_note {
                if !notes.iter().any(|n| n.contains("computed")) {
                    notes.push(match next {
                        Some(until) => format!("Default before {until}: {note}."),
                        None => format!("Default from {}: {note}.", h.since),
                    });
                }
            }
            let c = h.constraints;
            history.push(KeyRevision {
                since: version(&h.since)?,
                ty: ValueType::parse(&h.type_text),
                type_text: h.type_text,
                default: h.default,
                choices: h.choices,
                constraints: Constraints {
                    gt: c.as_ref().and_then(|c| c.gt),
                    ge: c.as_ref().and_then(|c| c.ge),
                    lt: c.as_ref().and_then(|c| c.lt),
                    le: c.as_ref().and_then(|c| c.le),
                },
                pattern: h.pattern,
                v3_section: h.v3_section,
            });
        }
        if history.is_empty() {
            return Err(format!("{}: no history", k.name));
        }
        keys.push(KeySpec {
            added_in: version(&k.added_in)?,
            removed_in: k.removed_in.as_deref().map(version).transpose()?,
            deprecated_in: k.deprecated_in.as_deref().map(version).transpose()?,
            name: k.name,
            description: k.description,
            replaced_by: k.replaced_by,
            deprecation_note: k.deprecation_note,
            internal: k.internal,
            env_var: k.env_var,
            source: k.source,
            notes,
            history,
        });
    }

    let v3_sections = raw
        .v3_layouts
        .into_iter()
        .map(|l| Ok((version(&l.since)?, l.sections)))
        .collect::<Result<Vec<_>, String>>()?;

    let migrations = raw
        .migrations
        .into_iter()
        .map(|m| Migration {
            from: m.from,
            to_schema: m.to_schema,
            available_in: m.available_in,
            changes: m.changes,
        })
        .collect();

    for (i, r) in releases.iter_mut().enumerate() {
        r.index = i;
    }
    let by_name = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.name.clone(), i))
        .collect();
    // Answered by `KeySpec::at`, the definition, once per release and key.
    let mut at_release = Vec::with_capacity(releases.len() * keys.len());
    for r in &releases {
        for k in &keys {
            at_release.push(match k.at(&r.version) {
                Some(at) => {
                    let rev = k
                        .history
                        .iter()
                        .position(|h| std::ptr::eq(h, at.rev))
                        .and_then(|i| u16::try_from(i).ok())
                        .ok_or_else(|| format!("{}: too many revisions", k.name))?;
                    Some((rev, at.deprecated))
                }
                None => None,
            });
        }
    }
    Ok(Knowledge {
        releases,
        keys,
        v3_sections,
        migrations,
        by_name,
        at_release,
    })
}

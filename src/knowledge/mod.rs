//! What InvokeAI accepts in invokeai.yaml, release by release.
//!
//! The table lives in `data/invokeai-settings.json`, a file of this project's own
//! making (see `scripts/gen_settings_table.py`), embedded at compile time and
//! parsed once on first use.

pub mod explain;
pub mod pydantic;
pub mod types;
pub mod validate;
pub mod version;
pub mod written;

pub use types::{Constraints, ValueType};
pub use version::Version;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

/// One InvokeAI release the table covers.
#[derive(Clone, Debug)]
pub struct Release {
    /// Position in [`Knowledge::releases`], oldest first: indexes the per-release key table.
    pub index: usize,
    pub version: Version,
    pub date: String,
    pub prerelease: bool,
    /// The `schema_version` this release writes (`None` for 3.x nested files).
    pub schema_version: Option<String>,
}

/// One change of a key's type/default/allowed values/constraints, in force from `since`.
#[derive(Clone, Debug)]
pub struct KeyRevision {
    pub since: Version,
    /// The annotation as the fact base writes it, e.g. `Optional[float]`.
    pub type_text: String,
    pub ty: ValueType,
    pub default: Value,
    /// Literal choices, when the type is a Literal.
    pub choices: Option<Vec<Value>>,
    pub constraints: Constraints,
    /// A regex the value must match (5.15.0+ `device`).
    pub pattern: Option<String>,
    /// 3.x section heading under `InvokeAI:` (None from 4.0.0).
    pub v3_section: Option<String>,
}

/// A setting across all releases.
#[derive(Clone, Debug)]
pub struct KeySpec {
    pub name: String,
    pub description: String,
    pub added_in: Version,
    /// First release without the key (None: still present in the newest release).
    pub removed_in: Option<Version>,
    pub deprecated_in: Option<Version>,
    pub replaced_by: Option<String>,
    pub deprecation_note: Option<String>,
    pub internal: bool,
    pub env_var: Option<String>,
    /// `path@tag` in InvokeAI's repository.
    pub source: String,
    pub notes: Vec<String>,
    /// Oldest first.
    pub history: Vec<KeyRevision>,
}

/// A key as one release has it.
#[derive(Clone, Copy, Debug)]
pub struct KeyAt<'a> {
    pub spec: &'a KeySpec,
    pub rev: &'a KeyRevision,
    pub deprecated: bool,
}

/// A migration step InvokeAI applies when it loads an older file.
#[derive(Clone, Debug)]
pub struct Migration {
    pub from: String,
    pub to_schema: String,
    pub available_in: String,
    pub changes: Vec<String>,
}

pub struct Knowledge {
    pub releases: Vec<Release>,
    pub keys: Vec<KeySpec>,
    /// (first release, section name → keys) for 3.x, oldest first.
    pub v3_sections: Vec<(Version, BTreeMap<String, Vec<String>>)>,
    pub migrations: Vec<Migration>,
    /// Key name → index in `keys`: every setting of every file is looked up here.
    pub by_name: rustc_hash::FxHashMap<String, usize>,
    /// Per release and key (`release.index * keys.len() + key index`), the key as that
    /// release has it: the revision in force and whether it is deprecated. Rules ask this
    /// for every setting of every file; the answer is worked out once, at load.
    pub(crate) at_release: Vec<Option<(u16, bool)>>,
}

static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();

/// The table as generated; parsed once, see [`Knowledge::get`].
const TABLE_JSON: &str = include_str!("../../data/invokeai-settings.json");

/// What 4.0.0+ files have in place of 3.x sections: nothing.
static NO_SECTIONS: BTreeMap<String, Vec<String>> = BTreeMap::new();

impl Knowledge {
    /// The embedded table.
    pub fn get() -> &'static Knowledge {
        KNOWLEDGE.get_or_init(|| {
            // The table is part of the binary and checked by tests, so a failure here is a
            // build defect, not bad input.
            load::from_json(TABLE_JSON).expect("data/invokeai-settings.json is a valid table")
        })
    }

    /// The newest release in the table (6.14.0-rc2 today).
    pub fn newest(&self) -> &Release {
        self.releases.last().expect("table has releases")
    }

    /// The newest final (non-pre-release) release.
    pub fn newest_final(&self) -> &Release {
        self.releases
            .iter()
            .rev()
            .find(|r| !r.prerelease)
            .unwrap_or_else(|| self.newest())
    }

    /// The release whose settings apply to `v`: the newest release ≤ `v`, so 5.6.3 (not in
    /// the table) reads as 5.6.2 and 6.14.0 as 6.14.0-rc2. None when `v` is older than 3.0.0.
    ///
    /// A pre-release the table does not list has the settings of the release it leads to
    /// (3.4.0rc2 already declares 3.4.0's `Optional[Path]` fields and ships pydantic 2): it
    /// reads as the first listed release of the same major.minor.micro at or after it
    /// (3.4.0rc2 → 3.4.0, 6.14.0rc1 → 6.14.0-rc2), and as the newest release before it only
    /// when the table has none.
    pub fn release_for(&self, v: &Version) -> Option<&Release> {
        if v.is_prerelease() {
            let base = v.release();
            if let Some(r) = self
                .releases
                .iter()
                .find(|r| r.version.release() == base && r.version >= *v)
            {
                return Some(r);
            }
        }
        // Releases are sorted (the generator checks), so the answer sits just before the
        // first release newer than `v`.
        let newer = self.releases.partition_point(|r| r.version <= *v);
        newer.checked_sub(1).and_then(|i| self.releases.get(i))
    }

    /// Whether `v` is itself a release in the table (not just covered by one).
    pub fn is_listed(&self, v: &Version) -> bool {
        self.release_for(v).is_some_and(|r| r.version == *v)
    }

    pub fn key(&self, name: &str) -> Option<&KeySpec> {
        self.by_name.get(name).and_then(|&i| self.keys.get(i))
    }

    /// The key as release `v` has it, or None when `v` does not have the key.
    pub fn key_at(&self, name: &str, v: &Version) -> Option<KeyAt<'_>> {
        self.key_in(name, self.release_for(v)?)
    }

    /// The key as `release` (one of this table's releases) has it, from the table made at
    /// load: the same answer as `key_at`, without comparing versions.
    pub fn key_in(&self, name: &str, release: &Release) -> Option<KeyAt<'_>> {
        let k = *self.by_name.get(name)?;
        let spec = self.keys.get(k)?;
        let (rev, deprecated) = (*self.at_release.get(release.index * self.keys.len() + k)?)?;
        Some(KeyAt {
            spec,
            rev: spec.history.get(usize::from(rev))?,
            deprecated,
        })
    }

    /// Every key release `v` accepts, in the table's order.
    pub fn keys_at(&self, v: &Version) -> Vec<KeyAt<'_>> {
        let Some(release) = self.release_for(v) else {
            return Vec::new();
        };
        self.keys
            .iter()
            .filter_map(|k| k.at(&release.version))
            .collect()
    }

    /// The 3.x section layout in force at `v` (empty map from 4.0.0).
    pub fn v3_sections_at(&self, v: &Version) -> Option<&BTreeMap<String, Vec<String>>> {
        let release = self.release_for(v)?;
        if release.version.at_least("4.0.0") {
            return Some(&NO_SECTIONS);
        }
        self.v3_sections
            .iter()
            .rev()
            .find(|(since, _)| *since <= release.version)
            .map(|(_, sections)| sections)
    }

    /// The `schema_version` release `v` writes (None for 3.x).
    pub fn schema_written_by(&self, v: &Version) -> Option<&str> {
        self.release_for(v)?.schema_version.as_deref()
    }

    /// The first and last release that write `schema`.
    pub fn releases_writing_schema(&self, schema: &str) -> Option<(&Release, &Release)> {
        let mut writers = self
            .releases
            .iter()
            .filter(|r| r.schema_version.as_deref() == Some(schema));
        let first = writers.next()?;
        Some((first, writers.next_back().unwrap_or(first)))
    }

    /// Contiguous release ranges in which `name` exists, as (first, last) pairs.
    pub fn ranges_with_key(&self, name: &str) -> Vec<(&Release, &Release)> {
        let Some(spec) = self.key(name) else {
            return Vec::new();
        };
        let mut ranges: Vec<(&Release, &Release)> = Vec::new();
        let mut open: Option<(&Release, &Release)> = None;
        for r in &self.releases {
            if spec.exists_in(&r.version) {
                open = Some(match open {
                    Some((first, _)) => (first, r),
                    None => (r, r),
                });
            } else if let Some(done) = open.take() {
                ranges.push(done);
            }
        }
        ranges.extend(open);
        ranges
    }

    /// Keys close to `name` among those release `v` accepts, best first (did-you-mean).
    pub fn suggest(&self, name: &str, v: &Version) -> Vec<&str> {
        // A fleet repeats the same misspellings in many files: each (name, release) pair is
        // ranked once per thread, and the answer kept as key indices.
        // Keyed by release, then name, so a lookup borrows the name instead of building
        // a key.
        type Seen = rustc_hash::FxHashMap<usize, rustc_hash::FxHashMap<String, Vec<usize>>>;
        thread_local! {
            static SEEN: std::cell::RefCell<Seen> = std::cell::RefCell::new(Seen::default());
            static SEEN_COUNT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }
        let Some(release) = self.release_for(v) else {
            return Vec::new();
        };
        let v = &release.version;
        let hit = SEEN.with(|c| {
            c.borrow()
                .get(&release.index)
                .and_then(|by_name| by_name.get(name))
                .map(|hit| {
                    hit.iter()
                        .filter_map(|&i| self.keys.get(i))
                        .map(|k| k.name.as_str())
                        .collect::<Vec<&str>>()
                })
        });
        if let Some(hit) = hit {
            return hit;
        }
        let found = suggest::closest(
            name,
            self.keys.iter().filter(|k| k.exists_in(v)).map(|k| {
                let deprecated = k.deprecated_in.as_ref().is_some_and(|d| d <= v);
                (k.name.as_str(), deprecated)
            }),
        );
        let indices: Vec<usize> = found
            .iter()
            .filter_map(|n| self.by_name.get(*n).copied())
            .collect();
        // Bounded: a file of random keys must not grow the cache without end.
        if SEEN_COUNT.get() < 4096 {
            SEEN_COUNT.set(SEEN_COUNT.get() + 1);
            SEEN.with(|c| {
                c.borrow_mut()
                    .entry(release.index)
                    .or_default()
                    .insert(name.to_string(), indices);
            });
        }
        found
    }

    /// Keys close to `name` among every key any release had (for `explain`).
    pub fn suggest_any(&self, name: &str) -> Vec<&str> {
        // Across releases "deprecated" has no single answer; keys that still exist in the
        // newest release rank first.
        let newest = &self.newest().version;
        suggest::closest(
            name,
            self.keys
                .iter()
                .map(|k| (k.name.as_str(), !k.exists_in(newest))),
        )
    }
}

impl KeySpec {
    /// Whether release `v` has this key (added_in ≤ v < removed_in).
    pub fn exists_in(&self, v: &Version) -> bool {
        self.added_in <= *v && self.removed_in.as_ref().is_none_or(|r| v < r)
    }

    /// The revision in force at `v`, if `v` has the key.
    pub fn at(&self, v: &Version) -> Option<KeyAt<'_>> {
        if !self.exists_in(v) {
            return None;
        }
        let rev = self.history.iter().rev().find(|h| h.since <= *v)?;
        Some(KeyAt {
            spec: self,
            rev,
            deprecated: self.deprecated_in.as_ref().is_some_and(|d| d <= v),
        })
    }

    /// The newest revision.
    pub fn latest(&self) -> Option<&KeyRevision> {
        self.history.last()
    }
}

mod load;
mod suggest;

#[cfg(test)]
mod tests;

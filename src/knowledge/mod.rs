//! What InvokeAI accepts in invokeai.yaml, release by release.
//!
//! The table lives in `data/invokeai-settings.json`, a file of this project's own
//! making (see `scripts/gen_settings_table.py`), embedded at compile time and
//! parsed once on first use.

pub mod explain;
pub mod types;
pub mod validate;
pub mod version;

pub use types::{Constraints, ValueType};
pub use version::Version;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

/// One InvokeAI release the table covers.
#[derive(Clone, Debug)]
pub struct Release {
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
}

static KNOWLEDGE: OnceLock<Knowledge> = OnceLock::new();

impl Knowledge {
    /// The embedded table.
    pub fn get() -> &'static Knowledge {
        KNOWLEDGE.get_or_init(|| todo!("load data/invokeai-settings.json"))
    }

    /// The newest release in the table (6.14.0-rc2 today).
    pub fn newest(&self) -> &Release {
        self.releases.last().expect("table has releases")
    }

    /// The newest final (non-pre-release) release.
    pub fn newest_final(&self) -> &Release {
        todo!()
    }

    /// The release whose settings apply to `v`: the newest release ≤ `v`, so 5.6.3 (not in
    /// the table) reads as 5.6.2 and 6.14.0 as 6.14.0-rc2. None when `v` is older than 3.0.0.
    pub fn release_for(&self, _v: &Version) -> Option<&Release> {
        todo!()
    }

    pub fn key(&self, _name: &str) -> Option<&KeySpec> {
        todo!()
    }

    /// The key as release `v` has it, or None when `v` does not have the key.
    pub fn key_at(&self, _name: &str, _v: &Version) -> Option<KeyAt<'_>> {
        todo!()
    }

    /// Every key release `v` accepts, in the table's order.
    pub fn keys_at(&self, _v: &Version) -> Vec<KeyAt<'_>> {
        todo!()
    }

    /// The 3.x section layout in force at `v` (empty map from 4.0.0).
    pub fn v3_sections_at(&self, _v: &Version) -> Option<&BTreeMap<String, Vec<String>>> {
        todo!()
    }

    /// The `schema_version` release `v` writes (None for 3.x).
    pub fn schema_written_by(&self, _v: &Version) -> Option<&str> {
        todo!()
    }

    /// The first and last release that write `schema`.
    pub fn releases_writing_schema(&self, _schema: &str) -> Option<(&Release, &Release)> {
        todo!()
    }

    /// Contiguous release ranges in which `name` exists, as (first, last) pairs.
    pub fn ranges_with_key(&self, _name: &str) -> Vec<(&Release, &Release)> {
        todo!()
    }

    /// Keys close to `name` among those release `v` accepts, best first (did-you-mean).
    pub fn suggest(&self, _name: &str, _v: &Version) -> Vec<&str> {
        todo!()
    }
}

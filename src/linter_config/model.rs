//! What a linter config says, once read: the settings of one file ([`LinterConfig`]) and
//! what applies to one linted file ([`FileSettings`]).

use std::path::{Path, PathBuf};

use globset::GlobSet;

use crate::diagnostic::Severity;
use crate::facts::{Fact, Origin};
use crate::paths::relative_to;
use crate::selection::{Layer, RuleSet};

pub const FILE_NAME: &str = "invokeai-lint.toml";

/// Largest linter config read; a fleet manifest is a few KB.
pub const MAX_BYTES: u64 = 1024 * 1024;

pub const TOP_KEYS: &[&str] = &[
    "extend",
    "select",
    "extend-select",
    "ignore",
    "severity",
    "fail-on",
    "max-warnings",
    "include",
    "exclude",
    "facts",
    "overrides",
];
pub const OVERRIDE_KEYS: &[&str] = &[
    "paths",
    "facts",
    "select",
    "extend-select",
    "ignore",
    "severity",
];
pub const FACT_KEYS: &[&str] = &["invokeai_version", "vram_gb", "ram_gb", "device", "os"];
pub const OS_NAMES: &[&str] = &["linux", "windows", "macos"];

/// Facts a table of the linter config gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FactValues {
    pub invokeai_version: Option<String>,
    pub vram_gb: Option<f64>,
    pub ram_gb: Option<f64>,
    pub device: Option<String>,
    pub os: Option<String>,
}

/// One `[[overrides]]` entry.
#[derive(Clone, Debug)]
pub struct Override {
    /// Matches paths relative to the directory of the config that declares it.
    /// 1-based, as people count them in the file.
    pub number: usize,
    pub paths: Vec<String>,
    pub(crate) matcher: GlobSet,
    pub facts: FactValues,
    pub rules: Layer,
}

impl Override {
    /// How messages and print-config name this entry: `[[overrides]] #2 (fleet/12gb/**)`.
    pub fn table_name(&self) -> String {
        format!("[[overrides]] #{} ({})", self.number, self.paths.join(", "))
    }
}

#[derive(Clone, Debug)]
pub struct LinterConfig {
    /// How the file is named in messages and origins (as found or given).
    pub display: String,
    /// Absolute directory the file is in: paths in it are relative to this.
    pub dir: PathBuf,
    pub rules: Layer,
    pub facts: FactValues,
    pub overrides: Vec<Override>,
    pub include: Vec<String>,
    pub(crate) include_set: GlobSet,
    pub exclude: Vec<String>,
    pub(crate) exclude_set: GlobSet,
    pub fail_on: Option<Severity>,
    pub max_warnings: Option<usize>,
    /// `extend = "../invokeai-lint.toml"`: the config this one inherits from, as written
    /// (relative to [`LinterConfig::dir`]), and where it is written (`file:line:col`).
    pub extend: Option<(String, String)>,
}

/// Facts from the linter config for one file, each with the table that gave it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigFacts {
    pub invokeai_version: Option<Fact<String>>,
    pub vram_gb: Option<Fact<f64>>,
    pub ram_gb: Option<Fact<f64>>,
    pub device: Option<Fact<String>>,
    pub os: Option<Fact<String>>,
}

/// What the linter config says about one file.
#[derive(Clone, Debug)]
pub struct FileSettings {
    pub rules: RuleSet,
    pub facts: ConfigFacts,
    /// The `[[overrides]]` entries that matched, in the order applied, as messages name
    /// them (`[[overrides]] #2 (lab-8gb/**)`; an extended config's with its file first).
    pub overrides: Vec<String>,
    /// `fail-on` and `max-warnings` from the linter config, with the file that set them:
    /// each config judges the files it governs.
    pub fail_on: Option<(Severity, String)>,
    pub max_warnings: Option<(usize, String)>,
}

impl LinterConfig {
    /// The path of `file` relative to this config's directory, `/`-separated, or None when
    /// the file is outside it (then no glob of the config can match it).
    pub fn relative(&self, cwd: &Path, file: &Path) -> Option<String> {
        relative_to(&self.dir, cwd, file)
    }

    /// The `include` globs, when there are any.
    pub fn include_set(&self) -> Option<&GlobSet> {
        (!self.include.is_empty()).then_some(&self.include_set)
    }

    /// The `exclude` globs, when there are any.
    pub fn exclude_set(&self) -> Option<&GlobSet> {
        (!self.exclude.is_empty()).then_some(&self.exclude_set)
    }

    /// Matched by `include`; `rel` as for [`LinterConfig::matching_overrides`].
    pub fn includes(&self, rel: &str) -> bool {
        self.include_set.is_match(rel)
    }

    /// Numbers of the overrides whose paths match `rel` (relative to [`LinterConfig::dir`],
    /// see [`LinterConfig::relative`]), in file order.
    pub fn matching_overrides(&self, rel: Option<&str>) -> Vec<usize> {
        let Some(rel) = rel else { return Vec::new() };
        self.overrides
            .iter()
            .filter(|o| o.matcher.is_match(rel))
            .map(|o| o.number)
            .collect()
    }

    /// Excluded itself, or inside an excluded directory (`exclude = ["vendor"]`); `rel` as
    /// for [`LinterConfig::matching_overrides`].
    pub fn excludes(&self, rel: &str) -> bool {
        self.exclude_set.is_match(rel)
            || rel.match_indices('/').any(|(i, _)| {
                rel.get(..i)
                    .is_some_and(|dir| self.exclude_set.is_match(dir))
            })
    }
}

/// Settings when there is no linter config: defaults and flags.
pub fn settings_without_config(flags: &Layer) -> FileSettings {
    FileSettings {
        rules: RuleSet::defaults().with_layers([flags]),
        facts: ConfigFacts::default(),
        overrides: Vec::new(),
        fail_on: None,
        max_warnings: None,
    }
}

impl Default for FileSettings {
    /// Every rule at its default severity, no facts: no linter config and no flags.
    fn default() -> Self {
        settings_without_config(&Layer::new(crate::selection::LayerOrigin::Flags))
    }
}

impl ConfigFacts {
    pub fn merge(&mut self, v: &FactValues, file: &str, table: &str) {
        let origin = |key: &str| Origin::LinterConfig {
            file: file.to_string(),
            detail: format!("{table} {key}"),
        };
        if let Some(x) = &v.invokeai_version {
            self.invokeai_version = Some(Fact::new(x.clone(), origin("invokeai_version")));
        }
        if let Some(x) = v.vram_gb {
            self.vram_gb = Some(Fact::new(x, origin("vram_gb")));
        }
        if let Some(x) = v.ram_gb {
            self.ram_gb = Some(Fact::new(x, origin("ram_gb")));
        }
        if let Some(x) = &v.device {
            self.device = Some(Fact::new(x.clone(), origin("device")));
        }
        if let Some(x) = &v.os {
            self.os = Some(Fact::new(x.clone(), origin("os")));
        }
    }
}

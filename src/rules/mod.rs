//! The rule trait and the registry. One rule per file; one doc per rule in `rules/<name>.md`.

use std::cell::{OnceCell, RefCell};

use crate::config::{ConfigFile, Setting};
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::{Facts, Target};
use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::validate::Invalid;
use crate::knowledge::{KeyAt, Knowledge};

pub use crate::diagnostic::{Category, RuleMeta};

/// A fact a rule needed and did not have; reported once per run by the `missing-fact` rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Needed {
    Vram,
    Ram,
    Device,
}

pub struct Context<'a> {
    pub config: &'a ConfigFile,
    pub facts: &'a Facts,
    pub target: &'a Target,
    pub kb: &'static Knowledge,
    needed: RefCell<Vec<(Needed, &'static str, Location)>>,
    /// Worked out once per file: several rules walk the same settings and values.
    settings: OnceCell<Vec<Setting<'a>>>,
    invalid: OnceCell<Vec<(Setting<'a>, KeyAt<'static>, Invalid)>>,
}

impl<'a> Context<'a> {
    pub fn new(config: &'a ConfigFile, facts: &'a Facts, target: &'a Target) -> Self {
        Context {
            config,
            facts,
            target,
            kb: Knowledge::get(),
            needed: RefCell::new(Vec::new()),
            settings: OnceCell::new(),
            invalid: OnceCell::new(),
        }
    }

    /// Every `key: value` the config sets (see [`ConfigFile::settings`]).
    pub fn settings(&self) -> &[Setting<'a>] {
        self.settings.get_or_init(|| self.config.settings())
    }

    /// Settings whose value InvokeAI would reject, with why.
    pub fn invalid_values(&self) -> &[(Setting<'a>, KeyAt<'static>, Invalid)] {
        self.invalid.get_or_init(|| values::invalid_values(self))
    }

    /// The pydantic the target release ships: its lax mode decides which values load.
    pub fn pydantic(&self) -> Pydantic {
        Pydantic::shipped_with(&self.target.version)
    }

    /// Record that `rule` would have checked something with this fact.
    pub fn need(&self, fact: Needed, rule: &'static str, at: Location) {
        self.needed.borrow_mut().push((fact, rule, at));
    }

    pub fn take_needed(&self) -> Vec<(Needed, &'static str, Location)> {
        std::mem::take(&mut self.needed.borrow_mut())
    }
}

pub mod attention_settings;
pub mod config_not_read;
pub mod cors_credentials_wildcard;
pub mod cuda_alloc_conf;
pub mod deprecated_key;
pub mod device_mismatch;
pub mod device_working_mem;
pub mod duplicate_key;
pub mod empty_config;
pub mod flat_config_for_v3;
pub mod foreign_home_path;
mod gpu;
pub mod hashing_random;
mod hygiene;
pub mod invalid_choice;
pub mod invalid_encoding;
pub mod keep_ram_copy;
pub mod legacy_config_file;
pub mod log_handler;
pub mod log_oom;
pub mod log_sql_without_debug;
pub mod log_vram_pressure;
mod machine;
pub mod max_cache_ram_over_system;
pub mod max_cache_vram_over_budget;
pub mod misplaced_v3_key;
pub mod missing_fact;
pub mod missing_schema_version;
pub mod multiple_documents;
pub mod network_exposure;
pub mod node_filter;
pub mod not_a_mapping;
pub mod out_of_range;
pub mod partial_loading;
pub mod path_escape;
pub mod png_compress_level;
pub mod precision_device;
pub mod queue_size;
pub mod relative_path;
pub mod risky_switch;
pub mod schema_newer_than_logged;
mod schema_version;
pub mod schema_version_outdated;
pub mod schema_version_too_new;
pub mod secret_in_config;
pub mod ssl_pair;
pub mod unexpanded_path;
pub mod unknown_key;
pub mod unused_suppression;
pub mod util;
pub mod v3_config_migrated;
pub mod v3_interpolation;
pub mod v3_section_not_a_mapping;
mod values;
pub mod version_conflict;
pub mod vram_cap_overrides_working_mem;
pub mod wrong_type;
pub mod yaml_syntax;

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>);
}

/// Every rule, in code order.
pub fn all() -> &'static [&'static dyn Rule] {
    &[
        &yaml_syntax::YamlSyntax,
        &duplicate_key::DuplicateKey,
        &empty_config::EmptyConfig,
        &not_a_mapping::NotAMapping,
        &multiple_documents::MultipleDocuments,
        &invalid_encoding::InvalidEncoding,
        &path_escape::PathEscape,
        &unknown_key::UnknownKey,
        &wrong_type::WrongType,
        &out_of_range::OutOfRange,
        &invalid_choice::InvalidChoice,
        &deprecated_key::DeprecatedKey,
        &missing_schema_version::MissingSchemaVersion,
        &schema_version_too_new::SchemaVersionTooNew,
        &schema_version_outdated::SchemaVersionOutdated,
        &v3_config_migrated::V3ConfigMigrated,
        &flat_config_for_v3::FlatConfigForV3,
        &misplaced_v3_key::MisplacedV3Key,
        &v3_section_not_a_mapping::V3SectionNotAMapping,
        &v3_interpolation::V3Interpolation,
        &max_cache_vram_over_budget::MaxCacheVramOverBudget,
        &vram_cap_overrides_working_mem::VramCapOverridesWorkingMem,
        &device_working_mem::DeviceWorkingMem,
        &max_cache_ram_over_system::MaxCacheRamOverSystem,
        &keep_ram_copy::KeepRamCopy,
        &partial_loading::PartialLoading,
        &cuda_alloc_conf::CudaAllocConf,
        &device_mismatch::DeviceMismatch,
        &precision_device::PrecisionDevice,
        &attention_settings::AttentionSettings,
        &version_conflict::VersionConflict,
        &config_not_read::ConfigNotRead,
        &schema_newer_than_logged::SchemaNewerThanLogged,
        &log_oom::LogOom,
        &log_vram_pressure::LogVramPressure,
        &network_exposure::NetworkExposure,
        &cors_credentials_wildcard::CorsCredentialsWildcard,
        &secret_in_config::SecretInConfig,
        &risky_switch::RiskySwitch,
        &unexpanded_path::UnexpandedPath,
        &relative_path::RelativePath,
        &ssl_pair::SslPair,
        &foreign_home_path::ForeignHomePath,
        &log_handler::LogHandler,
        &log_sql_without_debug::LogSqlWithoutDebug,
        &png_compress_level::PngCompressLevel,
        &hashing_random::HashingRandom,
        &node_filter::NodeFilter,
        &queue_size::QueueSize,
        &legacy_config_file::LegacyConfigFile,
    ]
}

/// Rules that are not run per config but still have a code, a doc and a place in `rules`.
pub fn metas() -> Vec<&'static RuleMeta> {
    let mut m: Vec<&'static RuleMeta> = all().iter().map(|r| r.meta()).collect();
    m.push(&missing_fact::META);
    m.push(&unused_suppression::META);
    m.sort_by_key(|m| m.code);
    m
}

/// Find a rule by code (`IL101`, any case) or name (`unknown-key`).
pub fn find(id: &str) -> Option<&'static RuleMeta> {
    metas()
        .into_iter()
        .find(|m| m.code.eq_ignore_ascii_case(id) || m.name == id)
}

//! The linter's own config, `invokeai-lint.toml`: rule selection and severities, the exit
//! threshold, discovery globs, and facts per path (the fleet manifest).
//!
//! [`model`] is what a config says; [`parse`] reads one file; [`resolve`] decides which
//! config governs each linted file (the nearest `invokeai-lint.toml`, with what it
//! `extend`s) and combines a chain into the settings of one file; [`show`] lays facts out
//! for print-config. Each file uses only the ones before it.

pub mod model;
mod parse;
pub mod resolve;
pub mod show;
#[cfg(test)]
mod tests;

pub use crate::paths::{absolute, relative_to};
pub use model::{
    settings_without_config, ConfigFacts, FactValues, FileSettings, LinterConfig, Override,
    FACT_KEYS, FILE_NAME, MAX_BYTES, OS_NAMES, OVERRIDE_KEYS, TOP_KEYS,
};
pub use parse::glob_set;
pub use resolve::{settings_for_path, ConfigChain, Resolver};
pub use show::{facts_table, Shown};

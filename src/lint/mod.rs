//! The lint pipeline, one stage per file. Data flows one way, down this list; each file
//! uses only the ones above it (a test, `tests/module_graph.rs`, keeps it so):
//!
//! 1. [`input`] — what the run was asked (paths, flags, stdin); [`read`] — a config's
//!    bytes, bounded, and the parsed config.
//! 2. [`settings`] — per file: the linter config that governs it (the nearest
//!    `invokeai-lint.toml`, see [`crate::linter_config::resolve`]), the overrides that
//!    match it, and its log: a [`settings::Job`].
//! 3. [`facts`] — the file's facts, in order of trust: flags, linter config, `--detect`,
//!    log.
//! 4. [`target`] — the release it is linted against.
//! 5. [`engine`] — every rule, then inline suppressions, then selection and severities.
//! 6. [`missing`] — `missing-fact` said once per run, not once per file; [`result`] is
//!    what one file gives.
//! 7. [`workers`] — stages 2–6 for every file on every core while the walk goes on;
//!    [`outcome`] — the report and the exit code; [`run`] — the whole command in order,
//!    with the baseline.
//!
//! Two entry points:
//! - [`run()`] — the `lint` command: discovery, a linter config per file, logs, workers,
//!   baseline, exit settings.
//! - [`lint_text`] — the engine alone: one config's text in memory, with the rule
//!   settings ([`crate::linter_config::FileSettings::rules`], or
//!   [`crate::selection::RuleSet::defaults`]), facts ([`combine_facts`]) and target
//!   ([`choose_target_for`]) given, and no filesystem access. For an editor server or a fix
//!   loop; [`lint_config`] takes an already parsed config and can leave inline
//!   suppressions out.

pub mod engine;
pub mod facts;
pub mod input;
mod missing;
pub mod outcome;
pub mod read;
mod result;
pub mod run;
pub mod settings;
pub mod target;
mod workers;

pub use crate::config::MAX_CONFIG_BYTES;
pub use engine::{
    apply_selection, check_config, check_config_selected, lint_config, lint_text, TextFindings,
};
pub use facts::{base_facts, combine_facts};
pub use input::{FlagFacts, LintInput, UsageError};
pub use outcome::{exit_code, BaselineStats, ExitRule, Outcome};
pub use read::{config_from_bytes, decode, load_config, read_config_bytes};
pub use run::{lint, run};
pub use settings::{resolver, AUTO_LOG_NAME};
pub use target::{choose_target, choose_target_for};

//! invokeai-lint: checks InvokeAI's invokeai.yaml against the release it runs and the
//! facts in InvokeAI's own console log.
//!
//! Data flows one way: inputs → parse (yaml, log) → facts → rules → report.

pub mod baseline;
pub mod bounded;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod edits;
pub mod encoding;
pub mod facts;
pub mod fix;
pub mod fix_output;
pub mod fuzzing;
pub mod guide;
pub mod host;
pub mod knowledge;
pub mod lint;
pub mod linter_config;
pub mod log;
pub mod migrate;
pub mod open;
pub mod paths;
pub mod print_config;
pub mod python_re;
pub mod redact;
pub mod report;
pub mod rules;
pub mod schema;
pub mod selection;
pub mod server;
pub mod source;
pub mod statistics;
pub mod suppress;
pub mod table;
pub mod walk_choice;
pub mod write;
pub mod yaml;

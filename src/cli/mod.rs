//! The command line: parse arguments, call the library, map results to exit codes.
//!
//! Exit codes (docs/exit-codes.md): 0 nothing at or above `--fail-on`, 1 findings at or
//! above it (or more warnings than `--max-warnings`), 2 a usage, config or I/O error.
//! Never 101: a panic is caught and reported as an internal error with exit 2.

//!
//! One file per group of subcommands: [`args`] is the grammar (clap), [`lint`] runs `lint`
//! and `print-config`, [`baseline`], [`reference`] (`rules`, `explain`, `keys`,
//! `schema`), [`facts`] (`facts`, `guide`), [`migrate`]; [`output`] is where their text
//! goes. This file parses, dispatches and keeps the exit-code contract.

use std::io::Write;

use clap::{CommandFactory, Parser};

mod args;
mod baseline;
mod facts;
mod lint;
pub mod migrate;
mod output;
mod reference;

pub use args::{
    BaselineCommand, Cli, ColorChoice, Command, FactArgs, FailOn, LintArgs, ListFormat,
    PrintConfigArgs, SchemaCommand, SettingsArgs,
};
use output::stdout_error;
pub use output::use_color;

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    // A panic is a bug, but the exit contract still holds: say so and exit 2, not 101.
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(msg)) => {
            eprintln!("invokeai-lint: error: {msg}");
            2
        }
        Err(_) => {
            eprintln!(
                "invokeai-lint: internal error (a bug in invokeai-lint; the message above says where). Please report it with the input that caused it."
            );
            2
        }
    }
}

fn run(cli: Cli) -> Result<i32, String> {
    match cli.command {
        Command::Lint(args) => lint::run_lint(args),
        Command::Rules { format } => {
            reference::print_rules(format)?;
            Ok(0)
        }
        Command::Explain { what } => reference::explain(&what),
        Command::Keys {
            invokeai_version,
            format,
        } => reference::keys(invokeai_version.as_deref(), format),
        Command::Facts {
            host: true, format, ..
        } => facts::host(format),
        Command::Facts { logs, format, .. } => facts::facts(&logs, format),
        Command::PrintConfig(args) => lint::print_config(args),
        Command::Schema { which } => reference::schema(which),
        Command::Baseline { action } => baseline::baseline(action),
        Command::Migrate(args) => migrate::run(&args),
        Command::Guide {
            facts,
            working_mem_gb,
        } => facts::guide(facts, working_mem_gb),
        Command::Server => crate::server::run().map(|()| 0),
        Command::Completions { shell } => {
            let mut out = std::io::stdout().lock();
            // `generate` panics on a write error; write to memory, then to stdout.
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "invokeai-lint", &mut buf);
            out.write_all(&buf)
                .and_then(|()| out.flush())
                .map_err(stdout_error)?;
            Ok(0)
        }
    }
}

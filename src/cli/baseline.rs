//! `baseline create` and `baseline check`: record today's findings, or compare a run with
//! a recorded baseline and say when it has gone stale.

use super::args::BaselineCommand;
use super::lint::{emit, split};
use super::output::write_file;
use crate::baseline::Baseline;
use crate::lint;

pub(super) fn baseline(action: BaselineCommand) -> Result<i32, String> {
    match action {
        BaselineCommand::Create { file, lint: args } => {
            if args.baseline.is_some() {
                return Err("baseline create writes a baseline; --baseline reads one".into());
            }
            let (input, show) = split(args);
            let outcome = lint::run(&input).map_err(|e| e.0)?;
            let report = &outcome.report;
            for (path, why) in &report.skipped {
                eprintln!("invokeai-lint: error: cannot lint {path}: {why}");
            }
            if !report.skipped.is_empty() {
                return Ok(2);
            }
            let b = Baseline::from_diagnostics(&report.diagnostics);
            write_file(&file, b.to_json().as_bytes(), &report.files)?;
            if !show.quiet {
                eprintln!(
                    "invokeai-lint: wrote {} finding{} in {} file{} to {}",
                    b.total(),
                    if b.total() == 1 { "" } else { "s" },
                    report.files.len(),
                    if report.files.len() == 1 { "" } else { "s" },
                    file.display()
                );
            }
            Ok(0)
        }
        BaselineCommand::Check { file, lint: args } => {
            if args.baseline.is_some() {
                return Err("baseline check reads FILE; leave out --baseline".into());
            }
            let (mut input, show) = split(args);
            input.baseline = Some(file.clone());
            let outcome = lint::run(&input).map_err(|e| e.0)?;
            let code = emit(&outcome, &show)?;
            let fixed = outcome.baseline.map_or(0, |b| b.fixed);
            if code == 0 && fixed > 0 {
                eprintln!(
                    "invokeai-lint: {} is stale: {fixed} finding{} it lists {} gone; run `invokeai-lint baseline create {}` with the same arguments to shrink it",
                    file.display(),
                    if fixed == 1 { "" } else { "s" },
                    if fixed == 1 { "is" } else { "are" },
                    file.display()
                );
                return Ok(1);
            }
            Ok(code)
        }
    }
}

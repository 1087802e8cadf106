//! `lint` and `print-config`: the command-line flags turned into the library's
//! [`LintInput`], the run (with `--fix` / `--diff`), and the report rendered where it was
//! asked for with the exit code it implies.

use std::io::Write;
use std::path::PathBuf;

use super::args::{
    ColorChoice, FactArgs, FailOn, LintArgs, ListFormat, PrintConfigArgs, SettingsArgs,
};
use super::output::{print_out, say, stdout_error, use_color, write_file};
use crate::lint::{self, LintInput, Outcome};
use crate::report::{self, Format};

pub(super) fn apply_facts(input: &mut LintInput, f: FactArgs) {
    input.invokeai_version = f.invokeai_version;
    input.vram_gb = f.vram_gb;
    input.ram_gb = f.ram_gb;
    input.device = f.device;
    input.os = f.os;
    input.log = f.log;
    input.detect = f.detect;
}

fn apply_settings(input: &mut LintInput, s: SettingsArgs) {
    input.config = s.config;
    input.isolated = s.isolated;
    input.select = s.select;
    input.extend_select = s.extend_select;
    input.ignore = s.ignore;
    input.fail_on = s.fail_on.map(FailOn::severity);
    input.max_warnings = s.max_warnings;
}

/// How to show a run, taken out of [`LintArgs`] before its inputs are used.
pub(super) struct Show {
    format: Format,
    color: ColorChoice,
    output_file: Option<PathBuf>,
    statistics: bool,
    pub(super) quiet: bool,
    exit_zero: bool,
    /// The report goes to stderr (stdout carries stdin's fixed text).
    to_stderr: bool,
}

pub(super) fn split(args: LintArgs) -> (LintInput, Show) {
    let show = Show {
        format: args.format,
        color: args.color,
        output_file: args.output_file,
        statistics: args.statistics,
        quiet: args.quiet,
        exit_zero: args.exit_zero,
        to_stderr: false,
    };
    let mut input = LintInput {
        paths: args.paths,
        force_exclude: args.force_exclude,
        stdin_filename: args.stdin_filename,
        no_inline_suppressions: args.no_inline_suppressions,
        baseline: args.baseline,
        ..Default::default()
    };
    apply_facts(&mut input, args.facts);
    apply_settings(&mut input, args.settings);
    (input, show)
}

pub(super) fn run_lint(args: LintArgs) -> Result<i32, String> {
    if args.unsafe_fixes && !args.fix && !args.diff {
        return Err("--unsafe-fixes needs --fix or --diff".into());
    }
    let (fix, diff) = (args.fix, args.diff);
    let mode = match (fix || diff, args.unsafe_fixes) {
        (false, _) => None,
        (true, false) => Some(crate::fix::FixMode::Safe),
        (true, true) => Some(crate::fix::FixMode::All),
    };
    let (mut input, mut show) = split(args);
    check_statistics_format(&show)?;
    input.fix = mode;
    let mut outcome = lint::run(&input).map_err(|e| e.0)?;
    if diff {
        return crate::fix_output::print_diff(&outcome, show.quiet);
    }
    if fix {
        let again = crate::fix_output::finish_fix(&outcome, show.quiet)?;
        if again {
            // A file was left as it was: report from the files as they are.
            input.fix = None;
            outcome = lint::run(&input).map_err(|e| e.0)?;
        }
        // Stdin's fixed text went to stdout: the report goes to stderr.
        show.to_stderr = outcome.fixed.iter().any(|f| f.path.is_none());
    }
    let code = emit(&outcome, &show);
    // The process exits next: freeing every finding and source text one by one would
    // only cost time (a few percent of a 10 000-file run).
    std::mem::forget(outcome);
    code
}

/// `--statistics` prints a table of counts (or JSON): it has no SARIF, GitHub, GitLab
/// or JUnit form, and printing the table under such a flag would feed a CI tool text it
/// cannot read.
fn check_statistics_format(show: &Show) -> Result<(), String> {
    match show.format {
        Format::Human | Format::Concise | Format::Json => Ok(()),
        _ if !show.statistics => Ok(()),
        other => Err(format!(
            "--statistics prints counts as text or JSON; it cannot be combined with --format {}",
            clap::ValueEnum::to_possible_value(&other)
                .map_or_else(String::new, |v| v.get_name().to_string())
        )),
    }
}

/// Render the report where it was asked for, say on stderr what the report does not,
/// and decide the exit code.
pub(super) fn emit(outcome: &Outcome, show: &Show) -> Result<i32, String> {
    let report = &outcome.report;
    // Nothing to show: no file linted, and (for the formats read by people) nothing but
    // inputs that could not be read, which stderr already says; machine formats still get
    // their document, listing the inputs they skipped.
    let nothing_linted = report.files.is_empty()
        && (report.skipped.is_empty() || matches!(show.format, Format::Human | Format::Concise));
    let color = show.output_file.is_none() && use_color(show.color);
    let streams = show.output_file.is_none()
        && !show.statistics
        && !(show.quiet && matches!(show.format, Format::Human | Format::Concise));
    if streams {
        // Straight to stdout through a small buffer: a tree of configs gives megabytes of
        // report, and holding it all in memory first only costs fresh pages.
        let sink: Box<dyn Write> = if show.to_stderr {
            Box::new(std::io::stderr().lock())
        } else {
            Box::new(std::io::stdout().lock())
        };
        let mut out = std::io::BufWriter::with_capacity(64 * 1024, sink);
        if !nothing_linted {
            report::render(report, show.format, color, &mut out).map_err(stdout_error)?;
        }
        out.flush().map_err(stdout_error)?;
    } else {
        // A file is written whole (atomically), and `--quiet` drops the closing summary,
        // so these go through memory.
        let mut buf: Vec<u8> = Vec::new();
        if !nothing_linted {
            if show.statistics {
                let counts = crate::statistics::count(&report.diagnostics);
                let written = if show.format == Format::Json {
                    crate::statistics::render_json(&counts, &mut buf)
                } else {
                    crate::statistics::render_text(&counts, &mut buf).and_then(|()| {
                        if show.quiet {
                            Ok(())
                        } else {
                            writeln!(buf, "{}", report::summary_line(report))
                        }
                    })
                };
                written.map_err(|e| e.to_string())?;
            } else {
                report::render(report, show.format, color, &mut buf).map_err(|e| e.to_string())?;
                if show.quiet && matches!(show.format, Format::Human | Format::Concise) {
                    let summary = match show.format {
                        Format::Human => {
                            report::human::summary(report, &report::human_style(color))
                        }
                        _ => report::summary_line(report),
                    };
                    strip_summary(&mut buf, &summary);
                }
            }
        }
        match &show.output_file {
            Some(path) => write_file(path, &buf, &report.files)?,
            None if show.to_stderr => {
                let mut out = std::io::stderr().lock();
                out.write_all(&buf).map_err(|e| e.to_string())?;
                out.flush().map_err(|e| e.to_string())?;
            }
            None => {
                let mut out = std::io::stdout().lock();
                out.write_all(&buf).map_err(stdout_error)?;
                out.flush().map_err(stdout_error)?;
            }
        }
    }
    for (path, why) in &report.skipped {
        eprintln!("invokeai-lint: error: cannot lint {path}: {why}");
    }
    if !show.quiet {
        for n in &outcome.notes {
            say(&format!("invokeai-lint: note: {n}"));
        }
        if let Some(b) = outcome.baseline {
            say(&format!(
                "invokeai-lint: baseline: {} known finding{} not shown; {} fixed since the baseline was made",
                b.known,
                if b.known == 1 { "" } else { "s" },
                b.fixed
            ));
        }
    }
    let (code, why) = lint::exit_code(outcome, show.exit_zero);
    if let Some(why) = why {
        say(&format!("invokeai-lint: {why}"));
    }
    Ok(code)
}

/// Drop the closing summary sentence (plain or bold) that the human and concise formats end with.
fn strip_summary(buf: &mut Vec<u8>, summary: &str) {
    for tail in [format!("{summary}\n"), format!("\x1b[1m{summary}\x1b[0m\n")] {
        if buf.ends_with(tail.as_bytes()) {
            buf.truncate(buf.len() - tail.len());
            return;
        }
    }
}

pub(super) fn print_config(args: PrintConfigArgs) -> Result<i32, String> {
    let mut input = LintInput::default();
    apply_facts(&mut input, args.facts);
    apply_settings(&mut input, args.settings);
    let view = crate::print_config::view(&input, args.path.as_deref()).map_err(|e| e.0)?;
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&view).map_err(|e| e.to_string())? + "\n",
        ListFormat::Human => crate::print_config::render_text(&view),
    };
    // Facts quote the log lines they came from, and a file name or flag may hold a secret.
    print_out(&crate::redact::clean(&text))?;
    Ok(0)
}

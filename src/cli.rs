//! The command line: parse arguments, call the library, map results to exit codes.
//!
//! Exit codes (docs/exit-codes.md): 0 nothing at or above `--fail-on`, 1 findings at or
//! above it (or more warnings than `--max-warnings`), 2 a usage, config or I/O error.
//! Never 101: a panic is caught and reported as an internal error with exit 2.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use crate::baseline::Baseline;
use crate::diagnostic::Severity;
use crate::knowledge::{Knowledge, Version};
use crate::lint::{self, LintInput, Outcome};
use crate::report::{self, Format};
use crate::rules;

#[derive(Parser, Debug)]
#[command(
    name = "invokeai-lint",
    version,
    about = "Lint InvokeAI's invokeai.yaml against the release it runs and the facts in its log"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint invokeai.yaml files (default: every InvokeAI config under the working directory).
    Lint(LintArgs),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a rule (by code or name) or an InvokeAI setting (by key name).
    Explain {
        /// A rule code (IL101), a rule name (unknown-key) or a setting (max_cache_vram_gb).
        what: String,
    },
    /// The settings one InvokeAI release accepts.
    Keys {
        #[arg(long = "invokeai-version", value_name = "V")]
        invokeai_version: Option<String>,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Read InvokeAI console logs and print the facts found in them.
    Facts {
        /// Log files.
        #[arg(required_unless_present = "host")]
        logs: Vec<PathBuf>,
        /// Print what --detect sees on this machine instead.
        #[arg(long)]
        host: bool,
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Show the rule settings and facts that apply to a file, and where each came from.
    PrintConfig(PrintConfigArgs),
    /// Print a JSON Schema: of invokeai-lint.toml, or of invokeai.yaml for a release.
    Schema {
        #[command(subcommand)]
        which: SchemaCommand,
    },
    /// Record today's findings in a file, so that later runs report only new ones.
    Baseline {
        #[command(subcommand)]
        action: BaselineCommand,
    },
    /// Migrate an old invokeai.yaml (3.x nested, or an older 4.0.x schema) as InvokeAI does at
    /// start-up, keeping every comment; prints the result (or a diff, or writes it).
    Migrate(crate::migrate_cli::MigrateArgs),
    /// Print the settings the low-VRAM guide recommends for a release and machine, with the
    /// arithmetic (for a first invokeai.yaml; `lint --fix --unsafe-fixes` adds the same lines).
    Guide {
        #[command(flatten)]
        facts: FactArgs,
        /// The device_working_mem_gb you use (default: InvokeAI's 3).
        #[arg(long = "working-mem-gb", value_name = "N")]
        working_mem_gb: Option<f64>,
    },
    /// Run the language server (LSP over stdin/stdout) for editors.
    Server,
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand, Debug)]
pub enum SchemaCommand {
    /// JSON Schema of invokeai-lint.toml.
    LinterConfig,
    /// JSON Schema of invokeai.yaml as one InvokeAI release reads it.
    InvokeaiConfig {
        /// The release (default: the newest final release known).
        #[arg(long = "invokeai-version", value_name = "V")]
        invokeai_version: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BaselineCommand {
    /// Lint, and write every finding to FILE (exit 0 unless an input could not be read).
    Create {
        /// The baseline file to write (JSON).
        file: PathBuf,
        #[command(flatten)]
        lint: LintArgs,
    },
    /// Lint against FILE: fail on findings it does not list, and on findings it lists
    /// that are gone (the baseline is stale and should be created again).
    Check {
        /// The baseline file to read.
        file: PathBuf,
        #[command(flatten)]
        lint: LintArgs,
    },
}

/// Facts about the machine and the release, shared by `lint` and `print-config`.
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Facts")]
pub struct FactArgs {
    /// The InvokeAI release to lint against (default: the linter config's, else the log's,
    /// else the newest final release known).
    #[arg(long = "invokeai-version", value_name = "V")]
    pub invokeai_version: Option<String>,
    /// Total VRAM of the GPU InvokeAI runs on, in GB (GiB, as InvokeAI counts).
    #[arg(long = "vram-gb", value_name = "N")]
    pub vram_gb: Option<f64>,
    /// Total system RAM, in GB (GiB).
    #[arg(long = "ram-gb", value_name = "N")]
    pub ram_gb: Option<f64>,
    /// The torch device InvokeAI runs on: cuda (NVIDIA or ROCm), mps, cpu, xpu.
    #[arg(long, value_name = "KIND")]
    pub device: Option<String>,
    /// The operating system InvokeAI runs on: linux, windows, macos.
    #[arg(long, value_name = "OS")]
    pub os: Option<String>,
    /// An InvokeAI console log to take facts from, or `auto` for the invokeai.log next to
    /// each config.
    #[arg(long, value_name = "LOG")]
    pub log: Option<PathBuf>,
    /// Read system RAM, VRAM and the GPU from this machine (nvidia-smi or rocm-smi).
    #[arg(long)]
    pub detect: bool,
}

/// Which rules, from where: shared by `lint` and `print-config`.
#[derive(clap::Args, Debug, Default)]
#[command(next_help_heading = "Rule selection")]
pub struct SettingsArgs {
    /// Use this linter config instead of the invokeai-lint.toml found upward from the
    /// working directory.
    #[arg(long, value_name = "FILE", conflicts_with = "isolated")]
    pub config: Option<PathBuf>,
    /// Use no linter config at all.
    #[arg(long)]
    pub isolated: bool,
    /// Rules to run, replacing the linter config's set (codes, names, categories, IL1, ALL).
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub select: Option<Vec<String>>,
    /// Rules to add to the set.
    #[arg(long = "extend-select", value_name = "RULES", value_delimiter = ',')]
    pub extend_select: Vec<String>,
    /// Rules to turn off.
    #[arg(long, value_name = "RULES", value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// Lowest severity that fails the run with exit 1 (default: the linter config's, else error).
    #[arg(long = "fail-on", value_enum, value_name = "LEVEL")]
    pub fail_on: Option<FailOn>,
    /// Fail when there are more than N warnings.
    #[arg(long = "max-warnings", value_name = "N")]
    pub max_warnings: Option<usize>,
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// Files and directories to lint; `-` reads stdin. Default: the working directory.
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub facts: FactArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    /// Exit 0 even when there are findings (2 still means the run itself failed).
    #[arg(long = "exit-zero", help_heading = "Exit status")]
    pub exit_zero: bool,
    /// Apply safe fixes to the files, then report what is left.
    #[arg(long, help_heading = "Fixes")]
    pub fix: bool,
    /// With --fix or --diff, also apply fixes that change what InvokeAI does (renames, new values).
    #[arg(long = "unsafe-fixes", help_heading = "Fixes")]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change and write nothing; exit 1 when there
    /// would be changes.
    #[arg(long, conflicts_with = "fix", help_heading = "Fixes")]
    pub diff: bool,
    /// Apply the linter config's `exclude` to files named on the command line too
    /// (for pre-commit, which names every staged file).
    #[arg(long = "force-exclude", help_heading = "Inputs")]
    pub force_exclude: bool,
    /// The name of the file read from stdin, for messages and for the linter config's paths
    /// (given alone, it also means: read stdin).
    #[arg(long = "stdin-filename", value_name = "PATH", help_heading = "Inputs")]
    pub stdin_filename: Option<PathBuf>,
    /// Ignore every `# invokeai-lint: disable` comment (for CI that must not be bypassed).
    #[arg(long = "no-inline-suppressions", help_heading = "Inputs")]
    pub no_inline_suppressions: bool,
    /// Report only findings that are not in this baseline file (see `baseline create`).
    #[arg(long, value_name = "FILE", help_heading = "Inputs")]
    pub baseline: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Human, help_heading = "Output")]
    pub format: Format,
    /// Write the report to FILE instead of stdout.
    #[arg(
        long = "output-file",
        short = 'o',
        value_name = "FILE",
        help_heading = "Output"
    )]
    pub output_file: Option<PathBuf>,
    /// Print how many findings each rule made instead of the findings.
    #[arg(long, help_heading = "Output")]
    pub statistics: bool,
    /// Print the findings and nothing else: no summary line, no notes.
    #[arg(long, short = 'q', help_heading = "Output")]
    pub quiet: bool,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Output")]
    pub color: ColorChoice,
}

#[derive(clap::Args, Debug)]
pub struct PrintConfigArgs {
    /// The file to show settings for (it need not exist). Default: the top-level settings.
    pub path: Option<PathBuf>,
    #[command(flatten)]
    pub facts: FactArgs,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

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
        Command::Lint(args) => run_lint(args),
        Command::Rules { format } => {
            print_rules(format)?;
            Ok(0)
        }
        Command::Explain { what } => explain(&what),
        Command::Keys {
            invokeai_version,
            format,
        } => keys(invokeai_version.as_deref(), format),
        Command::Facts {
            host: true, format, ..
        } => {
            let h = crate::host::detect();
            print_out(&crate::host::render(&h, format == ListFormat::Json))?;
            Ok(0)
        }
        Command::Facts { logs, format, .. } => facts(&logs, format),
        Command::PrintConfig(args) => print_config(args),
        Command::Schema { which } => schema(which),
        Command::Baseline { action } => baseline(action),
        Command::Migrate(args) => crate::migrate_cli::run(&args),
        Command::Guide {
            facts,
            working_mem_gb,
        } => {
            let mut input = LintInput::default();
            apply_facts(&mut input, facts);
            let f = lint::base_facts(&input).map_err(|e| e.0)?;
            let target =
                lint::choose_target(input.invokeai_version.as_deref(), &f).map_err(|e| e.0)?;
            print_out(&crate::guide::render(&crate::guide::recommend(
                &target,
                &f,
                working_mem_gb,
            )))?;
            Ok(0)
        }
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

/// Colour on only when asked, or when stdout is a terminal and NO_COLOR is unset.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn apply_facts(input: &mut LintInput, f: FactArgs) {
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
struct Show {
    format: Format,
    color: ColorChoice,
    output_file: Option<PathBuf>,
    statistics: bool,
    quiet: bool,
    exit_zero: bool,
    /// The report goes to stderr (stdout carries stdin's fixed text).
    to_stderr: bool,
}

fn split(args: LintArgs) -> (LintInput, Show) {
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

fn run_lint(args: LintArgs) -> Result<i32, String> {
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
fn emit(outcome: &Outcome, show: &Show) -> Result<i32, String> {
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

/// A line on stderr, wrapped to the terminal's width when stderr is one.
fn say(text: &str) {
    let width = if std::io::stderr().is_terminal() {
        crate::table::terminal_width()
    } else {
        None
    };
    eprintln!("{}", crate::table::fit_text(text, width));
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

/// Write a report or baseline (see [`crate::write::write_output`]): a device or FIFO
/// directly, a regular file whole through a temporary file, never more open than the
/// configs it describes.
fn write_file(path: &Path, bytes: &[u8], files: &[String]) -> Result<(), String> {
    let cap = crate::write::cap_of(files.iter().map(String::as_str));
    crate::write::write_output(path, bytes, cap)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

fn print_config(args: PrintConfigArgs) -> Result<i32, String> {
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

fn schema(which: SchemaCommand) -> Result<i32, String> {
    let value = match which {
        SchemaCommand::LinterConfig => crate::schema::linter_config(),
        SchemaCommand::InvokeaiConfig { invokeai_version } => {
            let kb = Knowledge::get();
            let v = match invokeai_version {
                Some(s) => Version::parse(&s)?,
                None => kb.newest_final().version.clone(),
            };
            crate::schema::invokeai_config(kb, &v)?
        }
    };
    print_line(&serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?)?;
    Ok(0)
}

fn baseline(action: BaselineCommand) -> Result<i32, String> {
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

fn print_rules(format: ListFormat) -> Result<(), String> {
    let metas = rules::metas();
    match format {
        ListFormat::Json => {
            print_line(&serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())?)
        }
        ListFormat::Human => match crate::table::stdout_width() {
            Some(width) => print_out(&rules_table(&metas, width)),
            None => {
                let mut text = String::new();
                for m in metas {
                    let _ = writeln!(
                        text,
                        "{:<6} {:<34} {:<8} {:<7} {}{}",
                        m.code,
                        m.name,
                        m.category.as_str(),
                        m.default_severity.as_str(),
                        m.summary,
                        if m.fixable { " (fixable)" } else { "" }
                    );
                }
                print_out(&text)
            }
        },
    }
}

/// The rule list fitted to a terminal `width` columns wide.
fn rules_table(metas: &[&rules::RuleMeta], width: usize) -> String {
    use crate::table::Column;
    let column = |heading, wrap, droppable| Column {
        heading,
        wrap,
        droppable,
    };
    let columns = [
        column("", false, false),
        column("", false, false),
        column("", false, true),
        column("", false, false),
        column("", true, false),
    ];
    let rows: Vec<Vec<String>> = metas
        .iter()
        .map(|m| {
            vec![
                m.code.to_string(),
                m.name.to_string(),
                m.category.as_str().to_string(),
                m.default_severity.as_str().to_string(),
                format!("{}{}", m.summary, if m.fixable { " (fixable)" } else { "" }),
            ]
        })
        .collect();
    crate::table::render(&columns, &rows, Some(width))
}

fn explain(what: &str) -> Result<i32, String> {
    if let Some(rule) = rules::find(what) {
        print_out(rule.doc)?;
        return Ok(0);
    }
    let text = crate::knowledge::explain::explain_key(what)?;
    print_out(&text)?;
    Ok(0)
}

fn keys(version: Option<&str>, format: ListFormat) -> Result<i32, String> {
    let kb = Knowledge::get();
    let v = match version {
        Some(s) => Version::parse(s)?,
        None => kb.newest_final().version.clone(),
    };
    let text = crate::knowledge::explain::keys_listing(&v, format == ListFormat::Json)?;
    // The listing is of the release that covers V; say which when V is not itself listed.
    if let Some(release) = kb.release_for(&v).filter(|r| r.version != v) {
        eprintln!(
            "invokeai-lint: note: {v} is not a release in the settings table; listing {}, the newest release before it",
            release.version
        );
    }
    print_out(&text)?;
    Ok(0)
}

fn facts(logs: &[PathBuf], format: ListFormat) -> Result<i32, String> {
    no_huge_pages();
    let mut failed = false;
    let mut all = Vec::new();
    for path in logs {
        match crate::log::read_log(path) {
            Ok(f) => all.push(f),
            Err(e) => {
                eprintln!("invokeai-lint: skipped {}: {e}", path.display());
                failed = true;
            }
        }
    }
    let text = crate::log::render::render_facts(&all, format == ListFormat::Json);
    // Logs hold database passwords and `user:pass@` URLs; their facts quote the lines.
    print_out(&crate::redact::clean(&text))?;
    Ok(if failed { 2 } else { 0 })
}

/// Reading a log holds a few 320 KiB buffers per worker; with transparent huge pages the
/// allocator's arenas are backed by 2 MiB pages, which more than doubled the peak memory
/// of `facts` on a large log (42.7 MiB vs 18 MiB measured with `MIMALLOC_ALLOW_THP=0`).
/// `facts` does nothing else, so it turns them off for itself (Linux; failure ignored).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; the result is ignored.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Write a listing to stdout. A write error (a full disk, `> /dev/full`) is an error
/// like any other: a message and exit 2, never a panic as from `print!`. (A closed pipe
/// ends the process quietly: SIGPIPE has its default action, see `main.rs`.)
fn print_out(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

fn print_line(text: &str) -> Result<(), String> {
    print_out(&format!("{text}\n"))
}

fn stdout_error(e: std::io::Error) -> String {
    format!("cannot write to stdout: {e}")
}

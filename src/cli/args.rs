//! The command line's grammar: every subcommand and flag as clap reads them, and their
//! help text. No behaviour here; the command bodies are in the sibling files.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::report::Format;

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
    pub(super) fn severity(self) -> Severity {
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
    Migrate(super::migrate::MigrateArgs),
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

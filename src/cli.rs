//! The command line: parse arguments, call the library, map results to exit codes.
//!
//! Exit codes: 0 no error-level finding, 1 an error-level finding, 2 usage error,
//! unreadable input, or nothing to lint.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diagnostic::Severity;
use crate::knowledge::{Knowledge, Version};
use crate::lint::{self, LintInput};
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

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint invokeai.yaml files.
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
}

#[derive(clap::Args, Debug)]
pub struct LintArgs {
    /// invokeai.yaml files.
    pub paths: Vec<PathBuf>,
    /// The InvokeAI release to lint against (default: the log's, else the newest known).
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
    /// An InvokeAI console log to take facts from (version, VRAM, device, OOM events).
    #[arg(long, value_name = "LOG")]
    pub log: Option<PathBuf>,
    /// Read system RAM, VRAM and the GPU from this machine (nvidia-smi or rocm-smi).
    #[arg(long)]
    pub detect: bool,
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
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
    match run(cli) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("invokeai-lint: error: {msg}");
            2
        }
    }
}

fn run(cli: Cli) -> Result<i32, String> {
    match cli.command {
        Command::Lint(args) => run_lint(args),
        Command::Rules { format } => {
            print_rules(format);
            Ok(0)
        }
        Command::Explain { what } => explain(&what),
        Command::Keys {
            invokeai_version,
            format,
        } => keys(invokeai_version.as_deref(), format),
        Command::Facts { host: true, .. } => {
            print_host();
            Ok(0)
        }
        Command::Facts { logs, format, .. } => facts(&logs, format),
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

fn run_lint(args: LintArgs) -> Result<i32, String> {
    let input = LintInput {
        paths: args.paths,
        invokeai_version: args.invokeai_version,
        vram_gb: args.vram_gb,
        ram_gb: args.ram_gb,
        device: args.device,
        log: args.log,
        detect: args.detect,
    };
    let report = lint::lint(&input).map_err(|e| e.0)?;
    let color = use_color(args.color);
    let mut out = std::io::stdout().lock();
    report::render(&report, args.format, color, &mut out).map_err(|e| e.to_string())?;
    out.flush().map_err(|e| e.to_string())?;
    for (path, why) in &report.skipped {
        eprintln!("invokeai-lint: skipped {path}: {why}");
    }
    if report.summary.files == 0 {
        return Err("nothing was linted".into());
    }
    if !report.skipped.is_empty() {
        return Ok(2);
    }
    let failed = report
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    Ok(i32::from(failed))
}

fn print_rules(format: ListFormat) {
    let metas = rules::metas();
    match format {
        ListFormat::Json => {
            println!(
                "{}",
                serde_json::to_string_pretty(&metas).expect("rules serialize")
            );
        }
        ListFormat::Human => {
            for m in metas {
                println!(
                    "{:<6} {:<34} {:<8} {:<7} {}{}",
                    m.code,
                    m.name,
                    m.category.as_str(),
                    m.default_severity.as_str(),
                    m.summary,
                    if m.fixable { " (fixable)" } else { "" }
                );
            }
        }
    }
}

fn explain(what: &str) -> Result<i32, String> {
    if let Some(rule) = rules::find(what) {
        print!("{}", rule.doc);
        return Ok(0);
    }
    crate::knowledge::explain::explain_key(what).map(|text| {
        print!("{text}");
        0
    })
}

fn keys(version: Option<&str>, format: ListFormat) -> Result<i32, String> {
    let kb = Knowledge::get();
    let v = match version {
        Some(s) => Version::parse(s)?,
        None => kb.newest().version.clone(),
    };
    let text = crate::knowledge::explain::keys_listing(&v, format == ListFormat::Json)?;
    // The listing is of the release that covers V; say which when V is not itself listed.
    if let Some(release) = kb.release_for(&v).filter(|r| r.version != v) {
        eprintln!(
            "invokeai-lint: note: {v} is not a release in the settings table; listing {}, the newest release before it",
            release.version
        );
    }
    print!("{text}");
    Ok(0)
}

fn facts(logs: &[PathBuf], format: ListFormat) -> Result<i32, String> {
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
    print!("{text}");
    Ok(if failed { 2 } else { 0 })
}

fn print_host() {
    let h = crate::host::detect();
    let show = |what: &str, v: Option<String>, o: Option<&crate::facts::Origin>| match (v, o) {
        (Some(v), Some(o)) => println!("{what:<8} {v}  — {}", o.describe()),
        _ => println!("{what:<8} unknown"),
    };
    show(
        "os",
        h.os.as_ref().map(|f| f.value.clone()),
        h.os.as_ref().map(|f| &f.origin),
    );
    show(
        "ram",
        h.ram_gib.as_ref().map(|f| format!("{:.2} GiB", f.value)),
        h.ram_gib.as_ref().map(|f| &f.origin),
    );
    show(
        "vram",
        h.vram_gib.as_ref().map(|f| format!("{:.2} GiB", f.value)),
        h.vram_gib.as_ref().map(|f| &f.origin),
    );
    show(
        "device",
        h.device.as_ref().map(|f| {
            let d = &f.value;
            match &d.name {
                Some(n) => format!("{} ({n})", d.kind.as_str()),
                None => d.kind.as_str().to_string(),
            }
        }),
        h.device.as_ref().map(|f| &f.origin),
    );
    for n in &h.notes {
        println!("note     {n}");
    }
}

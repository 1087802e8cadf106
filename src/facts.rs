//! Facts about the machine and the InvokeAI install, each with where it came from.
//!
//! Order of trust (highest first): flags, the linter config's per-path facts, host
//! detection, the log. A rule that uses a fact names its origin in the finding.

use std::sync::Arc;

use crate::diagnostic::Location;
use crate::knowledge::{Release, Version};
use crate::log::LogFacts;
use crate::source::{SourceFile, Span};

/// Where a fact came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin {
    /// A command-line flag, e.g. `--vram-gb`.
    Flag(String),
    /// `invokeai-lint.toml` (file and the table that set it, e.g. `[[overrides]] fleet/12gb/**`).
    LinterConfig { file: String, detail: String },
    /// Read from this machine (`nvidia-smi`, `rocm-smi`, `sysinfo`).
    Host(String),
    /// Stated by a log line.
    Log {
        file: String,
        line: u64,
        text: String,
    },
    /// Inferred from a log line; `reasoning` says how.
    LogDerived {
        file: String,
        line: u64,
        text: String,
        reasoning: String,
        /// What it was derived from: `oom`, `ram_cache`.
        basis: &'static str,
    },
}

impl Origin {
    /// Short form for messages: `--vram-gb`, `invokeai.log:23`, `nvidia-smi`.
    pub fn describe(&self) -> String {
        match self {
            Origin::Flag(f) => f.clone(),
            Origin::LinterConfig { file, detail } if detail.is_empty() => file.clone(),
            Origin::LinterConfig { file, detail } => format!("{file} {detail}"),
            Origin::Host(h) => format!("this machine ({h})"),
            Origin::Log { file, line, .. } => format!("{file}:{line}"),
            Origin::LogDerived {
                file,
                line,
                reasoning,
                ..
            } => format!("{file}:{line}, {reasoning}"),
        }
    }

    /// The log line as a location to cite, for facts that came from a log.
    pub fn location(&self) -> Option<Location> {
        match self {
            Origin::Log { file, line, text }
            | Origin::LogDerived {
                file, line, text, ..
            } => {
                let line = *line;
                let src = SourceFile::snippet(file.clone(), text.clone(), line);
                let span = src.line_span(line).unwrap_or_default();
                Some(Location::new(&src, span))
            }
            _ => None,
        }
    }

    /// Like [`Origin::location`], with the span narrowed to the first `needle` in the line
    /// (the version number in "InvokeAI version 5.4.2"), or the whole line without it.
    pub fn location_of(&self, needle: &str) -> Option<Location> {
        let mut loc = self.location()?;
        let line = &loc.source.text()[loc.span.start..loc.span.end];
        if let Some(i) = line.find(needle).filter(|_| !needle.is_empty()) {
            let start = loc.span.start + i;
            loc.span = Span::new(start, start + needle.len());
        }
        Some(loc)
    }

    /// The kind of origin, as the JSON contract names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Origin::Flag(_) => "flag",
            Origin::LinterConfig { .. } => "config",
            Origin::Host(_) => "host",
            Origin::Log { .. } => "log",
            Origin::LogDerived { .. } => "log-derived",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Fact<T> {
    pub value: T,
    pub origin: Origin,
}

impl<T> Fact<T> {
    pub fn new(value: T, origin: Origin) -> Self {
        Fact { value, origin }
    }
}

/// Which kind of torch device InvokeAI runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceKind {
    /// NVIDIA CUDA, or AMD ROCm (which torch reports as CUDA).
    Cuda,
    Mps,
    Cpu,
    Xpu,
}

impl DeviceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DeviceKind::Cuda => "cuda",
            DeviceKind::Mps => "mps",
            DeviceKind::Cpu => "cpu",
            DeviceKind::Xpu => "xpu",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        let s = s.trim().to_ascii_lowercase();
        let base = s.split(':').next().unwrap_or("");
        match base {
            "cuda" | "rocm" | "hip" => Some(DeviceKind::Cuda),
            "mps" => Some(DeviceKind::Mps),
            "cpu" => Some(DeviceKind::Cpu),
            "xpu" => Some(DeviceKind::Xpu),
            _ => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Device {
    pub kind: DeviceKind,
    /// The GPU's name when known (`NVIDIA GeForce RTX 3060`).
    pub name: Option<String>,
}

/// The InvokeAI release a config is linted against.
#[derive(Clone, Debug)]
pub struct Target {
    /// The version as given (may be one the table does not list, e.g. 5.6.3).
    pub version: Version,
    /// The table's release whose settings apply.
    pub release: &'static Release,
    /// None: no version was given, the newest release in the table is used.
    pub origin: Option<Origin>,
}

impl Target {
    /// `flag`, `log`, `config` or `default`, as the JSON contract names it.
    pub fn source_kind(&self) -> &'static str {
        match &self.origin {
            None => "default",
            Some(Origin::LogDerived { .. }) => "log",
            Some(o) => o.kind(),
        }
    }
    pub fn at_least(&self, v: &str) -> bool {
        self.release.version.at_least(v)
    }
}

/// Everything known about where a config will run.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub vram_gib: Option<Fact<f64>>,
    pub ram_gib: Option<Fact<f64>>,
    pub device: Option<Fact<Device>>,
    /// `windows`, `linux`, `macos`.
    pub os: Option<Fact<String>>,
    /// The version the log says ran (may differ from the target when a flag overrides it).
    pub log_version: Option<Fact<Version>>,
    /// The parsed log, for rules that look at events (OOM, partial loads).
    pub log: Option<Arc<LogFacts>>,
    /// `PYTORCH_CUDA_ALLOC_CONF` in this process's environment (linting locally).
    pub env_alloc_conf: Option<String>,
}

impl Facts {
    /// Take what a log says. Call before flags are applied: flags overwrite.
    pub fn apply_log(&mut self, log: Arc<LogFacts>) {
        let file = log.file.clone();
        let stated = |line: u64, text: &str| Origin::Log {
            file: file.clone(),
            line,
            text: text.to_string(),
        };
        if let Some(v) = log.newest_version() {
            if let Ok(ver) = Version::parse(&v.value) {
                self.log_version = Some(Fact::new(ver, stated(v.line, &v.text)));
            }
        }
        if let Some(d) = log
            .sessions
            .iter()
            .rev()
            .find_map(|s| s.torch_device.as_ref())
        {
            self.device = Some(Fact::new(
                device_from_log(&d.value),
                stated(d.line, &d.text),
            ));
        }
        let derived = |d: &crate::log::Derived<f64>| {
            Fact::new(
                d.value,
                Origin::LogDerived {
                    file: file.clone(),
                    line: d.line,
                    text: d.text.clone(),
                    reasoning: d.reasoning.clone(),
                    basis: d.derived_from,
                },
            )
        };
        if let Some(v) = &log.vram_total_gib {
            self.vram_gib = Some(derived(v));
        }
        if let Some(r) = &log.ram_total_gib {
            self.ram_gib = Some(derived(r));
        }
        self.log = Some(log);
    }
}

/// What kind of device a logged torch device name means: `CPU`, `MPS`, or a GPU's name
/// (`NVIDIA GeForce RTX 3060`, `AMD Radeon RX 7600 XT`: both CUDA to torch).
pub fn device_from_log(name: &str) -> Device {
    let trimmed = name.trim();
    let lower = trimmed.to_ascii_lowercase();
    let kind = match lower.as_str() {
        "cpu" => DeviceKind::Cpu,
        "mps" => DeviceKind::Mps,
        _ if lower.starts_with("xpu") || lower.contains("intel(r) arc") => DeviceKind::Xpu,
        _ => DeviceKind::Cuda,
    };
    let name = match kind {
        DeviceKind::Cpu | DeviceKind::Mps => None,
        _ => Some(trimmed.to_string()),
    };
    Device { kind, name }
}

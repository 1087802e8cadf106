//! InvokeAI console logs → facts, each with the line it came from.
//!
//! Streaming: the reader holds a few bounded buffers (320 KiB each, a few per core), so
//! a 2 GB log costs the same memory as a 2 KB one. The stages are:
//!
//! - [`reader`] splits the byte stream into lines with memchr; a line longer than
//!   [`reader::MAX_LINE`] is skipped (with a note), except that a tqdm line made of
//!   `\r` frames keeps its last frame, the only one a terminal shows.
//! - [`scan`] finds the few lines that can hold a fact (one Aho-Corasick pass over
//!   each block for a short list of keywords) and hands them to the grammars
//!   ([`scan::prepare`], no state needed); then, in the order of the log, it undoes
//!   console hard-wrapping and files the facts ([`scan::Scanner::fold`]).
//! - [`pipeline`] runs that on several threads: blocks are prepared in parallel and
//!   folded in order.
//! - [`record`] recognises the line formats (plain, color, syslog, legacy, uvicorn's,
//!   Python's default) and wrapper prefixes (docker timestamps, journald).
//! - [`message`] and [`oom`] parse the fact messages (nom 8 over `&[u8]`).
//! - [`session`] groups facts into start-ups; [`derive`] infers VRAM and RAM.
//!
//! Line numbers count `\n` only, as editors do: a tqdm bar that redraws itself with
//! `\r` is one line however many frames it holds, and CRLF is one line end.

pub mod derive;
pub mod message;
pub mod oom;
pub mod pipeline;
pub mod reader;
pub mod record;
pub mod render;
pub mod scan;
pub mod session;
pub mod text;

use std::path::Path;

use serde::Serialize;

/// A fact and the log line it was read from.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Located<T> {
    pub value: T,
    /// 1-based line number in the log file.
    pub line: u64,
    /// The line's text (lossily decoded, ANSI codes removed, capped in length) for citing.
    #[serde(skip)]
    pub text: String,
}

/// A fact the log does not state but implies, with the reasoning.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Derived<T> {
    pub value: T,
    pub line: u64,
    #[serde(skip)]
    pub text: String,
    /// `oom`, `ram_cache`, ...
    pub derived_from: &'static str,
    pub reasoning: String,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RamCache {
    /// MiB (InvokeAI's "MB"). A user-defined size in GB is converted (× 1024).
    pub mb: f64,
    pub heuristics: Vec<u8>,
    pub user_defined: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OomEvent {
    pub line: u64,
    #[serde(skip)]
    pub text: String,
    /// `CUDA`, `HIP`, `XPU`, `MPS`, or `InvokeAI` for "Insufficient GPU memory to load model".
    pub backend: String,
    pub tried_gib: Option<f64>,
    pub capacity_gib: Option<f64>,
    pub free_gib: Option<f64>,
    /// MPS only: torch's high-watermark limit ("max allowed"), not the machine's memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_allowed_gib: Option<f64>,
    /// Which message: `torch-2.0`, `torch-2.1`, `torch-2.2+`, `mps`, `cuda-error`,
    /// `insufficient-gpu-memory`.
    pub wording: &'static str,
    /// Index into `sessions` of the start-up this happened in, if any.
    pub session: Option<usize>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PartialLoad {
    pub model: String,
    /// The Python class InvokeAI names (`Flux`, `UNet2DConditionModel`, ...).
    pub class: String,
    pub total_mb: f64,
    pub vram_mb: f64,
    pub percent: f64,
    pub session: Option<usize>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NegativeVram {
    pub loading_mb: f64,
    pub requested_mb: f64,
    pub session: Option<usize>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Session {
    pub start_line: u64,
    /// `plain`, `color`, `syslog`, `legacy`, `uvicorn`, `python`, `bare`: how the
    /// session's first fact line was written (hints at `log_format`).
    pub log_format: Option<&'static str>,
    pub version: Option<Located<String>>,
    pub root: Option<Located<String>>,
    /// The device name as logged (`NVIDIA GeForce RTX 3060`, `CPU`, `MPS`). With several
    /// generation devices (6.14) the first one, without its ` #N` suffix.
    pub torch_device: Option<Located<String>>,
    /// 6.14 several generation devices: each `label (device)` entry as logged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generation_devices: Option<Located<Vec<String>>>,
    pub cudnn: Option<Located<String>>,
    pub cuda_allocator: Option<Located<String>>,
    pub ram_cache: Option<Located<RamCache>>,
    pub url: Option<Located<String>>,
    pub database: Option<Located<String>>,
    /// Node pack names (empty when the total line names none, e.g. 3.4's `Loaded 0 modules`).
    pub node_packs: Option<Located<Vec<String>>>,
    /// The directory node packs were loaded from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_packs_dir: Option<Located<String>>,
    /// (configured port, port used).
    pub port_moved: Option<Located<(u16, u16)>>,
    /// `initialized`, `not loaded`, `disabled`.
    pub patchmatch: Option<Located<String>>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct LogFacts {
    pub file: String,
    /// Lines in the log (`\n`-terminated, plus a last unterminated one).
    pub lines: u64,
    pub sessions: Vec<Session>,
    pub oom: Vec<OomEvent>,
    /// Out-of-memory events in the whole log: `oom` keeps only the newest
    /// [`session::MAX_EVENTS`]. (Not in `facts --format json`: its notes say how many
    /// earlier events are not listed.)
    #[serde(skip)]
    pub oom_total: u64,
    pub partial_loads: Vec<Located<PartialLoad>>,
    pub negative_vram: Vec<Located<NegativeVram>>,
    pub vram_total_gib: Option<Derived<f64>>,
    pub ram_total_gib: Option<Derived<f64>>,
    /// Things the reader noticed and skipped (over-long lines, binary data), for the user.
    pub notes: Vec<String>,
}

impl LogFacts {
    /// The newest session that says which InvokeAI version it ran.
    pub fn newest_version(&self) -> Option<&Located<String>> {
        self.sessions.iter().rev().find_map(|s| s.version.as_ref())
    }
}

/// Read a log file from disk.
pub fn read_log(path: &Path) -> std::io::Result<LogFacts> {
    let file = std::fs::File::open(path)?;
    if file.metadata()?.is_dir() {
        return Err(std::io::Error::other("is a directory"));
    }
    parse_reader(file, &path.display().to_string())
}

/// Parse a log from any byte stream, holding only a bounded buffer (a few per core).
pub fn parse_reader<R: std::io::Read + Send>(r: R, name: &str) -> std::io::Result<LogFacts> {
    let (scanner, stats) = pipeline::scan(r, pipeline::default_workers())?;
    Ok(scanner.finish(name, stats))
}

/// Parse a log held in memory.
pub fn parse_bytes(bytes: &[u8], name: &str) -> LogFacts {
    match pipeline::scan(bytes, pipeline::default_workers()) {
        Ok((scanner, stats)) => scanner.finish(name, stats),
        // Reading from a slice cannot fail.
        Err(e) => {
            let mut facts = scan::Scanner::new().finish(name, reader::Stats::default());
            facts.notes.push(format!("read error: {e}"));
            facts
        }
    }
}

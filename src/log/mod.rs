//! InvokeAI console logs → facts, each with the line it came from.
//!
//! Streaming: the reader holds one line (bounded) at a time, so a 2 GB log costs
//! the same memory as a 2 KB one.

pub mod render;

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
    pub mb: f64,
    pub heuristics: Vec<u8>,
    pub user_defined: bool,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct OomEvent {
    pub line: u64,
    #[serde(skip)]
    pub text: String,
    /// `CUDA`, `HIP`, `MPS`, or `InvokeAI` for "Insufficient GPU memory to load model".
    pub backend: String,
    pub tried_gib: Option<f64>,
    pub capacity_gib: Option<f64>,
    pub free_gib: Option<f64>,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct PartialLoad {
    pub model: String,
    pub total_mb: f64,
    pub vram_mb: f64,
    pub percent: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct NegativeVram {
    pub loading_mb: f64,
    pub requested_mb: f64,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct Session {
    pub start_line: u64,
    pub version: Option<Located<String>>,
    pub root: Option<Located<String>>,
    pub torch_device: Option<Located<String>>,
    pub cudnn: Option<Located<String>>,
    pub cuda_allocator: Option<Located<String>>,
    pub ram_cache: Option<Located<RamCache>>,
    pub url: Option<Located<String>>,
    pub database: Option<Located<String>>,
    pub node_packs: Option<Located<Vec<String>>>,
    pub port_moved: Option<Located<(u16, u16)>>,
    pub patchmatch: Option<Located<String>>,
}

#[derive(Clone, Debug, Serialize, PartialEq, Default)]
pub struct LogFacts {
    pub file: String,
    pub sessions: Vec<Session>,
    pub oom: Vec<OomEvent>,
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
pub fn read_log(_path: &Path) -> std::io::Result<LogFacts> {
    todo!()
}

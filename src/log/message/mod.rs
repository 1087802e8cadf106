//! Parsers for the messages that carry a fact (LOG_FACTS.md §2, §3.2). Each takes the
//! message (after the record header) and says whether it looks complete: a console that
//! hard-wraps long lines can cut a message anywhere, and the scanner then joins the
//! next physical line and asks again.
//!
//! Values borrow the line (trimmed, not decoded): in a long log most facts are dropped
//! with their session, so decoding waits until the end.

use nom::branch::alt;
use nom::{IResult, Parser};

use super::text::trim;
use super::RamCache;

mod model_cache;
mod server;
mod startup;

use model_cache::{
    calculated_ram_cache, insufficient, loaded_model, negative_vram, user_ram_cache,
};
use server::{
    finished_server, init_database, initializing_2x, invoke_running, node_pack_loading,
    node_packs_loaded, patchmatch, port_moved, pypatchmatch, started_launcher, started_server,
    using_database, uvicorn_running,
};
use startup::{
    allocator, cudnn, device_type_2x, gpu_device, legacy_2x, root, torch_device, version,
};

type PResult<'a, O> = IResult<&'a [u8], O>;

/// nom's `tag`, comparing the prefix in one go: nom compares byte by byte, and these
/// grammars run on every fact line.
pub(super) fn tag<'a>(t: &'static str) -> impl Fn(&'a [u8]) -> PResult<'a, &'a [u8]> {
    move |i: &'a [u8]| match i.strip_prefix(t.as_bytes()) {
        Some(rest) => Ok((rest, &i[..t.len()])),
        None => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

/// A fact a message states.
#[derive(Clone, Debug, PartialEq)]
pub enum Fact<'a> {
    Version(&'a [u8]),
    Root(&'a [u8]),
    /// 4.x+ `Using torch device:` (a pre-server line).
    TorchDevice {
        name: &'a [u8],
        /// 6.14 several generation devices: the entries of the bracketed list.
        list: Option<Vec<&'a [u8]>>,
    },
    /// 3.x `GPU device =`, logged after the server started.
    LegacyDevice(&'a [u8]),
    /// 2.x start-up lines (`InvokeAI, version`, `InvokeAI runtime directory is`, `Using
    /// device_type`): 2.x has no server phase, so they open no new session by order.
    V2Version(&'a [u8]),
    V2Root(&'a [u8]),
    V2Device(&'a [u8]),
    Cudnn(&'a [u8]),
    Allocator(&'a [u8]),
    RamCache(RamCache),
    Url(&'a [u8]),
    /// A path, or `in-memory`.
    Database(&'a [u8]),
    NodePackLoading(&'a [u8]),
    NodePacksLoaded {
        count: u32,
        dir: &'a [u8],
        names: Option<Vec<&'a [u8]>>,
    },
    PortMoved(u16, u16),
    Patchmatch(&'static str),
    /// A line that opens a start-up without stating a fact (uvicorn's `Started server
    /// process`, a launcher's banner, pypatchmatch's own lines).
    StartMarker {
        server: bool,
    },
    /// `InvokeAI shutting down...`, uvicorn's `Finished server process`.
    Shutdown,
    InsufficientMemory,
    LoadedModel {
        key: &'a [u8],
        class: &'a [u8],
        total_mb: f64,
        vram_mb: f64,
        percent: f64,
    },
    NegativeVram {
        loading_mb: f64,
        requested_mb: f64,
    },
}

/// How sure we are that the message was not cut by a wrapping console.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Check {
    /// The message has its known ending (`.db`, `(Press CTRL+C to quit)`, `].`...).
    Done,
    /// Looks complete, but a cut could not be seen (a path, a version, a name).
    Unsure,
    /// Certainly cut: the known ending is missing.
    Cut,
}

/// What a message says.
#[derive(Clone, Debug, PartialEq)]
pub enum Parsed<'a> {
    Fact(Fact<'a>, Check),
    /// The message is the start of a fact message, cut before its value.
    Cut,
}

const MODEL_CACHE: &[u8] = b"[MODEL CACHE] ";

/// Leads of fact messages: a message that is a strict prefix of one of these was cut
/// by wrapping before anything could be read.
const LEADS: &[&[u8]] = &[
    b"InvokeAI version ",
    b"Root directory = ",
    b"Using torch device: ",
    b"GPU device = ",
    b"cuDNN version: ",
    b"PyTorch CUDA memory allocator: ",
    b"Calculated model RAM cache size: ",
    b"Using user-defined RAM cache size: ",
    b"Invoke running on ",
    b"Uvicorn running on ",
    b"Initializing database at ",
    b"Using database at ",
    b"Loaded model '",
    b"Insufficient GPU memory to load model",
];

/// Parse one message. `None`: no fact here.
pub fn parse(message: &[u8]) -> Option<Parsed<'_>> {
    let msg = trim(message);
    let msg = msg.strip_prefix(MODEL_CACHE).unwrap_or(msg);
    if msg.is_empty() {
        return None;
    }
    if let Some(p) = fact(msg) {
        return Some(p);
    }
    if msg.len() >= 4
        && LEADS
            .iter()
            .any(|l| l.len() > msg.len() && l.starts_with(msg))
    {
        return Some(Parsed::Cut);
    }
    None
}

fn fact(msg: &[u8]) -> Option<Parsed<'_>> {
    // Dispatch on the first byte: most lines are rejected by one comparison.
    let parsed = match msg.first()? {
        b'I' => alt((
            version,
            invoke_running,
            insufficient,
            init_database,
            legacy_2x,
        ))
        .parse(msg),
        b'R' => root.parse(msg),
        b'U' => alt((
            torch_device,
            uvicorn_running,
            using_database,
            user_ram_cache,
            device_type_2x,
        ))
        .parse(msg),
        b'G' => gpu_device.parse(msg),
        b'c' => cudnn.parse(msg),
        b'P' => alt((allocator, port_moved, patchmatch)).parse(msg),
        b'C' => calculated_ram_cache.parse(msg),
        b'L' => alt((
            loaded_model,
            node_pack_loading,
            node_packs_loaded,
            negative_vram,
        ))
        .parse(msg),
        b'S' => alt((started_server, started_launcher)).parse(msg),
        b'F' => finished_server.parse(msg),
        b'*' => initializing_2x.parse(msg),
        b'p' => pypatchmatch.parse(msg),
        _ => return None,
    };
    parsed.ok().map(|(_, p)| p)
}

fn done(f: Fact<'_>) -> Parsed<'_> {
    Parsed::Fact(f, Check::Done)
}

/// `i` trimmed, if anything is left.
fn non_empty(i: &[u8]) -> Option<&[u8]> {
    let v = trim(i);
    (!v.is_empty()).then_some(v)
}

fn err(i: &[u8]) -> nom::Err<nom::error::Error<&[u8]>> {
    nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify))
}

fn fail<O>(i: &[u8]) -> PResult<'_, O> {
    Err(err(i))
}

#[cfg(test)]
mod tests;

//! Parsers for the messages that carry a fact (LOG_FACTS.md §2, §3.2). Each takes the
//! message (after the record header) and says whether it looks complete: a console that
//! hard-wraps long lines can cut a message anywhere, and the scanner then joins the
//! next physical line and asks again.
//!
//! Values borrow the line (trimmed, not decoded): in a long log most facts are dropped
//! with their session, so decoding waits until the end.

use nom::branch::alt;
use nom::bytes::complete::{take_till, take_until, take_while1};
use nom::character::complete::{char, digit1, space0};
use nom::combinator::{map_res, opt, rest};
use nom::multi::separated_list0;
use nom::number::complete::double;
use nom::sequence::{delimited, preceded, terminated};
use nom::{IResult, Parser};

use super::text::trim;
use super::RamCache;

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

fn version(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("InvokeAI version "), rest).parse(i)?;
    let v = trim(v);
    // A version starts with a digit and holds no spaces.
    if !v.first().is_some_and(u8::is_ascii_digit) || v.contains(&b' ') {
        return fail(i);
    }
    Ok((i, Parsed::Fact(Fact::Version(v), Check::Unsure)))
}

/// 2.x `InvokeAI, version 2.3.5.post2` and `InvokeAI runtime directory is "J:\AI\invokeAI"`.
fn legacy_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let v2: PResult<'_, &[u8]> =
        preceded(tag("InvokeAI, version "), take_while1(|b| b != b' ')).parse(i);
    if let Ok((i, v)) = v2 {
        return Ok((i, Parsed::Fact(Fact::V2Version(v), Check::Unsure)));
    }
    let (i, v) = preceded(
        tag("InvokeAI runtime directory is "),
        delimited(char('"'), take_till(|b| b == b'"'), opt(char('"'))),
    )
    .parse(i)?;
    let v = non_empty(v).ok_or_else(|| err(i))?;
    Ok((i, Parsed::Fact(Fact::V2Root(v), Check::Done)))
}

fn root(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("Root directory = "), rest).parse(i)?;
    let v = non_empty(v).ok_or_else(|| err(i))?;
    Ok((i, Parsed::Fact(Fact::Root(v), Check::Unsure)))
}

/// `Using torch device: NAME` or, in 6.14, `[LABEL (dev), LABEL (dev)]`.
fn torch_device(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, v) = preceded(tag("Using torch device: "), rest).parse(i)?;
    let v = trim(v);
    if v.is_empty() {
        return fail(i);
    }
    if v.first() == Some(&b'[') {
        let Some(inner) = v.strip_prefix(b"[").and_then(|x| x.strip_suffix(b"]")) else {
            // The list's closing bracket is missing: cut by wrapping.
            let partial = &v[1..];
            let name = first_label(partial).unwrap_or(partial);
            let list = Some(vec![partial]);
            return Ok((
                i,
                Parsed::Fact(Fact::TorchDevice { name, list }, Check::Cut),
            ));
        };
        let list = Some(device_entries(inner));
        let name = first_label(inner).unwrap_or(inner);
        return Ok((i, done(Fact::TorchDevice { name, list })));
    }
    let device = Fact::TorchDevice {
        name: v,
        list: None,
    };
    Ok((i, Parsed::Fact(device, Check::Unsure)))
}

/// The entries of a 6.14 device list: `A (cuda:0), B (cuda:1)`. Split on `), ` so that
/// commas inside a name survive.
fn device_entries(inner: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut rest = inner;
    while !rest.is_empty() && out.len() < 64 {
        match memchr::memmem::find(rest, b"), ") {
            Some(at) => {
                out.push(trim(&rest[..=at]));
                rest = &rest[at + 3..];
            }
            None => {
                out.push(trim(rest));
                break;
            }
        }
    }
    out
}

/// The first entry's label without its ` (device)` and ` #N` suffixes.
fn first_label(inner: &[u8]) -> Option<&[u8]> {
    let entry_end = memchr::memmem::find(inner, b" (")?;
    let label = &inner[..entry_end];
    let label = match memchr::memrchr(b'#', label) {
        Some(h)
            if h > 0 && label[h - 1] == b' ' && label[h + 1..].iter().all(u8::is_ascii_digit) =>
        {
            &label[..h - 1]
        }
        _ => label,
    };
    non_empty(label)
}

/// 3.x `GPU device = cuda NVIDIA GeForce RTX 3060` / `GPU device = cpu ` (trailing space).
fn gpu_device(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (kind, _, name)) = preceded(
        tag("GPU device = "),
        (take_till(|b| b == b' '), space0, rest),
    )
    .parse(i)?;
    let name = trim(name);
    let v = if name.is_empty() {
        device_kind_name(kind)
    } else {
        name
    };
    if v.is_empty() {
        return fail(i);
    }
    Ok((i, Parsed::Fact(Fact::LegacyDevice(v), Check::Unsure)))
}

/// 2.x `Using device_type cuda`.
fn device_type_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, kind) = preceded(tag("Using device_type "), take_till(|b| b == b' ')).parse(i)?;
    let v = device_kind_name(kind);
    if v.is_empty() {
        return fail(i);
    }
    Ok((i, done(Fact::V2Device(v))))
}

/// `cpu` → `CPU`, as 4.x+ spell it, so every version reads the same.
fn device_kind_name(kind: &[u8]) -> &[u8] {
    let kind = trim(kind);
    [&b"CPU"[..], b"MPS", b"CUDA", b"XPU"]
        .into_iter()
        .find(|k| k.eq_ignore_ascii_case(kind))
        .unwrap_or(kind)
}

fn cudnn(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, d) = preceded(tag("cuDNN version: "), digit1).parse(i)?;
    Ok((i, Parsed::Fact(Fact::Cudnn(d), Check::Unsure)))
}

fn allocator(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, b) = preceded(
        tag("PyTorch CUDA memory allocator: "),
        take_while1(|b: u8| !b.is_ascii_whitespace()),
    )
    .parse(i)?;
    Ok((i, Parsed::Fact(Fact::Allocator(b), Check::Unsure)))
}

/// `Calculated model RAM cache size: 7163.50 MB. Heuristics applied: [1, 2].`
fn calculated_ram_cache(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, mb) = preceded(tag("Calculated model RAM cache size: "), double).parse(i)?;
    let list: PResult<'_, (&[u8], Vec<u8>, &[u8])> = (
        tag(" MB. Heuristics applied: ["),
        separated_list0((char(','), space0), map_res(digit1, small_number)),
        tag("]"),
    )
        .parse(i);
    match list {
        Ok((rest, (_, heuristics, _))) => {
            let cache = RamCache {
                mb,
                heuristics,
                user_defined: false,
            };
            Ok((rest, done(Fact::RamCache(cache))))
        }
        // The size is there but the list was cut off.
        Err(_) => {
            let cache = RamCache {
                mb,
                heuristics: Vec::new(),
                user_defined: false,
            };
            Ok((i, Parsed::Fact(Fact::RamCache(cache), Check::Cut)))
        }
    }
}

fn small_number(d: &[u8]) -> Result<u8, std::num::ParseIntError> {
    String::from_utf8_lossy(d).parse::<u8>()
}

/// `Using user-defined RAM cache size: 28.0 GB.`
fn user_ram_cache(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, gb) = preceded(tag("Using user-defined RAM cache size: "), double).parse(i)?;
    let check = if i.starts_with(b" GB") {
        Check::Done
    } else {
        Check::Cut
    };
    let cache = RamCache {
        mb: gb * 1024.0,
        heuristics: Vec::new(),
        user_defined: true,
    };
    Ok((i, Parsed::Fact(Fact::RamCache(cache), check)))
}

/// `Invoke running on http://127.0.0.1:9090 (Press CTRL+C to quit)` (5.5+).
fn invoke_running(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    preceded(tag("Invoke running on "), url).parse(i)
}

/// uvicorn's `Uvicorn running on http://0.0.0.0:9090 (Press CTRL+C to quit)`.
fn uvicorn_running(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    preceded(tag("Uvicorn running on "), url).parse(i)
}

fn url(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, u) = take_while1(|b: u8| !b.is_ascii_whitespace()).parse(i)?;
    let check = if trim(i).starts_with(b"(Press CTRL+C to quit)") {
        Check::Done
    } else {
        Check::Cut
    };
    Ok((i, Parsed::Fact(Fact::Url(u), check)))
}

/// `Initializing database at P` (3.5+), `Initializing in-memory database`, and the 3.x
/// CLI's `InvokeAI database location is "P"`.
fn init_database(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    alt((
        preceded(tag("Initializing database at "), db_path),
        preceded(tag("Initializing in-memory database"), in_memory),
        preceded(tag("InvokeAI database location is "), quoted_db_path),
    ))
    .parse(i)
}

/// `Using database at P` (3.2–3.4), `Using in-memory database`.
fn using_database(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    alt((
        preceded(tag("Using database at "), db_path),
        preceded(tag("Using in-memory database"), in_memory),
    ))
    .parse(i)
}

fn in_memory(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    Ok((i, done(Fact::Database(b"in-memory"))))
}

fn db_path(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, p) = rest(i)?;
    let p = non_empty(p).ok_or_else(|| err(i))?;
    // The file is always `invokeai.db`; without `.db` the line was cut.
    let check = if p.ends_with(b".db") {
        Check::Done
    } else {
        Check::Cut
    };
    Ok((i, Parsed::Fact(Fact::Database(p), check)))
}

fn quoted_db_path(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, p) = delimited(char('"'), take_till(|b| b == b'"'), opt(char('"'))).parse(i)?;
    db_path(p).map(|(_, parsed)| (i, parsed))
}

fn node_pack_loading(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, name) = preceded(
        tag("Loading node pack "),
        take_while1(|b: u8| !b.is_ascii_whitespace()),
    )
    .parse(i)?;
    Ok((i, done(Fact::NodePackLoading(name))))
}

/// `Loaded N node packs from D` (3.5–5.6), `Loaded N node pack(s) from D: a, b` (5.7+),
/// `Loaded N modules from D` (3.4).
fn node_packs_loaded(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (count, _)) = preceded(
        tag("Loaded "),
        (
            map_res(digit1, |d: &[u8]| String::from_utf8_lossy(d).parse::<u32>()),
            alt((
                terminated(tag(" node pack"), opt(char('s'))),
                tag(" modules"),
            )),
        ),
    )
    .parse(i)?;
    let (i, dir_and_names) = preceded(tag(" from "), rest).parse(i)?;
    let dir_and_names = trim(dir_and_names);
    // Names follow the last `: ` (a Windows directory holds `:\`, not `: `).
    let split = memchr::memmem::rfind(dir_and_names, b": ");
    let (dir, names) = match split {
        Some(at) => {
            let names: Vec<&[u8]> = dir_and_names[at + 2..]
                .split(|&b| b == b',')
                .map(trim)
                .filter(|n| !n.is_empty())
                .take(256)
                .collect();
            (&dir_and_names[..at], Some(names))
        }
        None => (dir_and_names, None),
    };
    let dir = non_empty(dir).ok_or_else(|| err(i))?;
    let check = match &names {
        Some(n) if u32::try_from(n.len()).is_ok_and(|n| n == count) => Check::Done,
        Some(_) => Check::Cut,
        None => Check::Unsure,
    };
    Ok((
        i,
        Parsed::Fact(Fact::NodePacksLoaded { count, dir, names }, check),
    ))
}

fn port_number(i: &[u8]) -> PResult<'_, u16> {
    map_res(digit1, |d: &[u8]| String::from_utf8_lossy(d).parse::<u16>()).parse(i)
}

/// `Port 9090 in use, using port 9091` (–5.7.1) and
/// `Port 9090 is already in use. Using port 9091.` (5.7.2+).
fn port_moved(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (_, from, _, to)) = (
        tag("Port "),
        port_number,
        alt((
            tag(" in use, using port "),
            tag(" is already in use. Using port "),
        )),
        port_number,
    )
        .parse(i)?;
    Ok((i, done(Fact::PortMoved(from, to))))
}

fn patchmatch(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, state) = preceded(
        tag("Patchmatch "),
        alt((
            nom::combinator::value("initialized", tag("initialized")),
            nom::combinator::value("not loaded", tag("not loaded")),
            nom::combinator::value("disabled", tag("loading disabled")),
        )),
    )
    .parse(i)?;
    Ok((i, done(Fact::Patchmatch(state))))
}

fn started_server(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("Started server process").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: true })))
}

/// Launchers: `Started Invoke process with PID 15944`, 3.x
/// `Starting the InvokeAI browser-based UI..`.
fn started_launcher(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = alt((
        tag("Started Invoke process"),
        tag("Starting the InvokeAI browser-based UI"),
    ))
    .parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

/// 2.x `* Initializing, be patient...`.
fn initializing_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("* Initializing, be patient").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

/// pypatchmatch's own `>> patchmatch.patch_match: INFO - …` lines, printed while
/// InvokeAI imports its nodes, i.e. early in a start-up.
fn pypatchmatch(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("patchmatch.patch_match:").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

fn finished_server(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("Finished server process").parse(i)?;
    Ok((i, done(Fact::Shutdown)))
}

/// `Insufficient GPU memory to load model. Aborting`, and (same first letter)
/// `InvokeAI shutting down...`.
fn insufficient(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    if let Ok((i, _)) = tag("InvokeAI shutting down")(i) {
        return Ok((i, done(Fact::Shutdown)));
    }
    let (i, _) = tag("Insufficient GPU memory to load model").parse(i)?;
    Ok((i, done(Fact::InsufficientMemory)))
}

/// 5.6+ `Loaded model 'KEY' (CLASS) onto cuda device in 0.20s. Total model size:
/// 469.44MB, VRAM: 0.15MB (0.0%)`.
fn loaded_model(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (_, _) = tag("Loaded model '").parse(i)?;
    // Most loads are whole: skip reading their numbers (this line repeats for every
    // model lock in a session).
    if i.ends_with(b"(100.0%)") {
        let whole = Fact::LoadedModel {
            key: b"",
            class: b"",
            total_mb: 0.0,
            vram_mb: 0.0,
            percent: 100.0,
        };
        return Ok((&i[i.len()..], done(whole)));
    }
    let (i, (key, _, class, _)) = preceded(
        tag("Loaded model '"),
        (
            take_until("' ("),
            tag("' ("),
            take_until(") onto "),
            take_until("Total model size: "),
        ),
    )
    .parse(i)?;
    let (i, (_, total_mb, _, vram_mb, _, percent, _)) = (
        tag("Total model size: "),
        double,
        tag("MB, VRAM: "),
        double,
        tag("MB ("),
        double,
        tag("%)"),
    )
        .parse(i)?;
    Ok((
        i,
        done(Fact::LoadedModel {
            key: trim(key),
            class: trim(class),
            total_mb,
            vram_mb,
            percent,
        }),
    ))
}

/// `Loading 0.146484375 MB into VRAM, but only -4991.0 MB were requested. …`
fn negative_vram(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, (_, loading_mb, _, requested_mb, _)) = (
        tag("Loading "),
        double,
        tag(" MB into VRAM, but only "),
        double,
        tag(" MB were requested"),
    )
        .parse(i)?;
    Ok((
        i,
        done(Fact::NegativeVram {
            loading_mb,
            requested_mb,
        }),
    ))
}

fn err(i: &[u8]) -> nom::Err<nom::error::Error<&[u8]>> {
    nom::Err::Error(nom::error::Error::new(i, nom::error::ErrorKind::Verify))
}

fn fail<O>(i: &[u8]) -> PResult<'_, O> {
    Err(err(i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact_of(m: &str) -> (Fact<'_>, Check) {
        match parse(m.as_bytes()) {
            Some(Parsed::Fact(f, c)) => (f, c),
            other => panic!("{m:?} → {other:?}"),
        }
    }

    #[test]
    fn version_and_root() {
        assert_eq!(
            fact_of("InvokeAI version 6.14.0-rc2"),
            (Fact::Version(b"6.14.0-rc2"), Check::Unsure)
        );
        assert_eq!(
            fact_of("InvokeAI, version 2.3.5.post2").0,
            Fact::V2Version(b"2.3.5.post2")
        );
        assert_eq!(parse(b"InvokeAI version unknown"), None);
        assert_eq!(
            fact_of("Root directory = E:\\Softwares\\InvokeAI\\invokeai  ").0,
            Fact::Root(br"E:\Softwares\InvokeAI\invokeai")
        );
        assert_eq!(
            fact_of("InvokeAI runtime directory is \"J:\\AI\\invokeAI\"").0,
            Fact::V2Root(br"J:\AI\invokeAI")
        );
    }

    #[test]
    fn devices() {
        assert_eq!(
            fact_of("Using torch device: NVIDIA GeForce RTX 3060").0,
            Fact::TorchDevice {
                name: b"NVIDIA GeForce RTX 3060",
                list: None
            }
        );
        let (f, c) = fact_of(
            "Using torch device: [NVIDIA GeForce RTX 4090 #1 (cuda:0), NVIDIA GeForce RTX 4090 #2 (cuda:1)]",
        );
        assert_eq!(c, Check::Done);
        assert_eq!(
            f,
            Fact::TorchDevice {
                name: b"NVIDIA GeForce RTX 4090",
                list: Some(vec![
                    &b"NVIDIA GeForce RTX 4090 #1 (cuda:0)"[..],
                    b"NVIDIA GeForce RTX 4090 #2 (cuda:1)"
                ])
            }
        );
        let (_, c) =
            fact_of("Using torch device: [NVIDIA GeForce RTX 4090 #1 (cuda:0), NVIDIA GeF");
        assert_eq!(c, Check::Cut);
        assert_eq!(
            fact_of("GPU device = cuda AMD Radeon RX 6800 XT").0,
            Fact::LegacyDevice(b"AMD Radeon RX 6800 XT")
        );
        assert_eq!(fact_of("GPU device = cpu ").0, Fact::LegacyDevice(b"CPU"));
        assert_eq!(
            fact_of("Using device_type CPU     <-----------------------------").0,
            Fact::V2Device(b"CPU")
        );
    }

    #[test]
    fn cudnn_and_allocator() {
        assert_eq!(fact_of("cuDNN version: 90100").0, Fact::Cudnn(b"90100"));
        assert_eq!(
            fact_of("PyTorch CUDA memory allocator: cudaMallocAsync").0,
            Fact::Allocator(b"cudaMallocAsync")
        );
    }

    #[test]
    fn ram_cache_lines() {
        let (f, c) = fact_of(
            "[MODEL CACHE] Calculated model RAM cache size: 7163.50 MB. Heuristics applied: [1, 2].",
        );
        assert_eq!(c, Check::Done);
        assert_eq!(
            f,
            Fact::RamCache(RamCache {
                mb: 7163.5,
                heuristics: vec![1, 2],
                user_defined: false
            })
        );
        let (f, c) = fact_of("[MODEL CACHE] Using user-defined RAM cache size: 28.0 GB.");
        assert_eq!(c, Check::Done);
        assert_eq!(
            f,
            Fact::RamCache(RamCache {
                mb: 28672.0,
                heuristics: vec![],
                user_defined: true
            })
        );
        // Cut by a wrapping console.
        assert_eq!(
            parse(b"[MODEL CACHE] Calculated model RAM cache siz"),
            Some(Parsed::Cut)
        );
        let (_, c) = fact_of("[MODEL CACHE] Calculated model RAM cache size: 21390.56 MB. Heuri");
        assert_eq!(c, Check::Cut);
    }

    #[test]
    fn urls() {
        assert_eq!(
            fact_of("Invoke running on http://127.0.0.1:9090 (Press CTRL+C to quit)"),
            (Fact::Url(b"http://127.0.0.1:9090"), Check::Done)
        );
        assert_eq!(
            fact_of("Uvicorn running on https://0.0.0.0:9091 (Press CTRL+C to quit)").0,
            Fact::Url(b"https://0.0.0.0:9091")
        );
        assert_eq!(
            fact_of("Invoke running on http://127.0.0.1:90").1,
            Check::Cut
        );
    }

    #[test]
    fn databases() {
        assert_eq!(
            fact_of("Initializing database at /home/a/invokeai/databases/invokeai.db"),
            (
                Fact::Database(b"/home/a/invokeai/databases/invokeai.db"),
                Check::Done
            )
        );
        assert_eq!(
            fact_of("Initializing database at C:\\Users\\v\\Invoke\\database").1,
            Check::Cut
        );
        assert_eq!(
            fact_of("Using database at D:\\AI\\InvokeAI\\databases\\invokeai.db").0,
            Fact::Database(br"D:\AI\InvokeAI\databases\invokeai.db")
        );
        assert_eq!(
            fact_of("Initializing in-memory database").0,
            Fact::Database(b"in-memory")
        );
        assert_eq!(
            fact_of("Using in-memory database, no backup needed").0,
            Fact::Database(b"in-memory")
        );
    }

    #[test]
    fn node_packs() {
        assert_eq!(
            fact_of("Loaded 3 node packs from E:\\x\\nodes: invoke_tipo, invoke_wd14_tagger, XYGrid_nodes"),
            (
                Fact::NodePacksLoaded {
                    count: 3,
                    dir: br"E:\x\nodes",
                    names: Some(vec![
                        &b"invoke_tipo"[..],
                        b"invoke_wd14_tagger",
                        b"XYGrid_nodes"
                    ])
                },
                Check::Done
            )
        );
        assert_eq!(
            fact_of("Loaded 1 node pack from /n: invoke_tipo").0,
            Fact::NodePacksLoaded {
                count: 1,
                dir: b"/n",
                names: Some(vec![&b"invoke_tipo"[..]])
            }
        );
        assert_eq!(
            fact_of("Loaded 1 node packs from /home/mcon/invokeai/nodes"),
            (
                Fact::NodePacksLoaded {
                    count: 1,
                    dir: b"/home/mcon/invokeai/nodes",
                    names: None
                },
                Check::Unsure
            )
        );
        assert_eq!(
            fact_of("Loaded 0 modules from /home/bob/invokeai/nodes").0,
            Fact::NodePacksLoaded {
                count: 0,
                dir: b"/home/bob/invokeai/nodes",
                names: None
            }
        );
        assert_eq!(
            fact_of("Loading node pack invoke_tipo").0,
            Fact::NodePackLoading(b"invoke_tipo")
        );
    }

    #[test]
    fn ports_and_patchmatch() {
        assert_eq!(
            fact_of("Port 9090 in use, using port 9091").0,
            Fact::PortMoved(9090, 9091)
        );
        assert_eq!(
            fact_of("Port 9090 is already in use. Using port 9091.").0,
            Fact::PortMoved(9090, 9091)
        );
        assert_eq!(parse(b"Port 99999 in use, using port 9091"), None);
        assert_eq!(
            fact_of("Patchmatch not loaded (nonfatal)").0,
            Fact::Patchmatch("not loaded")
        );
        assert_eq!(
            fact_of("Patchmatch loading disabled").0,
            Fact::Patchmatch("disabled")
        );
        assert_eq!(
            fact_of("Patchmatch initialized").0,
            Fact::Patchmatch("initialized")
        );
    }

    #[test]
    fn model_loads_and_vram_warnings() {
        assert_eq!(
            fact_of("[MODEL CACHE] Loaded model 'ed33:transformer' (Flux) onto cuda device in 6.92s. Total model size: 22700.13MB, VRAM: 8164.06MB (36.0%)").0,
            Fact::LoadedModel {
                key: b"ed33:transformer",
                class: b"Flux",
                total_mb: 22700.13,
                vram_mb: 8164.06,
                percent: 36.0
            }
        );
        // 6.14 names the device index.
        assert!(matches!(
            fact_of("[MODEL CACHE] Loaded model 'k' (AutoEncoder) onto cuda device #0 in 1.94s. Total model size: 159.87MB, VRAM: 159.87MB (100.0%)").0,
            Fact::LoadedModel { .. }
        ));
        assert_eq!(
            fact_of("Loading 0.146484375 MB into VRAM, but only -4991.0 MB were requested. This is the minimum set of weights in VRAM required to run the model.").0,
            Fact::NegativeVram { loading_mb: 0.146484375, requested_mb: -4991.0 }
        );
        assert_eq!(
            fact_of("[MODEL CACHE] Insufficient GPU memory to load model. Aborting").0,
            Fact::InsufficientMemory
        );
    }

    #[test]
    fn markers() {
        assert_eq!(
            fact_of("Started server process [12148]").0,
            Fact::StartMarker { server: true }
        );
        assert_eq!(
            fact_of("patchmatch.patch_match: INFO - Compiling").0,
            Fact::StartMarker { server: false }
        );
        assert_eq!(fact_of("InvokeAI shutting down...").0, Fact::Shutdown);
        assert_eq!(fact_of("Finished server process [1]").0, Fact::Shutdown);
    }

    #[test]
    fn noise_is_not_a_fact() {
        for m in [
            "",
            "Loading model /x, type sdxl:main:unet",
            "Loaded",
            "Using torch device: ",
            "Graph stats: 1",
            "Patchmatch",
            "[MODEL CACHE] ",
            "\u{0}\u{1}\u{2}",
        ] {
            assert!(
                !matches!(parse(m.as_bytes()), Some(Parsed::Fact(..))),
                "{m:?}"
            );
        }
    }
}

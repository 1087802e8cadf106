//! Lines of the server's start and stop: the URL it listens on, its database, the node
//! packs it loaded, a port it moved to, patchmatch, and the markers that open or close a
//! session without stating a fact.

use nom::branch::alt;
use nom::bytes::complete::{take_till, take_while1};
use nom::character::complete::{char, digit1};
use nom::combinator::{map_res, opt, rest};
use nom::sequence::{delimited, preceded, terminated};
use nom::Parser;

use super::{done, err, non_empty, tag, Check, Fact, PResult, Parsed};
use crate::log::text::trim;

/// `Invoke running on http://127.0.0.1:9090 (Press CTRL+C to quit)` (5.5+).
pub(super) fn invoke_running(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    preceded(tag("Invoke running on "), url).parse(i)
}

/// uvicorn's `Uvicorn running on http://0.0.0.0:9090 (Press CTRL+C to quit)`.
pub(super) fn uvicorn_running(i: &[u8]) -> PResult<'_, Parsed<'_>> {
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
pub(super) fn init_database(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    alt((
        preceded(tag("Initializing database at "), db_path),
        preceded(tag("Initializing in-memory database"), in_memory),
        preceded(tag("InvokeAI database location is "), quoted_db_path),
    ))
    .parse(i)
}

/// `Using database at P` (3.2–3.4), `Using in-memory database`.
pub(super) fn using_database(i: &[u8]) -> PResult<'_, Parsed<'_>> {
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

pub(super) fn node_pack_loading(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, name) = preceded(
        tag("Loading node pack "),
        take_while1(|b: u8| !b.is_ascii_whitespace()),
    )
    .parse(i)?;
    Ok((i, done(Fact::NodePackLoading(name))))
}

/// `Loaded N node packs from D` (3.5–5.6), `Loaded N node pack(s) from D: a, b` (5.7+),
/// `Loaded N modules from D` (3.4).
pub(super) fn node_packs_loaded(i: &[u8]) -> PResult<'_, Parsed<'_>> {
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
pub(super) fn port_moved(i: &[u8]) -> PResult<'_, Parsed<'_>> {
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

pub(super) fn patchmatch(i: &[u8]) -> PResult<'_, Parsed<'_>> {
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

pub(super) fn started_server(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("Started server process").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: true })))
}

/// Launchers: `Started Invoke process with PID 15944`, 3.x
/// `Starting the InvokeAI browser-based UI..`.
pub(super) fn started_launcher(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = alt((
        tag("Started Invoke process"),
        tag("Starting the InvokeAI browser-based UI"),
    ))
    .parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

/// 2.x `* Initializing, be patient...`.
pub(super) fn initializing_2x(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("* Initializing, be patient").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

/// pypatchmatch's own `>> patchmatch.patch_match: INFO - …` lines, printed while
/// InvokeAI imports its nodes, i.e. early in a start-up.
pub(super) fn pypatchmatch(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("patchmatch.patch_match:").parse(i)?;
    Ok((i, done(Fact::StartMarker { server: false })))
}

pub(super) fn finished_server(i: &[u8]) -> PResult<'_, Parsed<'_>> {
    let (i, _) = tag("Finished server process").parse(i)?;
    Ok((i, done(Fact::Shutdown)))
}

//! The record header of each log format (LOG_FACTS.md §1.2, §1.5), and wrapper
//! prefixes that other tools glue in front of a line (§4.11).
//!
//! - plain / color: `[YYYY-MM-DD HH:MM:SS,mmm]::[logger]::LEVEL --> message`. The logger
//!   name is arbitrary (it may hold `]`, `::`, spaces), so it runs to the first `]::`
//!   that is followed by a level name and ` --> `.
//! - syslog: `logger [pid] <LEVEL> message`.
//! - legacy: `>> `, `** `, `*** `, `### `, `   | ` + message.
//! - uvicorn's own: `INFO:     message` (level + `:` padded to 9, then a space).
//! - Python's default: `INFO:logger:message`.

use std::sync::OnceLock;

use memchr::memmem;
use nom::branch::alt;
use nom::bytes::complete::{take, take_while1, take_while_m_n};
use nom::character::complete::{char, digit1};
use nom::combinator::{map, opt, value, verify};
use nom::sequence::{preceded, terminated};
use nom::{IResult, Parser};

use super::message::tag;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Plain,
    Color,
    Syslog,
    Legacy,
    Uvicorn,
    Python,
    /// No header: a bare message, a traceback line, foreign output.
    Bare,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Plain => "plain",
            Format::Color => "color",
            Format::Syslog => "syslog",
            Format::Legacy => "legacy",
            Format::Uvicorn => "uvicorn",
            Format::Python => "python",
            Format::Bare => "bare",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Debug,
    Info,
    Warning,
    Error,
    Critical,
    /// A custom level number (`Level 25`), or none (legacy DEBUG and bare lines count as
    /// their prefix says; bare lines get `None`).
    Other,
}

/// A parsed line.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Record<'a> {
    pub format: Format,
    pub logger: &'a [u8],
    pub level: Level,
    pub pid: Option<u32>,
    pub message: &'a [u8],
    /// Something (a docker timestamp, a tqdm frame, a launcher prefix) came before the header.
    pub glued: bool,
}

impl<'a> Record<'a> {
    fn bare(line: &'a [u8]) -> Self {
        Record {
            format: Format::Bare,
            logger: b"",
            level: Level::Other,
            pid: None,
            message: line,
            glued: false,
        }
    }

    pub fn has_header(&self) -> bool {
        self.format != Format::Bare
    }
}

/// Parse a line (already without line ending, tqdm frames and ANSI codes). `had_ansi`
/// tells plain from color.
pub fn parse(line: &[u8], had_ansi: bool) -> Record<'_> {
    // A wrapper prefix (docker -t, journald) in front of a real header. Tried first: a
    // journald prefix would otherwise pass for part of a syslog logger name. Neither
    // starts with `[`, the start of most lines.
    let may_be_wrapped = !matches!(line.first(), Some(b'[' | b'>' | b' '));
    if let Some(rest) = may_be_wrapped.then(|| strip_wrapper(line)).flatten() {
        if let Some(mut r) = header(rest, had_ansi) {
            r.glued = true;
            return r;
        }
    }
    if let Some(r) = header(line, had_ansi) {
        return r;
    }
    // A plain header glued after arbitrary text (a tqdm frame, a launcher's prefix).
    if let Some(r) = glued_plain(line, had_ansi) {
        return r;
    }
    Record::bare(line)
}

/// Does this line start with a record header of any format (or a wrapper prefix)? Used to
/// tell a wrapped continuation from the next record.
pub fn starts_record(line: &[u8]) -> bool {
    header(line, false).is_some() || strip_wrapper(line).is_some()
}

fn header(line: &[u8], had_ansi: bool) -> Option<Record<'_>> {
    match line.first()? {
        b'[' => plain(line, had_ansi),
        b'>' | b'*' | b'#' | b' ' => legacy(line),
        b'A'..=b'Z' => uvicorn_or_python(line).or_else(|| syslog(line)),
        _ => syslog(line),
    }
}

type PResult<'a, O> = IResult<&'a [u8], O>;

fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}

fn digits(n: usize) -> impl FnMut(&[u8]) -> PResult<'_, &[u8]> {
    move |i| take_while_m_n(n, n, is_digit)(i)
}

/// `YYYY-MM-DD HH:MM:SS,mmm`, Python's default asctime.
pub fn timestamp(i: &[u8]) -> PResult<'_, ()> {
    value((), verify(take(23usize), is_timestamp)).parse(i)
}

/// Is `t` exactly a `YYYY-MM-DD HH:MM:SS,mmm` timestamp? This runs on every fact line:
/// one branch-free pass over the fixed 23 bytes.
fn is_timestamp(t: &[u8]) -> bool {
    const SHAPE: &[u8; 23] = b"dddd-dd-dd dd:dd:dd,ddd";
    let Some(t) = t.first_chunk::<23>() else {
        return false;
    };
    let mut bad = false;
    for (&b, &s) in t.iter().zip(SHAPE) {
        bad |= if s == b'd' {
            !b.is_ascii_digit()
        } else {
            b != s
        };
    }
    !bad
}

fn level(i: &[u8]) -> PResult<'_, Level> {
    // The names start with different letters: one comparison picks the candidate.
    let (name, lvl): (&[u8], Level) = match i.first() {
        Some(b'D') => (b"DEBUG", Level::Debug),
        Some(b'I') => (b"INFO", Level::Info),
        Some(b'W') => (b"WARNING", Level::Warning),
        Some(b'E') => (b"ERROR", Level::Error),
        Some(b'C') => (b"CRITICAL", Level::Critical),
        _ => return value(Level::Other, preceded(tag("Level "), digit1)).parse(i),
    };
    match i.strip_prefix(name) {
        Some(rest) => Ok((rest, lvl)),
        None => Err(nom::Err::Error(nom::error::Error::new(
            i,
            nom::error::ErrorKind::Tag,
        ))),
    }
}

/// `[ts]::[logger]::LEVEL --> message`.
fn plain(line: &[u8], had_ansi: bool) -> Option<Record<'_>> {
    // `[` + timestamp + `]::[`, checked without a parser: this runs on every fact line.
    let head = line.first_chunk::<28>()?;
    if head[0] != b'[' || &head[24..] != b"]::[" || !is_timestamp(&head[1..24]) {
        return None;
    }
    let after = &line[28..];
    // The logger name ends at the first `]::` followed by a level and ` --> `.
    let closers = memchr::memchr_iter(b']', after).filter(|&at| after[at + 1..].starts_with(b"::"));
    for at in closers {
        let tail = &after[at + 3..];
        let Ok((rest, lvl)) = level(tail) else {
            continue;
        };
        let message = match rest.strip_prefix(b" --> ") {
            Some(message) => message,
            // Without a message the arrow may lack its trailing space.
            None if rest == b" -->" => &rest[rest.len()..],
            None => continue,
        };
        return Some(Record {
            format: if had_ansi {
                Format::Color
            } else {
                Format::Plain
            },
            logger: &after[..at],
            level: lvl,
            pid: None,
            message,
            glued: false,
        });
    }
    None
}

fn finder(
    cell: &'static OnceLock<memmem::Finder<'static>>,
    needle: &'static [u8],
) -> &'static memmem::Finder<'static> {
    cell.get_or_init(|| memmem::Finder::new(needle))
}

/// A plain header somewhere inside the line, after glued text.
fn glued_plain(line: &[u8], had_ansi: bool) -> Option<Record<'_>> {
    static SEP: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    // `[` + 23-byte timestamp = 24 bytes before `]::[`.
    for at in finder(&SEP, b"]::[").find_iter(line).take(4) {
        let Some(start) = at.checked_sub(24) else {
            continue;
        };
        if let Some(mut r) = plain(&line[start..], had_ansi) {
            r.glued = start > 0;
            return Some(r);
        }
    }
    None
}

/// `logger [pid] <LEVEL> message`.
fn syslog(line: &[u8]) -> Option<Record<'_>> {
    // The logger name is arbitrary; anchor on ` [digits] <`.
    static PID_END: OnceLock<memmem::Finder<'static>> = OnceLock::new();
    let window = &line[..line.len().min(512)];
    for at in finder(&PID_END, b"] <").find_iter(window) {
        let before = &line[..at];
        let digits_start = before
            .iter()
            .rposition(|b| !b.is_ascii_digit())
            .map_or(0, |p| p + 1);
        if digits_start == at
            || digits_start < 2
            || &before[digits_start - 2..digits_start] != b" ["
        {
            continue;
        }
        let logger = &line[..digits_start - 2];
        if logger.is_empty() || logger[0].is_ascii_whitespace() {
            continue;
        }
        let pid = std::str::from_utf8(&before[digits_start..])
            .ok()?
            .parse::<u32>()
            .ok();
        let tail = &line[at + 3..];
        let parsed: PResult<'_, (Level, Option<char>)> =
            (terminated(level, char('>')), opt(char(' '))).parse(tail);
        if let Ok((message, (lvl, _))) = parsed {
            return Some(Record {
                format: Format::Syslog,
                logger,
                level: lvl,
                pid,
                message,
                glued: false,
            });
        }
    }
    None
}

/// `>> `, `** `, `*** `, `### `, `   | `.
fn legacy(line: &[u8]) -> Option<Record<'_>> {
    let parsed: PResult<'_, Level> = alt((
        value(Level::Info, tag(">> ")),
        value(Level::Error, tag("*** ")),
        value(Level::Warning, tag("** ")),
        value(Level::Critical, tag("### ")),
        value(Level::Debug, tag("   | ")),
    ))
    .parse(line);
    let (message, lvl) = parsed.ok()?;
    Some(Record {
        format: Format::Legacy,
        logger: b"",
        level: lvl,
        pid: None,
        message,
        glued: false,
    })
}

/// uvicorn's `INFO:     message`, or Python's default `INFO:logger:message`.
fn uvicorn_or_python(line: &[u8]) -> Option<Record<'_>> {
    let (rest, lvl) = terminated(level, char(':')).parse(line).ok()?;
    if let Ok((message, _)) = take_while1::<_, _, nom::error::Error<&[u8]>>(|b| b == b' ')(rest) {
        return Some(Record {
            format: Format::Uvicorn,
            logger: b"uvicorn",
            level: lvl,
            pid: None,
            message,
            glued: false,
        });
    }
    let parsed: PResult<'_, &[u8]> =
        terminated(take_while1(|b: u8| b != b':' && b != b' '), char(':')).parse(rest);
    let (message, logger) = parsed.ok()?;
    Some(Record {
        format: Format::Python,
        logger,
        level: lvl,
        pid: None,
        message,
        glued: false,
    })
}

/// The rest of the line after a docker `-t` timestamp (`2023-08-04T11:42:56.635182965Z `)
/// or a journald prefix (`Aug 04 11:42:56 host invokeai-web[123]: `).
pub fn strip_wrapper(line: &[u8]) -> Option<&[u8]> {
    docker_prefix(line)
        .or_else(|| journald_prefix(line))
        .map(|(rest, ())| rest)
}

fn docker_prefix(i: &[u8]) -> Option<(&[u8], ())> {
    let offset = alt((
        value((), char('Z')),
        value(
            (),
            (alt((char('+'), char('-'))), digits(2), char(':'), digits(2)),
        ),
    ));
    let parsed: PResult<'_, ()> = (
        digits(4),
        char('-'),
        digits(2),
        char('-'),
        digits(2),
        char('T'),
        digits(2),
        char(':'),
        digits(2),
        char(':'),
        digits(2),
        opt(preceded(char('.'), digit1)),
        offset,
        take_while1(|b| b == b' '),
    )
        .parse(i)
        .map(|(rest, _)| (rest, ()));
    parsed.ok()
}

fn journald_prefix(i: &[u8]) -> Option<(&[u8], ())> {
    let month = take_while_m_n(3, 3, |b: u8| b.is_ascii_alphabetic());
    let not_space = |b: u8| b != b' ';
    let parsed: PResult<'_, ()> = (
        month,
        take_while1(|b| b == b' '),
        take_while_m_n(1, 2, is_digit),
        char(' '),
        digits(2),
        char(':'),
        digits(2),
        char(':'),
        digits(2),
        char(' '),
        take_while1(not_space),
        char(' '),
        take_while1(|b: u8| b != b'[' && b != b':' && b != b' '),
        opt((char('['), digit1, char(']'))),
        tag(": "),
    )
        .parse(i)
        .map(|(rest, _)| (rest, ()));
    parsed.ok()
}

/// The pid in a uvicorn `Started server process [1234]` message.
pub fn bracketed_number(i: &[u8]) -> Option<u32> {
    let parsed: PResult<'_, &[u8]> = map((char('['), digit1, char(']')), |(_, d, _)| d).parse(i);
    let (_, d) = parsed.ok()?;
    std::str::from_utf8(d).ok()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(line: &str) -> Record<'_> {
        parse(line.as_bytes(), false)
    }

    #[test]
    fn plain_header() {
        let r = p("[2025-01-25 10:15:42,123]::[InvokeAI]::INFO --> InvokeAI version 5.6.0");
        assert_eq!(r.format, Format::Plain);
        assert_eq!(r.logger, b"InvokeAI");
        assert_eq!(r.level, Level::Info);
        assert_eq!(r.message, b"InvokeAI version 5.6.0");
        assert!(!r.glued);
    }

    #[test]
    fn plain_logger_names_are_arbitrary_and_messages_may_start_with_brackets() {
        let r = p("[2025-01-25 10:15:42,123]::[My]::Node [x]::WARNING --> [MODEL CACHE] hi");
        assert_eq!(r.logger, b"My]::Node [x");
        assert_eq!(r.level, Level::Warning);
        assert_eq!(r.message, b"[MODEL CACHE] hi");
        let r = p("[2025-01-25 10:15:42,123]::[InvokeAI-TIPO]::Level 25 --> custom");
        assert_eq!(r.logger, b"InvokeAI-TIPO");
        assert_eq!(r.level, Level::Other);
    }

    #[test]
    fn color_is_plain_with_ansi() {
        let r = parse(b"[2025-01-25 10:15:42,123]::[InvokeAI]::ERROR --> x", true);
        assert_eq!(r.format, Format::Color);
    }

    #[test]
    fn syslog_header() {
        let r = p("ModelManagerService [218443] <INFO> [MODEL CACHE] Loaded");
        assert_eq!(r.format, Format::Syslog);
        assert_eq!(r.logger, b"ModelManagerService");
        assert_eq!(r.pid, Some(218443));
        assert_eq!(r.message, b"[MODEL CACHE] Loaded");
        let r = p("Invoke AI Node [7] <Level 25> spaced");
        assert_eq!(r.logger, b"Invoke AI Node");
        assert_eq!(r.message, b"spaced");
    }

    #[test]
    fn legacy_prefixes() {
        assert_eq!(p(">> Patchmatch initialized").level, Level::Info);
        assert_eq!(
            p("** Port 9090 in use, using port 9091").level,
            Level::Warning
        );
        assert_eq!(p("*** boom").level, Level::Error);
        assert_eq!(p("### dead").level, Level::Critical);
        let r = p("   | Using more accurate float32 precision");
        assert_eq!(r.level, Level::Debug);
        assert_eq!(r.message, b"Using more accurate float32 precision");
    }

    #[test]
    fn uvicorn_and_python_default() {
        let r = p("INFO:     Uvicorn running on http://127.0.0.1:9090 (Press CTRL+C to quit)");
        assert_eq!(r.format, Format::Uvicorn);
        assert!(r.message.starts_with(b"Uvicorn running"));
        let r = p("INFO:InvokeAI:InvokeAI version 4.2.9");
        assert_eq!(r.format, Format::Python);
        assert_eq!(r.logger, b"InvokeAI");
        assert_eq!(r.message, b"InvokeAI version 4.2.9");
    }

    #[test]
    fn wrappers_and_glued_headers() {
        let r = p("2023-08-04T11:42:56.635182965Z [2023-08-04 11:42:56,635]::[InvokeAI]::INFO --> Root directory = /x");
        assert_eq!(r.format, Format::Plain);
        assert!(r.glued);
        assert_eq!(r.message, b"Root directory = /x");
        let r = p("Aug 04 11:42:56 box invokeai-web[812]: InvokeAI [812] <INFO> hi");
        assert_eq!(r.format, Format::Syslog);
        assert!(r.glued);
        let r = p(" 45%|####5     | 9/20 [00:03<00:04][2024-12-14 23:06:12,001]::[InvokeAI]::WARNING --> late");
        assert_eq!(r.format, Format::Plain);
        assert!(r.glued);
        assert_eq!(r.message, b"late");
    }

    #[test]
    fn things_that_are_not_headers() {
        for line in [
            "[TIPO-KGen]-|11:16:30|-INFO: TIPO Model Dir: E:\\x",
            "  File \"x.py\", line 3, in f",
            "W0802 18:47:16.563000 12760 Lib\\site-packages\\torch\\utils\\flop_counter.py:29] triton",
            "[2023-08-09 17:25:18,419]::[uvicorn.error]::INFO -> broken arrow",
            "",
            "[",
            "Press any key to continue . . .",
        ] {
            assert_eq!(p(line).format, Format::Bare, "{line}");
        }
        assert!(!starts_record(
            b"e: 21390.56 MB. Heuristics applied: [1, 2]."
        ));
        assert!(starts_record(b">> Patchmatch initialized"));
    }

    #[test]
    fn pid_in_brackets() {
        assert_eq!(bracketed_number(b"[12148]"), Some(12148));
        assert_eq!(bracketed_number(b"[99999999999]"), None);
        assert_eq!(bracketed_number(b"12"), None);
    }
}

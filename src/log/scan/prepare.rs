//! The first step of reading a block, the one that needs no state from earlier blocks:
//! one Aho-Corasick pass finds the lines holding a keyword, ANSI codes are removed, and
//! the record and message grammars read each of them ([`prepare`]). Blocks are prepared
//! in parallel; [`super::Scanner::fold`] then takes them in order.

use std::sync::OnceLock;

use aho_corasick::{packed, AhoCorasick};
use memchr::{memchr, memchr2, memchr_iter};

use crate::log::message::{self, Check, Parsed};
use crate::log::oom;
use crate::log::reader::MAX_LINE;
use crate::log::record::{self, Format, Record};
use crate::log::text::{char_width, strip_ansi_append, visible};

/// Substrings of every line we care about. A line without any of them is skipped unread.
///
/// None of them starts like the text every record header holds (`[20`, `Inv`, `Mod`,
/// `uvi`, `INF`, `::[`): the SIMD search checks each place where a keyword's first bytes
/// occur, and a keyword that began like `[InvokeAI]` would be checked on every line.
const KEYWORDS: &[&str] = &[
    "AI version ",  // InvokeAI version
    "AI, version ", // 2.x InvokeAI, version
    "Root directory",
    "runtime directory is", // 2.x
    "GPU device =",         // 3.x
    "torch device",
    "device_type", // 2.x
    "cuDNN version",
    "CUDA memory allocator",
    "MODEL CACHE]",
    "running on",   // Invoke / Uvicorn running on
    "database at ", // Initializing / Using database at
    "in-memory database",
    "database location",
    "node pack",
    "modules from", // 3.4
    "Port ",
    "Patchmatch",
    "patchmatch.patch_match",
    "out of memory",
    "sufficient GPU memory",
    "MB into VRAM",
    "server process", // Started / Finished server process
    "shutting down",
    "ted Invoke process",   // launcher: Started Invoke process
    "the InvokeAI browser", // 3.x launcher: Starting the InvokeAI browser-based UI
    "alizing, be patient",  // 2.x
];

/// The keyword search: SIMD Teddy where the CPU has it, else an Aho-Corasick automaton.
enum Keywords {
    Teddy(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Keywords {
    /// Start of the first keyword in `hay`.
    fn find(&self, hay: &[u8]) -> Option<usize> {
        match self {
            Keywords::Teddy(t) => t.find(hay).map(|m| m.start()),
            Keywords::Automaton(a) => a.find(hay).map(|m| m.start()),
        }
    }
}

fn keywords() -> &'static Keywords {
    static KW: OnceLock<Keywords> = OnceLock::new();
    KW.get_or_init(|| match packed::Searcher::new(KEYWORDS) {
        Some(t) => Keywords::Teddy(t),
        None => {
            Keywords::Automaton(AhoCorasick::new(KEYWORDS).expect("static keyword list builds"))
        }
    })
}

/// What one (possibly joined) line says.
pub(super) struct Analysis<'a> {
    pub(super) parsed: Option<Parsed<'a>>,
    /// Boxed: rare, and four times the size of the rest.
    pub(super) oom: Option<Box<oom::Oom>>,
    pub(super) format: Format,
    pub(super) pid: Option<u32>,
}

impl<'a> Analysis<'a> {
    pub(super) fn of(text: &'a [u8], had_ansi: bool) -> Self {
        let rec: Record<'a> = record::parse(text, had_ansi);
        let parsed = message::parse(rec.message);
        let oom = match parsed {
            Some(Parsed::Fact(..)) => None,
            _ => oom::find(text).map(Box::new),
        };
        Analysis {
            parsed,
            oom,
            format: rec.format,
            pid: if rec.format == Format::Syslog {
                rec.pid
            } else {
                None
            },
        }
    }

    /// Certainly cut: the message's known ending is missing.
    pub(super) fn is_cut(&self) -> bool {
        match &self.parsed {
            Some(Parsed::Cut) | Some(Parsed::Fact(_, Check::Cut)) => true,
            Some(Parsed::Fact(..)) => false,
            None => self.oom.as_ref().is_some_and(|o| !o.complete),
        }
    }

    pub(super) fn is_unsure(&self) -> bool {
        matches!(self.parsed, Some(Parsed::Fact(_, Check::Unsure)))
    }

    pub(super) fn is_done(&self) -> bool {
        match &self.parsed {
            Some(Parsed::Fact(_, Check::Done)) => true,
            Some(_) => false,
            None => self.oom.as_ref().is_some_and(|o| o.complete),
        }
    }
}

/// Not valid UTF-8: decoded lossily.
pub(super) fn is_lossy(text: &[u8]) -> bool {
    !text.is_ascii() && std::str::from_utf8(text).is_err()
}

/// A keyword line as [`prepare`] found it, before any state is involved.
///
/// Kept within 128 bytes, so that moving one is a few register moves rather than a
/// call to `memcpy` (there is one per fact line). Offsets fit in `u32`: a block is at
/// most [`super::reader::CHUNK`] + [`MAX_LINE`] bytes.
pub(super) struct Spot<'a> {
    /// `\n`s in the block before the line.
    pub(super) newlines_before: u32,
    /// The line's end: its `\n`, or the end of the block. (Its start is not kept: it
    /// is only needed for the few lines that may be wrapped.)
    pub(super) end: u32,
    /// What it says; `None` for a line too long to read.
    pub(super) read: Option<Read<'a>>,
}

const _: () = assert!(std::mem::size_of::<Spot<'static>>() <= 128);

/// A keyword line decoded for the grammars.
pub(super) struct Read<'a> {
    /// The line as a terminal showed it (ANSI codes removed).
    pub(super) text: &'a [u8],
    pub(super) had_ansi: bool,
    pub(super) analysis: Analysis<'a>,
    /// Characters, counted only when the line may continue on the next one (else 0).
    pub(super) width: u32,
    /// Not valid UTF-8.
    pub(super) lossy: bool,
}

/// Reusable buffers of [`prepare`].
#[derive(Default)]
pub struct Workspace {
    /// Room for the keyword lines with ANSI codes removed: never more than the block.
    stripped: Vec<u8>,
    scratch: Vec<u8>,
    /// Keyword lines in the last block: the next one likely has about as many.
    last_spots: usize,
}

/// The part of reading a block that needs no state from earlier blocks: find the keyword
/// lines, remove ANSI codes, run the grammars. Blocks can be prepared in parallel and
/// then folded in order ([`Scanner::fold`]).
pub struct Prepared<'a> {
    pub(super) spots: Vec<Spot<'a>>,
    pub(super) newlines: u64,
}

/// Read the keyword lines of `block` (whole lines, as [`LineSink::block`] gets them).
pub fn prepare<'a>(block: &'a [u8], ws: &'a mut Workspace) -> Prepared<'a> {
    if ws.stripped.len() < block.len() {
        ws.stripped.resize(block.len(), 0);
    }
    let Workspace {
        stripped,
        scratch,
        last_spots,
    } = ws;
    // Stripped lines are carved off the front of `free`, so that they can be borrowed
    // while later ones are written.
    let mut free: &'a mut [u8] = stripped.as_mut_slice();
    let mut spots = Vec::with_capacity(*last_spots + *last_spots / 8);
    let ac = keywords();
    let mut pos = 0;
    let mut newlines = 0u64;
    while pos < block.len() {
        let Some(m) = ac.find(&block[pos..]) else {
            newlines += memchr_iter(b'\n', &block[pos..]).count() as u64;
            break;
        };
        let hit = pos + m;
        let start = match memchr::memrchr(b'\n', &block[pos..hit]) {
            Some(i) => {
                newlines += 1 + memchr_iter(b'\n', &block[pos..pos + i]).count() as u64;
                pos + i + 1
            }
            None => pos,
        };
        let end = memchr(b'\n', &block[hit..]).map_or(block.len(), |i| hit + i);
        let newlines_before = newlines;
        if end < block.len() {
            newlines += 1;
        }
        pos = (end + 1).min(block.len());
        let raw = &block[start..end];
        // Almost every line has no `\r` (CRLF, tqdm frames) and no ANSI codes.
        let (text, had_ansi) = if memchr2(b'\r', 0x1b, raw).is_none() {
            (raw, false)
        } else {
            let vis = visible(raw);
            scratch.clear();
            if vis.len() <= MAX_LINE && strip_ansi_append(vis, scratch) {
                // Never more than the block: each line shrinks, and lines do not overlap.
                if scratch.len() > free.len() {
                    continue;
                }
                let (piece, rest) = std::mem::take(&mut free).split_at_mut(scratch.len());
                piece.copy_from_slice(scratch);
                free = rest;
                (&*piece, true)
            } else {
                (vis, false)
            }
        };
        let (newlines_before, end) = (offset(newlines_before), offset(end as u64));
        if text.len() > MAX_LINE {
            spots.push(Spot {
                newlines_before,
                end,
                read: None,
            });
            continue;
        }
        let analysis = Analysis::of(text, had_ansi);
        // A line without a fact changes nothing: it cannot continue, and only lines
        // that may continue are measured.
        if analysis.parsed.is_none() && analysis.oom.is_none() {
            continue;
        }
        let may_continue = analysis.is_cut() || analysis.is_unsure();
        let ascii = text.is_ascii();
        let width = match (may_continue, ascii) {
            (false, _) => 0,
            (true, true) => text.len(),
            (true, false) => char_width(text),
        };
        let width = u32::try_from(width).unwrap_or(u32::MAX);
        spots.push(Spot {
            newlines_before,
            end,
            read: Some(Read {
                text,
                had_ansi,
                analysis,
                width,
                lossy: !ascii && is_lossy(text),
            }),
        });
    }
    *last_spots = spots.len();
    Prepared { spots, newlines }
}

/// A count or offset within a block as stored in a [`Spot`].
fn offset(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_build() {
        assert_eq!(keywords().find(b"xx InvokeAI version 5"), Some(9));
        assert_eq!(keywords().find(b"nothing to see"), None);
    }
}

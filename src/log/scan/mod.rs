//! The hot path: find the lines that can hold a fact, undo console wrapping, parse.
//!
//! Almost every line of a log is noise for us (tracebacks, progress bars, HTTP access
//! lines, graph stats). One Aho-Corasick pass over each block finds the few lines that
//! contain a keyword; only those are decoded and parsed. Keywords are short and sit at
//! the start of their message, so that a console that hard-wraps at 80 columns still
//! leaves them whole on the first physical line.
//!
//! Two steps per block: [`prepare`] needs nothing from earlier blocks (keyword search,
//! ANSI codes, grammars), so blocks are prepared in parallel; [`Scanner::fold`] takes
//! them in order (line numbers, wrapping, sessions) and does little work per line.
//!
//! Wrapping: when a fact line is certainly cut (a database path without `.db`, a RAM
//! cache line without its heuristics list, an OOM message without its sizes), or is long
//! enough to have been wrapped and its value cannot be checked (a root path), the next
//! physical line is joined to it if it looks like a continuation: no record header, no
//! indentation, not a warning, traceback or progress bar. The fact cites the first line.

use std::sync::OnceLock;

use memchr::{memchr, memmem};

use super::message::Parsed;
use super::reader::{LineSink, Stats, MAX_LINE};
use super::record;
use super::session::{LineInfo, Sessions};
use super::text::{char_width, strip_ansi_into, visible};
use super::{derive, LogFacts};

mod prepare;

use prepare::{is_lossy, Analysis, Read};
pub use prepare::{prepare, Prepared, Workspace};

/// A line this wide (in characters) may have been hard-wrapped by a console.
const WRAP_MIN_WIDTH: usize = 80;
/// A certainly-cut line this short is not a wrapped one (it is some other text).
const CUT_MIN_WIDTH: usize = 40;
/// At most this many continuation lines are joined to one fact line.
const MAX_PARTS: u8 = 4;

/// A fact line that may continue on the next physical line.
struct Pending {
    line: u64,
    /// The text so far (first line plus joined continuations).
    text: Vec<u8>,
    had_ansi: bool,
    first_width: usize,
    last_width: usize,
    parts: u8,
    /// Certainly cut (true), or only long enough to have been (false).
    cut: bool,
    /// An earlier fact line had exactly this width: likely the console's.
    width_seen: bool,
    /// The next physical line is already known to continue this one.
    next_joins: bool,
}

#[derive(Default)]
pub struct Scanner {
    /// Number of the line that starts at the current position (1-based).
    next_line: u64,
    /// The last block did not end in `\n` (end of input inside a line).
    partial_tail: bool,
    sessions: Sessions,
    pending: Option<Pending>,
    /// Reused buffers: ANSI-stripped text of the line after a fact line, and the
    /// workspace of [`prepare`] when the scanner reads blocks itself ([`LineSink`]).
    next_scratch: Vec<u8>,
    workspace: Workspace,
    pending_buf: Vec<u8>,
    /// Learnt from a certain join: the console's width.
    wrap_width: Option<usize>,
    /// Widths (≥ [`WRAP_MIN_WIDTH`]) of recent fact lines: lines a console wrapped all
    /// have its width.
    recent_widths: [usize; 8],
    recent_next: usize,
    overlong: u64,
    first_overlong: u64,
    lossy: u64,
    first_lossy: u64,
}

/// `raw` as a terminal showed it, ANSI codes removed (into `scratch` when it had any).
fn shown<'a>(raw: &'a [u8], scratch: &'a mut Vec<u8>) -> (&'a [u8], bool) {
    let vis = visible(raw);
    if strip_ansi_into(vis, scratch) {
        (&scratch[..], true)
    } else {
        (vis, false)
    }
}

impl Scanner {
    pub fn new() -> Self {
        Scanner {
            next_line: 1,
            ..Scanner::default()
        }
    }

    /// One fact line, the one of `block` that ends at `end`, read ahead by [`prepare`].
    fn line(&mut self, line_no: u64, block: &[u8], end: usize, read: Read<'_>) {
        let Read {
            text,
            had_ansi,
            analysis: a,
            width,
            lossy,
        } = read;
        let width = width as usize;
        let wait_cut = a.is_cut() && width >= CUT_MIN_WIDTH;
        let wait_unsure = a.is_unsure() && width >= WRAP_MIN_WIDTH;
        let width_seen = width >= WRAP_MIN_WIDTH && self.recent_widths.contains(&width);
        if width >= WRAP_MIN_WIDTH {
            self.recent_widths[self.recent_next % self.recent_widths.len()] = width;
            self.recent_next += 1;
        }
        if wait_cut || wait_unsure {
            // The physical line after it, when it is in the same block.
            let next = (end + 1 < block.len()).then(|| {
                let from = end + 1;
                let to = memchr(b'\n', &block[from..]).map_or(block.len(), |i| from + i);
                &block[from..to]
            });
            let p = Pending {
                line: line_no,
                text: Vec::new(),
                had_ansi,
                first_width: width,
                last_width: width,
                parts: 0,
                cut: wait_cut,
                width_seen,
                next_joins: false,
            };
            // Usually the next line is right here and plainly not a continuation: take
            // the line as it is, without copying or parsing it again.
            // Cheap and common: the next physical line starts like this one, so it is
            // the next record. Compared as shown (what `joins` compares), so the answer
            // does not depend on whether the next line is in this block: a raw line
            // with `\r` or ANSI codes is shown otherwise, and goes the long way.
            const SAME_START: usize = 12;
            let next_is_record = next.is_some_and(|n| {
                n.len() >= SAME_START
                    && text.get(..SAME_START) == n.get(..SAME_START)
                    && memchr::memchr2(b'\r', 0x1b, n).is_none()
            });
            let joins = match next {
                _ if next_is_record => false,
                Some(n) => {
                    let mut ns = std::mem::take(&mut self.next_scratch);
                    let (cont, _) = shown(n, &mut ns);
                    let joins = self.joins(&p, text, cont);
                    self.next_scratch = ns;
                    joins
                }
                None => true,
            };
            if joins {
                let mut buf = std::mem::take(&mut self.pending_buf);
                buf.clear();
                buf.extend_from_slice(text);
                self.pending = Some(Pending {
                    text: buf,
                    // Nothing changes before the next line is offered: do not ask again.
                    next_joins: next.is_some(),
                    ..p
                });
            } else {
                self.commit(line_no, text, a, lossy);
            }
        } else {
            self.commit(line_no, text, a, lossy);
        }
    }

    /// Would `cont` be joined to `text`, the pending line so far?
    fn joins(&self, p: &Pending, text: &[u8], cont: &[u8]) -> bool {
        // Cheap and common: the next line starts like this one, so it is the next record.
        const SAME_START: usize = 12;
        if cont.len() >= SAME_START && text.get(..SAME_START) == cont.get(..SAME_START) {
            return false;
        }
        if !looks_like_continuation(cont) {
            return false;
        }
        if p.cut {
            return true;
        }
        // Only long enough to have been wrapped: demand more evidence. A continuation
        // without spaces, a width seen before, or a join that completes the message.
        !cont.contains(&b' ') || p.width_seen || self.wrap_width == Some(p.first_width) || {
            let mut joined = text.to_vec();
            joined.extend_from_slice(cont);
            Analysis::of(&joined, p.had_ansi).is_done()
        }
    }

    /// Offer the next physical line to the pending fact. True: it was a continuation
    /// and is used up.
    fn feed_pending(&mut self, raw: &[u8]) -> bool {
        let Some(mut p) = self.pending.take() else {
            return false;
        };
        let mut ns = std::mem::take(&mut self.next_scratch);
        let (cont, _) = shown(raw, &mut ns);
        if !std::mem::take(&mut p.next_joins) && !self.joins(&p, &p.text, cont) {
            self.next_scratch = ns;
            self.finalize(p);
            return false;
        }
        p.text.extend_from_slice(cont);
        p.parts += 1;
        p.last_width = char_width(cont);
        self.next_scratch = ns;
        let text = std::mem::take(&mut p.text);
        let a = Analysis::of(&text, p.had_ansi);
        let wrapped_again = p.last_width >= p.first_width && p.parts < MAX_PARTS;
        if a.is_done() && p.cut {
            self.wrap_width = Some(p.first_width);
        }
        if !a.is_done() && wrapped_again {
            drop(a);
            p.text = text;
            self.pending = Some(p);
        } else {
            self.commit(p.line, &text, a, is_lossy(&text));
            self.pending_buf = text;
        }
        true
    }

    /// The pending fact gets no (more) continuation: take it as it stands.
    fn finalize(&mut self, p: Pending) {
        let a = Analysis::of(&p.text, p.had_ansi);
        self.commit(p.line, &p.text, a, is_lossy(&p.text));
        self.pending_buf = p.text;
    }

    /// `lossy`: [`is_lossy`] of `text`.
    fn commit(&mut self, line_no: u64, text: &[u8], a: Analysis<'_>, lossy: bool) {
        if a.parsed.is_none() && a.oom.is_none() {
            return;
        }
        if lossy {
            if self.lossy == 0 {
                self.first_lossy = line_no;
            }
            self.lossy += 1;
        }
        let at = LineInfo {
            line: line_no,
            text,
            format: a.format.as_str(),
            syslog_pid: a.pid,
        };
        match (a.parsed, a.oom) {
            (Some(Parsed::Fact(fact, _)), _) => self.sessions.fact(fact, at),
            (_, Some(o)) => self.sessions.oom(*o, at),
            _ => {}
        }
    }

    fn note_overlong(&mut self, line_no: u64) {
        if self.overlong == 0 {
            self.first_overlong = line_no;
        }
        self.overlong += 1;
    }

    /// Offer lines from `pos` on to the pending fact until it is settled.
    fn drain_pending(&mut self, block: &[u8], pos: &mut usize) {
        while self.pending.is_some() && *pos < block.len() {
            let end = memchr(b'\n', &block[*pos..]).map_or(block.len(), |i| *pos + i);
            if !self.feed_pending(&block[*pos..end]) {
                return;
            }
            if end < block.len() {
                self.next_line += 1;
            }
            *pos = (end + 1).min(block.len());
        }
    }

    /// Settle everything and produce the facts.
    pub fn finish(mut self, name: &str, stats: Stats) -> LogFacts {
        if let Some(p) = self.pending.take() {
            self.finalize(p);
        }
        let mut out = LogFacts {
            file: name.to_string(),
            lines: self.next_line - 1 + u64::from(self.partial_tail),
            ..LogFacts::default()
        };
        if stats.bytes == 0 {
            out.notes.push("the log is empty".into());
        }
        if stats.nul_in_head > 0 {
            out.notes.push(format!(
                "the input looks binary ({} NUL bytes near its start); facts may be missing",
                stats.nul_in_head
            ));
        }
        if let Some(why) = &stats.abandoned {
            out.notes.push(why.clone());
        }
        if self.overlong > 0 {
            out.notes.push(format!(
                "{} line(s) longer than {} KiB skipped (first: line {})",
                self.overlong,
                MAX_LINE / 1024,
                self.first_overlong
            ));
        }
        if self.lossy > 0 {
            out.notes.push(format!(
                "{} fact line(s) were not valid UTF-8 and were decoded lossily (first: line {})",
                self.lossy, self.first_lossy
            ));
        }
        self.sessions.finish(&mut out);
        if stats.bytes > 0 && out.sessions.is_empty() {
            out.notes
                .push("no InvokeAI start-up lines found (no version, root or device)".into());
        }
        derive::derive(&mut out);
        out
    }
}

/// Could `line` be the rest of a line a console wrapped? Not if it is empty, indented,
/// a record of its own, or recognisably something else. One leading space is allowed:
/// the cut fell on a space. Indented text (tracebacks, tables) has two or more.
fn looks_like_continuation(line: &[u8]) -> bool {
    let body = line.strip_prefix(b" ").unwrap_or(line);
    let Some(&first) = body.first() else {
        return false;
    };
    if first.is_ascii_whitespace() || line.len() > 4096 || record::starts_record(line) {
        return false;
    }
    if line.starts_with(b"Traceback") || glog_prefix(line) {
        return false;
    }
    // Python warnings and exceptions, tqdm bars.
    static FOREIGN: OnceLock<Vec<memmem::Finder<'static>>> = OnceLock::new();
    let finders = FOREIGN.get_or_init(|| {
        [&b"Warning: "[..], b"Error: ", b"%|", b"it/s]", b"s/it]"]
            .into_iter()
            .map(memmem::Finder::new)
            .collect()
    });
    !finders.iter().any(|f| f.find(line).is_some())
}

/// glog-style lines from torch: `W0802 18:47:16.563000 12760 file.py:29] …`.
fn glog_prefix(line: &[u8]) -> bool {
    line.len() > 6
        && matches!(line[0], b'I' | b'W' | b'E' | b'F')
        && line[1..5].iter().all(u8::is_ascii_digit)
        && line[5] == b' '
}

impl Scanner {
    /// The stateful part of reading a block: line numbers, wrapped lines, sessions.
    /// `prepared` must come from [`prepare`] of this very `block`, and blocks must be
    /// folded in the order of the input.
    pub fn fold(&mut self, block: &[u8], prepared: Prepared<'_>) {
        self.partial_tail = block.last() != Some(&b'\n');
        let base = self.next_line;
        let mut pos = 0;
        self.drain_pending(block, &mut pos);
        for spot in prepared.spots {
            let end = (spot.end as usize).min(block.len());
            // Lines already taken as continuations of a wrapped fact line (`pos` is
            // always the start of a line).
            if end < pos {
                continue;
            }
            let line_no = base + u64::from(spot.newlines_before);
            self.next_line = line_no;
            match spot.read {
                None => self.note_overlong(line_no),
                Some(read) => self.line(line_no, block, end, read),
            }
            if end < block.len() {
                self.next_line += 1;
            }
            pos = (end + 1).min(block.len());
            self.drain_pending(block, &mut pos);
        }
        self.next_line = base + prepared.newlines;
    }
}

impl LineSink for Scanner {
    fn block(&mut self, block: &[u8]) {
        let mut ws = std::mem::take(&mut self.workspace);
        let prepared = prepare(block, &mut ws);
        self.fold(block, prepared);
        self.workspace = ws;
    }

    fn skipped_line(&mut self) {
        if let Some(p) = self.pending.take() {
            self.finalize(p);
        }
        let line_no = self.next_line;
        self.note_overlong(line_no);
        self.next_line += 1;
        self.partial_tail = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continuation_lines() {
        assert!(looks_like_continuation(b"s\\invokeai.db"));
        assert!(looks_like_continuation(
            b"e: 21390.56 MB. Heuristics applied: [1, 2]."
        ));
        assert!(looks_like_continuation(b" Community Edition\\invokeai"));
        assert!(!looks_like_continuation(b""));
        assert!(!looks_like_continuation(b" "));
        assert!(!looks_like_continuation(b"  File \"x.py\", line 1"));
        assert!(!looks_like_continuation(
            b"[2025-04-05 11:16:31,275]::[InvokeAI]::INFO --> InvokeAI version 5.9.1"
        ));
        assert!(!looks_like_continuation(
            b"D:\\x\\functional_tensor.py:5: UserWarning: The torchvision"
        ));
        assert!(!looks_like_continuation(b" 45%|####5     | 9/20"));
        assert!(!looks_like_continuation(
            b"W0802 18:47:16.563000 12760 x.py:29] triton"
        ));
    }

    /// A log past line 4,294,967,295 (u32::MAX): the count goes on, and so do the line
    /// numbers of facts, findings and every output format. The scanner is started as if
    /// that many lines had already been counted, then fed blocks as a reader would.
    #[test]
    fn line_numbers_go_past_u32() {
        let start = u64::from(u32::MAX) - 2;
        let mut scanner = Scanner::new();
        scanner.next_line = start;
        let block = b"[2025-06-11 08:30:00,000]::[InvokeAI]::INFO --> Using torch device: NVIDIA GeForce RTX 4070 SUPER\n\
[2025-06-11 08:30:03,980]::[InvokeAI]::INFO --> InvokeAI version 5.10.1\n\
noise\nnoise\nnoise\n\
torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 4.50 GiB. GPU 0 has a total capacity of 7.92 GiB of which 1.40 GiB is free.\n";
        scanner.block(block);
        scanner.block(
            b"noise\ntorch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.\n",
        );
        let facts = scanner.finish("big.log", Default::default());
        assert_eq!(facts.lines, start + 7);
        let session = &facts.sessions[0];
        assert_eq!(session.start_line, start);
        assert_eq!(session.version.as_ref().unwrap().line, start + 1);
        let lines: Vec<u64> = facts.oom.iter().map(|e| e.line).collect();
        assert_eq!(lines, [start + 5, start + 7]);
        assert!(lines.iter().all(|&l| l > u64::from(u32::MAX)));

        // Through a finding to every output: the line number is the log's.
        let mut all = crate::facts::Facts::default();
        all.apply_log(std::sync::Arc::new(facts));
        let kb = crate::knowledge::Knowledge::get();
        let release = kb.newest_final();
        let target = crate::facts::Target {
            version: release.version.clone(),
            release,
            origin: None,
        };
        let found = crate::lint::lint_text(
            "invokeai.yaml",
            "schema_version: 4.0.3\n",
            &crate::selection::RuleSet::defaults(),
            &all,
            &target,
        );
        let oom = found
            .iter()
            .find(|d| d.code == crate::rules::log_oom::META.code)
            .expect("an OOM finding");
        assert_eq!(oom.location.start().line, start + 5);
        let report = crate::report::Report {
            invokeai_version: target.version.to_string(),
            target_source: "default",
            files: vec!["invokeai.yaml".into()],
            summary: crate::diagnostic::Summary::count(1, &found),
            diagnostics: found,
            skipped: Vec::new(),
            fail_on: crate::diagnostic::Severity::Warning,
        };
        let shown = (start + 5).to_string();
        for format in [
            crate::report::Format::Concise,
            crate::report::Format::Json,
            crate::report::Format::Sarif,
            crate::report::Format::Gitlab,
            crate::report::Format::Github,
        ] {
            let mut out = Vec::new();
            crate::report::render(&report, format, false, &mut out).unwrap();
            let out = String::from_utf8(out).unwrap();
            assert!(
                out.contains(&shown),
                "{format:?} lacks line {shown}:\n{out}"
            );
        }
    }
}

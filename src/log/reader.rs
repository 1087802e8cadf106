//! Splitting a byte stream into lines with a bounded buffer.
//!
//! A buffer holds [`CHUNK`] + [`MAX_LINE`] bytes. Complete lines are handed out a block
//! at a time, with the buffer they were read into ([`Splitter`]); the unfinished last
//! line moves to the front of a fresh buffer.
//! An unfinished line that outgrows [`MAX_LINE`] is either
//! - a tqdm bar (frames separated by `\r`): everything up to its last `\r` is dropped,
//!   because a terminal shows only what follows the last `\r`; or
//! - anything else: dropped up to its `\n`, counted, and reported once in a note.

use memchr::{memchr, memrchr};

/// Bytes read per `read` call. Small enough that a block and what is read from it stay
/// in a core's cache between the two passes over it ([`super::scan::prepare`], then
/// [`super::scan::Scanner::fold`]).
pub const CHUNK: usize = 256 * 1024;
/// The start of the input looked at for NUL bytes (a binary file).
pub const HEAD: usize = 256 * 1024;
/// The longest line we keep. Longer ones are skipped (tqdm lines keep their last frame).
pub const MAX_LINE: usize = 64 * 1024;
/// A log is abandoned (with a note) after this many bytes without a line break, or without
/// a line that starts a log record of any format InvokeAI writes: it is not a console log
/// (`/dev/zero`, a disk image, a binary). A real log has a record every few lines; a
/// model download's tqdm bar, the longest stretch without one, is a few MB.
pub const GIVE_UP_AFTER: u64 = 64 * 1024 * 1024;

/// Receives complete lines.
pub trait LineSink {
    /// `block` holds whole lines, each ending in `\n`, except at end of input, where the
    /// last line may have no `\n`.
    fn block(&mut self, block: &[u8]);
    /// A line was too long to keep; it still counts as one line.
    fn skipped_line(&mut self);
}

/// What the splitter saw besides lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Stats {
    pub bytes: u64,
    /// NUL bytes in the first [`HEAD`] bytes (however the reads split them): the input
    /// is probably not text.
    pub nul_in_head: usize,
    /// Why reading stopped before the end of the input ([`GIVE_UP_AFTER`]).
    pub abandoned: Option<String>,
}

/// Feed `r` to `sink` line by line.
pub fn split<R: std::io::Read, S: LineSink>(mut r: R, sink: &mut S) -> std::io::Result<Stats> {
    let mut splitter = Splitter::new();
    while let Some(unit) = splitter.next(&mut r)? {
        if unit.skipped {
            sink.skipped_line();
        }
        if !unit.block().is_empty() {
            sink.block(unit.block());
        }
        splitter.recycle(unit.buf);
    }
    Ok(splitter.stats())
}

/// What the splitter hands out at a time: maybe the end of an over-long line (it counts
/// as one skipped line), then a block of whole lines, in that order.
pub struct Unit {
    pub skipped: bool,
    /// Owns the block, so that it can be parsed elsewhere while reading goes on.
    pub buf: Vec<u8>,
    block_len: usize,
}

impl Unit {
    /// Whole lines, each ending in `\n`, except at end of input, where the last line may
    /// have no `\n`. Empty when the unit only reports a skipped line.
    pub fn block(&self) -> &[u8] {
        self.buf.get(..self.block_len).unwrap_or_default()
    }
}

/// The line splitter as a pull-based state machine: each [`Splitter::next`] reads until
/// it has a [`Unit`] to hand out. A handed-out block keeps the buffer it was read into;
/// the unfinished line after it moves to a fresh (recycled) buffer, so blocks are never
/// copied. Buffers: one being filled, plus one per unit not yet recycled.
pub struct Splitter {
    buf: Vec<u8>,
    len: usize,
    skipping: bool,
    finished: bool,
    stats: Stats,
    /// Bytes read since the last `\n`, and since the last read that held a record.
    since_break: u64,
    since_record: u64,
    /// Buffers given back with [`Splitter::recycle`].
    pool: Vec<Vec<u8>>,
}

impl Default for Splitter {
    fn default() -> Self {
        Self::new()
    }
}

impl Splitter {
    pub fn new() -> Self {
        Splitter {
            // Allocated by the first read.
            buf: Vec::new(),
            len: 0,
            skipping: false,
            finished: false,
            stats: Stats::default(),
            since_break: 0,
            since_record: 0,
            pool: Vec::new(),
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats.clone()
    }

    /// All input was read and handed out.
    pub fn is_finished(&self) -> bool {
        self.finished
    }

    /// Give back the buffer of a unit that was dealt with.
    pub fn recycle(&mut self, buf: Vec<u8>) {
        // Only full-size buffers are reusable; the pool never outgrows the units in flight.
        if buf.len() == CHUNK + MAX_LINE && self.pool.len() < 8 {
            self.pool.push(buf);
        }
    }

    /// Read until there is something to hand out; `None` at the end of input.
    pub fn next<R: std::io::Read>(&mut self, r: &mut R) -> std::io::Result<Option<Unit>> {
        loop {
            if self.finished {
                return Ok(None);
            }
            if self.buf.len() < CHUNK + MAX_LINE {
                // Only when nothing is carried over: see `hand_out`.
                self.buf = self.fresh_buffer();
            }
            let n = match r.read(&mut self.buf[self.len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if n == 0 {
                self.finished = true;
                if self.skipping {
                    return Ok(Some(Unit {
                        skipped: true,
                        buf: Vec::new(),
                        block_len: 0,
                    }));
                }
                if self.len > 0 {
                    return Ok(Some(Unit {
                        skipped: false,
                        block_len: self.len,
                        buf: std::mem::take(&mut self.buf),
                    }));
                }
                return Ok(None);
            }
            if let Some(left) = (HEAD as u64).checked_sub(self.stats.bytes) {
                let head = n.min(usize::try_from(left).unwrap_or(n));
                self.stats.nul_in_head += self.buf[self.len..self.len + head]
                    .iter()
                    .filter(|&&b| b == 0)
                    .count();
            }
            self.stats.bytes += n as u64;
            if self.give_up(self.len, n) {
                // An over-long line being skipped still counts as one line, with its note.
                return Ok(self.skipping.then(|| Unit {
                    skipped: true,
                    buf: Vec::new(),
                    block_len: 0,
                }));
            }
            self.len += n;

            let mut skipped = false;
            if self.skipping {
                // We are inside an over-long line: look for its end, or for a `\r` after
                // which a terminal would show fresh text.
                match memchr(b'\n', &self.buf[..self.len]) {
                    Some(p) => {
                        match last_cr(&self.buf[..p]) {
                            Some(q) => drain(&mut self.buf, &mut self.len, q + 1),
                            None => {
                                skipped = true;
                                drain(&mut self.buf, &mut self.len, p + 1);
                            }
                        }
                        self.skipping = false;
                    }
                    None => match last_cr(&self.buf[..self.len]) {
                        Some(q) => {
                            drain(&mut self.buf, &mut self.len, q + 1);
                            self.skipping = false;
                        }
                        None => {
                            keep_trailing_cr(&mut self.buf, &mut self.len);
                            continue;
                        }
                    },
                }
            }

            let unit = match memrchr(b'\n', &self.buf[..self.len]) {
                Some(p) => Some(self.hand_out(skipped, p + 1)),
                None if skipped => Some(Unit {
                    skipped,
                    buf: Vec::new(),
                    block_len: 0,
                }),
                None => None,
            };
            if self.len > MAX_LINE {
                match last_cr(&self.buf[..self.len]) {
                    Some(q) if self.len - (q + 1) <= MAX_LINE => {
                        drain(&mut self.buf, &mut self.len, q + 1)
                    }
                    _ => {
                        self.skipping = true;
                        keep_trailing_cr(&mut self.buf, &mut self.len);
                    }
                }
            }
            if unit.is_some() {
                return Ok(unit);
            }
        }
    }

    /// Count the `n` bytes just read at `buf[at..]` against [`GIVE_UP_AFTER`]; past it,
    /// finish with a note and drop what is held.
    fn give_up(&mut self, at: usize, n: usize) -> bool {
        let read = &self.buf[at..at + n];
        match memrchr(b'\n', read) {
            Some(p) => self.since_break = (n - p - 1) as u64,
            None => self.since_break += n as u64,
        }
        if holds_record(read) {
            self.since_record = 0;
        } else {
            self.since_record += n as u64;
        }
        let why = if self.since_break > GIVE_UP_AFTER {
            "no line break"
        } else if self.since_record > GIVE_UP_AFTER {
            "no line that starts a log record"
        } else {
            return false;
        };
        self.stats.abandoned = Some(format!(
            "stopped reading after {} MiB: {why} in the last {} MiB, so the rest is not a console log",
            self.stats.bytes / (1024 * 1024),
            GIVE_UP_AFTER / (1024 * 1024)
        ));
        self.finished = true;
        self.len = 0;
        true
    }

    /// A recycled buffer, else a new one.
    fn fresh_buffer(&mut self) -> Vec<u8> {
        self.pool
            .pop()
            .unwrap_or_else(|| vec![0u8; CHUNK + MAX_LINE])
    }

    /// Hand out `buf[..block_len]` with its buffer; the rest moves to a fresh buffer.
    /// With no rest, the fresh buffer waits for the next read: by then the unit's own
    /// buffer may be back (a log that fits in one block needs only one).
    fn hand_out(&mut self, skipped: bool, block_len: usize) -> Unit {
        let rest = self.len - block_len;
        let fresh = if rest == 0 {
            Vec::new()
        } else {
            let mut fresh = self.fresh_buffer();
            fresh[..rest].copy_from_slice(&self.buf[block_len..self.len]);
            fresh
        };
        self.len = rest;
        Unit {
            skipped,
            buf: std::mem::replace(&mut self.buf, fresh),
            block_len,
        }
    }
}

/// Does this stretch of input hold the start of a log record (of any format, behind any
/// wrapper)? A real log answers on its first lines; only junk is searched through.
fn holds_record(bytes: &[u8]) -> bool {
    memchr::memmem::find(bytes, b"]::[").is_some()
        || bytes
            .split(|&b| b == b'\n')
            .any(|line| super::record::starts_record(line.strip_suffix(b"\r").unwrap_or(line)))
}

/// The last `\r` that is not part of the line ending (`\r\n`, or `\r` at the very end
/// of what we have, whose `\n` may still be coming).
fn last_cr(bytes: &[u8]) -> Option<usize> {
    let mut end = bytes.len();
    while end > 0 && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    memrchr(b'\r', &bytes[..end])
}

/// Drop what we have of an over-long line, except trailing `\r`s: the next read may
/// show that they separate tqdm frames rather than end the line.
fn keep_trailing_cr(buf: &mut [u8], len: &mut usize) {
    let crs = buf[..*len]
        .iter()
        .rev()
        .take_while(|&&b| b == b'\r')
        .count();
    drain(buf, len, *len - crs);
}

/// Drop `buf[..n]`, keeping `buf[n..len]` at the front.
fn drain(buf: &mut [u8], len: &mut usize, n: usize) {
    let n = n.min(*len);
    buf.copy_within(n..*len, 0);
    *len -= n;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Default)]
    struct Collect {
        lines: Vec<Vec<u8>>,
    }
    impl LineSink for Collect {
        fn block(&mut self, block: &[u8]) {
            for l in block.split_inclusive(|&b| b == b'\n') {
                self.lines.push(l.to_vec());
            }
        }
        fn skipped_line(&mut self) {
            self.lines.push(b"<skipped>".to_vec());
        }
    }

    /// A reader that hands out at most `step` bytes per call, to exercise chunk seams.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    #[test]
    fn lines_survive_chunk_seams() {
        let text = b"one\ntwo\r\nthree";
        for step in 1..text.len() {
            let mut c = Collect::default();
            split(Trickle { data: text, step }, &mut c).unwrap();
            let joined: Vec<u8> = c.lines.concat();
            assert_eq!(joined, text.to_vec(), "step {step}");
            assert_eq!(c.lines.len(), 3, "step {step}");
        }
    }

    #[test]
    fn overlong_line_is_skipped_once_and_counts_as_one_line() {
        let mut data = b"a\n".to_vec();
        data.extend(std::iter::repeat_n(b'x', CHUNK * 2 + 5));
        data.extend(b"\nb\n");
        let mut c = Collect::default();
        split(&data[..], &mut c).unwrap();
        assert_eq!(
            c.lines,
            vec![b"a\n".to_vec(), b"<skipped>".to_vec(), b"b\n".to_vec()]
        );
    }

    #[test]
    fn endless_tqdm_line_keeps_its_last_frame() {
        let mut data = Vec::new();
        for i in 0..60_000 {
            data.extend(format!("\r{:3}%|####      | {i}/60000 [00:01<00:02]", i % 100).bytes());
        }
        data.extend(b"\n");
        assert!(data.len() > 2 * (CHUNK + MAX_LINE));
        let mut c = Collect::default();
        split(&data[..], &mut c).unwrap();
        assert_eq!(c.lines.len(), 1);
        let last = String::from_utf8(c.lines[0].clone()).unwrap();
        assert!(last.ends_with("59999/60000 [00:01<00:02]\n"), "{last:.80}");
        // Earlier frames were dropped: the line is bounded by the buffer.
        assert!(last.len() <= CHUNK + MAX_LINE);
    }

    #[test]
    fn nul_bytes_in_head_are_counted() {
        let mut c = Collect::default();
        let stats = split(&b"\0\0abc\n"[..], &mut c).unwrap();
        assert_eq!(stats.nul_in_head, 2);
        assert_eq!(stats.bytes, 6);
    }

    /// However the reads split the input (a pipe hands out a few bytes at a time), the
    /// same head is looked at (found by the `log` fuzz target).
    #[test]
    fn nul_bytes_in_head_do_not_depend_on_read_sizes() {
        struct Trickle<'a>(&'a [u8]);
        impl std::io::Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = buf.len().min(3).min(self.0.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut data = b"text\n".repeat(10);
        data.extend_from_slice(b"\0\0\0\n");
        data.extend(std::iter::repeat_n(0u8, HEAD));
        let whole = split(&data[..], &mut Collect::default()).unwrap();
        let trickled = split(Trickle(&data), &mut Collect::default()).unwrap();
        assert_eq!(whole.nul_in_head, HEAD - 51);
        assert_eq!(trickled, whole);
    }
}

//! Grouping facts into start-ups ("sessions").
//!
//! Several runs appended to one file have no separator line (LOG_FACTS.md §4.7), and
//! the order of start-up lines differs by version (§5.1). What holds in every version:
//! - the *pre-server* lines (allocator, `Using torch device`, cuDNN, Patchmatch, node
//!   packs, the port warning) come before the *server* lines (uvicorn's `Started server
//!   process`, version, root, database, 3.x `GPU device`, RAM cache, URL);
//! - each fact is logged once per start-up.
//!
//! So a new session starts when a fact arrives that the current session already has, when
//! a pre-server fact follows a server fact, when a syslog record's PID changes, or after
//! a shutdown line. Its first line is the earliest start-up hint seen just before
//! (a node-pack line, pypatchmatch output, a launcher banner), else the fact's own line.
//!
//! Storage: a session keeps its facts as raw bytes in one buffer that is recycled when
//! the session leaves the window of kept sessions; strings are decoded only for the
//! sessions kept at the end. A log of a million start-ups costs no allocation per fact.

use std::collections::VecDeque;

use super::message::Fact;
use super::oom::Oom;
use super::text::cite;
use super::{Located, LogFacts, NegativeVram, OomEvent, PartialLoad};

mod events;
mod raw;

use events::Ring;
use raw::{RawSession, Slot, VALUE_BYTES};

/// Sessions kept per file; older ones are dropped (and counted) so memory stays bounded.
pub const MAX_SESSIONS: usize = 1000;
/// Events (OOM, partial loads, negative VRAM) kept per kind; the newest are kept.
pub const MAX_EVENTS: usize = 1000;
/// A start-up hint older than this many lines does not open the next session.
const HINT_REACH: u64 = 200;
/// Two identical OOM messages this close are one event (the error record and the
/// traceback's last line repeat the same torch text).
const OOM_REPEAT_REACH: u64 = 400;
/// A fact repeated with the same value this close is one line printed by two handlers
/// (`log_handlers: [console, console]`, or InvokeAI's format plus Python's default).
const DUPLICATE_REACH: u64 = 3;

/// Node pack names kept per session.
const MAX_PACKS: usize = 256;

/// Where the fact line came from.
#[derive(Clone, Copy, Debug)]
pub struct LineInfo<'a> {
    pub line: u64,
    /// The line as shown (ANSI codes removed), not yet decoded.
    pub text: &'a [u8],
    pub format: &'static str,
    pub syslog_pid: Option<u32>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pre,
    Server,
}

struct Current {
    raw: Box<RawSession>,
    /// 0-based number of this session in the file.
    ordinal: u64,
    server_seen: bool,
}

#[derive(Default)]
pub struct Sessions {
    /// Boxed: a session is a few hundred bytes, and moves on every start-up.
    done: VecDeque<(u64, Box<RawSession>)>,
    /// A dropped session's buffers, reused for the next one.
    spare: Option<Box<RawSession>>,
    dropped: u64,
    cur: Option<Current>,
    next_ordinal: u64,
    hint: Option<u64>,
    closed: bool,
    syslog_pid: Option<u32>,
    oom: Ring<Oom>,
    partial: Ring<PartialLoad>,
    negative: Ring<NegativeVram>,
}

impl Sessions {
    /// A fact line: the fact lands in the right session.
    pub fn fact(&mut self, fact: Fact<'_>, at: LineInfo<'_>) {
        if let Some(pid) = at.syslog_pid {
            if self.syslog_pid.is_some_and(|p| p != pid) && self.cur.is_some() {
                self.split(at.line);
            }
            self.syslog_pid = Some(pid);
        }
        match fact {
            Fact::StartMarker { server } => self.marker(server, at.line),
            Fact::Shutdown => self.closed = true,
            Fact::NodePackLoading(name) => {
                self.note_hint(at.line);
                let cur = self.current(at, Phase::Pre, false);
                let raw = &mut cur.raw;
                let last_same = raw.pack_names.last().is_some_and(|r| raw.bytes(r) == name);
                if raw.pack_names.len() < MAX_PACKS && !last_same {
                    let r = raw.push(name, VALUE_BYTES);
                    raw.pack_names.push(r);
                }
                if raw.first_pack.is_none() {
                    raw.first_pack = Some(raw.raw(at, b""));
                }
            }
            Fact::InsufficientMemory => {
                self.hint = None;
                let session = self.cur_ordinal();
                let event = Oom {
                    backend: "InvokeAI",
                    wording: "insufficient-gpu-memory",
                    tried_gib: None,
                    capacity_gib: None,
                    free_gib: None,
                    max_allowed_gib: None,
                    complete: true,
                };
                self.oom.push(session, at, event);
            }
            Fact::LoadedModel {
                key,
                class,
                total_mb,
                vram_mb,
                percent,
            } => {
                self.hint = None;
                // Below 100% means partial loading; tokenizers (0.00–0.02 MB, shown as
                // 0.0%) are not.
                if percent < 100.0 && total_mb >= 1.0 {
                    let session = self.cur_ordinal();
                    let value = PartialLoad {
                        model: String::from_utf8_lossy(key).into_owned(),
                        class: String::from_utf8_lossy(class).into_owned(),
                        total_mb,
                        vram_mb,
                        percent,
                        session: None,
                    };
                    self.partial.push(session, at, value);
                }
            }
            Fact::NegativeVram {
                loading_mb,
                requested_mb,
            } => {
                self.hint = None;
                if requested_mb < 0.0 {
                    let session = self.cur_ordinal();
                    let value = NegativeVram {
                        loading_mb,
                        requested_mb,
                        session: None,
                    };
                    self.negative.push(session, at, value);
                }
            }
            Fact::Version(v) => self.set(at, Phase::Server, Slot::Version, v),
            Fact::Root(v) => self.set(at, Phase::Server, Slot::Root, v),
            Fact::LegacyDevice(v) => self.set(at, Phase::Server, Slot::Device, v),
            Fact::V2Version(v) => self.set(at, Phase::Pre, Slot::Version, v),
            Fact::V2Root(v) => self.set(at, Phase::Pre, Slot::Root, v),
            Fact::V2Device(v) => self.set(at, Phase::Pre, Slot::Device, v),
            Fact::TorchDevice { name, list } => {
                self.set(at, Phase::Pre, Slot::Device, name);
                if let (Some(list), Some(cur)) = (list, self.cur.as_mut()) {
                    let raw = &mut cur.raw;
                    let f = raw.raw(at, b"");
                    let entries = list.iter().map(|e| raw.push(e, VALUE_BYTES)).collect();
                    raw.devices = Some((f, entries));
                }
            }
            Fact::Cudnn(v) => self.set(at, Phase::Pre, Slot::Cudnn, v),
            Fact::Allocator(v) => self.set(at, Phase::Pre, Slot::Allocator, v),
            Fact::Database(v) => self.set(at, Phase::Server, Slot::Database, v),
            Fact::Url(v) => self.set(at, Phase::Server, Slot::Url, v),
            Fact::Patchmatch(v) => self.set(at, Phase::Pre, Slot::Patchmatch, v.as_bytes()),
            Fact::PortMoved(a, b) => {
                let previous = self.cur.as_ref().and_then(|c| c.raw.port_moved.as_ref());
                if let Some((f, p)) = previous {
                    if *p == (a, b) && at.line.saturating_sub(f.line) <= DUPLICATE_REACH {
                        return;
                    }
                }
                let repeated = previous.is_some();
                let cur = self.current(at, Phase::Pre, repeated);
                let f = cur.raw.raw(at, b"");
                cur.raw.port_moved = Some((f, (a, b)));
            }
            Fact::RamCache(v) => {
                // 6.14 logs one line per device cache: keep the first, never split on it.
                let cur = self.current(at, Phase::Server, false);
                if cur.raw.ram_cache.is_none() {
                    let f = cur.raw.raw(at, b"");
                    cur.raw.ram_cache = Some((f, v));
                }
            }
            Fact::NodePacksLoaded { dir, names, .. } => {
                self.set(at, Phase::Pre, Slot::PacksDir, dir);
                if let Some(cur) = self.cur.as_mut() {
                    let raw = &mut cur.raw;
                    let names = match names {
                        Some(list) => list.iter().map(|n| raw.push(n, VALUE_BYTES)).collect(),
                        None => raw.pack_names.clone(),
                    };
                    let f = raw.raw(at, b"");
                    raw.node_packs = Some((f, names));
                }
            }
        }
    }

    /// A torch out-of-memory message.
    pub fn oom(&mut self, o: Oom, at: LineInfo<'_>) {
        self.hint = None;
        if let Some(last) = self.oom.q.back() {
            let same = last.value.backend == o.backend
                && last.value.tried_gib == o.tried_gib
                && last.value.capacity_gib == o.capacity_gib
                && last.value.free_gib == o.free_gib
                && last.value.max_allowed_gib == o.max_allowed_gib
                && at.line.saturating_sub(last.line) <= OOM_REPEAT_REACH;
            if same {
                return;
            }
        }
        let session = self.cur_ordinal();
        self.oom.push(session, at, o);
    }

    fn cur_ordinal(&self) -> Option<u64> {
        self.cur.as_ref().map(|c| c.ordinal)
    }

    fn marker(&mut self, server: bool, line: u64) {
        if server {
            // uvicorn's `Started server process` opens the server phase of a start-up.
            let starts_new = self.closed || self.cur.as_ref().is_some_and(|c| c.server_seen);
            if starts_new {
                self.split(line);
            }
            self.note_hint(line);
            if let Some(c) = self.cur.as_mut() {
                c.server_seen = true;
            }
        } else {
            self.note_hint(line);
        }
    }

    /// Remember the earliest recent line that hints at a new start-up.
    fn note_hint(&mut self, line: u64) {
        let fresh = self.closed || self.cur.as_ref().is_none_or(|c| c.server_seen);
        if !fresh {
            return;
        }
        match self.hint {
            Some(h) if line.saturating_sub(h) <= HINT_REACH => {}
            _ => self.hint = Some(line),
        }
    }

    /// Store a once-per-start-up fact, opening a new session if needed. A repeat of the
    /// value just logged (duplicated handlers) changes nothing.
    fn set(&mut self, at: LineInfo<'_>, phase: Phase, slot: Slot, value: &[u8]) {
        let previous = self
            .cur
            .as_ref()
            .and_then(|c| c.raw.slots[slot as usize].as_ref().map(|f| (c, f)));
        if let Some((c, f)) = previous {
            let same = c.raw.bytes(&f.value) == &value[..value.len().min(VALUE_BYTES)];
            if same && at.line.saturating_sub(f.line) <= DUPLICATE_REACH {
                return;
            }
        }
        let repeated = previous.is_some();
        let cur = self.current(at, phase, repeated);
        let f = cur.raw.raw(at, value);
        cur.raw.slots[slot as usize] = Some(f);
    }

    /// The session a fact of `phase` at `at` belongs to, opening one when needed.
    fn current(&mut self, at: LineInfo<'_>, phase: Phase, repeated: bool) -> &mut Current {
        let must_split = match &self.cur {
            None => true,
            Some(c) => repeated || self.closed || (phase == Phase::Pre && c.server_seen),
        };
        if must_split {
            self.split(at.line);
        }
        if self.cur.is_none() {
            self.open(at.line, at.format);
        }
        if phase == Phase::Server {
            self.hint = None;
        }
        let cur = self.cur.get_or_insert_with(|| Current {
            raw: Box::default(),
            ordinal: 0,
            server_seen: false,
        });
        if phase == Phase::Server {
            cur.server_seen = true;
        }
        cur
    }

    /// Close the current session; the next fact opens a new one.
    fn split(&mut self, line: u64) {
        if let Some(cur) = self.cur.take() {
            self.finish_current(cur);
        }
        self.closed = false;
        // A hint from long ago is not part of this start-up.
        if self
            .hint
            .is_some_and(|h| line.saturating_sub(h) > HINT_REACH)
        {
            self.hint = None;
        }
    }

    fn open(&mut self, line: u64, format: &'static str) {
        let start = match self.hint.take() {
            Some(h) if h <= line && line - h <= HINT_REACH => h,
            _ => line,
        };
        let mut raw = self.spare.take().unwrap_or_default();
        raw.reset(start, format);
        self.cur = Some(Current {
            raw,
            ordinal: self.next_ordinal,
            server_seen: false,
        });
        self.next_ordinal += 1;
        self.closed = false;
    }

    fn finish_current(&mut self, cur: Current) {
        if self.done.len() == MAX_SESSIONS {
            if let Some((_, old)) = self.done.pop_front() {
                self.spare = Some(old);
            }
            self.dropped += 1;
        }
        self.done.push_back((cur.ordinal, cur.raw));
    }

    /// Move everything into `out`, turning session ordinals into indices of `out.sessions`.
    pub fn finish(mut self, out: &mut LogFacts) {
        if let Some(cur) = self.cur.take() {
            self.finish_current(cur);
        }
        let first_kept = self.done.front().map_or(0, |(o, _)| *o);
        let index = |o: Option<u64>| {
            o.and_then(|o| o.checked_sub(first_kept))
                .and_then(|i| usize::try_from(i).ok())
        };
        out.sessions = self.done.iter().map(|(_, s)| s.to_session()).collect();
        out.oom = self
            .oom
            .q
            .iter()
            .map(|e| OomEvent {
                line: e.line,
                text: cite(&e.text),
                backend: e.value.backend.to_string(),
                tried_gib: e.value.tried_gib,
                capacity_gib: e.value.capacity_gib,
                free_gib: e.value.free_gib,
                max_allowed_gib: e.value.max_allowed_gib,
                wording: e.value.wording,
                session: index(e.session),
            })
            .collect();
        out.partial_loads = self
            .partial
            .q
            .into_iter()
            .map(|e| Located {
                line: e.line,
                text: cite(&e.text),
                value: PartialLoad {
                    session: index(e.session),
                    ..e.value
                },
            })
            .collect();
        out.negative_vram = self
            .negative
            .q
            .into_iter()
            .map(|e| Located {
                line: e.line,
                text: cite(&e.text),
                value: NegativeVram {
                    session: index(e.session),
                    ..e.value
                },
            })
            .collect();
        out.oom_total = self.oom.dropped + out.oom.len() as u64;
        if self.dropped > 0 {
            out.notes.push(format!(
                "{} earlier start-ups are not listed (only the last {MAX_SESSIONS} are kept)",
                self.dropped
            ));
        }
        let events_dropped = [
            self.oom.dropped,
            self.partial.dropped,
            self.negative.dropped,
        ];
        for (n, what) in events_dropped.iter().zip([
            "out-of-memory events",
            "partial loads",
            "negative VRAM warnings",
        ]) {
            if *n > 0 {
                out.notes.push(format!(
                    "{n} earlier {what} are not listed (only the last {MAX_EVENTS} are kept)"
                ));
            }
        }
    }
}

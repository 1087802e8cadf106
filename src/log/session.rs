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

use std::collections::VecDeque;

use super::message::Fact;
use super::{Located, LogFacts, NegativeVram, OomEvent, PartialLoad, Session};

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

/// Where the fact line came from.
#[derive(Clone, Copy, Debug)]
pub struct LineInfo<'a> {
    pub line: u64,
    pub text: &'a str,
    pub format: &'static str,
    pub syslog_pid: Option<u32>,
}

struct Current {
    session: Session,
    /// 0-based number of this session in the file.
    ordinal: u64,
    server_seen: bool,
    /// `Loading node pack X` names, for versions whose total line lists none.
    pack_names: Vec<String>,
    first_pack_line: Option<(u64, String)>,
}

#[derive(Default)]
pub struct Sessions {
    done: VecDeque<(u64, Session)>,
    dropped: u64,
    cur: Option<Current>,
    next_ordinal: u64,
    hint: Option<u64>,
    closed: bool,
    syslog_pid: Option<u32>,
    oom: VecDeque<(Option<u64>, OomEvent)>,
    partial: VecDeque<(Option<u64>, Located<PartialLoad>)>,
    negative: VecDeque<(Option<u64>, Located<NegativeVram>)>,
    events_dropped: [u64; 3],
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Pre,
    Server,
}

impl Sessions {
    /// A fact line. Returns nothing; the fact lands in the right session.
    pub fn fact(&mut self, fact: Fact, at: LineInfo<'_>) {
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
                if cur.pack_names.len() < 256 && cur.pack_names.last() != Some(&name) {
                    cur.pack_names.push(name);
                }
                if cur.first_pack_line.is_none() {
                    cur.first_pack_line = Some((at.line, at.text.to_string()));
                }
            }
            Fact::InsufficientMemory => {
                self.hint = None;
                let session = self.cur_ordinal();
                self.push_oom(
                    OomEvent {
                        line: at.line,
                        text: at.text.to_string(),
                        backend: "InvokeAI".into(),
                        tried_gib: None,
                        capacity_gib: None,
                        free_gib: None,
                        max_allowed_gib: None,
                        wording: "insufficient-gpu-memory",
                        session: None,
                    },
                    session,
                );
            }
            Fact::LoadedModel {
                key,
                class,
                total_mb,
                vram_mb,
                percent,
            } => {
                self.hint = None;
                // Below 100% means partial loading; tokenizers (0.00–0.02 MB, shown as 0.0%) are not.
                if percent < 100.0 && total_mb >= 1.0 {
                    let session = self.cur_ordinal();
                    let value = PartialLoad {
                        model: key,
                        class,
                        total_mb,
                        vram_mb,
                        percent,
                        session: None,
                    };
                    push_bounded(
                        &mut self.partial,
                        &mut self.events_dropped[1],
                        (session, located(value, at)),
                    );
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
                    push_bounded(
                        &mut self.negative,
                        &mut self.events_dropped[2],
                        (session, located(value, at)),
                    );
                }
            }
            Fact::Version(v) => {
                self.set(at, Phase::Server, |s| &mut s.version, v);
            }
            Fact::Root(v) => {
                self.set(at, Phase::Server, |s| &mut s.root, v);
            }
            Fact::LegacyDevice(v) => {
                self.set(at, Phase::Server, |s| &mut s.torch_device, v);
            }
            Fact::TorchDevice { name, list } => {
                if let Some(cur) = self.set(at, Phase::Pre, |s| &mut s.torch_device, name) {
                    if let Some(list) = list {
                        cur.session.generation_devices = Some(located(list, at));
                    }
                }
            }
            Fact::V2Version(v) => {
                self.set(at, Phase::Pre, |s| &mut s.version, v);
            }
            Fact::V2Root(v) => {
                self.set(at, Phase::Pre, |s| &mut s.root, v);
            }
            Fact::V2Device(v) => {
                self.set(at, Phase::Pre, |s| &mut s.torch_device, v);
            }
            Fact::Cudnn(v) => {
                self.set(at, Phase::Pre, |s| &mut s.cudnn, v);
            }
            Fact::Allocator(v) => {
                self.set(at, Phase::Pre, |s| &mut s.cuda_allocator, v);
            }
            Fact::Database(v) => {
                self.set(at, Phase::Server, |s| &mut s.database, v);
            }
            Fact::Url(v) => {
                self.set(at, Phase::Server, |s| &mut s.url, v);
            }
            Fact::PortMoved(a, b) => {
                self.set(at, Phase::Pre, |s| &mut s.port_moved, (a, b));
            }
            Fact::Patchmatch(v) => {
                self.set(at, Phase::Pre, |s| &mut s.patchmatch, v.to_string());
            }
            Fact::RamCache(v) => {
                // 6.14 logs one line per device cache: keep the first, never split on it.
                let cur = self.current(at, Phase::Server, false);
                if cur.session.ram_cache.is_none() {
                    cur.session.ram_cache = Some(located(v, at));
                }
            }
            Fact::NodePacksLoaded { dir, names, .. } => {
                if let Some(cur) = self.set(at, Phase::Pre, |s| &mut s.node_packs_dir, dir) {
                    let names = names.unwrap_or_else(|| cur.pack_names.clone());
                    cur.session.node_packs = Some(located(names, at));
                }
            }
        }
    }

    /// A torch out-of-memory message.
    pub fn oom(&mut self, mut event: OomEvent) {
        self.hint = None;
        if let Some((_, last)) = self.oom.back() {
            let same = last.backend == event.backend
                && last.tried_gib == event.tried_gib
                && last.capacity_gib == event.capacity_gib
                && last.free_gib == event.free_gib
                && last.max_allowed_gib == event.max_allowed_gib
                && event.line.saturating_sub(last.line) <= OOM_REPEAT_REACH;
            if same {
                return;
            }
        }
        event.session = None;
        let session = self.cur_ordinal();
        self.push_oom(event, session);
    }

    fn push_oom(&mut self, event: OomEvent, session: Option<u64>) {
        push_bounded(&mut self.oom, &mut self.events_dropped[0], (session, event));
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

    /// Store a once-per-start-up fact, opening a new session if needed.
    /// `None`: the line repeats the fact just logged (duplicated handlers), nothing new.
    fn set<T: PartialEq>(
        &mut self,
        at: LineInfo<'_>,
        phase: Phase,
        slot: impl Fn(&mut Session) -> &mut Option<Located<T>>,
        value: T,
    ) -> Option<&mut Current> {
        let previous = self
            .cur
            .as_mut()
            .and_then(|c| slot(&mut c.session).as_ref());
        if let Some(p) = previous {
            if p.value == value && at.line.saturating_sub(p.line) <= DUPLICATE_REACH {
                return None;
            }
        }
        let repeated = previous.is_some();
        let cur = self.current(at, phase, repeated);
        *slot(&mut cur.session) = Some(located(value, at));
        Some(cur)
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
        let cur = self.cur.as_mut().expect("opened above");
        if cur.session.log_format.is_none() {
            cur.session.log_format = Some(at.format);
        }
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
        self.cur = Some(Current {
            session: Session {
                start_line: start,
                log_format: Some(format),
                ..Session::default()
            },
            ordinal: self.next_ordinal,
            server_seen: false,
            pack_names: Vec::new(),
            first_pack_line: None,
        });
        self.next_ordinal += 1;
        self.closed = false;
    }

    fn finish_current(&mut self, mut cur: Current) {
        // Node packs named only by their `Loading node pack` lines.
        if cur.session.node_packs.is_none() {
            if let Some((line, text)) = cur.first_pack_line.take() {
                cur.session.node_packs = Some(Located {
                    value: std::mem::take(&mut cur.pack_names),
                    line,
                    text,
                });
            }
        }
        if self.done.len() == MAX_SESSIONS {
            self.done.pop_front();
            self.dropped += 1;
        }
        self.done.push_back((cur.ordinal, cur.session));
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
        out.sessions = self.done.into_iter().map(|(_, s)| s).collect();
        out.oom = self
            .oom
            .into_iter()
            .map(|(o, mut e)| {
                e.session = index(o);
                e
            })
            .collect();
        out.partial_loads = self
            .partial
            .into_iter()
            .map(|(o, mut e)| {
                e.value.session = index(o);
                e
            })
            .collect();
        out.negative_vram = self
            .negative
            .into_iter()
            .map(|(o, mut e)| {
                e.value.session = index(o);
                e
            })
            .collect();
        if self.dropped > 0 {
            out.notes.push(format!(
                "{} earlier start-ups are not listed (only the last {MAX_SESSIONS} are kept)",
                self.dropped
            ));
        }
        for (n, what) in self.events_dropped.iter().zip([
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

fn located<T>(value: T, at: LineInfo<'_>) -> Located<T> {
    Located {
        value,
        line: at.line,
        text: at.text.to_string(),
    }
}

fn push_bounded<T>(q: &mut VecDeque<T>, dropped: &mut u64, item: T) {
    if q.len() == MAX_EVENTS {
        q.pop_front();
        *dropped += 1;
    }
    q.push_back(item);
}

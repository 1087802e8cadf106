//! A session's facts as the scanner found them: byte ranges of one buffer that is
//! recycled with the session, decoded into a [`Session`] only for the sessions kept at
//! the end.

use std::ops::Range;

use super::LineInfo;
use crate::log::text::{cite, trim};
use crate::log::{Located, RamCache, Session};

/// Bytes of a line kept for citing (the citation is capped at 300 characters).
pub(super) const TEXT_BYTES: usize = 1200;
/// Bytes of a value kept (a path, a device name).
pub(super) const VALUE_BYTES: usize = 4096;

/// The once-per-start-up string facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Slot {
    Version,
    Root,
    Device,
    Cudnn,
    Allocator,
    Url,
    Database,
    PacksDir,
    Patchmatch,
}
pub(super) const SLOTS: usize = 9;

#[derive(Clone, Debug)]
pub(super) struct RawFact {
    pub(super) line: u64,
    pub(super) text: Range<usize>,
    pub(super) value: Range<usize>,
}

/// A session with its facts as ranges of `arena`.
#[derive(Default)]
pub(super) struct RawSession {
    pub(super) start_line: u64,
    pub(super) log_format: Option<&'static str>,
    pub(super) arena: Vec<u8>,
    pub(super) slots: [Option<RawFact>; SLOTS],
    pub(super) devices: Option<(RawFact, Vec<Range<usize>>)>,
    pub(super) ram_cache: Option<(RawFact, RamCache)>,
    pub(super) port_moved: Option<(RawFact, (u16, u16))>,
    pub(super) node_packs: Option<(RawFact, Vec<Range<usize>>)>,
    pub(super) pack_names: Vec<Range<usize>>,
    pub(super) first_pack: Option<RawFact>,
}

impl RawSession {
    pub(super) fn reset(&mut self, start_line: u64, format: &'static str) {
        self.start_line = start_line;
        self.log_format = Some(format);
        self.arena.clear();
        self.slots = Default::default();
        self.devices = None;
        self.ram_cache = None;
        self.port_moved = None;
        self.node_packs = None;
        self.pack_names.clear();
        self.first_pack = None;
    }

    pub(super) fn push(&mut self, bytes: &[u8], cap: usize) -> Range<usize> {
        let bytes = &bytes[..bytes.len().min(cap)];
        let start = self.arena.len();
        self.arena.extend_from_slice(bytes);
        start..self.arena.len()
    }

    pub(super) fn raw(&mut self, at: LineInfo<'_>, value: &[u8]) -> RawFact {
        let text = self.push(at.text, TEXT_BYTES);
        let value = self.push(value, VALUE_BYTES);
        RawFact {
            line: at.line,
            text,
            value,
        }
    }

    pub(super) fn bytes(&self, r: &Range<usize>) -> &[u8] {
        self.arena.get(r.clone()).unwrap_or_default()
    }

    pub(super) fn string(&self, r: &Range<usize>) -> String {
        String::from_utf8_lossy(trim(self.bytes(r))).into_owned()
    }

    pub(super) fn located<T>(&self, f: &RawFact, value: T) -> Located<T> {
        Located {
            value,
            line: f.line,
            text: cite(self.bytes(&f.text)),
        }
    }

    pub(super) fn located_string(&self, slot: Slot) -> Option<Located<String>> {
        let f = self.slots[slot as usize].as_ref()?;
        Some(self.located(f, self.string(&f.value)))
    }

    /// Decode into the public form.
    pub(super) fn to_session(&self) -> Session {
        let node_packs = match (&self.node_packs, &self.first_pack) {
            (Some((f, names)), _) => {
                Some(self.located(f, names.iter().map(|r| self.string(r)).collect()))
            }
            // Only `Loading node pack` lines (a start-up cut before the total line).
            (None, Some(f)) => {
                Some(self.located(f, self.pack_names.iter().map(|r| self.string(r)).collect()))
            }
            (None, None) => None,
        };
        Session {
            start_line: self.start_line,
            log_format: self.log_format,
            version: self.located_string(Slot::Version),
            root: self.located_string(Slot::Root),
            torch_device: self.located_string(Slot::Device),
            generation_devices: self
                .devices
                .as_ref()
                .map(|(f, list)| self.located(f, list.iter().map(|r| self.string(r)).collect())),
            cudnn: self.located_string(Slot::Cudnn),
            cuda_allocator: self.located_string(Slot::Allocator),
            ram_cache: self
                .ram_cache
                .as_ref()
                .map(|(f, rc)| self.located(f, rc.clone())),
            url: self.located_string(Slot::Url),
            database: self.located_string(Slot::Database),
            node_packs,
            node_packs_dir: self.located_string(Slot::PacksDir),
            port_moved: self.port_moved.as_ref().map(|(f, p)| self.located(f, *p)),
            patchmatch: self.located_string(Slot::Patchmatch),
        }
    }
}

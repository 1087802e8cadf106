//! Events (OOM, partial loads, negative VRAM) kept per kind: the newest
//! [`MAX_EVENTS`] with their line still as bytes.

use std::collections::VecDeque;

use super::{LineInfo, MAX_EVENTS};
use crate::log::text::CITE_CHARS;

/// An event (OOM, partial load, negative VRAM) with its line's text still as bytes:
/// most events of a long log are dropped for newer ones, so citing waits for the end.
pub(super) struct Kept<T> {
    /// Ordinal of the session it happened in.
    pub(super) session: Option<u64>,
    pub(super) line: u64,
    pub(super) text: Vec<u8>,
    pub(super) value: T,
}

/// The newest [`MAX_EVENTS`] events of a kind. A dropped event's text buffer is reused.
pub(super) struct Ring<T> {
    pub(super) q: VecDeque<Kept<T>>,
    pub(super) dropped: u64,
}

impl<T> Default for Ring<T> {
    fn default() -> Self {
        Ring {
            q: VecDeque::new(),
            dropped: 0,
        }
    }
}

/// Bytes of an event's line kept: one more than [`cite`] reads, so that it still sees
/// whether the line went on.
const EVENT_TEXT_BYTES: usize = CITE_CHARS * 4 + 1;

impl<T> Ring<T> {
    pub(super) fn push(&mut self, session: Option<u64>, at: LineInfo<'_>, value: T) {
        let mut text = Vec::new();
        if self.q.len() == MAX_EVENTS {
            if let Some(old) = self.q.pop_front() {
                text = old.text;
            }
            self.dropped += 1;
        }
        text.clear();
        text.extend_from_slice(&at.text[..at.text.len().min(EVENT_TEXT_BYTES)]);
        self.q.push_back(Kept {
            session,
            line: at.line,
            text,
            value,
        });
    }
}

//! `missing-fact` once per run: a fact nobody supplied is said in the first file (by name)
//! that needs it, with how many other configs lacked it too, rather than once per file
//! (on a tree of configs without facts that would bury every other finding).

use std::sync::Mutex;

use super::engine::fact_index;
use super::result::{FileResult, Linted};
use crate::rules;

/// Per missing fact, the first file (by name) known so far to report it, shared by the
/// workers.
#[derive(Default)]
pub(super) struct FirstMissing(Mutex<[Option<String>; 3]>);

impl FirstMissing {
    /// Per fact, whether a file before `display` (by name) already reports it missing. The
    /// first file only moves earlier as files finish, so a yes stays right.
    pub(super) fn said_before(&self, display: &str) -> [bool; 3] {
        let Ok(first) = self.0.lock() else {
            return [false; 3];
        };
        first
            .each_ref()
            .map(|f| f.as_deref().is_some_and(|earlier| earlier < display))
    }

    /// Keep a file's `missing-fact` findings only while no file before it (by name) has the
    /// same one. Files are linted in any order, so this keeps a superset;
    /// [`keep_first_missing`] settles it once every file is done.
    pub(super) fn drop_later(&self, result: &mut FileResult) {
        if !result
            .diagnostics
            .iter()
            .any(|d| rules::missing_fact::fact_of(d).is_some())
        {
            return;
        }
        let Ok(mut first) = self.0.lock() else {
            // Kept as they are; the final pass over the files settles them.
            result.missing_kept = true;
            return;
        };
        let display = &result.display;
        let dropped = &mut result.missing_dropped;
        let kept = &mut result.missing_kept;
        result.diagnostics.retain(|d| {
            let Some(f) = rules::missing_fact::fact_of(d) else {
                return true;
            };
            let i = fact_index(f);
            match &first[i] {
                Some(earlier) if earlier < display => {
                    dropped[i] += 1;
                    false
                }
                _ => {
                    first[i] = Some(display.clone());
                    *kept = true;
                    true
                }
            }
        });
    }
}

/// After all files, in their final order: one `missing-fact` per fact, in the first file
/// that had it, telling how many other configs lacked the fact too.
pub(super) fn keep_first_missing(results: &mut [Linted]) {
    let mut others = [0usize; 3];
    let mut kept = [false; 3];
    for r in results.iter_mut() {
        for (o, d) in others.iter_mut().zip(r.missing_dropped) {
            *o += d;
        }
        if !r.missing_kept {
            continue;
        }
        r.diagnostics.retain(|d| {
            let Some(f) = rules::missing_fact::fact_of(d) else {
                return true;
            };
            let i = fact_index(f);
            if kept[i] {
                others[i] += 1;
                false
            } else {
                kept[i] = true;
                true
            }
        });
    }
    for r in results.iter_mut().filter(|r| r.missing_kept) {
        for d in &mut r.diagnostics {
            if let Some(f) = rules::missing_fact::fact_of(d) {
                rules::missing_fact::note_others(d, others[fact_index(f)]);
            }
        }
    }
}

//! Reading a log on several threads, with the result of reading it on one.
//!
//! Most of the work is per block and needs nothing from earlier blocks: finding the
//! keyword lines and running the grammars ([`prepare`]). What needs order — line
//! numbers, wrapped lines, sessions — is cheap ([`Scanner::fold`]). So each worker
//! takes the next block from a shared [`Splitter`], prepares it, waits for its turn and
//! folds it into the one shared [`Scanner`]. Blocks keep their buffers while in flight
//! (no copying); memory is a few buffers per worker, whatever the size of the log.
//!
//! A log that fits in one block (256 KiB) is read on the calling thread alone.

use std::io::Read;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use super::reader::{LineSink, Splitter, Stats};
use super::scan::{prepare, Scanner, Workspace};

/// Workers at most: the fold is serial, so more would mostly wait.
const MAX_WORKERS: usize = 4;

struct Input<R> {
    r: R,
    splitter: Splitter,
    /// Number of the next unit handed out.
    next: u64,
    error: Option<std::io::Error>,
}

struct Output {
    scanner: Scanner,
    /// Number of the unit whose turn it is to be folded.
    turn: u64,
    /// A worker panicked: the others stop instead of waiting for its turn.
    abandoned: bool,
}

struct Shared<R> {
    input: Mutex<Input<R>>,
    output: Mutex<Output>,
    turn_changed: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Read `r` to the end into a scanner, on up to `workers` threads.
pub fn scan<R: Read + Send>(r: R, workers: usize) -> std::io::Result<(Scanner, Stats)> {
    let shared = Shared {
        input: Mutex::new(Input {
            r,
            splitter: Splitter::new(),
            next: 0,
            error: None,
        }),
        output: Mutex::new(Output {
            scanner: Scanner::new(),
            turn: 0,
            abandoned: false,
        }),
        turn_changed: Condvar::new(),
    };
    let workers = workers.clamp(1, MAX_WORKERS);
    std::thread::scope(|scope| work(&shared, Some((scope, workers - 1))));
    let input = shared
        .input
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if let Some(e) = input.error {
        return Err(e);
    }
    let output = shared
        .output
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    Ok((output.scanner, input.splitter.stats()))
}

/// The workers to use by default: one per core, up to [`MAX_WORKERS`]. Asked once: the
/// answer comes from system files (cgroup quotas), which costs more than reading a
/// small log.
pub fn default_workers() -> usize {
    static WORKERS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *WORKERS.get_or_init(|| {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WORKERS))
    })
}

/// Marks the work abandoned if its thread panics, so that no other worker waits for a
/// turn that will never come.
struct AbandonOnPanic<'a>(&'a Mutex<Output>, &'a Condvar);

impl Drop for AbandonOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            lock(self.0).abandoned = true;
            self.1.notify_all();
        }
    }
}

/// One worker's loop. `helpers`: the scope to start the other workers in, once it is
/// clear that there is more than one block.
fn work<'scope, 'env, R: Read + Send>(
    shared: &'scope Shared<R>,
    mut helpers: Option<(&'scope std::thread::Scope<'scope, 'env>, usize)>,
) {
    let _guard = AbandonOnPanic(&shared.output, &shared.turn_changed);
    let mut ws = Workspace::default();
    let mut done_with: Option<Vec<u8>> = None;
    loop {
        let (number, unit, more) = {
            let mut input = lock(&shared.input);
            if let Some(buf) = done_with.take() {
                input.splitter.recycle(buf);
            }
            if input.error.is_some() {
                return;
            }
            let Input { r, splitter, .. } = &mut *input;
            match splitter.next(r) {
                Ok(Some(unit)) => {
                    let number = input.next;
                    input.next += 1;
                    (number, unit, !input.splitter.is_finished())
                }
                Ok(None) => return,
                Err(e) => {
                    input.error = Some(e);
                    return;
                }
            }
        };
        // Helpers start with the second block: most logs fit in one.
        if let Some((scope, n)) = helpers.take_if(|_| number >= 1 && more) {
            for _ in 0..n {
                scope.spawn(|| work(shared, None));
            }
        }
        let prepared = prepare(unit.block(), &mut ws);
        {
            let mut output = lock(&shared.output);
            while output.turn != number && !output.abandoned {
                output = shared
                    .turn_changed
                    .wait(output)
                    .unwrap_or_else(PoisonError::into_inner);
            }
            if output.abandoned {
                return;
            }
            if unit.skipped {
                output.scanner.skipped_line();
            }
            if !unit.block().is_empty() {
                output.scanner.fold(unit.block(), prepared);
            }
            output.turn += 1;
        }
        shared.turn_changed.notify_all();
        done_with = Some(unit.buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call: many small blocks, with
    /// seams inside wrapped lines, folded by several threads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }
    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn all_fixtures() -> Vec<u8> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .collect();
        paths.sort();
        paths
            .iter()
            .flat_map(|p| std::fs::read(p).unwrap())
            .collect()
    }

    fn facts(r: impl Read + Send, workers: usize) -> crate::log::LogFacts {
        let (scanner, stats) = scan(r, workers).unwrap();
        scanner.finish("t", stats)
    }

    #[test]
    fn threads_and_block_seams_change_nothing() {
        let data = all_fixtures().repeat(3);
        let one = facts(&data[..], 1);
        assert!(one.sessions.len() > 40, "{}", one.sessions.len());
        assert!(one.oom.len() > 10, "{}", one.oom.len());
        for step in [1, 7, 100, 4096] {
            for workers in [1, 2, 4] {
                let many = facts(Trickle { data: &data, step }, workers);
                assert_eq!(many, one, "step {step}, {workers} workers");
            }
        }
    }

    #[test]
    fn read_errors_are_reported() {
        struct Failing(u32);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                if self.0 == 0 {
                    return Err(std::io::Error::other("disk on fire"));
                }
                self.0 -= 1;
                let line =
                    b"[2025-01-25 10:15:42,123]::[InvokeAI]::INFO --> InvokeAI version 5.6.0\n";
                let n = line.len().min(out.len());
                out[..n].copy_from_slice(&line[..n]);
                Ok(n)
            }
        }
        for workers in [1, 2] {
            let err = scan(Failing(50), workers).err().map(|e| e.to_string());
            assert_eq!(err.as_deref(), Some("disk on fire"));
        }
    }
}

//! Stages 2–6 for every file, on every core: the walk and the named files feed one channel
//! of workers; each worker reads a file, combines its facts, picks its target and runs the
//! engine.

use std::sync::{Arc, Mutex};

use super::engine::{fact_index, lint_config_unless_said};
use super::facts::combine_facts;
use super::input::{FlagFacts, LintInput};
use super::missing::{keep_first_missing, FirstMissing};
use super::read::{config_from_bytes, read_config_bytes, too_big};
use super::result::{FileResult, Linted};
use super::settings::{Job, JobMaker};
use super::target::choose_target_for;
use crate::config::{ConfigFile, MAX_CONFIG_BYTES};
use crate::discover::{self, Candidate};
use crate::facts::Target;
use crate::host::HostFacts;
use crate::source::SourceFile;

pub(super) struct Shared<'a> {
    pub(super) input: &'a LintInput,
    /// The target when `--invokeai-version` gives it: the same for every file, so made
    /// once (with its text for the summary) instead of per file.
    pub(super) flag_target: Option<(Target, Arc<str>)>,
    pub(super) flags: FlagFacts,
    pub(super) host: Option<HostFacts>,
    /// Per missing fact, the first file (by name) known so far to report it. A missing
    /// fact is said once per run: on a tree of configs without facts, once per file would
    /// bury every other finding.
    pub(super) first_missing: FirstMissing,
}

/// Lint the files named and the configs found under the directories given. Walked files
/// are linted as the walk finds them (on every core, so the walk costs no time of its own);
/// the results come back in the order files are shown, each file once.
pub(super) fn lint_inputs(
    inputs: &discover::Inputs,
    named: Vec<(Candidate, bool)>,
    maker: &JobMaker<'_>,
    shared: &Shared<'_>,
) -> (Vec<Linted>, Vec<discover::Problem>) {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    // A thread is not worth starting for a few named files (the pre-commit case).
    let threads = if inputs.has_dirs() {
        cores
    } else {
        cores.min(named.len().div_ceil(32))
    };
    let (mut results, notes) = if threads <= 1 && !inputs.has_dirs() {
        let results = named
            .into_iter()
            .map(|(c, stdin)| lint_one(maker.job(c, stdin), shared))
            .collect();
        (results, Vec::new())
    } else {
        lint_on_workers(threads, inputs, named, maker, shared)
    };
    // Files named alone are read on this thread, which outlives the run.
    crate::open::forget();
    results.sort_by(|a, b| a.display.cmp(&b.display));
    results.dedup_by(|a, b| a.display == b.display);
    keep_first_missing(&mut results);
    (results, notes)
}

/// Workers take files from a channel that the named files and then the walk feed, so no
/// core waits for the walk to end or for another core's share of the files.
fn lint_on_workers(
    threads: usize,
    inputs: &discover::Inputs,
    named: Vec<(Candidate, bool)>,
    maker: &JobMaker<'_>,
    shared: &Shared<'_>,
) -> (Vec<Linted>, Vec<discover::Problem>) {
    // Files go in batches (see `discover::BATCH`); the flag says the batch is stdin's.
    let (tx, rx) = std::sync::mpsc::channel::<(Vec<Candidate>, bool)>();
    let rx = Mutex::new(rx);
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    crate::open::private_fd_table();
                    let mut done = Vec::new();
                    loop {
                        let next = match rx.lock() {
                            Ok(r) => r.recv(),
                            Err(_) => break,
                        };
                        let Ok((batch, stdin)) = next else { break };
                        for candidate in batch {
                            done.push(lint_one(maker.job(candidate, stdin), shared));
                        }
                    }
                    // Sorted here, in parallel: the main thread then merges sorted runs.
                    done.sort_by(|a, b| a.display.cmp(&b.display));
                    done
                })
            })
            .collect();
        // The receivers live until the sender is dropped below.
        let (stdin, files): (Vec<_>, Vec<_>) = named.into_iter().partition(|(_, stdin)| *stdin);
        for (c, _) in stdin {
            let _ = tx.send((vec![c], true));
        }
        let mut files = files.into_iter().map(|(c, _)| c).peekable();
        while files.peek().is_some() {
            let _ = tx.send((files.by_ref().take(discover::BATCH).collect(), false));
        }
        let notes = inputs.walk(&|batch| {
            let _ = tx.send((batch, false));
        });
        drop(tx);
        let mut results = Vec::new();
        for w in workers {
            match w.join() {
                Ok(v) => results.extend(v),
                // A panic in a rule is a bug; re-raise it rather than lose files silently.
                Err(p) => std::panic::resume_unwind(p),
            }
        }
        (results, notes)
    })
}

fn lint_one(job: Job, shared: &Shared<'_>) -> Linted {
    let mut result = Box::new(FileResult {
        display: job.candidate.display,
        log_file: job.log.as_ref().map(|l| l.file.clone()),
        diagnostics: Vec::new(),
        skipped: None,
        suppressed: 0,
        target: None,
        error: None,
        missing_dropped: [0; 3],
        missing_kept: false,
        elsewhere: false,
        // Moved, not cloned: one shared count touched per file by every worker.
        settings: job.settings,
        fixed: None,
    });
    let bytes = match job.candidate.bytes {
        Some(bytes) if bytes.len() as u64 > MAX_CONFIG_BYTES => Err(too_big(
            std::fs::metadata(&job.candidate.path).ok().map(|m| m.len()),
        )),
        Some(bytes) => Ok(bytes),
        None => read_config_bytes(&job.candidate.path, job.candidate.regular),
    };
    let bytes = match bytes {
        Ok(b) => b,
        Err(why) => {
            result.skipped = Some(why);
            return result;
        }
    };
    // The absolute path only matters next to a log (is this the file InvokeAI reads?), and
    // resolving it costs a readlink per path component, so only then.
    let path = if job.stdin || job.log.is_none() {
        None
    } else {
        std::fs::canonicalize(&job.candidate.path).ok()
    };
    let config = config_from_bytes(&result.display, bytes).with_path(path);
    let mut facts = combine_facts(
        job.log,
        shared.host.as_ref(),
        &result.settings.facts,
        &shared.flags,
    );
    if let Some(host) = shared.host.as_ref().filter(|h| h.gpus.len() > 1) {
        crate::host::choose_gpu(&mut facts, host, &config);
    }
    let per_file;
    let target = match &shared.flag_target {
        Some((t, text)) => {
            result.target = Some((Arc::clone(text), t.source_kind()));
            t
        }
        None => match choose_target_for(
            None,
            result.settings.facts.invokeai_version.as_ref(),
            &facts,
        ) {
            Ok(t) => {
                result.target = Some((t.version.to_string().into(), t.source_kind()));
                per_file = t;
                &per_file
            }
            Err(e) => {
                result.error = Some(e);
                return result;
            }
        },
    };
    let said = std::cell::OnceCell::new();
    let (found, unsaid) = lint_config_unless_said(
        &config,
        &result.settings.rules,
        &facts,
        target,
        !shared.input.no_inline_suppressions,
        // Asked only when a rule lacked a fact; the lock is taken once per file at most.
        &|fact| {
            said.get_or_init(|| shared.first_missing.said_before(&result.display))[fact_index(fact)]
        },
    );
    let (mut diags, mut suppressed, mut unsaid) = (found.diagnostics, found.suppressed, unsaid);
    if let Some(mode) = shared.input.fix {
        let relint = |text: &str| {
            let c = ConfigFile::parse(SourceFile::new(result.display.as_str(), text))
                .with_path(config.path.clone());
            let (f, u) = lint_config_unless_said(
                &c,
                &result.settings.rules,
                &facts,
                target,
                !shared.input.no_inline_suppressions,
                &|fact| {
                    said.get_or_init(|| shared.first_missing.said_before(&result.display))
                        [fact_index(fact)]
                },
            );
            (Arc::clone(&c.source), f.diagnostics, f.suppressed, u)
        };
        let fixed = fix_file(
            &config,
            &diags,
            mode,
            job.stdin,
            &job.candidate.path,
            relint,
        );
        if let Some((fixed, last)) = fixed {
            if let Some((d, s, u)) = last {
                (diags, suppressed, unsaid) = (d, s, u);
            }
            result.fixed = Some(Box::new(fixed));
        }
    }
    for (d, skipped) in result.missing_dropped.iter_mut().zip(unsaid) {
        *d += usize::from(skipped);
    }
    result.suppressed = suppressed;
    // Sorted already, here on the worker, so the run's final sort meets one ascending run
    // per file and has little left to do on the main thread.
    result.diagnostics = diags;
    shared.first_missing.drop_later(&mut result);
    // Kept until every file is done: give back the growth room now, while this thread can
    // still reuse it for the next file, instead of taking fresh pages for each file.
    result.diagnostics.shrink_to_fit();
    for d in &mut result.diagnostics {
        d.remember_bounds();
        result.elsewhere |= !Arc::ptr_eq(&d.location.source, &config.source);
    }
    result
}

/// The last pass's findings, suppressed count and unsaid facts, when the fixes changed the text.
type LastPass = Option<(Vec<crate::diagnostic::Diagnostic>, usize, [bool; 3])>;

/// `--fix` / `--diff` for one file: fix until nothing applies. Stdin's text comes back even
/// unchanged (`--fix` prints it whole); a file that is not valid UTF-8 is never fixed.
fn fix_file(
    config: &ConfigFile,
    diags: &[crate::diagnostic::Diagnostic],
    mode: crate::fix::FixMode,
    stdin: bool,
    path: &std::path::Path,
    relint: impl FnMut(&str) -> crate::fix::Pass,
) -> Option<(crate::fix::FixedFile, LastPass)> {
    let unchanged = |stopped: Option<String>| crate::fix::FixedFile {
        display: config.source.name().to_string(),
        path: (!stdin).then(|| path.to_path_buf()),
        original: Arc::clone(&config.source),
        text: config.source.text().to_string(),
        fixes: 0,
        stopped,
    };
    if let Some(at) = config.invalid_utf8_at {
        return diags.iter().any(|d| d.fix.is_some()).then(|| {
            let why = format!(
                "not fixed: the file is not valid UTF-8 (byte {at}), and is never rewritten"
            );
            (unchanged(Some(why)), None)
        });
    }
    match crate::fix::converge(&config.source, diags, mode, relint) {
        Some(done) => {
            let mut file = unchanged(done.stopped);
            file.text = done.text;
            file.fixes = done.fixes;
            Some((file, Some((done.diagnostics, done.suppressed, done.unsaid))))
        }
        None => stdin.then(|| (unchanged(None), None)),
    }
}

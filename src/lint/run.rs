//! The whole `lint` command: the stages in order, from the inputs to the outcome.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::engine::finish;
use super::facts::{is_auto, read_log};
use super::input::{read_stdin, FlagFacts, LintInput, UsageError};
use super::missing::FirstMissing;
use super::outcome::{describe_targets, empty_report, BaselineStats, ExitRule, Outcome};
use super::settings::{config_errors, resolver, JobMaker};
use super::target::choose_target_for;
use super::workers::{lint_inputs, Shared};
use crate::baseline::{self, Baseline};
use crate::diagnostic::{Severity, Summary};
use crate::discover::{self, Candidate};
use crate::facts::Facts;
use crate::linter_config::{self, Resolver};
use crate::report::Report;
use crate::selection::Layer;

/// The whole `lint` command as a library call.
pub fn run(input: &LintInput) -> Result<Outcome, UsageError> {
    let cwd = match &input.cwd {
        Some(c) => c.clone(),
        None => std::env::current_dir()
            .map_err(|e| UsageError(format!("cannot read the working directory: {e}")))?,
    };
    let resolver = Arc::new(resolver(input, &cwd)?);
    let flag_layer =
        Layer::from_flags(input.select.as_deref(), &input.extend_select, &input.ignore)
            .map_err(UsageError)?;
    let flags = FlagFacts::from_input(input)?;
    let flag_target = match &input.invokeai_version {
        Some(v) => {
            let t = choose_target_for(Some(v), None, &Facts::default())?;
            let text: Arc<str> = t.version.to_string().into();
            Some((t, text))
        }
        None => None,
    };
    // The run's own exit settings: flags, else the working directory's linter config.
    // Files another config governs are judged by theirs (`ExitRule`).
    let cwd_config = resolver.for_cwd().map_err(UsageError)?;
    let fail_on = input
        .fail_on
        .or(cwd_config.as_ref().and_then(|c| c.fail_on()).map(|f| f.0))
        .unwrap_or(Severity::Error);
    let (max_warnings, max_warnings_from) = match (input.max_warnings, &cwd_config) {
        (Some(n), _) => (Some(n), None),
        (None, Some(c)) => c
            .max_warnings()
            .map_or((None, None), |(n, f)| (Some(n), Some(f))),
        (None, None) => (None, None),
    };
    let baseline = input
        .baseline
        .as_deref()
        .map(Baseline::load)
        .transpose()
        .map_err(UsageError)?;

    let Discovered {
        given,
        inputs,
        named,
        force_excluded,
    } = discover_inputs(input, &resolver, &cwd)?;

    // Logs: one for all, or `invokeai.log` next to each config.
    let shared_log = match &input.log {
        Some(p) if !is_auto(p) => Some(read_log(p)?),
        _ => None,
    };
    let maker = JobMaker {
        resolver: &resolver,
        flag_layer: &flag_layer,
        cwd: &cwd,
        no_config: Arc::new(linter_config::settings_without_config(&flag_layer)),
        by_overrides: Mutex::new(HashMap::new()),
        shared_log: shared_log.clone(),
        auto_log: input.log.as_deref().is_some_and(is_auto),
        logs_by_dir: Mutex::new(HashMap::new()),
        notes: Mutex::new(Vec::new()),
        no_log: Mutex::new(Vec::new()),
    };
    let mut detect_notes = Vec::new();
    let host = input.detect.then(|| {
        let h = crate::host::detect();
        detect_notes.extend(h.notes.iter().map(|n| format!("--detect: {n}")));
        h
    });
    let shared = Shared {
        input,
        flag_target,
        flags,
        host,
        first_missing: FirstMissing::default(),
    };
    let (results, problems) = lint_inputs(&inputs, named, &maker, &shared);
    config_errors(&resolver)?;
    let mut notes = Vec::new();
    // Folders the walk could not read are reported as files that could not be read.
    let mut unreadable = Vec::new();
    for p in problems {
        match p {
            discover::Problem::Note(n) => notes.push(n),
            discover::Problem::Unreadable { path, why } => unreadable.push((path, why)),
        }
    }
    notes.extend(maker.into_notes());
    notes.extend(detect_notes);
    if let Some(log) = &shared_log {
        notes.extend(super::facts::log_notes(log, "--log"));
    }

    if results.is_empty() && unreadable.is_empty() {
        if !force_excluded.is_empty() {
            notes.push(format!(
                "nothing linted: {} excluded by {} (--force-exclude)",
                force_excluded.join(", "),
                cwd_config
                    .as_ref()
                    .map_or("the linter config", |c| c.display())
            ));
            return Ok(Outcome {
                report: empty_report(),
                fail_on,
                max_warnings,
                max_warnings_from,
                by_file: HashMap::new(),
                notes,
                baseline: None,
                suppressed: 0,
                linter_config: cwd_config.map(|c| c.display().to_string()),
                fixed: Vec::new(),
                spent: Vec::new(),
            });
        }
        let places: Vec<String> = given.iter().map(|p| discover::display(p)).collect();
        return Err(UsageError(format!(
            "no InvokeAI configs found under {} (looked for invokeai*.yaml and YAML files with a top-level `schema_version` or `InvokeAI` key; name files explicitly to lint them whatever their name)",
            places.join(", ")
        )));
    }

    // What the baseline speaks for: the files linted and their logs, so findings it lists
    // for files outside this run are not counted as fixed.
    let mut scope: HashSet<String> = HashSet::new();
    if baseline.is_some() {
        if let Some(l) = &shared_log {
            scope.insert(baseline::normalise_file(&l.file));
        }
        for r in &results {
            scope.insert(baseline::normalise_file(&r.display));
            if let Some(l) = &r.log_file {
                scope.insert(baseline::normalise_file(l));
            }
        }
    }

    let mut diagnostics = Vec::with_capacity(results.iter().map(|r| r.diagnostics.len()).sum());
    let mut skipped = unreadable;
    let mut files = Vec::with_capacity(results.len());
    let mut targets: Vec<(Arc<str>, &'static str)> = Vec::new();
    let mut suppressed = 0;
    let mut fixed = Vec::new();
    let run_rule = ExitRule {
        fail_on,
        max_warnings,
        config: max_warnings_from.clone(),
    };
    let mut by_file: HashMap<String, ExitRule> = HashMap::new();
    // The per-file results are emptied, not freed: they were allocated on the workers, and
    // giving ten thousand of them back one by one from this thread took as long as the
    // rest of this loop. They go into the outcome, which `lint` forgets before exiting.
    let mut results = results;
    for r in &mut results {
        if let Some(e) = r.error.take() {
            return Err(e);
        }
        if let Some(f) = r.fixed.take() {
            fixed.push(*f);
        }
        if let Some(why) = r.skipped.take() {
            skipped.push((std::mem::take(&mut r.display), why));
            continue;
        }
        if let Some(t) = &r.target {
            if !targets.contains(t) {
                targets.push(t.clone());
            }
        }
        suppressed += r.suppressed;
        if input.fail_on.is_none() || input.max_warnings.is_none() {
            let rule = ExitRule::for_file(input, &r.settings);
            if rule != run_rule {
                by_file.insert(r.display.clone(), rule);
            }
        }
        files.push(std::mem::take(&mut r.display));
        diagnostics.append(&mut r.diagnostics);
    }
    // Each file's findings are in order and the files are; only findings in another file
    // (a log several configs share) can be out of place or repeated.
    if results.iter().any(|r| r.elsewhere) {
        finish(&mut diagnostics);
    }
    let stats = baseline.map(|b| {
        let compared = baseline::compare(&b, std::mem::take(&mut diagnostics), &scope);
        diagnostics = compared.new;
        BaselineStats {
            known: compared.known,
            fixed: compared.fixed,
        }
    });
    let summary = Summary {
        baseline_hidden: stats.as_ref().map_or(0, |s| s.known),
        ..Summary::count(files.len(), &diagnostics)
    };
    let (invokeai_version, target_source) = describe_targets(&targets);
    Ok(Outcome {
        report: Report {
            invokeai_version,
            target_source,
            files,
            diagnostics,
            skipped,
            summary,
            fail_on,
        },
        fail_on,
        max_warnings,
        max_warnings_from,
        by_file,
        notes,
        baseline: stats,
        suppressed,
        linter_config: cwd_config.map(|c| c.display().to_string()),
        fixed,
        spent: results,
    })
}

/// The `lint` command's report (see [`run`] for everything else the run decides).
pub fn lint(input: &LintInput) -> Result<Report, UsageError> {
    run(input).map(|o| o.report)
}

/// Stage 1: the paths given (the working directory when none), split into files named
/// (with stdin's text, if `-` is among them) and directories still to walk.
struct Discovered {
    given: Vec<PathBuf>,
    inputs: discover::Inputs,
    /// Files to lint now; the flag says the text is stdin's.
    named: Vec<(Candidate, bool)>,
    /// Named files `--force-exclude` dropped.
    force_excluded: Vec<String>,
}

fn discover_inputs(
    input: &LintInput,
    resolver: &Arc<Resolver>,
    cwd: &Path,
) -> Result<Discovered, UsageError> {
    let given: Vec<PathBuf> = if input.paths.is_empty() {
        // `--stdin-filename` alone means stdin (editors pipe the buffer); else the
        // working directory, like ruff.
        if input.stdin_filename.is_some() {
            vec![PathBuf::from("-")]
        } else {
            vec![PathBuf::from(".")]
        }
    } else {
        input.paths.clone()
    };
    let (stdin_given, on_disk): (Vec<PathBuf>, Vec<PathBuf>) =
        given.iter().cloned().partition(|p| p.as_os_str() == "-");
    let mut inputs = discover::split(&on_disk, resolver, input.force_exclude);
    let mut force_excluded = std::mem::take(&mut inputs.found.force_excluded);
    let mut named: Vec<(Candidate, bool)> = std::mem::take(&mut inputs.found.files)
        .into_iter()
        .map(|c| (c, false))
        .collect();
    if !stdin_given.is_empty() {
        let name = input.stdin_filename.clone();
        let excluded = input.force_exclude
            && name.as_ref().is_some_and(|n| {
                resolver
                    .for_file(n)
                    .ok()
                    .flatten()
                    .is_some_and(|c| c.excludes(cwd, n))
            });
        let bytes = read_stdin(input)?;
        if excluded {
            force_excluded.push(name.as_deref().map_or("-".into(), discover::display));
        } else {
            named.push((
                Candidate {
                    path: name.clone().unwrap_or_else(|| PathBuf::from("-")),
                    display: name.as_deref().map_or("<stdin>".into(), discover::display),
                    bytes: Some(bytes),
                    regular: false,
                },
                true,
            ));
        }
    }

    Ok(Discovered {
        given,
        inputs,
        named,
        force_excluded,
    })
}

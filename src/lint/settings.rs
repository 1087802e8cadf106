//! Stage 2, per-file settings: for each file found, the linter config that governs it (see
//! [`crate::linter_config::resolve`]) with the overrides that match it, and the log that
//! goes with it (`--log FILE`, or `--log auto`: the `invokeai.log` beside it). The result
//! is a [`Job`]: everything a worker needs to lint the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use super::input::{LintInput, UsageError};
use crate::discover::Candidate;
use crate::linter_config::{self, FileSettings, Resolver};
use crate::log::LogFacts;
use crate::selection::Layer;

/// The log `--log auto` looks for next to each config.
pub const AUTO_LOG_NAME: &str = "invokeai.log";

/// The linter configs of a run: `--isolated` none, `--config FILE` that one for every
/// file, else the nearest to each file (see [`crate::linter_config::resolve`]).
pub fn resolver(input: &LintInput, cwd: &Path) -> Result<Resolver, UsageError> {
    Resolver::new(input.config.as_deref(), input.isolated, cwd).map_err(UsageError)
}

/// Stop on the linter configs that could not be used (exit 2, every one said).
pub(super) fn config_errors(resolver: &Resolver) -> Result<(), UsageError> {
    let errors = resolver.errors();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(UsageError(errors.join("\n")))
    }
}

/// Everything a worker needs for one file.
pub(super) struct Job {
    pub(super) candidate: Candidate,
    pub(super) stdin: bool,
    pub(super) settings: Arc<FileSettings>,
    pub(super) log: Option<Arc<LogFacts>>,
}

/// Turns a found file into a job: the linter-config settings and the log that apply to
/// it. Shared by the threads that lint while the walk goes on.
pub(super) struct JobMaker<'a> {
    pub(super) resolver: &'a Resolver,
    pub(super) flag_layer: &'a Layer,
    pub(super) cwd: &'a Path,
    pub(super) no_config: Arc<FileSettings>,
    /// Settings per linter config (its chain's id) and set of matching overrides, made
    /// once per pair.
    pub(super) by_overrides: Mutex<HashMap<SettingsKey, Arc<FileSettings>>>,
    pub(super) shared_log: Option<Arc<LogFacts>>,
    pub(super) auto_log: bool,
    /// `--log auto`: the log of each directory, read once, outside the map's lock.
    pub(super) logs_by_dir: Mutex<HashMap<PathBuf, AutoLog>>,
    pub(super) notes: Mutex<Vec<String>>,
    /// Configs with no log beside them, said once rather than once per file.
    pub(super) no_log: Mutex<Vec<String>>,
}

type AutoLog = Arc<OnceLock<Option<Arc<LogFacts>>>>;

/// A linter config chain's id and the overrides of it that match a file.
type SettingsKey = (usize, Vec<usize>);

impl JobMaker<'_> {
    pub(super) fn job(&self, candidate: Candidate, stdin: bool) -> Job {
        let chain = if stdin && candidate.path.as_os_str() == "-" {
            self.resolver.for_cwd()
        } else {
            self.resolver.for_file(&candidate.path)
        };
        let settings = match chain {
            Ok(Some(c)) => {
                let matched = c.matching_overrides(self.cwd, &candidate.path);
                match self.by_overrides.lock() {
                    Ok(mut map) => {
                        Arc::clone(map.entry((c.id, matched)).or_insert_with_key(|(_, m)| {
                            Arc::new(c.settings_for(m, self.flag_layer))
                        }))
                    }
                    Err(_) => Arc::new(c.settings_for(&matched, self.flag_layer)),
                }
            }
            // A config that cannot be used stops the run once the files are done
            // (`config_errors`); until then the file is linted without one.
            Ok(None) | Err(_) => Arc::clone(&self.no_config),
        };
        let log = if self.auto_log {
            self.auto_log_for(&candidate)
        } else {
            self.shared_log.clone()
        };
        Job {
            candidate,
            stdin,
            settings,
            log,
        }
    }

    fn auto_log_for(&self, candidate: &Candidate) -> Option<Arc<LogFacts>> {
        let dir = linter_config::absolute(self.cwd, &candidate.path)
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.cwd.to_path_buf());
        let cell = match self.logs_by_dir.lock() {
            Ok(mut map) => Arc::clone(map.entry(dir.clone()).or_default()),
            Err(_) => Arc::default(),
        };
        let log = cell
            .get_or_init(|| {
                let mut notes = Vec::new();
                let log = auto_log_for(&dir, self.cwd, &mut notes);
                if let Ok(mut n) = self.notes.lock() {
                    n.extend(notes);
                }
                log
            })
            .clone();
        if log.is_none() && std::fs::metadata(dir.join(AUTO_LOG_NAME)).is_err() {
            if let Ok(mut n) = self.no_log.lock() {
                n.push(candidate.display.clone());
            }
        }
        log
    }

    /// The notes gathered while making jobs, in a stable order.
    pub(super) fn into_notes(self) -> Vec<String> {
        let mut notes = self.notes.into_inner().unwrap_or_default();
        notes.sort();
        let mut no_log = self.no_log.into_inner().unwrap_or_default();
        if !no_log.is_empty() {
            no_log.sort();
            notes.push(format!(
                "--log auto: no {AUTO_LOG_NAME} next to {}",
                list_some(&no_log, 3)
            ));
        }
        notes
    }
}

/// `invokeai.log` in a config's directory, for `--log auto`; absence is not an error (the
/// caller lists the configs without one), an unreadable log is a note.
fn auto_log_for(dir: &Path, cwd: &Path, notes: &mut Vec<String>) -> Option<Arc<LogFacts>> {
    let path = dir.join(AUTO_LOG_NAME);
    let shown = path
        .strip_prefix(cwd)
        .map_or(path.clone(), Path::to_path_buf);
    match std::fs::metadata(&path) {
        Ok(meta) if meta.is_file() => {}
        // Reading a FIFO could wait forever for a writer, and a device may never end:
        // only a regular file is read without being named.
        Ok(meta) => {
            notes.push(format!(
                "--log auto: {} is {}, not a regular file; not read (name it with --log to read it)",
                shown.display(),
                crate::bounded::kind_of(&meta)
            ));
            return None;
        }
        Err(_) => return None,
    }
    match crate::log::read_log(&shown) {
        Ok(l) => {
            notes.extend(super::facts::log_notes(&l, "--log auto:"));
            Some(Arc::new(l))
        }
        Err(e) => {
            notes.push(format!("--log auto: cannot read {}: {e}", shown.display()));
            None
        }
    }
}

/// "a, b and c", or "a, b, c and 7 more" past `max` items.
fn list_some(items: &[String], max: usize) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        _ if items.len() <= max => format!(
            "{} and {}",
            items[..items.len() - 1].join(", "),
            items[items.len() - 1]
        ),
        _ => format!("{} and {} more", items[..max].join(", "), items.len() - max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut() {
        let v = |n: usize| (0..n).map(|i| format!("f{i}")).collect::<Vec<_>>();
        assert_eq!(list_some(&v(1), 3), "f0");
        assert_eq!(list_some(&v(3), 3), "f0, f1 and f2");
        assert_eq!(list_some(&v(5), 3), "f0, f1, f2 and 2 more");
    }
}

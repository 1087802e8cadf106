//! Which linter config governs a file, as ruff decides it: the nearest `invokeai-lint.toml`
//! in the file's folder or above, with the configs it `extend`s.
//!
//! - The search goes up from the file's folder and stops at the first folder holding a
//!   `.git` (that folder's config still counts) or at the filesystem root. A file whose
//!   search finds nothing and that lies outside the working directory uses the config
//!   found from the working directory (so `lint ~/invokeai/invokeai.yaml` run in a
//!   repository keeps the repository's settings); one inside it uses none.
//! - The nearest config wins whole. `extend = "../invokeai-lint.toml"` inherits: the
//!   extended file's top-level settings come first and the extending file's beat them key
//!   by key; `[[overrides]]` are concatenated, the extended file's first, each matching
//!   paths relative to the folder of the file that declares it.
//! - `--config FILE` and `--isolated` fix the answer for every file.
//!
//! Answers are cached per folder, so a tree of thousands of configs costs a lookup per file
//! and a couple of `stat`s per folder, and each config file is read once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use super::model::{
    settings_without_config, ConfigFacts, FileSettings, LinterConfig, FILE_NAME, MAX_BYTES,
};
use crate::diagnostic::Severity;
use crate::knowledge::{Knowledge, Version};
use crate::paths::absolute;
use crate::selection::{Layer, RuleSet};

/// How many configs an `extend` chain may hold before it is taken for a mistake.
const MAX_CHAIN: usize = 32;

/// A linter config with every config it extends: what governs the files under its folder.
#[derive(Debug)]
pub struct ConfigChain {
    /// Distinct per chain in a run: settings are cached per (chain, matching overrides).
    pub id: usize,
    /// The config found (or given), then the one it extends, and so on.
    pub files: Vec<LinterConfig>,
}

impl ConfigChain {
    /// A chain of one config that extends nothing (tests, callers that parse by hand).
    pub fn single(config: LinterConfig) -> ConfigChain {
        ConfigChain {
            id: 0,
            files: vec![config],
        }
    }

    /// How messages name the config that applies: the nearest file.
    pub fn display(&self) -> &str {
        &self.files[0].display
    }

    /// The files of the chain as named in messages, nearest first.
    pub fn displays(&self) -> Vec<String> {
        self.files.iter().map(|f| f.display.clone()).collect()
    }

    /// The chain from the most distant ancestor to the nearest file: the order settings
    /// apply in, later beating earlier.
    fn parent_first(&self) -> impl Iterator<Item = &LinterConfig> {
        self.files.iter().rev()
    }

    /// `fail-on`, with the file that set it (the nearest that does).
    pub fn fail_on(&self) -> Option<(Severity, String)> {
        self.files
            .iter()
            .find_map(|f| f.fail_on.map(|s| (s, f.display.clone())))
    }

    /// `max-warnings`, with the file that set it (the nearest that does).
    pub fn max_warnings(&self) -> Option<(usize, String)> {
        self.files
            .iter()
            .find_map(|f| f.max_warnings.map(|n| (n, f.display.clone())))
    }

    /// Is `path` (as given, relative to `cwd`) excluded from walks, itself or by a folder
    /// it is in? The nearest file with `exclude` decides, with its globs relative to it.
    pub fn excludes(&self, cwd: &Path, path: &Path) -> bool {
        let Some(c) = self.files.iter().find(|f| f.exclude_set().is_some()) else {
            return false;
        };
        c.relative(cwd, path).is_some_and(|rel| c.excludes(&rel))
    }

    /// Is `path` matched by `include` (the nearest file's that has it)?
    pub fn includes(&self, cwd: &Path, path: &Path) -> bool {
        let Some(c) = self.files.iter().find(|f| f.include_set().is_some()) else {
            return false;
        };
        c.relative(cwd, path).is_some_and(|rel| c.includes(&rel))
    }

    /// Has any file of the chain `include` or `exclude` globs (discovery asks per file
    /// only then)?
    pub fn has_globs(&self) -> bool {
        self.files
            .iter()
            .any(|f| f.include_set().is_some() || f.exclude_set().is_some())
    }

    /// The overrides that match `path` (as given, relative to `cwd`), numbered across the
    /// chain parent-first: pass them to [`ConfigChain::settings_for`].
    pub fn matching_overrides(&self, cwd: &Path, path: &Path) -> Vec<usize> {
        let mut out = Vec::new();
        let mut base = 0;
        for f in self.parent_first() {
            if !f.overrides.is_empty() {
                let rel = f.relative(cwd, path);
                out.extend(
                    f.matching_overrides(rel.as_deref())
                        .into_iter()
                        .map(|n| base + n - 1),
                );
            }
            base += f.overrides.len();
        }
        out
    }

    /// Rules and facts for a file matched by these overrides (see
    /// [`ConfigChain::matching_overrides`]), with `flags` applied last. Order: each file's
    /// top level, parent first; then the matching overrides, parent first; then flags.
    pub fn settings_for(&self, matched: &[usize], flags: &Layer) -> FileSettings {
        let nearest = self.display();
        let mut chosen = Vec::new();
        let mut base = 0;
        for f in self.parent_first() {
            for (i, o) in f.overrides.iter().enumerate() {
                if matched.contains(&(base + i)) {
                    chosen.push((f, o));
                }
            }
            base += f.overrides.len();
        }
        let mut layers: Vec<&Layer> = self.parent_first().map(|f| &f.rules).collect();
        layers.extend(chosen.iter().map(|(_, o)| &o.rules));
        layers.push(flags);
        let mut facts = ConfigFacts::default();
        for f in self.parent_first() {
            facts.merge(&f.facts, &f.display, "[facts]");
        }
        for (f, o) in &chosen {
            facts.merge(&o.facts, &f.display, &o.table_name());
        }
        FileSettings {
            rules: RuleSet::defaults().with_layers(layers),
            facts,
            overrides: chosen
                .iter()
                .map(|(f, o)| {
                    if f.display == nearest {
                        o.table_name()
                    } else {
                        format!("{} {}", f.display, o.table_name())
                    }
                })
                .collect(),
            fail_on: self.fail_on(),
            max_warnings: self.max_warnings(),
        }
    }
}

/// A folder's answer: the chain that governs it, none, or why its config cannot be used.
type Answer = Result<Option<Arc<ConfigChain>>, String>;

enum How {
    /// `--config FILE` (Some) or `--isolated` (None): the same for every file.
    Fixed(Option<Arc<ConfigChain>>),
    /// The nearest config per file.
    Nearest,
}

/// Finds the config for each file of a run; shared by the walk and the lint workers.
pub struct Resolver {
    cwd: PathBuf,
    how: How,
    next_id: AtomicUsize,
    /// Folder (absolute, lexical) → the nearest config at or above it, before the fallback.
    by_dir: RwLock<HashMap<PathBuf, Answer>>,
    /// The working directory's answer, for files outside it that find nothing.
    fallback: OnceLock<Answer>,
    /// Every config that could not be used, once each, in the order met.
    errors: Mutex<Vec<String>>,
    /// Tells this resolver's entries in the per-thread cache of [`Resolver::for_file`]
    /// from another's.
    uid: usize,
}

/// Resolvers made so far, for [`Resolver::uid`].
static RESOLVERS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The last folder (as given) this thread asked about and its answer: a walk hands a
    /// thread the files of one folder in a row, so most files need no lookup at all (no
    /// path building, no lock, no hash).
    static LAST: std::cell::RefCell<Option<(usize, PathBuf, Answer)>> =
        const { std::cell::RefCell::new(None) };
}

impl Resolver {
    /// The resolver a run's flags ask for: none with `--isolated`, the file given with
    /// `--config` (an error now if it cannot be used), else the nearest per file.
    pub fn new(config: Option<&Path>, isolated: bool, cwd: &Path) -> Result<Resolver, String> {
        let mut r = Resolver {
            cwd: cwd.to_path_buf(),
            how: How::Nearest,
            next_id: AtomicUsize::new(0),
            by_dir: RwLock::new(HashMap::new()),
            fallback: OnceLock::new(),
            errors: Mutex::new(Vec::new()),
            uid: RESOLVERS.fetch_add(1, Ordering::Relaxed),
        };
        if isolated {
            r.how = How::Fixed(None);
        } else if let Some(path) = config {
            // As given: `--config ../strict.toml` is named so in messages.
            let display = match path.strip_prefix(cwd) {
                Ok(rel) => rel.display().to_string(),
                Err(_) => path.display().to_string(),
            };
            let chain = r.load_chain(&absolute(cwd, path), display)?;
            r.how = How::Fixed(Some(chain));
        }
        Ok(r)
    }

    /// One config for every file, whatever their folder.
    pub fn fixed(chain: Option<ConfigChain>, cwd: &Path) -> Resolver {
        Resolver {
            cwd: cwd.to_path_buf(),
            how: How::Fixed(chain.map(Arc::new)),
            next_id: AtomicUsize::new(1),
            by_dir: RwLock::new(HashMap::new()),
            fallback: OnceLock::new(),
            errors: Mutex::new(Vec::new()),
            uid: RESOLVERS.fetch_add(1, Ordering::Relaxed),
        }
    }

    pub fn cwd(&self) -> &Path {
        &self.cwd
    }

    /// No config at all (`--isolated`): callers may skip per-file work.
    pub fn is_none(&self) -> bool {
        matches!(self.how, How::Fixed(None))
    }

    /// The config for `path` (a file, as given, relative to the working directory; it need
    /// not exist). Errors are also kept for [`Resolver::errors`].
    pub fn for_file(&self, path: &Path) -> Answer {
        match &self.how {
            How::Fixed(c) => Ok(c.clone()),
            How::Nearest => {
                let given = path.parent().unwrap_or(Path::new(""));
                let cached = LAST.with(|last| match &*last.borrow() {
                    Some((uid, dir, answer))
                        if *uid == self.uid && dir.as_os_str() == given.as_os_str() =>
                    {
                        Some(answer.clone())
                    }
                    _ => None,
                });
                if let Some(answer) = cached {
                    return answer;
                }
                let answer = self.for_file_uncached(path);
                LAST.with(|last| {
                    *last.borrow_mut() = Some((self.uid, given.to_path_buf(), answer.clone()))
                });
                answer
            }
        }
    }

    fn for_file_uncached(&self, path: &Path) -> Answer {
        let abs = absolute(&self.cwd, path);
        let dir = abs.parent().unwrap_or(&abs);
        let found = self.nearest(dir)?;
        if found.is_some() || abs.starts_with(&self.cwd) {
            return Ok(found);
        }
        self.for_cwd()
    }

    /// The config for text with no file name (stdin): the working directory's.
    pub fn for_cwd(&self) -> Answer {
        match &self.how {
            How::Fixed(c) => Ok(c.clone()),
            How::Nearest => self
                .fallback
                .get_or_init(|| self.nearest(&self.cwd.clone()))
                .clone(),
        }
    }

    /// Every config met that could not be used (a run stops on them), sorted.
    pub fn errors(&self) -> Vec<String> {
        let mut e = self.errors.lock().map(|e| e.clone()).unwrap_or_default();
        e.sort();
        e
    }

    /// The nearest config at or above `dir` (absolute), cached for every folder passed.
    fn nearest(&self, dir: &Path) -> Answer {
        if let Some(a) = self.by_dir.read().ok().and_then(|m| m.get(dir).cloned()) {
            return a;
        }
        // Misses are once per folder: done under the write lock, so a config is read once
        // even when several walker threads reach its folder together.
        let Ok(mut map) = self.by_dir.write() else {
            return Ok(None);
        };
        let mut passed: Vec<&Path> = Vec::new();
        let mut answer: Answer = Ok(None);
        for d in dir.ancestors() {
            if let Some(a) = map.get(d) {
                answer = a.clone();
                break;
            }
            passed.push(d);
            let file = d.join(FILE_NAME);
            if file.is_file() {
                let display = self.display_of(&file);
                answer = self.load_chain(&file, display).map(Some);
                if let Err(e) = &answer {
                    if let Ok(mut errors) = self.errors.lock() {
                        if !errors.contains(e) {
                            errors.push(e.clone());
                        }
                    }
                }
                break;
            }
            // A repository's root ends the search: a config above it belongs to
            // something else (a home directory, an enclosing checkout).
            if d.join(".git").exists() {
                break;
            }
        }
        for d in passed {
            map.insert(d.to_path_buf(), answer.clone());
        }
        answer
    }

    /// A found config as messages name it: relative to the working directory when under it.
    fn display_of(&self, path: &Path) -> String {
        match path.strip_prefix(&self.cwd) {
            Ok(rel) => rel.display().to_string(),
            Err(_) => path.display().to_string(),
        }
    }

    /// Read `path` (absolute) and every config it extends.
    fn load_chain(&self, path: &Path, display: String) -> Result<Arc<ConfigChain>, String> {
        let mut files: Vec<LinterConfig> = Vec::new();
        let mut seen: Vec<PathBuf> = Vec::new();
        let mut next = Some((path.to_path_buf(), display, None::<String>));
        while let Some((path, display, written_at)) = next.take() {
            let key = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
            if seen.contains(&key) || files.len() >= MAX_CHAIN {
                let mut names: Vec<&str> = files.iter().map(|f| f.display.as_str()).collect();
                names.push(&display);
                let why = if seen.contains(&key) {
                    "goes round in a circle"
                } else {
                    "goes more than 32 configs deep"
                };
                return Err(format!(
                    "{} {why}: {}",
                    written_at.unwrap_or_default(),
                    names.join(" → ")
                ));
            }
            seen.push(key);
            let config = read_one(&path, &display).map_err(|e| match &written_at {
                Some(at) => format!("{at}: {e}"),
                None => e,
            })?;
            next = config.extend.as_ref().map(|(to, at)| {
                let abs = absolute(&config.dir, Path::new(to));
                (abs.clone(), self.display_of(&abs), Some(at.clone()))
            });
            files.push(config);
        }
        Ok(Arc::new(ConfigChain {
            id: self.next_id.fetch_add(1, Ordering::Relaxed),
            files,
        }))
    }
}

/// Read and check one linter config (not what it extends).
fn read_one(path: &Path, display: &str) -> Result<LinterConfig, String> {
    let reason = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    };
    let file = std::fs::File::open(path)
        .map_err(|e| format!("cannot read linter config {display}: {}", reason(e)))?;
    // At most one byte past the limit: a FIFO or a growing file is refused, not slurped.
    let bytes = crate::bounded::read_to_end(file, MAX_BYTES).map_err(|e| match e {
        crate::bounded::ReadError::Io(e) => {
            format!("cannot read linter config {display}: {}", reason(e))
        }
        too_large => too_large.describe(
            &format!("linter config {display}"),
            "a linter config is a few KB",
        ),
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("cannot read linter config {display}: not UTF-8 text"))?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    let config = LinterConfig::parse(&text, display, dir)?;
    check_versions(&config)?;
    Ok(config)
}

/// Every `invokeai_version` in a linter config must be a release the table covers, even
/// where no file uses it (a mistake there would otherwise wait for the first file).
fn check_versions(config: &LinterConfig) -> Result<(), String> {
    let tables = std::iter::once((&config.facts, "[facts]".to_string()))
        .chain(config.overrides.iter().map(|o| (&o.facts, o.table_name())));
    for (facts, table) in tables {
        let Some(text) = &facts.invokeai_version else {
            continue;
        };
        let Ok(version) = Version::parse(text) else {
            continue; // the parser has refused it already
        };
        if Knowledge::get().release_for(&version).is_none() {
            return Err(format!(
                "InvokeAI {version} ({} {table} invokeai_version) is older than 3.0.0, the oldest release invokeai-lint knows (2.x used invokeai.init, not invokeai.yaml)",
                config.display
            ));
        }
    }
    Ok(())
}

/// Settings for `path` under `resolver`'s config for it, with `flags` last; no config:
/// defaults and flags. For callers that lint one file at a time (print-config, an editor).
pub fn settings_for_path(
    resolver: &Resolver,
    path: Option<&Path>,
    flags: &Layer,
) -> Result<(Option<Arc<ConfigChain>>, FileSettings), String> {
    let chain = match path {
        Some(p) => resolver.for_file(p)?,
        None => resolver.for_cwd()?,
    };
    let settings = match (&chain, path) {
        (Some(c), Some(p)) => c.settings_for(&c.matching_overrides(resolver.cwd(), p), flags),
        (Some(c), None) => c.settings_for(&[], flags),
        (None, _) => settings_without_config(flags),
    };
    Ok((chain, settings))
}

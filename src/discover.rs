//! Which files to lint: walk the directories given (honouring .gitignore and .ignore, with
//! or without a `.git`), keep the InvokeAI configs, and keep every file named explicitly.
//!
//! A walked file is a config when it is named `invokeai*.yaml`/`.yml`, when its top level
//! has `schema_version:` or `InvokeAI:` or InvokeAI settings (`walk_choice`), or when the `include` of the linter config that
//! governs it matches it (each file's own, see [`crate::linter_config::resolve`]). That
//! config's `exclude` drops walked files always, and named files only with
//! `--force-exclude` (pre-commit names every staged file); a folder is pruned when the
//! config governing it excludes it. Example and backup files are skipped on a walk, with
//! one note saying which (`walk_choice::skip_reason`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::MAX_CONFIG_BYTES;
use crate::linter_config::Resolver;
use crate::walk_choice;

pub use crate::paths::display;

/// A file to lint.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub path: PathBuf,
    /// How messages name it: as given, or as walked from a path given (without `./`).
    pub display: String,
    /// The bytes, when discovery already read them to look inside.
    pub bytes: Option<Vec<u8>>,
    /// The walk saw a regular file here (its directory entry's type), so reading it may
    /// stop at the first short read; see `lint::read_config_bytes`. False for named files,
    /// which may be pipes (`<(...)`) or devices.
    pub regular: bool,
}

/// What discovery found.
#[derive(Debug, Default)]
pub struct Found {
    pub files: Vec<Candidate>,
    /// Files named on the command line that `--force-exclude` dropped.
    pub force_excluded: Vec<String>,
    /// Problems met while walking (unreadable directories, broken .gitignore lines).
    pub notes: Vec<Problem>,
}

/// Is this file name one InvokeAI configs use? `invokeai.yaml`, `invokeai-12gb.yaml`,
/// `InvokeAI.yml`; not `invokeai-lint.toml` or `invokeai.log`.
pub fn is_config_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("invokeai") && (lower.ends_with(".yaml") || lower.ends_with(".yml"))
}

pub fn is_yaml_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".yaml") || lower.ends_with(".yml")
}

/// Does this YAML text have `schema_version` or `InvokeAI` as a top-level key? A line
/// scan, not a parse: it must be cheap on every YAML file in a repository, and a
/// config broken enough to fool it is still found when named `invokeai*.yaml`.
pub fn sniff(bytes: &[u8]) -> bool {
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    bytes.split(|b| *b == b'\n').any(|line| {
        // `--- ` may open the first document on the same line as a key.
        let line = line.strip_prefix(b"--- ").unwrap_or(line);
        ["schema_version", "InvokeAI"]
            .iter()
            .any(|key| top_level_key(line, key.as_bytes()))
    })
}

fn top_level_key(line: &[u8], key: &[u8]) -> bool {
    let rest = match line.first() {
        Some(q @ (b'"' | b'\'')) => line
            .get(1..)
            .and_then(|l| l.strip_prefix(key))
            .and_then(|l| l.strip_prefix(&[*q][..])),
        _ => line.strip_prefix(key),
    };
    let Some(rest) = rest else { return false };
    let rest = rest.trim_ascii_start();
    rest.first() == Some(&b':') && rest.get(1).is_none_or(|b| b.is_ascii_whitespace())
}

/// Whether the linter config that governs `path` (as given) excludes it from walks.
fn excluded(resolver: &Resolver, path: &Path) -> bool {
    if resolver.is_none() {
        return false;
    }
    match resolver.for_file(path) {
        Ok(Some(c)) => c.excludes(resolver.cwd(), path),
        // A config that cannot be used stops the run (see `Resolver::errors`).
        _ => false,
    }
}

/// The inputs of a run, split: files named explicitly (in `found`) and directories still
/// to walk.
pub struct Inputs {
    pub found: Found,
    dirs: Vec<PathBuf>,
    resolver: Arc<Resolver>,
}

/// Sort out `paths` (files or directories; `-` is not handled here) without walking yet.
/// `resolver` says which linter config governs each path (relative to its working
/// directory).
pub fn split(paths: &[PathBuf], resolver: &Arc<Resolver>, force_exclude: bool) -> Inputs {
    let mut found = Found::default();
    let mut dirs = Vec::new();
    for p in paths {
        if p.is_dir() {
            dirs.push(p.clone());
        } else if force_exclude && excluded(resolver, p) {
            found.force_excluded.push(display(p));
        } else {
            // Named files are always linted, whatever their name; a missing one is
            // reported when it is read.
            found.files.push(Candidate {
                path: p.clone(),
                display: display(p),
                bytes: None,
                regular: false,
            });
        }
    }
    found.files.sort_by(|a, b| a.display.cmp(&b.display));
    found.files.dedup_by(|a, b| a.display == b.display);
    Inputs {
        found,
        dirs,
        resolver: Arc::clone(resolver),
    }
}

impl Inputs {
    pub fn has_dirs(&self) -> bool {
        !self.dirs.is_empty()
    }

    /// Walk the directories, handing the configs found to `each` in batches of up to
    /// [`BATCH`] on the walker's threads,
    /// in no particular order. Returns the problems met (unreadable directories, ...).
    pub fn walk(&self, each: &(dyn Fn(Vec<Candidate>) + Sync)) -> Vec<Problem> {
        if self.dirs.is_empty() {
            return Vec::new();
        }
        walk(&self.dirs, &self.resolver, each)
    }
}

/// Find the files to lint under `paths` (files or directories; `-` is not handled here),
/// sorted by how they are shown.
pub fn discover(paths: &[PathBuf], resolver: &Arc<Resolver>, force_exclude: bool) -> Found {
    let inputs = split(paths, resolver, force_exclude);
    let walked = std::sync::Mutex::new(Vec::new());
    let notes = inputs.walk(&|batch| {
        if let Ok(mut w) = walked.lock() {
            w.extend(batch);
        }
    });
    let Inputs { mut found, .. } = inputs;
    found.files.extend(walked.into_inner().unwrap_or_default());
    found.notes.extend(notes);
    found.files.sort_by(|a, b| a.display.cmp(&b.display));
    found.files.dedup_by(|a, b| a.display == b.display);
    found
}

/// How many configs a walker thread gathers before handing them on: one hand-over (a
/// channel send, a lock) per file was a few percent of a 10 000-file run; a batch is still
/// small enough (well under a millisecond of linting) to keep the workers evenly loaded.
pub const BATCH: usize = 16;

/// A walker thread's configs not yet handed on; the rest go when the thread's visitor is
/// dropped, at the end of the walk.
struct Batch<'a> {
    found: Vec<Candidate>,
    each: &'a (dyn Fn(Vec<Candidate>) + Sync),
}

impl Batch<'_> {
    fn push(&mut self, c: Candidate) {
        self.found.push(c);
        if self.found.len() >= BATCH {
            (self.each)(std::mem::replace(
                &mut self.found,
                Vec::with_capacity(BATCH),
            ));
        }
    }
}

impl Drop for Batch<'_> {
    fn drop(&mut self) {
        if !self.found.is_empty() {
            (self.each)(std::mem::take(&mut self.found));
        }
    }
}

/// Something the walk could not do.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Problem {
    /// A folder or file under a walked directory could not be read: configs in it may
    /// have been missed, so the run ends as if a named file could not be read (exit 2).
    Unreadable { path: String, why: String },
    /// Anything else (a broken `.gitignore` line): said, but the run goes on.
    Note(String),
}

impl Problem {
    fn of(e: &ignore::Error) -> Problem {
        // A `.gitignore` that does not parse is partial: the walk went on without it.
        if !e.is_partial() {
            if let (Some(io), Some(path)) = (e.io_error(), path_of(e)) {
                return Problem::Unreadable {
                    path: display(path),
                    why: io.to_string(),
                };
            }
        }
        Problem::Note(e.to_string())
    }
}

fn path_of(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            path_of(err)
        }
        _ => None,
    }
}

fn walk(
    dirs: &[PathBuf],
    resolver: &Arc<Resolver>,
    each: &(dyn Fn(Vec<Candidate>) + Sync),
) -> Vec<Problem> {
    let mut builder = ignore::WalkBuilder::new(&dirs[0]);
    for d in &dirs[1..] {
        builder.add(d);
    }
    let filter = Arc::clone(resolver);
    builder
        .require_git(false)
        .follow_links(false)
        .threads(
            std::thread::available_parallelism()
                .map_or(1, |n| n.get())
                .min(8),
        )
        // Pruning an excluded directory saves walking it; files are checked again below.
        .filter_entry(move |e| {
            e.depth() == 0
                || !e.file_type().is_some_and(|t| t.is_dir())
                || !excluded(&filter, e.path())
        });
    // A tree of thousands of configs is mostly directory reads and the sniffing of YAML
    // files: both run on every core.
    let notes = std::sync::Mutex::new(Vec::new());
    let skipped = std::sync::Mutex::new(Vec::new());
    builder.build_parallel().run(|| {
        let notes = &notes;
        let skipped = &skipped;
        let mut batch = Batch {
            found: Vec::with_capacity(BATCH),
            each,
        };
        Box::new(move |entry| {
            match visit(entry, resolver) {
                Visit::Lint(c) => batch.push(c),
                Visit::Problem(note) => {
                    if let Ok(mut n) = notes.lock() {
                        n.push(note);
                    }
                }
                Visit::Skipped(file, why) => {
                    if let Ok(mut s) = skipped.lock() {
                        s.push((file, why));
                    }
                }
                Visit::Nothing => {}
            }
            ignore::WalkState::Continue
        })
    });
    let mut notes = notes.into_inner().unwrap_or_default();
    notes.sort();
    notes.extend(skipped_note(skipped.into_inner().unwrap_or_default()));
    notes
}

/// One note for every file the walk skipped by name, grouped by why.
fn skipped_note(mut skipped: Vec<(String, &'static str)>) -> Option<Problem> {
    if skipped.is_empty() {
        return None;
    }
    skipped.sort_by(|a, b| (a.1, &a.0).cmp(&(b.1, &b.0)));
    let mut parts: Vec<String> = Vec::new();
    for group in skipped.chunk_by(|a, b| a.1 == b.1) {
        let files: Vec<&str> = group.iter().map(|(f, _)| f.as_str()).collect();
        parts.push(format!("{} ({})", files.join(", "), group[0].1));
    }
    let n = skipped.len();
    Some(Problem::Note(format!(
        "skipped {n} file{} a directory scan does not lint: {}; name a file on the command line to lint it",
        if n == 1 { "" } else { "s" },
        parts.join("; "),
    )))
}

/// What the walk does with one entry.
enum Visit {
    Lint(Candidate),
    /// A problem met (an unreadable directory, ...).
    Problem(Problem),
    /// A config skipped by its name (shown as, why).
    Skipped(String, &'static str),
    Nothing,
}

/// One walked entry: a file to lint, a note about a problem, a skipped file, or nothing.
fn visit(entry: Result<ignore::DirEntry, ignore::Error>, resolver: &Resolver) -> Visit {
    let entry = match entry {
        Ok(e) => e,
        Err(e) => return Visit::Problem(Problem::of(&e)),
    };
    if !entry.file_type().is_some_and(|t| t.is_file()) {
        return Visit::Nothing;
    }
    let path = entry.path();
    let name = entry.file_name().to_string_lossy();
    // The config that governs this file, when there is one with globs: looked up once
    // here for both questions (no lookup at all with `--isolated`).
    let globs = if resolver.is_none() {
        None
    } else {
        resolver
            .for_file(path)
            .ok()
            .flatten()
            .filter(|c| c.has_globs())
    };
    if globs
        .as_ref()
        .is_some_and(|c| c.excludes(resolver.cwd(), path))
    {
        return Visit::Nothing;
    }
    // The entry's own path is moved into the candidate, not copied.
    let candidate = |entry: ignore::DirEntry, bytes| {
        let path = entry.into_path();
        Candidate {
            display: display(&path),
            path,
            bytes,
            regular: true,
        }
    };
    let included = || {
        globs
            .as_ref()
            .is_some_and(|c| c.includes(resolver.cwd(), path))
    };
    // Example and backup files: skipped, and said, only when they would be linted.
    if let Some(why) = walk_choice::skip_reason(&name) {
        let original = walk_choice::unbacked_name(&name);
        let would_lint = is_config_name(original)
            || included()
            || (is_yaml_name(original) && read_small(path).is_some_and(|b| is_config_text(&b)));
        return if would_lint {
            Visit::Skipped(display(path), why)
        } else {
            Visit::Nothing
        };
    }
    if is_config_name(&name) || included() {
        return Visit::Lint(candidate(entry, None));
    }
    if is_yaml_name(&name) {
        let Some(bytes) = read_small(path) else {
            return Visit::Nothing;
        };
        if is_config_text(&bytes) {
            return Visit::Lint(candidate(entry, Some(bytes)));
        }
    }
    Visit::Nothing
}

/// Does a walked YAML file's text make it an InvokeAI config?
fn is_config_text(bytes: &[u8]) -> bool {
    sniff(bytes) || walk_choice::looks_like_settings(bytes)
}

/// A YAML file's bytes, when it is small enough to be a config.
fn read_small(path: &Path) -> Option<Vec<u8>> {
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > MAX_CONFIG_BYTES {
        return None;
    }
    std::fs::read(path).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::linter_config::{ConfigChain, LinterConfig};

    #[test]
    fn an_unreadable_folder_is_a_problem_not_a_note() {
        let denied = ignore::Error::WithPath {
            path: PathBuf::from("./tree/private"),
            err: Box::new(ignore::Error::Io(std::io::Error::from(
                std::io::ErrorKind::PermissionDenied,
            ))),
        };
        match Problem::of(&ignore::Error::WithDepth {
            depth: 2,
            err: Box::new(denied),
        }) {
            Problem::Unreadable { path, why } => {
                assert_eq!(path, "tree/private");
                assert!(why.contains("ermission denied"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        let glob = ignore::Error::Partial(vec![ignore::Error::Glob {
            glob: Some("[".into()),
            err: "unclosed".into(),
        }]);
        assert!(matches!(Problem::of(&glob), Problem::Note(_)));
    }

    #[test]
    fn config_names() {
        assert!(is_config_name("invokeai.yaml"));
        assert!(is_config_name("invokeai-12gb.yml"));
        assert!(is_config_name("InvokeAI.yaml"));
        assert!(!is_config_name("invokeai-lint.toml"));
        assert!(!is_config_name("invokeai.log"));
        assert!(!is_config_name("config.yaml"));
    }

    #[test]
    fn sniffing_finds_top_level_keys_only() {
        assert!(sniff(b"schema_version: 4.0.2\nhost: 0.0.0.0\n"));
        assert!(sniff(b"# comment\nInvokeAI:\n  Web Server:\n"));
        assert!(sniff(b"\xef\xbb\xbf\"schema_version\" : '4.0.2'"));
        assert!(sniff(b"--- schema_version: 4.0.2\n"));
        assert!(!sniff(b"services:\n  schema_version: 1\n"));
        assert!(!sniff(b"schema_versions: 1\n"));
        assert!(!sniff(b"InvokeAIx: 1\n"));
        assert!(!sniff(b"key: 'schema_version: 1'\n"));
        assert!(!sniff(b""));
    }

    #[test]
    fn display_drops_dot_parts_and_doubled_separators() {
        assert_eq!(display(Path::new("./a/invokeai.yaml")), "a/invokeai.yaml");
        assert_eq!(display(Path::new("././a")), "a");
        assert_eq!(display(Path::new(".")), ".");
        assert_eq!(display(Path::new("./")), ".");
        assert_eq!(display(Path::new("")), ".");
        assert_eq!(display(Path::new("a/b")), "a/b");
        assert_eq!(display(Path::new("a/./b/.")), "a/b");
        assert_eq!(display(Path::new("a//b/")), "a/b");
        assert_eq!(display(Path::new("/x/./y.yaml")), "/x/y.yaml");
        // `..` may cross a symlink, so it stays.
        assert_eq!(display(Path::new("a/../b.yaml")), "a/../b.yaml");
        assert_eq!(display(Path::new(".hidden/x")), ".hidden/x");
    }

    fn write(root: &Path, rel: &str, text: &str) {
        let p = root.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn names(found: &Found, root: &Path) -> Vec<String> {
        found
            .files
            .iter()
            .map(|c| {
                c.path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    fn isolated(root: &Path) -> Arc<Resolver> {
        Arc::new(Resolver::fixed(None, root))
    }

    #[test]
    fn walking_honours_gitignore_without_git_and_sniffs_yaml() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        write(root, "a/invokeai.yaml", "schema_version: 4.0.2\n");
        write(root, "b/gpu-box.yaml", "schema_version: 4.0.2\n");
        write(root, "b/compose.yaml", "services: {}\n");
        write(root, "c/invokeai.yaml", "x: 1\n");
        write(root, "d/notes.txt", "schema_version: 4.0.2\n");
        write(root, ".gitignore", "c/\n");
        write(root, ".hidden/invokeai.yaml", "x: 1\n");
        let found = discover(&[root.to_path_buf()], &isolated(root), false);
        assert_eq!(
            names(&found, root),
            vec!["a/invokeai.yaml", "b/gpu-box.yaml"]
        );
        assert!(found.files[1].bytes.is_some(), "sniffed bytes are kept");
    }

    #[test]
    fn include_and_exclude_come_from_the_linter_config() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        write(root, "fleet/a/invokeai.yaml", "x: 1\n");
        write(root, "fleet/b/box.yml", "x: 1\n");
        write(root, "vendor/invokeai.yaml", "x: 1\n");
        let cfg = LinterConfig::parse(
            "include = [\"fleet/**/*.yml\"]\nexclude = [\"vendor\"]\n",
            "invokeai-lint.toml",
            root.to_path_buf(),
        )
        .unwrap();
        let cfg = Arc::new(Resolver::fixed(Some(ConfigChain::single(cfg)), root));
        let found = discover(&[root.to_path_buf()], &cfg, false);
        assert_eq!(
            names(&found, root),
            vec!["fleet/a/invokeai.yaml", "fleet/b/box.yml"]
        );

        // Named files are linted even when excluded, unless --force-exclude.
        let named = root.join("vendor/invokeai.yaml");
        let found = discover(std::slice::from_ref(&named), &cfg, false);
        assert_eq!(found.files.len(), 1);
        let found = discover(std::slice::from_ref(&named), &cfg, true);
        assert!(found.files.is_empty());
        assert_eq!(found.force_excluded.len(), 1);
    }

    #[test]
    fn named_files_need_no_particular_name_and_repeats_collapse() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path();
        write(root, "x.conf", "x: 1\n");
        let p = root.join("x.conf");
        let found = discover(&[p.clone(), p], &isolated(root), false);
        assert_eq!(found.files.len(), 1);
    }
}

//! An invokeai.yaml as the rules see it: the located YAML tree plus where its settings are.

use std::sync::{Arc, OnceLock};

use rustc_hash::FxHashMap;

use crate::diagnostic::Location;
use crate::source::{SourceFile, Span};
use crate::yaml::{self, Document, Entry, Node, NodeKind, Parsed};

/// Largest config read; InvokeAI configs are a few KB.
pub const MAX_CONFIG_BYTES: u64 = 8 * 1024 * 1024;

/// How the file is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// 4.0.0+: settings at the top level next to `schema_version`.
    Flat,
    /// 3.x: `InvokeAI:` → section heading → setting. InvokeAI 4.0.0+ treats any file with a
    /// top-level `InvokeAI:` key as this, even with flat keys beside it.
    V3Nested,
    /// No document, or only comments: `yaml.safe_load` gives None.
    Empty,
    /// A list or a scalar at the top.
    NotMapping,
    /// The YAML did not parse.
    Broken,
}

/// One `key: value` the file sets.
#[derive(Clone, Copy, Debug)]
pub struct Setting<'a> {
    /// The setting's own name (`ram`).
    pub name: &'a str,
    /// 3.x section heading it sits under (`Model Cache`), None in a flat file.
    pub section: Option<&'a str>,
    pub key: &'a Node,
    pub value: &'a Node,
    /// False when a later duplicate of the same key (in the same mapping) overrides this one.
    pub effective: bool,
}

impl Setting<'_> {
    /// Dotted path for messages and JSON: `max_cache_vram_gb`, `InvokeAI.Model Cache.ram`.
    pub fn path(&self) -> String {
        match self.section {
            Some(sec) => format!("InvokeAI.{sec}.{}", self.name),
            None => self.name.to_string(),
        }
    }
}

pub struct ConfigFile {
    pub source: Arc<SourceFile>,
    pub parsed: Parsed,
    pub layout: Layout,
    /// Byte offset of the first byte that was not valid UTF-8 (replaced by U+FFFD in `source`).
    pub invalid_utf8_at: Option<usize>,
    /// The file's absolute path on disk (None for stdin).
    pub path: Option<std::path::PathBuf>,
    /// The bytes were UTF-16/UTF-32 or binary: not parsed, and `source` is empty.
    pub not_text: Option<crate::encoding::NotText>,
    /// For a file of many keys, where [`ConfigFile::get`] finds each name (made on first
    /// use): rules ask for a name per setting, and a scan per question was quadratic.
    lookup: OnceLock<Index>,
}

/// What [`ConfigFile::get`] learns about a file once and uses for every name it is asked.
#[derive(Default)]
struct Index {
    /// Name → where the winning entry is, for a file of many keys.
    table: Option<Lookup>,
    /// Some mapping of settings has a merge key (`<<`): its entries must be flattened
    /// before the last one wins. Rare; the other files skip that step.
    merges: bool,
    /// One bit per name the settings' mappings hold ([`name_bit`]): rules mostly ask
    /// about names a file does not set, and a clear bit answers that without a scan.
    names: u64,
}

/// A name's bit in [`Index::names`].
fn name_bit(name: &str) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    let hash = BuildHasherDefault::<rustc_hash::FxHasher>::default().hash_one(name);
    1 << (hash >> 58)
}

/// Name → (section's index among the `InvokeAI:` entries, or 0 in a flat file; entry's
/// index in its mapping) of the setting that wins.
type Lookup = FxHashMap<Box<str>, (usize, usize)>;

impl ConfigFile {
    pub fn parse(source: Arc<SourceFile>) -> Self {
        let parsed = yaml::parse(source.text());
        let layout = if parsed.error.is_some() {
            Layout::Broken
        } else {
            match parsed.documents.first().map(|d| &d.root.kind) {
                None => Layout::Empty,
                Some(NodeKind::Scalar(s)) if s.resolved == yaml::Resolved::Null => Layout::Empty,
                Some(NodeKind::Mapping { .. }) => {
                    let root = &parsed.documents[0].root;
                    if root.get("InvokeAI").is_some() {
                        Layout::V3Nested
                    } else {
                        Layout::Flat
                    }
                }
                Some(_) => Layout::NotMapping,
            }
        };
        ConfigFile {
            source,
            parsed,
            layout,
            invalid_utf8_at: None,
            path: None,
            not_text: None,
            lookup: OnceLock::new(),
        }
    }

    /// A file whose bytes are not text YAML could read: nothing of it is parsed or kept.
    pub fn not_text(name: &str, what: crate::encoding::NotText) -> Self {
        ConfigFile {
            layout: Layout::Broken,
            not_text: Some(what),
            ..ConfigFile::parse(SourceFile::new(name, ""))
        }
    }

    /// Note that the file's bytes were not valid UTF-8 from `offset` on.
    pub fn with_invalid_utf8_at(mut self, offset: Option<usize>) -> Self {
        self.invalid_utf8_at = offset;
        self
    }

    pub fn with_path(mut self, path: Option<std::path::PathBuf>) -> Self {
        self.path = path;
        self
    }

    pub fn name(&self) -> &str {
        self.source.name()
    }

    pub fn document(&self) -> Option<&Document> {
        self.parsed.documents.first()
    }

    pub fn root(&self) -> Option<&Node> {
        self.document().map(|d| &d.root)
    }

    pub fn loc(&self, span: Span) -> Location {
        Location::new(&self.source, span)
    }

    /// Location of a whole line (1-based) of this file.
    pub fn line_loc(&self, line: u64) -> Location {
        self.loc(self.source.line_span(line).unwrap_or_default())
    }

    /// Top-level settings of a flat file, or the settings under each section of a 3.x file.
    /// Entries whose key is not a plain string (a list as a key, an alias) are skipped.
    pub fn settings(&self) -> Vec<Setting<'_>> {
        let mut out = Vec::new();
        let Some(root) = self.root() else { return out };
        match self.layout {
            Layout::Flat => push_mapping(root, None, root, &mut out),
            Layout::V3Nested => {
                let Some(top) = root.get("InvokeAI") else {
                    return out;
                };
                let sections = top.value.entries().unwrap_or(&[]);
                let section_shadowed = shadowed_entries(sections);
                for (i, sec) in sections.iter().enumerate() {
                    if let Some(name) = sec.key.as_str() {
                        let first = out.len();
                        push_mapping(&sec.value, Some(name), root, &mut out);
                        // A section repeated later replaces this one whole (PyYAML keeps the last).
                        if section_shadowed(i) {
                            for s in &mut out[first..] {
                                s.effective = false;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        out
    }

    /// The setting InvokeAI ends up with for `name`: the last effective one. In a 3.x file
    /// this is the value the 4.x migration would carry over after flattening.
    pub fn get(&self, name: &str) -> Option<Setting<'_>> {
        // Rules ask for a handful of keys per file: scan the tree from the end instead of
        // building the whole settings list each time. The last occurrence always wins.
        let root = self.root()?;
        let index = self.lookup.get_or_init(|| self.make_index());
        if index.names & name_bit(name) == 0 {
            return None;
        }
        if let Some(lookup) = &index.table {
            let &(si, ei) = lookup.get(name)?;
            let (map, section) = match self.layout {
                Layout::Flat => (root, None),
                _ => {
                    let sec = root.get("InvokeAI")?.value.entries()?.get(si)?;
                    (&sec.value, sec.key.as_str())
                }
            };
            let e = map.entries()?.get(ei)?;
            return Some(Setting {
                name: e.key.as_str()?,
                section,
                key: &e.key,
                value: &e.value,
                effective: true,
            });
        }
        match self.layout {
            Layout::Flat => last_in(root, None, root, name, index.merges),
            Layout::V3Nested => {
                let sections = root.get("InvokeAI")?.value.entries()?;
                // A section whose title comes again later was replaced whole by that
                // later one (PyYAML keeps the last): pairwise for the usual handful of
                // sections, through a set of titles for many.
                let mut seen: Option<rustc_hash::FxHashSet<&str>> =
                    (sections.len() > SMALL_MAPPING).then(Default::default);
                sections.iter().enumerate().rev().find_map(|(i, sec)| {
                    let title = sec.key.as_str()?;
                    let replaced = match &mut seen {
                        Some(seen) => !seen.insert(title),
                        None => sections[i + 1..]
                            .iter()
                            .any(|later| later.key.as_str() == Some(title)),
                    };
                    if replaced {
                        return None;
                    }
                    last_in(&sec.value, Some(title), root, name, index.merges)
                })
            }
            _ => None,
        }
    }

    /// The [`Index`] behind [`ConfigFile::get`].
    fn make_index(&self) -> Index {
        let Some(root) = self.root() else {
            return Index::default();
        };
        let has_merge = |map: &Node| {
            map.entries()
                .is_some_and(|e| e.iter().any(|e| yaml::is_merge_key(&e.key)))
        };
        let merges = match self.layout {
            Layout::Flat => has_merge(root),
            Layout::V3Nested => root.get("InvokeAI").is_some_and(|inv| {
                has_merge(&inv.value)
                    || inv
                        .value
                        .entries()
                        .is_some_and(|secs| secs.iter().any(|s| has_merge(&s.value)))
            }),
            _ => false,
        };
        // With merge keys, entries come from elsewhere in the file: no filter then.
        let mut names = if merges { u64::MAX } else { 0 };
        let mut note = |map: &Node| {
            for e in map.entries().unwrap_or(&[]) {
                if let (Some(_), Some(name)) = (e.key.as_scalar(), e.key.as_str()) {
                    names |= name_bit(name);
                }
            }
        };
        match self.layout {
            Layout::Flat => note(root),
            Layout::V3Nested => {
                let sections = root.get("InvokeAI").and_then(|inv| inv.value.entries());
                for sec in sections.unwrap_or(&[]) {
                    note(&sec.value);
                }
            }
            _ => {}
        }
        Index {
            table: self.make_lookup(),
            merges,
            names,
        }
    }

    /// The table of [`Index`], for files with more than [`SMALL_MAPPING`] entries in a
    /// mapping of settings; None for the rest (scanned instead).
    fn make_lookup(&self) -> Option<Lookup> {
        let root = self.root()?;
        let merges = |map: &Node| flattened(map, root).is_some();
        let mut table = Lookup::default();
        let mut fill = |si: usize, map: &Node| {
            for (ei, e) in map.entries().unwrap_or(&[]).iter().enumerate() {
                if let (Some(_), Some(name)) = (e.key.as_scalar(), e.key.as_str()) {
                    table.insert(name.into(), (si, ei));
                }
            }
        };
        match self.layout {
            Layout::Flat => {
                // Merge keys (`<<:`) reorder entries: those files are scanned.
                if root.entries()?.len() <= SMALL_MAPPING || merges(root) {
                    return None;
                }
                fill(0, root);
            }
            Layout::V3Nested => {
                let sections = root.get("InvokeAI")?.value.entries()?;
                let big = sections.len() > SMALL_MAPPING
                    || sections
                        .iter()
                        .any(|s| s.value.entries().is_some_and(|e| e.len() > SMALL_MAPPING));
                if !big
                    || merges(&root.get("InvokeAI")?.value)
                    || sections.iter().any(|s| merges(&s.value))
                {
                    return None;
                }
                let shadowed = shadowed_entries(sections);
                for (si, sec) in sections.iter().enumerate() {
                    if sec.key.as_str().is_some() && !shadowed(si) {
                        fill(si, &sec.value);
                    }
                }
            }
            _ => return None,
        }
        Some(table)
    }

    /// Top-level `schema_version` entry of a flat file.
    pub fn schema_version(&self) -> Option<&yaml::Entry> {
        self.root()?.get("schema_version")
    }
}

/// The last entry named `name` in a mapping, as an effective setting.
fn last_in<'a>(
    map: &'a Node,
    section: Option<&'a str>,
    root: &'a Node,
    name: &str,
    merges: bool,
) -> Option<Setting<'a>> {
    let wanted = |e: &&Entry| e.key.as_scalar().is_some() && e.key.as_str() == Some(name);
    let e = match merges.then(|| flattened(map, root)).flatten() {
        Some(list) => list.into_iter().rev().find(wanted)?,
        None => map.entries()?.iter().rev().find(wanted)?,
    };
    Some(Setting {
        name: e.key.as_str()?,
        section,
        key: &e.key,
        value: &e.value,
        effective: true,
    })
}

fn push_mapping<'a>(
    map: &'a Node,
    section: Option<&'a str>,
    root: &'a Node,
    out: &mut Vec<Setting<'a>>,
) {
    let Some(entries) = flattened(map, root) else {
        let Some(plain) = map.entries() else { return };
        let shadowed = shadowed_entries(plain);
        for (i, e) in plain.iter().enumerate() {
            push_entry(e, shadowed(i), section, out);
        }
        return;
    };
    // A mapping with merge keys (rare): the last position of each name decides.
    let last: FxHashMap<&str, usize> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| Some((e.key.as_str()?, i)))
        .collect();
    for (i, e) in entries.iter().enumerate() {
        let shadowed = e
            .key
            .as_str()
            .is_some_and(|n| last.get(n).is_some_and(|&l| l > i));
        push_entry(e, shadowed, section, out);
    }
}

fn push_entry<'a>(
    e: &'a Entry,
    shadowed: bool,
    section: Option<&'a str>,
    out: &mut Vec<Setting<'a>>,
) {
    let Some(name) = e.key.as_str() else { return };
    if e.key.as_scalar().is_none() {
        return;
    }
    let effective = !shadowed;
    out.push(Setting {
        name,
        section,
        key: &e.key,
        value: &e.value,
        effective,
    });
}

/// A mapping's entries as PyYAML's `flatten_mapping` orders them when it has a merge key
/// (`<<: {…}`, `<<: *anchor`, `<<: [*a, *b]`): the merged entries first (of a list, the
/// last mapping first, so the first one wins), then the mapping's own; a later entry wins.
/// None when the mapping has no merge key, the common case.
fn flattened<'a>(map: &'a Node, root: &'a Node) -> Option<Vec<&'a Entry>> {
    let entries = map.entries()?;
    if !entries.iter().any(|e| yaml::is_merge_key(&e.key)) {
        return None;
    }
    let mut merged = Vec::new();
    let mut own = Vec::new();
    for e in entries {
        if !yaml::is_merge_key(&e.key) {
            own.push(e);
            continue;
        }
        let sources: Vec<&Node> = match &e.value.kind {
            NodeKind::Sequence { items, .. } => items.iter().rev().collect(),
            _ => vec![&e.value],
        };
        for src in sources {
            let src = match &src.kind {
                NodeKind::Alias(name) => match anchored(root, name, src.span.start) {
                    Some(n) => n,
                    None => continue,
                },
                _ => src,
            };
            // Nested merges are flattened first; a cycle cannot occur without aliases to
            // enclosing nodes, which PyYAML refuses anyway, so the depth is the file's.
            match flattened(src, root) {
                Some(inner) => merged.extend(inner),
                None => merged.extend(src.entries().unwrap_or(&[]).iter()),
            }
        }
    }
    merged.extend(own);
    Some(merged)
}

/// The node anchored as `name` last before `before` (an alias refers to the latest anchor).
fn anchored<'a>(root: &'a Node, name: &str, before: usize) -> Option<&'a Node> {
    let mut found = None;
    let mut stack = vec![root];
    while let Some(n) = stack.pop() {
        if n.span.start >= before {
            continue;
        }
        if n.anchor() == Some(name) && found.is_none_or(|f: &Node| f.span.start < n.span.start) {
            found = Some(n);
        }
        match &n.kind {
            NodeKind::Mapping { entries, .. } => {
                for e in entries {
                    stack.push(&e.key);
                    stack.push(&e.value);
                }
            }
            NodeKind::Sequence { items, .. } => stack.extend(items.iter()),
            _ => {}
        }
    }
    found
}

/// Mappings up to this many entries are searched pair by pair (a config has a few dozen
/// keys, and a table would cost more); larger ones through a table of last positions, so
/// that a file of 100 000 keys is not 10^10 comparisons.
pub const SMALL_MAPPING: usize = 32;

/// Which entries of a mapping a later entry with the same (string) key overrides:
/// `shadowed(i)`.
pub fn shadowed_entries(entries: &[yaml::Entry]) -> impl Fn(usize) -> bool + '_ {
    let last: Option<FxHashMap<&str, usize>> = (entries.len() > SMALL_MAPPING).then(|| {
        entries
            .iter()
            .enumerate()
            .filter_map(|(i, e)| Some((e.key.as_str()?, i)))
            .collect()
    });
    move |i| {
        let Some(name) = entries[i].key.as_str() else {
            return false;
        };
        match &last {
            Some(last) => last.get(name).is_some_and(|&l| l > i),
            None => entries[i + 1..]
                .iter()
                .any(|later| later.key.as_str() == Some(name)),
        }
    }
}

//! Baselines: accept today's findings, fail only on new ones.
//!
//! A finding is keyed on its file (as given on the command line), rule code, key path and
//! a hash of the text at its primary span — never on line numbers, so adding or moving
//! lines does not make an old finding look new. Equal keys are counted, so a second copy
//! of the same bad value is new.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;

/// What the file says it is, so a stray JSON file is not taken for a baseline.
pub const FORMAT: &str = "invokeai-lint-baseline";
/// Bumped when the key of a finding changes meaning; older files are then refused.
pub const VERSION: u32 = 1;

/// Largest baseline read.
const MAX_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Key {
    pub file: String,
    pub code: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// First 16 hex digits of the SHA-256 of the text the finding points at.
    pub value_hash: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    #[serde(flatten)]
    pub key: Key,
    /// The rule's name, for people reading the file; not part of the key.
    #[serde(default)]
    pub rule: String,
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub count: usize,
}

fn one() -> usize {
    1
}
fn is_one(n: &usize) -> bool {
    *n == 1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub format: String,
    pub version: u32,
    pub findings: Vec<Entry>,
}

/// A file name as the key uses it: `/`-separated, without a leading `./`.
pub fn normalise_file(name: &str) -> String {
    // As the linter shows paths (no `.` parts, no doubled `/`), so a baseline written by
    // hand or by an older version still matches.
    crate::paths::display(std::path::Path::new(&name.replace('\\', "/")))
}

pub fn key_of(d: &Diagnostic) -> Key {
    // The masked text: a hash of a secret (a short password, a token) can be guessed
    // offline, and a baseline is committed next to the config.
    let text = d.location.shown_text();
    let digest = Sha256::digest(text.as_bytes());
    let value_hash = digest
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    Key {
        file: normalise_file(d.location.file()),
        code: d.code.to_string(),
        key: d.key.clone(),
        value_hash,
    }
}

impl Baseline {
    /// A baseline of these findings, sorted so that re-creating it gives a small diff.
    pub fn from_diagnostics(diags: &[Diagnostic]) -> Baseline {
        let mut counts: BTreeMap<Key, (usize, &'static str)> = BTreeMap::new();
        for d in diags {
            counts.entry(key_of(d)).or_insert((0, d.name)).0 += 1;
        }
        Baseline {
            format: FORMAT.to_string(),
            version: VERSION,
            findings: counts
                .into_iter()
                .map(|(key, (count, rule))| Entry {
                    key,
                    rule: rule.to_string(),
                    count,
                })
                .collect(),
        }
    }

    pub fn total(&self) -> usize {
        self.findings.iter().map(|e| e.count).sum()
    }

    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    pub fn parse(text: &str, name: &str) -> Result<Baseline, String> {
        #[derive(Deserialize)]
        struct Head {
            format: Option<String>,
            version: Option<u32>,
        }
        let head: Head = serde_json::from_str(text)
            .map_err(|e| format!("{name} is not an invokeai-lint baseline: {e}"))?;
        if head.format.as_deref() != Some(FORMAT) {
            return Err(format!(
                "{name} is not an invokeai-lint baseline (no \"format\": \"{FORMAT}\")"
            ));
        }
        match head.version {
            Some(VERSION) => {}
            Some(v) if v > VERSION => {
                return Err(format!(
                    "{name} is baseline version {v}, written by a newer invokeai-lint; this one reads version {VERSION}"
                ))
            }
            v => {
                return Err(format!(
                    "{name} is baseline version {}, which this invokeai-lint no longer reads; run `invokeai-lint baseline create {name} ...` again",
                    v.map_or("(none)".to_string(), |v| v.to_string())
                ))
            }
        }
        serde_json::from_str(text).map_err(|e| format!("{name}: {e}"))
    }

    pub fn load(path: &Path) -> Result<Baseline, String> {
        let name = path.display().to_string();
        let text = crate::bounded::read_file_to_string(path, MAX_BYTES)
            .map_err(|e| e.describe(&name, "a baseline is a few MB"))?;
        Baseline::parse(&text, &name)
    }
}

/// Findings against a baseline.
#[derive(Debug, Default)]
pub struct Compared {
    /// Findings the baseline does not cover.
    pub new: Vec<Diagnostic>,
    /// Findings the baseline covers.
    pub known: usize,
    /// Baseline findings in files linted this run that did not occur: fixed since.
    pub fixed: usize,
}

/// Split findings into new and known. `scope` holds the files this run looked at
/// (configs and logs): a baseline entry for a file not linted this time is not "fixed".
pub fn compare(baseline: &Baseline, diags: Vec<Diagnostic>, scope: &HashSet<String>) -> Compared {
    let mut left: BTreeMap<&Key, usize> = BTreeMap::new();
    for e in &baseline.findings {
        *left.entry(&e.key).or_insert(0) += e.count;
    }
    let mut out = Compared::default();
    for d in diags {
        let k = key_of(&d);
        match left.get_mut(&k) {
            Some(n) if *n > 0 => {
                *n -= 1;
                out.known += 1;
            }
            _ => out.new.push(d),
        }
    }
    out.fixed = left
        .iter()
        .filter(|(k, _)| scope.contains(&k.file))
        .map(|(_, n)| *n)
        .sum();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Location;
    use crate::rules;
    use crate::source::{SourceFile, Span};
    use std::sync::Arc;

    fn diag(src: &Arc<SourceFile>, needle: &str, nth: usize, rule: &str) -> Diagnostic {
        let start = src
            .text()
            .match_indices(needle)
            .nth(nth)
            .map(|(i, _)| i)
            .unwrap();
        Diagnostic::new(
            rules::find(rule).unwrap(),
            Location::new(src, Span::new(start, start + needle.len())),
            "m",
        )
        .key(needle)
    }

    fn scope(names: &[&str]) -> HashSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn findings_survive_moving_lines() {
        let before = SourceFile::new("./cfg/invokeai.yaml", "a: 1\nbogus: 2\n");
        let after = SourceFile::new("cfg/invokeai.yaml", "# new comment\n\na: 1\nbogus: 2\n");
        let b = Baseline::from_diagnostics(&[diag(&before, "bogus", 0, "unknown-key")]);
        let c = compare(
            &b,
            vec![diag(&after, "bogus", 0, "unknown-key")],
            &scope(&["cfg/invokeai.yaml"]),
        );
        assert!(c.new.is_empty());
        assert_eq!((c.known, c.fixed), (1, 0));
    }

    #[test]
    fn a_changed_value_or_a_second_copy_is_new_and_gone_ones_are_fixed() {
        let src = SourceFile::new("f.yaml", "bogus: 2\nbogus: 2\nother: 1\n");
        let b = Baseline::from_diagnostics(&[
            diag(&src, "bogus", 0, "unknown-key"),
            diag(&src, "other", 0, "unknown-key"),
        ]);
        assert_eq!(b.findings.len(), 2);
        let c = compare(
            &b,
            vec![
                diag(&src, "bogus", 0, "unknown-key"),
                diag(&src, "bogus", 1, "unknown-key"),
            ],
            &scope(&["f.yaml"]),
        );
        assert_eq!(c.new.len(), 1);
        assert_eq!((c.known, c.fixed), (1, 1));
        // Outside the scope of this run, a missing finding is not counted as fixed.
        let c = compare(&b, vec![], &scope(&["g.yaml"]));
        assert_eq!(c.fixed, 0);
    }

    #[test]
    fn the_file_round_trips_and_counts_repeats() {
        let src = SourceFile::new("f.yaml", "bogus: 2\nbogus: 2\n");
        let b = Baseline::from_diagnostics(&[
            diag(&src, "bogus", 0, "unknown-key"),
            diag(&src, "bogus", 0, "unknown-key"),
        ]);
        assert_eq!(b.findings[0].count, 2);
        assert_eq!(b.total(), 2);
        let json = b.to_json();
        assert!(json.contains("\"format\": \"invokeai-lint-baseline\""));
        assert!(json.contains("\"rule\": \"unknown-key\""));
        assert_eq!(Baseline::parse(&json, "b.json").unwrap(), b);
    }

    #[test]
    fn foreign_or_future_files_are_refused() {
        assert!(Baseline::parse("[]", "b.json")
            .unwrap_err()
            .contains("not an invokeai-lint baseline"));
        assert!(Baseline::parse("{\"version\":1}", "b.json")
            .unwrap_err()
            .contains("no \"format\""));
        let future = format!("{{\"format\":\"{FORMAT}\",\"version\":99,\"findings\":[]}}");
        assert!(Baseline::parse(&future, "b.json")
            .unwrap_err()
            .contains("newer invokeai-lint"));
        let old = format!("{{\"format\":\"{FORMAT}\",\"version\":0,\"findings\":[]}}");
        assert!(Baseline::parse(&old, "b.json")
            .unwrap_err()
            .contains("no longer reads"));
    }

    #[test]
    fn file_names_are_normalised() {
        assert_eq!(normalise_file("./a\\b.yaml"), "a/b.yaml");
        assert_eq!(normalise_file("././a.yaml"), "a.yaml");
        assert_eq!(normalise_file("a/./b//c.yaml"), "a/b/c.yaml");
    }
}

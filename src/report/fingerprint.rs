//! Stable fingerprints, so code-scanning services (SARIF, GitLab) can tell a finding
//! that moved from a new one.
//!
//! The hash covers what identifies a finding and not where it sits: the rule code,
//! the file, the key path and the text under the span. Line numbers are left out on
//! purpose, so inserting a line above a finding keeps its fingerprint.

use std::collections::HashMap;

use sha2::{Digest, Sha256};

use crate::diagnostic::Diagnostic;

/// One fingerprint per diagnostic, in the same order. Findings that would hash
/// alike (the same bad value twice in one file) get an occurrence number mixed in,
/// because both SARIF consumers and GitLab merge results with equal fingerprints.
pub fn fingerprints(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let base = base_hash(d);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            if *n == 1 {
                base
            } else {
                hex(&Sha256::digest(format!("{base}:{n}").as_bytes()))
            }
        })
        .collect()
}

fn base_hash(d: &Diagnostic) -> String {
    // Masked: a fingerprint is published (SARIF, GitLab) and a secret's hash can be guessed.
    let text = d.location.shown_text();
    let mut h = Sha256::new();
    // NUL separators keep ("ab", "c") and ("a", "bc") apart.
    for part in [
        d.code,
        d.location.file(),
        d.key.as_deref().unwrap_or(""),
        text,
    ] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

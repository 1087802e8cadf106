//! The bodies of the fuzz targets, each with its oracle: what must hold for every input,
//! beyond "does not panic".
//!
//! Two callers share them, so no oracle is written twice: the cargo-fuzz targets in
//! `fuzz/fuzz_targets/` (one line each, run on demand, see docs/fuzzing.md) and
//! `tests/fuzz_corpus.rs`, which replays every target's seed corpus (`fuzz/corpus/<target>/`)
//! and every input a run once failed on (`fuzz/regressions/<target>/`) in `cargo test`.
//!
//! A body panics (an `assert!`) when its oracle fails; the fuzzer reports that as a crash.

mod config;
mod parsers;

/// The settings map the config oracle compares before and after a fix (also used by
/// tests/fix_loop.rs).
pub use config::settings;

pub use config::config;
pub use parsers::{baseline, linter_config, log, python_re, redact, suppress};

/// A target's body: panics when its oracle fails.
pub type Body = fn(&[u8]);

/// Every target: its name (the directory names under `fuzz/corpus/` and
/// `fuzz/regressions/`, and the cargo-fuzz target's name) and its body.
pub const TARGETS: [(&str, Body); 7] = [
    ("config", config),
    ("log", log),
    ("linter_config", linter_config),
    ("baseline", baseline),
    ("suppress", suppress),
    ("python_re", python_re),
    ("redact", redact),
];

/// Input bytes as text: the targets whose code takes `&str` read invalid UTF-8 as its
/// replacement characters (as the command line reads such a file).
fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The secrets of `input` that no output may contain: each secret `redact::secret_spans`
/// finds, when it is long enough that no output could hold it by chance (8 bytes),
/// written only once in the input (a value written again elsewhere, e.g. as a key, may be
/// shown there: that copy is not a secret), and not part of what outputs say anyway (a
/// setting's name, a rule's text: `token: schema_ve` is no leak when a message names
/// `schema_version`).
fn unique_secrets(input: &str) -> Vec<&str> {
    crate::redact::secret_spans(input)
        .into_iter()
        .filter_map(|s| input.get(s))
        .filter(|s| s.len() >= 8 && input.matches(*s).count() == 1)
        .filter(|s| !static_text().contains(*s))
        .collect()
}

/// Every setting name and every rule's summary and documentation, one per line.
fn static_text() -> &'static str {
    static TEXT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let kb = crate::knowledge::Knowledge::get();
        let mut out = String::new();
        for k in &kb.keys {
            out.push_str(&k.name);
            out.push('\n');
        }
        for m in crate::rules::metas() {
            for t in [m.code, m.name, m.summary, m.doc] {
                out.push_str(t);
                out.push('\n');
            }
        }
        out
    });
    &TEXT
}

/// Assert that `output` (what `what` printed) shows none of `secrets`.
fn assert_no_secret(what: &str, output: &str, secrets: &[&str]) {
    for s in secrets {
        assert!(
            !output.contains(s),
            "{what} prints the secret {s:?}:\n{output}"
        );
    }
}

//! The fuzz targets' bodies (`invokeai_lint::fuzzing`) over their seed corpora
//! (`fuzz/corpus/<target>/`) and every input a fuzzing run once failed on
//! (`fuzz/regressions/<target>/`), so `cargo test` keeps them on stable Rust without
//! cargo-fuzz. docs/fuzzing.md says how to run the fuzzers themselves.

use std::path::{Path, PathBuf};

use invokeai_lint::fuzzing::TARGETS;

fn inputs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| p.is_file() && p.file_name().is_some_and(|n| n != "README.md"));
    out.sort();
    out
}

fn replay(kind: &str, least: usize) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    for (name, body) in TARGETS {
        let files = inputs(&root.join(kind).join(name));
        assert!(
            files.len() >= least,
            "fuzz/{kind}/{name} holds {} inputs",
            files.len()
        );
        for f in files {
            let data = std::fs::read(&f).unwrap();
            let outcome = std::panic::catch_unwind(|| body(&data));
            assert!(outcome.is_ok(), "{name} fails on {}", f.display());
        }
    }
}

#[test]
fn every_target_passes_its_seed_corpus() {
    replay("corpus", 1);
}

#[test]
fn every_saved_failure_stays_fixed() {
    replay("regressions", 0);
}

#[test]
fn every_target_has_a_fuzz_binary_and_a_corpus() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(root.join("Cargo.toml")).unwrap();
    for (name, _) in TARGETS {
        let target = root.join("fuzz_targets").join(format!("{name}.rs"));
        let text = std::fs::read_to_string(&target)
            .unwrap_or_else(|e| panic!("{}: {e}", target.display()));
        assert!(
            text.contains(&format!("fuzzing::{name}(")),
            "{} does not call fuzzing::{name}",
            target.display()
        );
        assert!(
            manifest.contains(&format!("name = \"{name}\"")),
            "fuzz/Cargo.toml has no [[bin]] {name}"
        );
    }
}

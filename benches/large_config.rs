//! One config of 100 000 entries through the whole `lint` pipeline (parse, every rule,
//! suppressions): every per-file pass must stay near-linear (issue 12). A quadratic pass
//! shows as seconds to minutes here, where these take well under a second.
//!
//! `cargo bench --bench large_config`

use divan::{black_box, Bencher};
use invokeai_lint::lint::{run, LintInput};

fn main() {
    divan::main();
}

const N: usize = 100_000;

/// The config's text: `schema_version`, then `N` lines made by `line`.
fn config(line: fn(usize) -> String) -> Vec<u8> {
    let mut text = String::from("schema_version: 4.0.2\n");
    for i in 0..N {
        text.push_str(&line(i));
    }
    text.into_bytes()
}

fn lint(bencher: Bencher, bytes: Vec<u8>) {
    bencher.bench_local(|| {
        let input = LintInput {
            paths: vec!["-".into()],
            stdin: Some(bytes.clone()),
            invokeai_version: Some("5.9.1".into()),
            ..LintInput::default()
        };
        black_box(run(&input).map(|o| o.report.diagnostics.len()).ok())
    });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn distinct_unknown_keys(bencher: Bencher) {
    lint(bencher, config(|i| format!("k{i}: {i}\n")));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn one_key_repeated(bencher: Bencher) {
    lint(bencher, config(|i| format!("ram: {i}\n")));
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn a_suppression_per_line(bencher: Bencher) {
    lint(
        bencher,
        config(|i| format!("k{i}: {i} # invokeai-lint: disable=unknown-key\n")),
    );
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn an_anchor_per_value(bencher: Bencher) {
    lint(bencher, config(|i| format!("k{i}: &a{i} {i}\n")));
}

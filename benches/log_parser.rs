//! Log parser throughput over the fixture logs.
//!
//! `cargo bench --bench log_parser`. The fixtures are dense with facts (every start-up
//! line is one), so this is the slow case; real logs are mostly tracebacks, progress
//! bars and access lines that the keyword scan skips unread.

use divan::counter::BytesCount;
use divan::{black_box, Bencher};

fn main() {
    divan::main();
}

/// Every fixture log, concatenated `copies` times (one file with many start-ups).
fn fixtures(copies: usize) -> Vec<u8> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/logs exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    paths.sort();
    let mut one = Vec::new();
    for p in paths {
        one.extend(std::fs::read(p).expect("fixture readable"));
    }
    one.repeat(copies)
}

/// Lines the keyword scan rejects: traceback frames and graph-stats rows.
fn noise(bytes: usize) -> Vec<u8> {
    let block: &[u8] = b"  File \"/home/u/invokeai/.venv/lib/python3.11/site-packages/torch/nn/modules/module.py\", line 1751, in _wrapped_call_impl\n    return self._call_impl(*args, **kwargs)\n               denoise_latents       1   17.263s     6.102G\n";
    block.repeat(bytes / block.len() + 1)
}

#[divan::bench(args = [1, 100])]
fn fixture_logs(bencher: Bencher, copies: usize) {
    let data = fixtures(copies);
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench(|| invokeai_lint::log::parse_bytes(black_box(&data), "bench"));
}

#[divan::bench]
fn noise_only(bencher: Bencher) {
    let data = noise(4 << 20);
    bencher
        .counter(BytesCount::of_slice(&data))
        .bench(|| invokeai_lint::log::parse_bytes(black_box(&data), "bench"));
}

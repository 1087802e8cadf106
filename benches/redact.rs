//! What masking secrets costs (`cargo bench --bench redact`).
//!
//! Every finding's texts (message, key, label, help, fix description) and every file with a
//! finding are scanned for secrets before anything is printed: about 6.9 MB in 67,000 texts
//! on the 10,000-config tree benchmark. The inputs here are the shapes seen there: a finding's
//! message, a short config like the tree's, and a 2 KB commented one with a token in it.

use divan::black_box;

use invokeai_lint::redact;

fn main() {
    divan::main();
}

const MESSAGE: &str = "`max_cache_vram_gb: 18` is more than the GPU's 6 GB (from the log line \
    `Using torch device: NVIDIA GeForce RTX 3060`); the cache would leave no working memory";

const SHORT_CONFIG: &str = "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n\
    # Other\nhost: 0.0.0.0\nport: 9090\nenable_partial_loading: true\ndevice_working_mem_gb: 3\n\
    max_cache_vram_gb: 18\nprecision: float16\nattention_type: sliced\n";

fn commented_config() -> String {
    let mut text = String::from("schema_version: 4.0.2\n");
    for i in 0..40 {
        text.push_str(&format!(
            "# 第 {i} 项：低显存设置说明 see https://invoke.ai/docs\n"
        ));
        text.push_str(&format!("setting_{i}: value_{i}\n"));
    }
    text.push_str(
        "remote_api_tokens:\n  - url_regex: civitai.com\n    token: hf_abcdefghijklmnopqrstuvwx\n",
    );
    text
}

#[divan::bench]
fn message() -> usize {
    redact::secret_spans(black_box(MESSAGE)).len()
}

#[divan::bench]
fn clean_message() -> usize {
    redact::clean(black_box(MESSAGE)).len()
}

#[divan::bench]
fn short_config() -> usize {
    redact::secret_spans(black_box(SHORT_CONFIG)).len()
}

#[divan::bench]
fn commented_config_2k(bencher: divan::Bencher) {
    let text = commented_config();
    bencher.bench(|| redact::secret_spans(black_box(&text)).len());
}

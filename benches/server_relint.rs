//! What a keystroke costs in the editor: re-lint a 200-line config held in memory and turn
//! the findings into LSP diagnostics (`cargo bench --bench server_relint`).
//!
//! The config is the kind the low-VRAM guide's readers keep: every setting with a comment
//! (many in Chinese), a few mistakes (an unknown key, a bad choice, a cache over budget).

use divan::{black_box, Bencher};

use invokeai_lint::facts::{Fact, Facts, Origin};
use invokeai_lint::lint::{self, choose_target};
use invokeai_lint::selection::RuleSet;
use invokeai_lint::server::position::LineIndex;
use invokeai_lint::server::{lint_document, FileContext};

fn main() {
    divan::main();
}

fn config_200_lines() -> String {
    let mut text = String::from("# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n");
    let settings = [
        "host: 127.0.0.1",
        "port: 9090",
        "precision: float16",
        "log_level: INFO",
        "max_cache_ram_gb: 16",
        "max_cache_vram_gb: 11",
        "device_working_mem_gb: 3",
        "enable_partial_loading: true",
        "keep_ram_copy_of_weights: false",
        "attention_type: sliced",
        "attention_slice_size: 4",
        "pytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"",
        "models_dir: 'D:\\InvokeAI\\models'",
        "unknown_setting: 1",
    ];
    let mut i = 0;
    while text.lines().count() < 198 {
        text.push_str(&format!("# 第 {i} 项：低显存设置说明\n"));
        text.push_str(settings[i % settings.len()]);
        text.push_str(&format!("   # note {i}\n"));
        i += 1;
    }
    text
}

#[divan::bench]
fn relint_200_lines(bencher: Bencher) {
    let text = config_200_lines();
    let facts = Facts {
        vram_gib: Some(Fact::new(12.0, Origin::Flag("--vram-gb".into()))),
        ram_gib: Some(Fact::new(32.0, Origin::Flag("--ram-gb".into()))),
        ..Facts::default()
    };
    let target = choose_target(Some("5.9.1"), &facts).unwrap();
    let context = FileContext {
        rules: RuleSet::defaults(),
        facts,
        target,
    };
    let root = std::path::Path::new("/work");
    bencher.bench(|| {
        let config = lint::config_from_bytes("invokeai.yaml", black_box(text.as_bytes().to_vec()));
        let index = LineIndex::new(config.source.text());
        black_box(lint_document(&config, &index, &context, root))
    });
}

//! What a keystroke costs in the editor: re-lint a 200-line config held in memory and turn
//! the findings into LSP diagnostics (`cargo bench --bench server_relint`).
//!
//! The config is the kind the low-VRAM guide's readers keep: every setting with a comment
//! (half in Chinese), a few mistakes (an unknown key, a bad choice, a cache over budget).
//! Last run (2026-12-08, 2 cores, quiet): median 0.25 ms for 212 lines.

use divan::{black_box, Bencher};

use invokeai_lint::facts::{Fact, Facts, Origin};
use invokeai_lint::lint::{self, choose_target};
use invokeai_lint::selection::RuleSet;
use invokeai_lint::server::position::LineIndex;
use invokeai_lint::server::{lint_document, FileContext};

fn main() {
    divan::main();
}

/// Every setting 5.9.1 has, once, at its default where that is a plain value, each under a
/// comment line (half of them in Chinese), then a few mistakes: about 200 lines.
fn config_200_lines() -> String {
    use invokeai_lint::knowledge::{Knowledge, Version};
    let mut text = String::from("# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n");
    let version = Version::parse("5.9.1").unwrap();
    for (i, key) in Knowledge::get().keys_at(&version).iter().enumerate() {
        let value = match &key.rev.default {
            serde_json::Value::Bool(b) => b.to_string(),
            serde_json::Value::Number(n) => n.to_string(),
            serde_json::Value::String(s) if !s.is_empty() => format!("'{s}'"),
            _ => continue,
        };
        if key.spec.internal {
            continue;
        }
        if i % 2 == 0 {
            text.push_str(&format!(
                "# 第 {i} 项：{} 的低显存设置说明\n",
                key.spec.name
            ));
        } else {
            text.push_str(&format!("# setting {i}: see the low-VRAM guide\n"));
        }
        text.push_str("#   (kept at InvokeAI's default; change it only with a reason)\n");
        text.push_str(&format!("#   {}\n", key.rev.type_text));
        text.push_str(&format!("{}: {value}   # default\n\n", key.spec.name));
    }
    text.push_str("# mistakes\nlog_level: INFO\nunknown_setting: 1\nmax_cache_vram_gb: 11\n");
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
    assert!(
        (190..=230).contains(&text.lines().count()),
        "{} lines",
        text.lines().count()
    );
    bencher.bench(|| {
        let config = lint::config_from_bytes("invokeai.yaml", black_box(text.as_bytes().to_vec()));
        let index = LineIndex::new(config.source.text());
        black_box(lint_document(&config, &index, &context, root))
    });
}

//! Every fixture log in fixtures/logs has a snapshot of its `facts --format json` output.
//! Review a changed snapshot line by line: it is the contract other tools read.

use invokeai_lint::log::{parse_bytes, render::render_facts};

fn facts_of(path: &std::path::Path) -> invokeai_lint::log::LogFacts {
    let bytes = std::fs::read(path).expect("fixture readable");
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    parse_bytes(&bytes, &name)
}

#[test]
fn fixture_facts_json() {
    insta::glob!("../fixtures/logs", "*.log", |path| {
        let facts = facts_of(path);
        insta::assert_snapshot!(render_facts(&[facts], true));
    });
}

#[test]
fn human_table_for_two_sessions() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs/two-sessions.log");
    insta::assert_snapshot!(render_facts(&[facts_of(&path)], false));
}

#[test]
fn human_table_for_events() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs");
    let logs = [
        facts_of(&dir.join("v5.7-partial-loads-negative-vram.log")),
        facts_of(&dir.join("no-startup-hip-oom.log")),
    ];
    insta::assert_snapshot!(render_facts(&logs, false));
}

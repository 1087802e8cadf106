//! Adversarial corners of issue 12 not in `tests/adversarial.rs`: byte-order marks where
//! PyYAML reads them as characters, the notes a log gives shown by `lint` as `facts`
//! shows them, and an OOM count larger than the events kept. Inputs are made at test
//! time in temporary folders. (Log line numbers past u32: `log::scan`'s unit test
//! `line_numbers_go_past_u32`, which counts a synthetic stream.)

mod common;

use std::path::Path;

use common::{run, Run};

fn lint(dir: &Path, args: &[&str]) -> Run {
    let mut all = vec!["lint", "--invokeai-version", "5.9.1", "--format", "concise"];
    all.extend_from_slice(args);
    run(dir, &all)
}

/// PyYAML skips one byte-order mark at the very start; any other U+FEFF is an ordinary
/// character (checked with PyYAML 6.0.3: `yaml.safe_load('\ufeff\ufeffa: 1')` is
/// `{'\ufeffa': 1}`), so a doubled mark hides the first key and a mark starting a line
/// renames its key.
#[test]
fn byte_order_marks_are_read_as_pyyaml_reads_them() {
    let t = tempfile::tempdir().unwrap();
    let bom = "\u{feff}";
    let cases = [
        (
            "double.yaml",
            format!("{bom}{bom}schema_version: 4.0.2\nram: 4\n"),
        ),
        (
            "inside.yaml",
            format!("schema_version: 4.0.2\n{bom}ram: 4\n"),
        ),
    ];
    for (name, text) in &cases {
        std::fs::write(t.path().join(name), text).unwrap();
        let r = lint(t.path(), &[name]);
        assert!(!r.stdout.contains("IL001"), "{name}: {}", r.all());
        assert!(
            r.stdout.contains("error[IL101]") && r.stdout.contains("`\\u{feff}"),
            "{name}: the key with its mark is unknown to InvokeAI, the mark spelled out: {}",
            r.all()
        );
    }
    let r = lint(t.path(), &["double.yaml"]);
    assert!(r.stdout.contains("IL106"), "no schema_version: {}", r.all());
    // One mark at the start, and one inside a value, are nothing to report.
    let text = format!("{bom}schema_version: 4.0.2\nram: 4\nmodels_dir: /a{bom}b\n");
    std::fs::write(t.path().join("fine.yaml"), text).unwrap();
    let r = lint(t.path(), &["fine.yaml"]);
    assert!(
        !r.stdout.contains("IL001") && !r.stdout.contains("IL101"),
        "{}",
        r.all()
    );
}

/// The notes `facts` prints for a log, as `lint --log FILE` prints them (prefixed with
/// `--log FILE:`); `facts`' "no start-up lines" note is `lint`'s longer sentence.
#[test]
fn lint_shows_the_notes_facts_shows_for_a_log() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("invokeai.yaml"), "schema_version: 4.0.2\n").unwrap();
    let mut binary = vec![0u8; 400 * 1024];
    binary.extend_from_slice(b"\nsome text\n");
    std::fs::write(t.path().join("binary.log"), binary).unwrap();
    std::fs::write(t.path().join("prose.log"), "hello\nworld\n").unwrap();
    std::fs::write(t.path().join("empty.log"), "").unwrap();
    let mut logs = vec!["binary.log", "prose.log", "empty.log"];
    if cfg!(unix) {
        // Abandoned after 64 MiB without a line break.
        logs.push("/dev/zero");
    }
    for log in logs {
        let facts = run(t.path(), &["facts", log]);
        let notes: Vec<&str> = facts
            .stdout
            .lines()
            .filter_map(|l| l.trim().strip_prefix("- "))
            .filter(|n| !n.starts_with("no InvokeAI start-up lines found"))
            .collect();
        let r = lint(t.path(), &["--log", log, "invokeai.yaml"]);
        for n in &notes {
            assert!(
                r.stderr.contains(&format!("--log {log}: {n}")),
                "{log}: `{n}` not shown by lint\n{}",
                r.all()
            );
        }
        assert!(
            r.stderr.contains(&format!("--log {log}: "))
                && r.stderr.contains("no facts were taken from it"),
            "{log}: {}",
            r.all()
        );
    }
}

/// Only the newest 1000 OOM events are kept; every output gives the log's own count.
#[test]
fn an_oom_count_past_the_kept_events_is_the_logs_own() {
    let t = tempfile::tempdir().unwrap();
    let mut log = String::from(
        "[2025-06-11 08:30:00,000]::[InvokeAI]::INFO --> Using torch device: NVIDIA GeForce RTX 3060\n\
         [2025-06-11 08:30:03,980]::[InvokeAI]::INFO --> InvokeAI version 5.9.1\n",
    );
    // Each a distinct event (an identical message close by is the same one repeated).
    for i in 0..1234 {
        log.push_str(&format!("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate {}.{:02} GiB. GPU 0 has a total capacity of 11.76 GiB of which 1.10 GiB is free.\n", 1 + i / 100, i % 100));
    }
    std::fs::write(t.path().join("invokeai.log"), log).unwrap();
    std::fs::write(t.path().join("invokeai.yaml"), "schema_version: 4.0.2\n").unwrap();

    let human = run(t.path(), &["facts", "invokeai.log"]);
    assert!(
        human
            .stdout
            .contains("out-of-memory events (1234 in the log; the last 1000 kept)"),
        "{}",
        human.all()
    );
    assert!(
        human
            .stdout
            .contains("… 980 earlier ones listed by --format json"),
        "{}",
        human.all()
    );
    let json = run(t.path(), &["facts", "--format", "json", "invokeai.log"]);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    // The JSON lists the events kept; its notes say how many earlier ones are not.
    assert_eq!(
        v["oom"].as_array().map(Vec::len),
        Some(1000),
        "{}",
        json.all()
    );
    assert!(
        json.stdout
            .contains("234 earlier out-of-memory events are not listed"),
        "{}",
        json.all()
    );

    let r = lint(t.path(), &["--log", "invokeai.log", "invokeai.yaml"]);
    assert!(
        r.stdout.contains("1234 out-of-memory events in this log"),
        "{}",
        r.all()
    );
    assert!(
        !r.stdout.contains("1000 out-of-memory events"),
        "{}",
        r.all()
    );
}

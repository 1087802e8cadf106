//! `migrate` gives the settings InvokeAI's own migration gives, keeping every comment.
//!
//! The expectations in fixtures/migrate/expected/ were recorded by running each release's
//! own `load_and_migrate_config` (scripts/migrate_oracle.py record; see `RECORDED_RELEASES`):
//! `written` is what InvokeAI wrote back (settings that differ from the defaults),
//! `settings` the whole validated config, `error` why the migration failed. Here, without
//! Python: every setting InvokeAI writes is in our output with the same value, every setting
//! we keep has the value InvokeAI ends up with, the failures are the same, and every
//! comment of the input is still in the output.

use std::path::PathBuf;

use invokeai_lint::config::ConfigFile;
use invokeai_lint::knowledge::{Knowledge, Version};
use invokeai_lint::source::SourceFile;
use invokeai_lint::yaml::{Node, NodeKind, Resolved};
use serde_json::Value;

fn json_of(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Scalar(s) => match &s.resolved {
            Resolved::Null => Value::Null,
            Resolved::Bool(b) => Value::Bool(*b),
            Resolved::Int(i) => serde_json::json!(*i as f64),
            Resolved::Float(f) => serde_json::json!(f),
            _ => Value::String(s.value.clone()),
        },
        NodeKind::Sequence { items, .. } => Value::Array(items.iter().map(json_of).collect()),
        NodeKind::Mapping { entries, .. } => Value::Object(
            entries
                .iter()
                .map(|e| (e.key.as_str().unwrap_or("?").to_string(), json_of(&e.value)))
                .collect(),
        ),
        NodeKind::Alias(a) => Value::String(format!("*{a}")),
    }
}

/// Numbers compare as numbers (pydantic writes `6.0` for `6`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.as_f64().unwrap() - y.as_f64().unwrap()).abs() < 1e-9
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q))
        }
        _ => a == b,
    }
}

fn comments(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.find('#').map(|i| l[i + 1..].trim().to_string()))
        .filter(|c| !c.is_empty())
        .collect()
}

/// The releases whose own migration is recorded in fixtures/migrate/expected/
/// (scripts/migrate_oracle.py): the first 4.0 schema step, the 4.1/4.2 line, 5.x and 6.x.
const RECORDED_RELEASES: [&str; 5] = ["4.0.0", "4.1.0", "4.2.0", "5.9.1", "6.13.8"];

#[test]
fn migrate_gives_what_invokeai_gives_and_keeps_every_comment() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/migrate");
    let kb = Knowledge::get();
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 20, "{}", inputs.len());
    let mut compared = 0;
    for input in &inputs {
        let text = std::fs::read_to_string(input).unwrap();
        let stem = input.file_stem().unwrap().to_string_lossy();
        for version in RECORDED_RELEASES {
            let expected_path = dir.join("expected").join(format!("{stem}@{version}.json"));
            let want: Value =
                serde_json::from_str(&std::fs::read_to_string(&expected_path).unwrap()).unwrap();
            let release = kb.release_for(&Version::parse(version).unwrap()).unwrap();
            let config = ConfigFile::parse(SourceFile::new("invokeai.yaml", text.as_str()));
            let got = invokeai_lint::migrate::migrate(&config, release);
            let case = format!("{stem} @ {version}");
            if let Some(err) = want.get("error").and_then(Value::as_str) {
                if err.contains("Invalid schema version") {
                    // A downgrade InvokeAI itself refuses: ours must give the release's schema.
                    let out = got.unwrap_or_else(|e| panic!("{case}: downgrade refused: {e}"));
                    let c = ConfigFile::parse(SourceFile::new("out.yaml", out.text.as_str()));
                    assert_eq!(
                        c.schema_version().and_then(|e| e.value.as_str()),
                        release.schema_version.as_deref(),
                        "{case}"
                    );
                } else {
                    assert!(got.is_err(), "{case}: InvokeAI fails ({err}), we migrate");
                }
                compared += 1;
                continue;
            }
            let out = got.unwrap_or_else(|e| panic!("{case}: we fail, InvokeAI migrates: {e}"));
            let c = ConfigFile::parse(SourceFile::new("out.yaml", out.text.as_str()));
            assert!(
                c.parsed.error.is_none(),
                "{case}: output does not parse\n{}",
                out.text
            );
            let ours: Vec<(String, Value)> = c
                .settings()
                .iter()
                .filter(|s| s.effective)
                .map(|s| (s.name.to_string(), json_of(s.value)))
                .collect();
            let find = |k: &str| ours.iter().find(|(n, _)| n == k).map(|(_, v)| v);
            for (k, v) in want["written"].as_object().unwrap() {
                let mine = find(k).unwrap_or_else(|| {
                    panic!("{case}: InvokeAI writes `{k}`, we do not\n{}", out.text)
                });
                assert!(
                    same(mine, v),
                    "{case}: `{k}`: ours {mine}, InvokeAI {v}\n{}",
                    out.text
                );
            }
            for (k, v) in &ours {
                let theirs = &want["settings"][k.as_str()];
                assert!(
                    same(v, theirs),
                    "{case}: `{k}`: ours {v}, InvokeAI ends up with {theirs}\n{}",
                    out.text
                );
            }
            for comment in comments(&text) {
                assert!(
                    out.text.contains(&comment),
                    "{case}: comment `{comment}` lost\n{}",
                    out.text
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, inputs.len() * RECORDED_RELEASES.len());
}

#[test]
fn a_newer_flat_file_is_downgraded_by_its_number_only() {
    let kb = Knowledge::get();
    let text = "# mine\nschema_version: 4.0.3\nenable_partial_loading: true  # 低显存\n";
    let config = ConfigFile::parse(SourceFile::new("invokeai.yaml", text));
    let release = kb.release_for(&Version::parse("6.12.0").unwrap()).unwrap();
    let out = invokeai_lint::migrate::migrate(&config, release).unwrap();
    assert_eq!(
        out.text,
        "# mine\nschema_version: 4.0.2\nenable_partial_loading: true  # 低显存\n"
    );
}

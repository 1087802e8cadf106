//! `invokeai-lint keys` against expectations computed from the fact base by
//! scripts/expected_keys.py (fixtures/keys/<version>.json), independently of the generator.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURE_VERSIONS: &[&str] = &[
    "3.0.0",
    "3.6.2",
    "4.0.0",
    "4.2.6",
    "5.5.0",
    "5.6.0",
    "5.15.0",
    "6.13.0",
    "6.14.0-rc2",
];

fn keys(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .arg("keys")
        .args(args)
        .output()
        .expect("run invokeai-lint")
}

fn json_for(version: &str) -> (Value, String) {
    let out = keys(&["--invokeai-version", version, "--format", "json"]);
    assert!(out.status.success(), "{version}: {out:?}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    (
        serde_json::from_str(&stdout).expect("keys prints JSON"),
        stderr,
    )
}

#[test]
fn json_listing_matches_the_fact_base_for_sample_releases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/keys");
    for version in FIXTURE_VERSIONS {
        let text = std::fs::read_to_string(dir.join(format!("{version}.json"))).unwrap();
        let want: Value = serde_json::from_str(&text).unwrap();
        let (got, stderr) = json_for(version);
        assert!(
            stderr.is_empty(),
            "{version}: a listed release needs no note: {stderr}"
        );
        let (got, want) = (got.as_array().unwrap(), want.as_array().unwrap());
        assert_eq!(got.len(), want.len(), "{version}: number of keys");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g, w, "{version}: {}", w["name"]);
        }
    }
}

#[test]
fn every_row_has_exactly_the_documented_fields_in_order() {
    let out = keys(&["--invokeai-version", "5.9.1", "--format", "json"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Map<String, Value>> = serde_json::from_str(&text).unwrap();
    let first_row = text.split('}').next().unwrap();
    let order: Vec<usize> = [
        "\"name\"",
        "\"type\"",
        "\"default\"",
        "\"choices\"",
        "\"ge\"",
        "\"gt\"",
        "\"le\"",
        "\"lt\"",
        "\"deprecated\"",
        "\"replaced_by\"",
    ]
    .iter()
    .map(|f| first_row.find(f).unwrap_or_else(|| panic!("{f} missing")))
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "field order {order:?}"
    );
    assert_eq!(rows.len(), 56);
    for row in rows {
        assert_eq!(row.len(), 10, "{row:?}");
    }
}

#[test]
fn a_version_between_releases_lists_the_release_before_it_and_says_so() {
    let (got, stderr) = json_for("5.6.3");
    let (want, _) = json_for("5.6.2");
    assert_eq!(got, want);
    assert!(
        stderr.contains("5.6.3 is not a release") && stderr.contains("5.6.2"),
        "{stderr}"
    );

    let (got, stderr) = json_for("6.14.0");
    assert_eq!(got, json_for("6.14.0-rc2").0);
    assert!(stderr.contains("6.14.0-rc2"), "{stderr}");
}

#[test]
fn deprecated_keys_name_their_replacement_only_once_deprecated() {
    let ram = |v: &str| {
        let (rows, _) = json_for(v);
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["name"] == "ram")
            .cloned()
            .unwrap()
    };
    assert_eq!(ram("5.5.0")["deprecated"], Value::Bool(false));
    assert_eq!(ram("5.5.0")["replaced_by"], Value::Null);
    assert_eq!(ram("5.6.0")["deprecated"], Value::Bool(true));
    assert_eq!(ram("5.6.0")["replaced_by"], "max_cache_ram_gb");
    assert_eq!(ram("5.6.0")["gt"], 0);
}

#[test]
fn a_version_older_than_the_table_is_an_error() {
    let out = keys(&["--invokeai-version", "2.3.5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("older than 3.0.0"));
    let out = keys(&["--invokeai-version", "banana"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn human_listing_is_an_aligned_table() {
    let out = keys(&["--invokeai-version", "5.9.1"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("InvokeAI 5.9.1 accepts 56 settings (flat file, schema_version 4.0.2)."),
        "{text}"
    );
    let lines: Vec<&str> = text.lines().collect();
    let header = lines.iter().position(|l| l.starts_with("NAME")).unwrap();
    let cols: Vec<usize> = ["TYPE", "DEFAULT"]
        .iter()
        .map(|c| lines[header].find(c).unwrap())
        .collect();
    let rows: Vec<&str> = lines[header + 1..]
        .iter()
        .copied()
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 56);
    for line in rows {
        let chars: Vec<char> = line.chars().collect();
        for &col in &cols {
            assert_ne!(chars[col], ' ', "a column starts at {col}: {line}");
            assert_eq!(chars[col - 1], ' ', "{line}");
        }
    }
    assert!(text.contains("deprecated, use max_cache_ram_gb"));

    let v3 = String::from_utf8(keys(&["--invokeai-version", "3.6.2"]).stdout).unwrap();
    assert!(v3.contains("SECTION"));
    assert!(v3
        .lines()
        .any(|l| l.starts_with("ram ") && l.contains("Model Cache")));
}

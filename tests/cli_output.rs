//! Where the report goes and how much of it: `--output-file`, `--statistics`, `--quiet`.

mod common;

use common::{run, write, CLEAN, DEPRECATED, UNKNOWN_KEY};

fn tree() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "a/invokeai.yaml", UNKNOWN_KEY);
    write(t.path(), "b/invokeai.yaml", UNKNOWN_KEY);
    write(t.path(), "c/invokeai.yaml", DEPRECATED);
    write(t.path(), "d/invokeai.yaml", CLEAN);
    t
}

const BASE: [&str; 4] = ["lint", "--isolated", "--invokeai-version", "5.9.1"];

fn args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = BASE.to_vec();
    a.extend_from_slice(extra);
    a
}

#[test]
fn output_file_takes_the_report_and_stdout_stays_empty() {
    let t = tree();
    let r = run(
        t.path(),
        &args(&["--format", "sarif", "--output-file", "out/report.sarif"]),
    );
    assert_eq!(r.code, 2, "the directory does not exist: {}", r.all());
    assert!(
        r.stderr.contains("cannot write out/report.sarif"),
        "{}",
        r.all()
    );

    let r = run(
        t.path(),
        &args(&["--format", "sarif", "-o", "report.sarif"]),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.is_empty(), "{}", r.all());
    let sarif: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(t.path().join("report.sarif")).unwrap())
            .unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), 3);
}

#[test]
fn statistics_count_per_rule() {
    let t = tree();
    let r = run(t.path(), &args(&["--statistics"]));
    assert_eq!(r.code, 1, "{}", r.all());
    insta::assert_snapshot!("statistics_text", r.stdout);
    let r = run(t.path(), &args(&["--statistics", "--format", "json"]));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v[0]["name"], "unknown-key");
    assert_eq!(v[0]["count"], 2);
}

#[test]
fn quiet_drops_the_summary_and_the_notes_but_not_the_findings() {
    let t = tree();
    let loud = run(t.path(), &args(&["--format", "concise", "--log", "auto"]));
    assert!(
        loud.stdout
            .lines()
            .last()
            .unwrap()
            .starts_with("Found 2 errors, 1 warning"),
        "{}",
        loud.all()
    );
    assert!(loud.stderr.contains("note:"), "{}", loud.all());
    let quiet = run(
        t.path(),
        &args(&["--format", "concise", "--log", "auto", "-q"]),
    );
    assert_eq!(quiet.code, 1);
    assert_eq!(quiet.stdout.lines().count(), 3, "{}", quiet.all());
    assert!(quiet.stderr.is_empty(), "{}", quiet.all());

    let clean = run(t.path(), &args(&["d", "-q"]));
    assert_eq!(clean.code, 0);
    assert!(clean.stdout.is_empty(), "{}", clean.all());
}

//! `baseline create|check` and `lint --baseline`: old findings stay quiet through edits
//! that move them, new ones fail, fixed ones are counted.

mod common;

use common::{findings, run, write};

const BEFORE: &str = "schema_version: 4.0.2\nrender_node: 7\nhost: 127.0.0.1\n";
// Lines added above the old finding: it moves from line 2 to line 4.
const MOVED: &str = "# render farm\n\nschema_version: 4.0.2\nrender_node: 7\nhost: 127.0.0.1\n";
const WITH_NEW: &str =
    "# render farm\n\nschema_version: 4.0.2\nrender_node: 7\nhost: 127.0.0.1\nfarm_queue: 2\n";
const FIXED: &str = "schema_version: 4.0.2\nhost: 127.0.0.1\n";

const BASE: [&str; 4] = ["--isolated", "--invokeai-version", "5.9.1", "--color=never"];

fn args<'a>(head: &[&'a str], tail: &[&'a str]) -> Vec<&'a str> {
    let mut a = head.to_vec();
    a.extend_from_slice(&BASE);
    a.extend_from_slice(tail);
    a
}

#[test]
fn baseline_lifecycle() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "farm/invokeai.yaml", BEFORE);

    let r = run(
        d,
        &args(&["baseline", "create", "baseline.json", "farm"], &[]),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("wrote 1 finding in 1 file to baseline.json"),
        "{}",
        r.all()
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("baseline.json")).unwrap()).unwrap();
    assert_eq!(json["format"], "invokeai-lint-baseline");
    assert_eq!(json["version"], 1);
    assert_eq!(json["findings"][0]["file"], "farm/invokeai.yaml");
    assert_eq!(json["findings"][0]["code"], "IL101");
    assert_eq!(json["findings"][0]["key"], "render_node");
    assert!(
        json["findings"][0].get("line").is_none(),
        "no line numbers in the key"
    );

    // Known finding, moved by an edit: still known.
    write(d, "farm/invokeai.yaml", MOVED);
    let r = run(
        d,
        &args(
            &["lint", "farm", "--baseline", "baseline.json"],
            &["--format", "json"],
        ),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(findings(&r.stdout).is_empty(), "{}", r.all());
    assert!(
        r.stderr
            .contains("baseline: 1 known finding not shown; 0 fixed since the baseline was made"),
        "{}",
        r.all()
    );
    let r = run(
        d,
        &args(&["baseline", "check", "baseline.json", "farm"], &[]),
    );
    assert_eq!(r.code, 0, "{}", r.all());

    // A new finding is reported, and only it.
    write(d, "farm/invokeai.yaml", WITH_NEW);
    let r = run(
        d,
        &args(
            &["lint", "farm", "--baseline", "baseline.json"],
            &["--format", "json"],
        ),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let f = findings(&r.stdout);
    assert_eq!(f.len(), 1, "{}", r.all());
    assert_eq!(f[0].2, 6);

    // The old finding fixed: lint passes and says so; check calls the baseline stale.
    write(d, "farm/invokeai.yaml", FIXED);
    let r = run(
        d,
        &args(&["lint", "farm", "--baseline", "baseline.json"], &[]),
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr.contains("1 fixed since the baseline was made"),
        "{}",
        r.all()
    );
    let r = run(
        d,
        &args(&["baseline", "check", "baseline.json", "farm"], &[]),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr
            .contains("baseline.json is stale: 1 finding it lists is gone"),
        "{}",
        r.all()
    );
}

#[test]
fn a_bad_baseline_file_is_exit_2() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "invokeai.yaml", BEFORE);
    write(d, "b.json", "{\"findings\": []}");
    let r = run(d, &args(&["lint", "--baseline", "b.json"], &[]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("b.json is not an invokeai-lint baseline"),
        "{}",
        r.all()
    );
    let r = run(d, &args(&["lint", "--baseline", "missing.json"], &[]));
    assert_eq!(r.code, 2, "{}", r.all());
}

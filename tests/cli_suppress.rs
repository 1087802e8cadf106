//! The same four files (failing, clean, parse error, suppressed finding) through every
//! `--format`, end to end; and what `--no-inline-suppressions` changes.

mod common;

use common::{findings, run, write, UNKNOWN_KEY};

const ARGS: [&str; 10] = [
    "lint",
    "fixtures/suppress",
    "--isolated",
    "--invokeai-version",
    "5.9.1",
    "--vram-gb",
    "24",
    "--ram-gb",
    "32",
    "--device=cuda",
];

fn lint(format: &str, extra: &[&str]) -> common::Run {
    let mut a = ARGS.to_vec();
    a.extend(["--format", format, "--color", "never"]);
    a.extend_from_slice(extra);
    run(&common::root(), &a)
}

#[test]
fn every_format_over_the_suppress_fixtures() {
    for format in [
        "human", "concise", "json", "sarif", "github", "gitlab", "junit",
    ] {
        let r = lint(format, &[]);
        assert_eq!(r.code, 1, "{format}: {}", r.all());
        assert!(r.stderr.is_empty(), "{format}: {}", r.all());
        // SARIF repeats every rule's metadata; only the results are this test's business.
        let text = if format == "sarif" {
            let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
            serde_json::to_string_pretty(&v["runs"][0]["results"]).unwrap()
        } else {
            r.stdout.clone()
        };
        insta::assert_snapshot!(format!("suppress_{format}"), text);
    }
}

#[test]
fn the_suppressed_finding_is_gone_and_comes_back_without_inline_suppressions() {
    let r = lint("json", &[]);
    let f = findings(&r.stdout);
    let files: Vec<&str> = f.iter().map(|x| x.0.as_str()).collect();
    assert!(
        files.contains(&"fixtures/suppress/invokeai-failing.yaml"),
        "{}",
        r.all()
    );
    assert!(
        files.contains(&"fixtures/suppress/invokeai-parse-error.yaml"),
        "{}",
        r.all()
    );
    assert!(
        !files.contains(&"fixtures/suppress/invokeai-clean.yaml"),
        "{}",
        r.all()
    );
    assert!(
        !files.contains(&"fixtures/suppress/invokeai-suppressed.yaml"),
        "{}",
        r.all()
    );

    let r = lint("json", &["--no-inline-suppressions"]);
    let f = findings(&r.stdout);
    assert!(
        f.iter().any(
            |(file, name, line)| file == "fixtures/suppress/invokeai-suppressed.yaml"
                && name == "unknown-key"
                && *line == 7
        ),
        "{}",
        r.all()
    );
}

#[test]
fn unused_and_unknown_suppressions_are_reported_and_can_be_selected_away() {
    let t = tempfile::tempdir().unwrap();
    let text = format!("{UNKNOWN_KEY}port: 9090  # invokeai-lint: disable=unknown-key\n# invokeai-lint: disable=unknwn-key\nhost: 127.0.0.1\n");
    write(t.path(), "invokeai.yaml", &text);
    let base = [
        "lint",
        "--isolated",
        "--invokeai-version",
        "5.9.1",
        "--format",
        "json",
    ];
    let r = run(t.path(), &base);
    let f = findings(&r.stdout);
    let unused: Vec<u64> = f
        .iter()
        .filter(|x| x.1 == "unused-suppression")
        .map(|x| x.2)
        .collect();
    assert_eq!(unused, vec![6, 7], "{}", r.all());
    assert!(
        r.stdout.contains("did you mean `unknown-key`?"),
        "{}",
        r.all()
    );

    let mut ignored = base.to_vec();
    ignored.extend(["--ignore", "unused-suppression"]);
    let r = run(t.path(), &ignored);
    assert!(
        !findings(&r.stdout)
            .iter()
            .any(|x| x.1 == "unused-suppression"),
        "{}",
        r.all()
    );
}

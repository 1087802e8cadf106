//! The fleet example: one invokeai.yaml in three folders, three machines in
//! `fixtures/fleet/invokeai-lint.toml`, three verdicts.

mod common;

use common::{findings, run};

fn fleet() -> std::path::PathBuf {
    common::root().join("fixtures/fleet")
}

#[test]
fn the_same_config_gets_the_verdict_of_the_machine_it_runs_on() {
    let r = run(&fleet(), &["lint", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    let f = findings(&r.stdout);
    let of = |dir: &str| -> Vec<String> {
        f.iter()
            .filter(|x| x.0.starts_with(dir))
            .map(|x| x.1.clone())
            .collect()
    };
    // 12 GB card: 12 − 3 GB working memory leaves room for an 8 GB cache.
    assert_eq!(of("render-12gb/"), Vec::<String>::new(), "{}", r.all());
    // 8 GB card: the same 8 GB cache leaves nothing.
    assert_eq!(
        of("lab-8gb/"),
        vec!["max-cache-vram-over-budget"],
        "{}",
        r.all()
    );
    // InvokeAI 5.5.0 has neither setting.
    assert_eq!(
        of("docker-5.5/"),
        vec!["unknown-key", "unknown-key"],
        "{}",
        r.all()
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 3);
    assert_eq!(v["target"]["invokeai_version"], "5.5.0, 5.9.1");
    assert_eq!(v["target"]["source"], "config");
}

#[test]
fn the_findings_name_the_fact_and_where_it_came_from() {
    let r = run(&fleet(), &["lint", "lab-8gb", "--format", "concise"]);
    insta::assert_snapshot!("fleet_lab_concise", r.stdout);
    assert!(
        r.stdout.contains("[[overrides]] #2 (lab-8gb/**) vram_gb"),
        "{}",
        r.all()
    );
}

#[test]
fn flags_beat_the_manifest() {
    let r = run(
        &fleet(),
        &["lint", "lab-8gb", "--vram-gb", "24", "--format", "json"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(
        &fleet(),
        &[
            "lint",
            "docker-5.5",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn from_the_repository_root_each_folder_still_gets_its_machine() {
    // CI and pre-commit run from the repository root: the manifest next to the configs
    // applies, not one found from the working directory.
    let r = run(
        &common::root(),
        &["lint", "fixtures/fleet", "--format", "json"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let got: Vec<(String, String)> = findings(&r.stdout)
        .into_iter()
        .map(|(file, name, _)| (file, name))
        .collect();
    let want = [
        ("fixtures/fleet/docker-5.5/invokeai.yaml", "unknown-key"),
        ("fixtures/fleet/docker-5.5/invokeai.yaml", "unknown-key"),
        (
            "fixtures/fleet/lab-8gb/invokeai.yaml",
            "max-cache-vram-over-budget",
        ),
    ];
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(f, n)| (f.to_string(), n.to_string()))
        .collect();
    assert_eq!(got, want, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["errors"], 3, "{}", r.all());
    assert!(
        r.stdout
            .contains("fixtures/fleet/invokeai-lint.toml [[overrides]] #2 (lab-8gb/**) vram_gb"),
        "{}",
        r.all()
    );
}

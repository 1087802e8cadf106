//! Nested linter configs: each file is judged by the nearest `invokeai-lint.toml` at or
//! above its folder (up to the repository root), `extend` inherits, overrides are relative
//! to the config that declares them, and `--config` / `--isolated` beat them all.

mod common;

use common::{json_lint_args as lint, names, run, write, CLEAN, DEPRECATED, UNKNOWN_KEY};

/// `(file, rule)` of each finding of a JSON report, for comparing whole runs.
fn verdicts(r: &common::Run) -> Vec<(String, String)> {
    common::findings(&r.stdout)
        .into_iter()
        .map(|(file, name, _)| (file, name))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, n)| (f.to_string(), n.to_string()))
        .collect()
}

/// A repository of configs with a linter config at the top, one in `free/` that stands
/// alone and one in `team/` that extends the top one.
fn nested(d: &std::path::Path) {
    write(
        d,
        "invokeai-lint.toml",
        "ignore = [\"unknown-key\"]\n[facts]\ninvokeai_version = \"5.9.1\"\n\
         [[overrides]]\npaths = [\"x/**\"]\nseverity = { deprecated-key = \"error\" }\n",
    );
    write(d, "invokeai.yaml", UNKNOWN_KEY);
    write(d, "x/invokeai.yaml", DEPRECATED);
    // The nearest config wins whole: nothing of the top one applies here.
    write(
        d,
        "free/invokeai-lint.toml",
        "[facts]\ninvokeai_version = \"5.9.1\"\n",
    );
    write(d, "free/invokeai.yaml", UNKNOWN_KEY);
    write(d, "free/x/invokeai.yaml", DEPRECATED);
    // `extend` inherits the top one's settings; its own override matches `x/**` under
    // team/, the top one's `x/**` does not (it is relative to the top folder).
    write(
        d,
        "team/invokeai-lint.toml",
        "extend = \"../invokeai-lint.toml\"\nexclude = [\"old\"]\n\
         [[overrides]]\npaths = [\"x/**\"]\nignore = [\"deprecated-key\"]\n",
    );
    write(d, "team/invokeai.yaml", UNKNOWN_KEY);
    write(d, "team/x/invokeai.yaml", DEPRECATED);
    write(d, "team/y/invokeai.yaml", DEPRECATED);
    write(d, "team/old/invokeai.yaml", UNKNOWN_KEY);
}

#[test]
fn each_file_gets_the_nearest_linter_config_and_extend_inherits() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    nested(d);
    let r = run(d, &["lint", "--format", "json"]);
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(
        verdicts(&r),
        pairs(&[
            ("free/invokeai.yaml", "unknown-key"),
            ("free/x/invokeai.yaml", "deprecated-key"),
            ("team/y/invokeai.yaml", "deprecated-key"),
            ("x/invokeai.yaml", "deprecated-key"),
        ]),
        "{}",
        r.all()
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let severity = |file: &str| {
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["file"] == file)
            .map(|d| d["severity"].as_str().unwrap().to_string())
    };
    // The top override made it an error at x/, not at free/x/ or team/y/.
    assert_eq!(severity("x/invokeai.yaml").as_deref(), Some("error"));
    assert_eq!(severity("free/x/invokeai.yaml").as_deref(), Some("warning"));
    assert_eq!(severity("team/y/invokeai.yaml").as_deref(), Some("warning"));
    // team/old is excluded by team's config when walking, but linted when named.
    let r = run(d, &["lint", "team/old/invokeai.yaml", "--format", "json"]);
    assert_eq!(verdicts(&r), Vec::<(String, String)>::new(), "{}", r.all());
    let r = run(
        d,
        &[
            "lint",
            "team/old/invokeai.yaml",
            "--force-exclude",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(r.stderr.contains("nothing linted"), "{}", r.all());
}

#[test]
fn configs_above_and_below_the_working_directory_both_apply() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    nested(d);
    // Working in free/x/: free/'s config is above it, deep/'s below it.
    write(
        d,
        "free/x/deep/invokeai-lint.toml",
        "ignore = [\"unknown-key\"]\n[facts]\ninvokeai_version = \"5.9.1\"\n",
    );
    write(d, "free/x/deep/invokeai.yaml", UNKNOWN_KEY);
    let cwd = d.join("free/x");
    let r = run(&cwd, &["lint", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    // The deprecated key is judged against free/'s 5.9.1 (a warning); deep/'s config
    // ignores the unknown key below.
    assert_eq!(
        verdicts(&r),
        pairs(&[("invokeai.yaml", "deprecated-key")]),
        "{}",
        r.all()
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 2, "{}", r.all());
    // From team/, the files below it get team's config (found upward from each file).
    let r = run(&d.join("team"), &["lint", "--format", "json"]);
    assert_eq!(
        verdicts(&r),
        pairs(&[("y/invokeai.yaml", "deprecated-key")]),
        "{}",
        r.all()
    );
    // From the top, a file in team/ named on the command line gets team's config.
    let r = run(d, &["lint", "team/invokeai.yaml", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn config_and_isolated_beat_every_nested_config() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    nested(d);
    write(d, "strict.toml", "fail-on = \"warning\"\n");
    let r = run(
        d,
        &[
            "lint",
            "--isolated",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "json",
        ],
    );
    let all = verdicts(&r);
    assert_eq!(all.len(), 8, "every file, no config: {}", r.all());
    assert!(all.contains(&("team/old/invokeai.yaml".into(), "unknown-key".into())));
    let r = run(
        d,
        &[
            "lint",
            "--config",
            "strict.toml",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "json",
        ],
    );
    assert_eq!(verdicts(&r), all, "{}", r.all());
    assert_eq!(r.code, 1, "{}", r.all());
    // Only deprecated keys (warnings) left: strict.toml's fail-on fails the run.
    let r = run(
        d,
        &[
            "lint",
            "--config",
            "strict.toml",
            "--invokeai-version",
            "5.9.1",
            "--ignore",
            "unknown-key",
            "team/y",
            "free/x",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.all());
}

#[test]
fn each_config_judges_its_own_files_with_its_fail_on() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "lax/invokeai-lint.toml",
        "[facts]\ninvokeai_version = \"5.9.1\"\n",
    );
    write(d, "lax/invokeai.yaml", DEPRECATED);
    let r = run(d, &["lint", "--format", "json"]);
    assert_eq!(r.code, 0, "a warning, fail-on error: {}", r.all());
    write(
        d,
        "strict/invokeai-lint.toml",
        "fail-on = \"warning\"\n[facts]\ninvokeai_version = \"5.9.1\"\n",
    );
    write(d, "strict/invokeai.yaml", DEPRECATED);
    let r = run(d, &["lint", "--format", "json"]);
    assert_eq!(r.code, 1, "strict/ fails on its warning: {}", r.all());
    let r = run(d, &["lint", "lax", "--format", "json"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let r = run(d, &["lint", "--fail-on", "error", "--format", "json"]);
    assert_eq!(r.code, 0, "the flag beats every config: {}", r.all());
}

#[test]
fn the_search_stops_at_the_repository_root() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "invokeai-lint.toml", "ignore = [\"unknown-key\"]\n");
    std::fs::create_dir_all(d.join("repo/.git")).unwrap();
    write(d, "repo/invokeai.yaml", UNKNOWN_KEY);
    let r = run(&d.join("repo"), &lint(&[]));
    assert_eq!(names(&r.stdout), vec!["unknown-key"], "{}", r.all());
    // A config in the repository's root folder still counts.
    write(d, "repo/invokeai-lint.toml", "ignore = [\"unknown-key\"]\n");
    let r = run(&d.join("repo"), &lint(&[]));
    assert_eq!(r.code, 0, "{}", r.all());
}

#[test]
fn extend_cycles_and_missing_files_are_errors_that_say_where() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "invokeai-lint.toml",
        "extend = \"a/invokeai-lint.toml\"\n",
    );
    write(
        d,
        "a/invokeai-lint.toml",
        "extend = \"../invokeai-lint.toml\"\n",
    );
    write(d, "invokeai.yaml", CLEAN);
    let r = run(d, &lint(&[]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains(
            "a/invokeai-lint.toml:1:10: extend goes round in a circle: invokeai-lint.toml → a/invokeai-lint.toml → invokeai-lint.toml"
        ),
        "{}",
        r.all()
    );
    write(d, "invokeai-lint.toml", "extend = \"base.toml\"\n");
    let r = run(d, &lint(&[]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains(
            "invokeai-lint.toml:1:10: extend: cannot read linter config base.toml: no such file"
        ),
        "{}",
        r.all()
    );
    // A broken config deeper down stops the run too, naming itself.
    write(d, "invokeai-lint.toml", "");
    write(d, "a/invokeai-lint.toml", "[facts]\nvram = 1\n");
    write(d, "a/invokeai.yaml", CLEAN);
    let r = run(d, &lint(&[]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("a/invokeai-lint.toml:2:1: unknown key `vram`"),
        "{}",
        r.all()
    );
}

#[test]
fn print_config_names_the_nearest_config_and_what_it_extends() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    nested(d);
    let r = run(d, &["print-config", "team/x/invokeai.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("linter config     team/invokeai-lint.toml\nextends           invokeai-lint.toml\noverrides         [[overrides]] #1 (x/**)\n"),
        "{}",
        r.all()
    );
    assert!(
        r.stdout
            .contains("invokeai_version  5.9.1      invokeai-lint.toml [facts] invokeai_version"),
        "{}",
        r.all()
    );
    let r = run(
        d,
        &["print-config", "free/x/invokeai.yaml", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["linter_config"], "free/invokeai-lint.toml");
    assert_eq!(v["extends"], serde_json::json!([]));
    assert_eq!(v["overrides"], serde_json::json!([]));
    let r = run(
        d,
        &[
            "print-config",
            "x/invokeai.yaml",
            "--isolated",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["linter_config"], serde_json::Value::Null);
}

//! The linter's own config and the flags that beat it: rule selection, severities, the
//! exit contract, print-config, the JSON Schemas and shell completions. Nested configs (one per
//! folder) are in `cli_config_nested.rs`.

mod common;

use common::{json_lint_args as lint, names, run, write, CLEAN, DEPRECATED, UNKNOWN_KEY};

#[test]
fn unknown_keys_in_the_linter_config_are_exit_2_with_did_you_mean() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "invokeai-lint.toml",
        "[facts]\nvram = 12\n\n[[overrides]]\npath = [\"a/**\"]\n",
    );
    write(t.path(), "invokeai.yaml", CLEAN);
    let r = run(t.path(), &lint(&[]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains(
            "invokeai-lint.toml:2:1: unknown key `vram` in [facts] (did you mean `vram_gb`?)"
        ),
        "{}",
        r.all()
    );
    assert!(
        r.stderr
            .contains("invokeai-lint.toml:5:1: unknown key `path` in [[overrides]] #1 (did you mean `paths`?)"),
        "{}",
        r.all()
    );
    assert!(r.stdout.is_empty());
}

#[test]
fn the_config_is_found_upward_and_config_and_isolated_choose_another_or_none() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "invokeai-lint.toml", "ignore = [\"unknown-key\"]\n");
    write(d, "strict.toml", "fail-on = \"warning\"\n");
    write(d, "deep/er/invokeai.yaml", UNKNOWN_KEY);
    write(d, "deep/er/dep/invokeai.yaml", DEPRECATED);
    let sub = d.join("deep");
    let r = run(&sub, &lint(&["er/invokeai.yaml"]));
    assert_eq!(r.code, 0, "found upward: {}", r.all());
    let r = run(&sub, &lint(&["er/invokeai.yaml", "--isolated"]));
    assert_eq!(r.code, 1, "{}", r.all());
    let r = run(
        &sub,
        &lint(&["er/dep/invokeai.yaml", "--config", "../strict.toml"]),
    );
    assert_eq!(r.code, 1, "fail-on warning from --config: {}", r.all());
    let r = run(&sub, &lint(&["er", "--config", "nope.toml"]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("cannot read linter config nope.toml"),
        "{}",
        r.all()
    );
}

#[test]
fn selection_flags_beat_the_file_and_severity_remaps() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "invokeai-lint.toml",
        "[severity]\nunknown-key = \"warning\"\n",
    );
    write(d, "invokeai.yaml", UNKNOWN_KEY);
    let r = run(d, &lint(&[]));
    assert_eq!(
        r.code,
        0,
        "an error turned warning does not fail: {}",
        r.all()
    );
    assert!(
        r.stdout.contains("\"severity\": \"warning\""),
        "{}",
        r.all()
    );
    let r = run(d, &lint(&["--fail-on", "warning"]));
    assert_eq!(r.code, 1, "{}", r.all());
    let r = run(d, &lint(&["--ignore", "IL101", "--fail-on", "warning"]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert_eq!(names(&r.stdout), Vec::<String>::new());
    let r = run(d, &lint(&["--select", "syntax"]));
    assert!(
        !names(&r.stdout).contains(&"unknown-key".to_string()),
        "{}",
        r.all()
    );
    let r = run(d, &lint(&["--select", "unknwn-key"]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--select: unknown rule `unknwn-key` (did you mean `unknown-key`?)"),
        "{}",
        r.all()
    );
}

#[test]
fn exit_contract_max_warnings_and_exit_zero() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "a/invokeai.yaml", DEPRECATED);
    write(d, "b/invokeai.yaml", DEPRECATED);
    write(d, "c/invokeai.yaml", UNKNOWN_KEY);
    let iso = ["--isolated"];
    let mut a = lint(&iso);
    a.extend(["a", "b"]);
    assert_eq!(run(d, &a).code, 0);
    let mut m = a.clone();
    m.extend(["--max-warnings", "1"]);
    let r = run(d, &m);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains("more than --max-warnings 1"),
        "{}",
        r.all()
    );
    let mut c = lint(&iso);
    c.push("c");
    assert_eq!(run(d, &c).code, 1);
    c.push("--exit-zero");
    assert_eq!(run(d, &c).code, 0);
    let r = run(d, &["lint", "--no-such-flag"]);
    assert_eq!(r.code, 2);
    let r = run(d, &["lint", "--vram-gb", "lots"]);
    assert_eq!(r.code, 2);
}

#[test]
fn print_config_says_where_each_setting_came_from() {
    let fleet = common::root().join("fixtures/fleet");
    let r = run(&fleet, &["print-config", "lab-8gb/invokeai.yaml"]);
    assert_eq!(r.code, 0, "{}", r.all());
    insta::assert_snapshot!("print_config_lab", r.stdout);

    let r = run(
        &fleet,
        &[
            "print-config",
            "lab-8gb/invokeai.yaml",
            "--vram-gb",
            "10",
            "--ignore",
            "IL101",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    assert_eq!(v["vram_gb"]["value"], "10");
    assert_eq!(v["vram_gb"]["from"], "--vram-gb");
    assert_eq!(v["ram_gb"]["value"], "16");
    assert_eq!(
        v["ram_gb"]["from"],
        "invokeai-lint.toml [[overrides]] #2 (lab-8gb/**) ram_gb"
    );
    assert_eq!(
        v["invokeai_version"]["from"],
        "invokeai-lint.toml [facts] invokeai_version"
    );
    let uk = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "unknown-key")
        .unwrap();
    assert_eq!(uk["enabled"], false);
    assert_eq!(uk["enabled_from"], "--ignore");
}

#[test]
fn schemas_are_json_and_describe_what_they_should() {
    let d = common::root();
    let r = run(&d, &["schema", "linter-config"]);
    assert_eq!(r.code, 0, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["title"], "invokeai-lint.toml");
    assert!(v["properties"]["overrides"].is_object());

    let r = run(
        &d,
        &["schema", "invokeai-config", "--invokeai-version", "5.9.1"],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["title"], "invokeai.yaml for InvokeAI 5.9.1");
    assert!(v["properties"]["max_cache_vram_gb"].is_object());

    let r = run(
        &d,
        &["schema", "invokeai-config", "--invokeai-version", "2.3.5"],
    );
    assert_eq!(r.code, 2, "{}", r.all());
}

#[test]
fn the_linter_config_schema_accepts_what_the_linter_accepts_and_not_more() {
    let d = common::root();
    let r = run(&d, &["schema", "linter-config"]);
    let schema: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let as_json = |text: &str| -> serde_json::Value {
        let doc: toml::Table = toml::from_str(text).unwrap();
        serde_json::to_value(doc).unwrap()
    };
    let fleet = std::fs::read_to_string(d.join("fixtures/fleet/invokeai-lint.toml")).unwrap();
    let full = "select = [\"ALL\", \"IL1\", \"schema\"]\nextend-select = [\"IL901\"]\nignore = [\"unknown-key\"]\n\
                fail-on = \"warning\"\nmax-warnings = 3\ninclude = [\"a/*.yml\"]\nexclude = [\"vendor\"]\n\
                [severity]\ndeprecated-key = \"error\"\nIL108 = \"off\"\n\
                [facts]\ninvokeai_version = \"5.9.1\"\nvram_gb = 7.5\nram_gb = 32\ndevice = \"cuda\"\nos = \"linux\"\n\
                [[overrides]]\npaths = [\"x/**\"]\nfacts = { vram_gb = 8 }\nseverity = { IL101 = \"warning\" }\n";
    for text in [fleet.as_str(), full] {
        let doc = as_json(text);
        let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{text}");
        // And the linter itself takes it.
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "invokeai-lint.toml", text);
        assert_eq!(run(t.path(), &["print-config"]).code, 0);
    }
    for bad in [
        "selct = []\n",
        "[facts]\nvram = 3\n",
        "fail-on = \"sometimes\"\n",
        "[[overrides]]\nfacts = { vram_gb = 8 }\n",
        "[severity]\nunknown-key = \"loud\"\n",
        "select = [\"no-such-rule\"]\n",
    ] {
        assert!(!validator.is_valid(&as_json(bad)), "schema accepts {bad}");
        let t = tempfile::tempdir().unwrap();
        write(t.path(), "invokeai-lint.toml", bad);
        assert_eq!(
            run(t.path(), &["print-config"]).code,
            2,
            "linter accepts {bad}"
        );
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let r = run(&common::root(), &["completions", shell]);
        assert_eq!(r.code, 0, "{shell}: {}", r.all());
        assert!(r.stdout.contains("invokeai-lint"), "{shell}");
        assert!(r.stdout.contains("print-config"), "{shell}");
    }
    assert_eq!(run(&common::root(), &["completions", "tcsh"]).code, 2);
}

#[test]
fn the_published_linter_config_schema_is_current() {
    let d = common::root();
    let r = run(&d, &["schema", "linter-config"]);
    let path = d.join("schemas/invokeai-lint.schema.json");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    if current != r.stdout {
        if std::env::var_os("UPDATE_SCHEMAS").is_some() {
            std::fs::write(&path, &r.stdout).unwrap();
        } else {
            panic!("schemas/invokeai-lint.schema.json is stale; run `UPDATE_SCHEMAS=1 cargo test --test cli_config published`");
        }
    }
}

#[test]
fn missing_fact_follows_the_selection() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "invokeai.yaml",
        "schema_version: 4.0.2\nmax_cache_vram_gb: 8\n",
    );
    let r = run(t.path(), &lint(&["--isolated"]));
    assert_eq!(names(&r.stdout), vec!["missing-fact"], "{}", r.all());
    assert!(
        r.stdout.contains("max-cache-vram-over-budget needs"),
        "{}",
        r.all()
    );
    // The only rule that needed VRAM is off: nothing is missing.
    let r = run(
        t.path(),
        &lint(&["--isolated", "--ignore", "max-cache-vram-over-budget"]),
    );
    assert_eq!(names(&r.stdout), Vec::<String>::new(), "{}", r.all());
    // And missing-fact itself can be turned off.
    let r = run(t.path(), &lint(&["--isolated", "--ignore", "IL900"]));
    assert_eq!(names(&r.stdout), Vec::<String>::new(), "{}", r.all());
}

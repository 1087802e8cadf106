//! Which files `lint` looks at: directory walks, named files, stdin, `--force-exclude`,
//! `--log auto`, and the exit 2 when nothing is found.

mod common;

use common::{findings, run, run_stdin, write, CLEAN, UNKNOWN_KEY};

const V: [&str; 2] = ["--invokeai-version", "5.9.1"];

/// `lint --format json` at the target version, reading the folder's `invokeai-lint.toml`.
fn lint_json_with_config<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["lint", "--format", "json"];
    a.extend_from_slice(&V);
    a.extend_from_slice(extra);
    a
}

fn lint_json<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["lint", "--format", "json", "--isolated"];
    a.extend_from_slice(&V);
    a.extend_from_slice(extra);
    a
}

#[test]
fn a_walk_finds_configs_by_name_and_by_content_and_honours_gitignore_without_git() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "a/invokeai.yaml", UNKNOWN_KEY);
    write(d, "b/gpu-box.yaml", UNKNOWN_KEY); // found by its schema_version
    write(d, "b/compose.yaml", "services: {}\n"); // not a config
    write(d, "ignored/invokeai.yaml", UNKNOWN_KEY);
    write(d, ".gitignore", "ignored/\n");
    write(d, "c/.ignore", "invokeai-old.yaml\n");
    write(d, "c/invokeai-old.yaml", UNKNOWN_KEY);
    let r = run(d, &lint_json(&["."]));
    assert_eq!(r.code, 1, "{}", r.all());
    let files: Vec<String> = findings(&r.stdout).into_iter().map(|f| f.0).collect();
    assert_eq!(
        files,
        vec!["a/invokeai.yaml", "b/gpu-box.yaml"],
        "{}",
        r.all()
    );
}

#[test]
fn no_paths_means_the_working_directory() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "sub/invokeai.yaml", UNKNOWN_KEY);
    let r = run(t.path(), &lint_json(&[]));
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(findings(&r.stdout)[0].0, "sub/invokeai.yaml");
}

#[test]
fn nothing_found_is_exit_2_with_a_message_never_a_silent_pass() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "docs/readme.md", "# nothing\n");
    write(t.path(), "compose.yaml", "services: {}\n");
    let r = run(t.path(), &lint_json(&["docs", "."]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr
            .contains("error: no InvokeAI configs found under docs, ."),
        "{}",
        r.all()
    );
    assert!(r.stdout.is_empty(), "{}", r.all());
}

#[test]
fn named_files_are_linted_whatever_their_name_and_missing_ones_are_exit_2() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "settings.conf", UNKNOWN_KEY);
    let r = run(t.path(), &lint_json(&["settings.conf"]));
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(findings(&r.stdout)[0].1, "unknown-key");

    let r = run(t.path(), &lint_json(&["settings.conf", "missing.yaml"]));
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stderr.contains("cannot lint missing.yaml: no such file"),
        "{}",
        r.all()
    );
}

#[test]
fn exclude_applies_to_walks_and_to_named_files_only_with_force_exclude() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "invokeai-lint.toml", "exclude = [\"vendor\"]\n");
    write(d, "vendor/invokeai.yaml", UNKNOWN_KEY);
    write(d, "mine/invokeai.yaml", CLEAN);
    let base = ["lint", "--format", "json", "--invokeai-version", "5.9.1"];

    let r = run(d, &base);
    assert_eq!(r.code, 0, "{}", r.all());

    let mut named = base.to_vec();
    named.push("vendor/invokeai.yaml");
    let r = run(d, &named);
    assert_eq!(r.code, 1, "named files are linted: {}", r.all());

    named.push("--force-exclude");
    let r = run(d, &named);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stderr
            .contains("nothing linted: vendor/invokeai.yaml excluded"),
        "{}",
        r.all()
    );
}

#[test]
fn include_adds_files_the_walk_would_not_pick() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "invokeai-lint.toml", "include = [\"boxes/*.cfg\"]\n");
    write(d, "boxes/a.cfg", UNKNOWN_KEY);
    let r = run(
        d,
        &["lint", "--format", "json", "--invokeai-version", "5.9.1"],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(findings(&r.stdout)[0].0, "boxes/a.cfg");
}

#[test]
fn stdin_is_named_by_stdin_filename_and_matched_against_overrides() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(
        d,
        "invokeai-lint.toml",
        "[[overrides]]\npaths = [\"legacy/**\"]\nignore = [\"unknown-key\"]\n",
    );
    let r = run_stdin(
        d,
        &[
            "lint",
            "-",
            "--format",
            "json",
            "--invokeai-version",
            "5.9.1",
        ],
        UNKNOWN_KEY,
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert_eq!(findings(&r.stdout)[0].0, "<stdin>");

    let args = [
        "lint",
        "-",
        "--stdin-filename",
        "farm/invokeai.yaml",
        "--format",
        "json",
        "--invokeai-version",
        "5.9.1",
    ];
    let r = run_stdin(d, &args, UNKNOWN_KEY);
    assert_eq!(
        findings(&r.stdout)[0].0,
        "farm/invokeai.yaml",
        "{}",
        r.all()
    );

    // The name alone implies stdin.
    let r = run_stdin(
        d,
        &[
            "lint",
            "--stdin-filename",
            "x/invokeai.yaml",
            "--format",
            "json",
            "--invokeai-version",
            "5.9.1",
        ],
        UNKNOWN_KEY,
    );
    assert_eq!(findings(&r.stdout)[0].0, "x/invokeai.yaml", "{}", r.all());

    let mut legacy = args.to_vec();
    legacy[3] = "legacy/invokeai.yaml";
    let r = run_stdin(d, &legacy, UNKNOWN_KEY);
    assert_eq!(r.code, 0, "the override for legacy/** applies: {}", r.all());
}

#[test]
fn log_auto_reads_the_log_next_to_each_config() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // The log says 5.4.3 ran; `max_cache_vram_gb` does not exist there (5.6.0+).
    let log = "[2024-12-14 23:05:43,794]::[InvokeAI]::INFO --> Using torch device: NVIDIA GeForce RTX 3070\n\
               [2024-12-14 23:05:44,304]::[InvokeAI]::INFO --> InvokeAI version 5.4.3\n\
               [2024-12-14 23:05:44,304]::[InvokeAI]::INFO --> Root directory = /home/carol/invokeai\n";
    write(d, "box/invokeai.log", log);
    write(
        d,
        "box/invokeai.yaml",
        "schema_version: 4.0.2\nmax_cache_vram_gb: 4\n",
    );
    write(
        d,
        "other/invokeai.yaml",
        "schema_version: 4.0.2\nhost: 127.0.0.1\n",
    );
    let r = run(
        d,
        &["lint", "--isolated", "--log", "auto", "--format", "json"],
    );
    let v: serde_json::Value =
        serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.all()));
    assert_eq!(v["target"]["source"], "log", "{}", r.all());
    let f = findings(&r.stdout);
    assert!(
        f.iter()
            .any(|(file, name, _)| file == "box/invokeai.yaml" && name == "unknown-key"),
        "{}",
        r.all()
    );
    assert!(
        r.stderr
            .contains("note: --log auto: no invokeai.log next to other/invokeai.yaml\n"),
        "{}",
        r.all()
    );
}

/// a/, b/ and c/invokeai.yaml, each with a VRAM cache size (which needs the card's VRAM).
fn three_configs_that_need_the_vram() -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    for dir in ["a", "b", "c"] {
        let cache = "schema_version: 4.0.2\nmax_cache_vram_gb: 6\n";
        write(t.path(), &format!("{dir}/invokeai.yaml"), cache);
    }
    t
}

fn missing_facts(json: &str) -> Vec<(String, String, u64)> {
    findings(json)
        .into_iter()
        .filter(|f| f.1 == "missing-fact")
        .collect()
}

/// The run says the missing fact once, in `file`, with `count` ("(also in 1 other config)").
fn assert_missing_once_in(r: &common::Run, file: &str, count: &str) {
    let missing = missing_facts(&r.stdout);
    assert_eq!(missing.len(), 1, "{}", r.all());
    assert_eq!(missing[0].0, file, "{}", r.all());
    assert!(r.stdout.contains(count), "{}", r.all());
}

/// The three configs that need the VRAM, with an `invokeai-lint.toml` beside them.
fn three_configs_with_linter_config(toml: &str) -> tempfile::TempDir {
    let t = three_configs_that_need_the_vram();
    write(t.path(), "invokeai-lint.toml", toml);
    t
}

#[test]
fn a_fact_missing_for_many_configs_is_said_once_in_the_first_of_them() {
    let t = three_configs_that_need_the_vram();
    let d = t.path();
    let r = run(d, &lint_json(&["."]));
    let missing = missing_facts(&r.stdout);
    assert_eq!(missing.len(), 1, "{}", r.all());
    assert_eq!(missing[0].0, "a/invokeai.yaml", "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let message = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "missing-fact")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.ends_with("(also in 2 other configs)"), "{message}");
    // A file linted alone still gets its own, without the count.
    let r = run(d, &lint_json(&["c/invokeai.yaml"]));
    assert!(r.stdout.contains("which is unknown\""), "{}", r.all());
}

#[test]
fn only_configs_that_lack_the_fact_and_report_it_are_counted() {
    // (the manifest, the config the missing fact is said in): a config the manifest gives
    // the fact does not lack it; one with missing-fact off does not count as lacking it.
    // Each run repeats: files are linted in any order.
    let cases = [
        (
            "[[overrides]]\npaths = [\"a/**\"]\nfacts = { vram_gb = 12 }\n",
            "b/invokeai.yaml",
        ),
        (
            "[[overrides]]\npaths = [\"c/**\"]\nignore = [\"missing-fact\"]\n",
            "a/invokeai.yaml",
        ),
    ];
    for (manifest, first) in cases {
        let t = three_configs_with_linter_config(manifest);
        for _ in 0..5 {
            let r = run(t.path(), &lint_json_with_config(&["."]));
            assert_missing_once_in(&r, first, "(also in 1 other config)");
        }
    }
}

#[test]
fn a_file_both_named_and_walked_is_linted_once_and_results_come_in_name_order() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // One flat folder of many configs (the walk hands them to the workers one by one),
    // plus one of them named again on the command line.
    for i in (0..60).rev() {
        write(d, &format!("flat/invokeai-{i:02}.yaml"), UNKNOWN_KEY);
    }
    let r = run(
        d,
        &lint_json(&["flat", "flat/invokeai-07.yaml", "./flat/invokeai-08.yaml"]),
    );
    assert_eq!(r.code, 1, "{}", r.all());
    let files: Vec<String> = findings(&r.stdout).into_iter().map(|f| f.0).collect();
    let expected: Vec<String> = (0..60)
        .map(|i| format!("flat/invokeai-{i:02}.yaml"))
        .collect();
    assert_eq!(files, expected, "{}", r.all());
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 60, "{}", r.all());
}

#[test]
fn a_file_named_twice_is_linted_once() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "a/invokeai.yaml", UNKNOWN_KEY);
    let r = run(
        d,
        &lint_json(&["a/invokeai.yaml", "./a/invokeai.yaml", "a/./invokeai.yaml"]),
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["files"], 1, "{}", r.all());
    assert_eq!(findings(&r.stdout).len(), 1, "{}", r.all());
    assert_eq!(findings(&r.stdout)[0].0, "a/invokeai.yaml", "{}", r.all());
}

#[test]
fn a_later_config_that_suppresses_the_missing_fact_keeps_its_suppression_used() {
    // Later files skip building a missing-fact an earlier file reports; a file whose
    // suppression would use that finding must still get it, or the suppression would be
    // reported as unused.
    let t = three_configs_that_need_the_vram();
    let d = t.path();
    write(
        d,
        "b/invokeai.yaml",
        "# invokeai-lint: disable-file=missing-fact -- this box's VRAM is not ours to know\nschema_version: 4.0.2\nmax_cache_vram_gb: 6\n",
    );
    for _ in 0..5 {
        let r = run(d, &lint_json(&["."]));
        let all = findings(&r.stdout);
        assert!(
            !all.iter().any(|f| f.1 == "unused-suppression"),
            "{}",
            r.all()
        );
        // c lacked it too; b's was suppressed, so it does not count.
        assert_missing_once_in(&r, "a/invokeai.yaml", "(also in 1 other config)");
    }
}

#[test]
fn a_log_shared_by_several_configs_gives_its_findings_once_and_in_order() {
    // Each file's findings are sorted on its worker; only findings in another file (the
    // shared log) need the run's final sort and dedup.
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples");
    let config = std::fs::read_to_string(examples.join("invokeai.yaml")).unwrap();
    std::fs::copy(examples.join("invokeai.log"), d.join("invokeai.log")).unwrap();
    for dir in ["b", "a", "c"] {
        write(d, &format!("{dir}/invokeai.yaml"), &config);
    }
    let r = run(
        d,
        &[
            "lint",
            "--format",
            "json",
            "--isolated",
            "--log",
            "invokeai.log",
            "c",
            "a",
            "b",
        ],
    );
    let files: Vec<String> = findings(&r.stdout).into_iter().map(|f| f.0).collect();
    let in_log = files.iter().filter(|f| *f == "invokeai.log").count();
    assert_eq!(in_log, 1, "{}", r.all());
    let mut sorted = files.clone();
    sorted.sort();
    assert_eq!(files, sorted, "{}", r.all());
    assert!(files.iter().any(|f| f == "c/invokeai.yaml"), "{}", r.all());
}

#[test]
fn a_walk_skips_example_and_backup_files_says_so_once_and_lints_them_when_named() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    write(d, "root/invokeai.yaml", CLEAN);
    // InvokeAI rewrites the example at every start; its defaults are not the user's file.
    write(d, "root/invokeai.example.yaml", UNKNOWN_KEY);
    write(d, "root/invokeai.yaml.bak", UNKNOWN_KEY);
    write(d, "root/invokeai.bak.yaml", UNKNOWN_KEY);
    write(d, "root/lowvram.yaml~", UNKNOWN_KEY);
    write(d, "root/notes.bak", "not yaml at all\n"); // never a config: not mentioned
    let r = run(d, &lint_json(&["."]));
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(findings(&r.stdout).is_empty(), "{}", r.all());
    assert_eq!(r.stderr.matches("skipped").count(), 1, "{}", r.all());
    for name in [
        "root/invokeai.example.yaml (InvokeAI rewrites it at every start and never reads it)",
        "root/invokeai.bak.yaml, root/invokeai.yaml.bak (a backup copy)",
        "root/lowvram.yaml~ (an editor's backup copy)",
    ] {
        assert!(r.stderr.contains(name), "{name}\n{}", r.all());
    }
    assert!(r.stderr.contains("skipped 4 files"), "{}", r.all());
    assert!(!r.stderr.contains("notes.bak"), "{}", r.all());
    // Named, it is linted.
    let r = run(d, &lint_json(&["root/invokeai.example.yaml"]));
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(!r.stderr.contains("skipped"), "{}", r.all());
}

#[test]
fn a_walk_lints_yaml_whose_top_level_keys_are_invokeai_settings() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path();
    // No schema_version and not named invokeai*: found by its keys (5.x and 3.x names).
    write(
        d,
        "lowvram.yaml",
        "enable_partial_loading: true\nmax_cache_ram_gb: 8\n",
    );
    write(
        d,
        "old/flat.yaml",
        "xformers_enabled: true\nmax_cache_size: 6\n",
    );
    // Other programs' YAML stays out.
    write(d, "docker-compose.yaml", "version: '3'\nservices:\n  invokeai:\n    image: x\n    environment:\n      INVOKEAI_ROOT: /r\n");
    write(
        d,
        ".github/workflows/ci.yml",
        "name: ci\non: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n",
    );
    write(d, "server.yaml", "host: 0.0.0.0\nport: 8080\nworkers: 4\n");
    let r = run(d, &lint_json(&["."]));
    assert_eq!(r.code, 1, "{}", r.all());
    let found = findings(&r.stdout);
    let mut files: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    files.dedup();
    assert_eq!(files, vec!["lowvram.yaml", "old/flat.yaml"], "{}", r.all());
    // The missing schema_version is now a real finding.
    assert!(
        found
            .iter()
            .any(|f| f.0 == "lowvram.yaml" && f.1 == "missing-schema-version"),
        "{}",
        r.all()
    );
}

//! The `system` hook of `.pre-commit-hooks.yaml`, run by the real pre-commit in a
//! throwaway git repository: it must fail on a bad invokeai.yaml and pass once it is fixed.
//!
//! Skipped (with a message) when pre-commit is not installed, unless `CI` is set: in CI
//! the hook is part of what is tested, so a missing pre-commit is a failure.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BAD: &str = "schema_version: 4.0.2\nhost: 0.0.0.0\nrender_node: 7\n";
const GOOD: &str = "schema_version: 4.0.2\nhost: 0.0.0.0\n";

fn has_pre_commit() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The `invokeai-lint-system` entry of our hooks file, as list items for `repo: local`.
fn system_hook() -> String {
    let text = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
    )
    .expect("read .pre-commit-hooks.yaml");
    let start = text
        .find("- id: invokeai-lint-system")
        .expect("the system hook is defined");
    let block = &text[start..];
    let end = block[1..].find("\n- id:").map_or(block.len(), |i| i + 1);
    let block = &block[..end];
    assert!(block.contains("language: system"), "{block}");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("      {l}\n"))
        .collect()
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn pre_commit(dir: &Path, home: &Path) -> Output {
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .parent()
        .expect("binary directory")
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .expect("PATH");
    Command::new("pre-commit")
        .current_dir(dir)
        .args(["run", "--all-files", "--color", "never"])
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .expect("run pre-commit")
}

#[test]
fn the_system_hook_fails_on_a_bad_config_and_passes_on_a_fixed_one() {
    if !has_pre_commit() {
        if std::env::var_os("CI").is_some() {
            panic!("CI is set but pre-commit is not installed; .ci/run installs it");
        }
        eprintln!(
            "skipped: pre-commit is not installed (pip install pre-commit); CI runs this test"
        );
        return;
    }
    let t = tempfile::tempdir().expect("tempdir");
    let repo = t.path().join("repo");
    let home = t.path().join("pre-commit-home");
    std::fs::create_dir_all(repo.join("farm")).expect("mkdir");
    git(&repo, &["init", "-q"]);
    git(&repo, &["config", "user.email", "ci@example.invalid"]);
    git(&repo, &["config", "user.name", "CI"]);
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!("repos:\n  - repo: local\n    hooks:\n{}", system_hook()),
    )
    .expect("write config");
    std::fs::write(
        repo.join("invokeai-lint.toml"),
        "[facts]\ninvokeai_version = \"5.9.1\"\n",
    )
    .expect("write linter config");
    std::fs::write(repo.join("farm/invokeai.yaml"), BAD).expect("write");
    // Not a config by name: the hook's `files:` keeps it out.
    std::fs::write(repo.join("farm/compose.yaml"), "services: {}\n").expect("write");
    git(&repo, &["add", "-A"]);

    let out = pre_commit(&repo, &home);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "the hook must fail:\n{text}");
    assert!(text.contains("unknown-key"), "{text}");
    assert!(text.contains("render_node"), "{text}");
    assert!(text.contains("farm/invokeai.yaml"), "{text}");
    assert!(!text.contains("compose.yaml"), "{text}");

    std::fs::write(repo.join("farm/invokeai.yaml"), GOOD).expect("write");
    git(&repo, &["add", "-A"]);
    let out = pre_commit(&repo, &home);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the hook must pass:\n{text}");
    assert!(text.contains("Passed"), "{text}");
}

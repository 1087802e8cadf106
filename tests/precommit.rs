//! The hooks of `.pre-commit-hooks.yaml`, run by the real pre-commit in throwaway git
//! repositories: each must fail on a bad invokeai.yaml and pass once it is fixed.
//!
//! - the `system` hook, with the binary under test on PATH;
//! - the `python` hook, through `pre-commit try-repo` against this repository: pre-commit
//!   pip-installs it, and maturin builds the binary with cargo, as for a user's `rev:`;
//! - a `repo: local` python hook that installs a built wheel (`INVOKEAI_LINT_WHEEL`), the
//!   way a user without Rust installs the wheel from PyPI (docs/pre-commit.md).
//!
//! Skipped (with a message) when pre-commit (or, for the last, the wheel) is missing, unless
//! `INVOKEAI_LINT_CI_TOOLS` is set: `.ci/run` sets it once it has installed pre-commit and
//! built the wheel, and there a missing tool is a failure. (Not `CI`: GitHub sets that on
//! every runner, including the test jobs that have no pre-commit.)

use std::path::{Path, PathBuf};
use std::process::Command;

const BAD: &str = "schema_version: 4.0.2\nhost: 127.0.0.1\nrender_node: 7\n";
const GOOD: &str = "schema_version: 4.0.2\nhost: 127.0.0.1\n";

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether the test can run; panics in CI when it cannot.
fn can_run(what: &str, available: bool) -> bool {
    if available {
        return true;
    }
    if std::env::var_os("INVOKEAI_LINT_CI_TOOLS").is_some() {
        panic!("INVOKEAI_LINT_CI_TOOLS is set but {what} is missing; .ci/run provides it");
    }
    eprintln!("skipped: {what} is missing (.ci/run provides it; CI runs this test)");
    false
}

fn has_pre_commit() -> bool {
    Command::new("pre-commit")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The entry `id` of our hooks file, as list items for `repo: local`.
fn hook_block(id: &str, language: &str) -> String {
    let text = std::fs::read_to_string(manifest_dir().join(".pre-commit-hooks.yaml"))
        .expect("read .pre-commit-hooks.yaml");
    let start = text
        .find(&format!("- id: {id}\n"))
        .unwrap_or_else(|| panic!("the hook {id} is defined"));
    let block = &text[start..];
    let end = block[1..].find("\n- id:").map_or(block.len(), |i| i + 1);
    let block = &block[..end];
    assert!(block.contains(&format!("language: {language}")), "{block}");
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

/// A scratch git repository holding a bad config, a linter config with the facts, and a
/// YAML file the hooks' `files:` must leave alone.
struct Scratch {
    _dir: tempfile::TempDir,
    repo: PathBuf,
    home: PathBuf,
}

impl Scratch {
    fn new(pre_commit_config: &str) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let repo = dir.path().join("repo");
        let home = dir.path().join("pre-commit-home");
        std::fs::create_dir_all(repo.join("farm")).expect("mkdir");
        git(&repo, &["init", "-q"]);
        git(&repo, &["config", "user.email", "ci@example.invalid"]);
        git(&repo, &["config", "user.name", "CI"]);
        if !pre_commit_config.is_empty() {
            std::fs::write(repo.join(".pre-commit-config.yaml"), pre_commit_config)
                .expect("write config");
        }
        std::fs::write(
            repo.join("invokeai-lint.toml"),
            "[facts]\ninvokeai_version = \"5.9.1\"\n",
        )
        .expect("write linter config");
        std::fs::write(repo.join("farm/invokeai.yaml"), BAD).expect("write");
        // Not a config by name: the hook's `files:` keeps it out.
        std::fs::write(repo.join("farm/compose.yaml"), "services: {}\n").expect("write");
        git(&repo, &["add", "-A"]);
        Scratch {
            _dir: dir,
            repo,
            home,
        }
    }

    fn fix(&self) {
        std::fs::write(self.repo.join("farm/invokeai.yaml"), GOOD).expect("write");
        git(&self.repo, &["add", "-A"]);
    }

    /// pre-commit with `args`; `path_first` goes before PATH. Returns (passed, output).
    fn pre_commit(&self, args: &[&str], path_first: Option<&Path>) -> (bool, String) {
        let mut paths: Vec<PathBuf> = path_first.into_iter().map(Path::to_path_buf).collect();
        paths.extend(std::env::split_paths(
            &std::env::var_os("PATH").unwrap_or_default(),
        ));
        let out = Command::new("pre-commit")
            .current_dir(&self.repo)
            .args(args)
            .args(["--all-files", "--color", "never"])
            .env("PATH", std::env::join_paths(paths).expect("PATH"))
            .env("PRE_COMMIT_HOME", &self.home)
            // The python hook's build: the target folder .ci/run builds the wheel in, so only
            // this crate compiles again (pre-commit builds from a clone in another folder).
            .env(
                "CARGO_TARGET_DIR",
                manifest_dir().join("target").join("python"),
            )
            .env("NO_COLOR", "1")
            .output()
            .expect("run pre-commit");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }
}

/// Fails on the bad config with the finding, passes on the fixed one.
fn blocks_then_passes(scratch: &Scratch, args: &[&str], path_first: Option<&Path>) {
    let (passed, text) = scratch.pre_commit(args, path_first);
    assert!(!passed, "the hook must fail:\n{text}");
    assert!(text.contains("unknown-key"), "{text}");
    assert!(text.contains("render_node"), "{text}");
    // As given by pre-commit, or with Windows separators.
    assert!(
        text.contains("farm/invokeai.yaml") || text.contains("farm\\invokeai.yaml"),
        "{text}"
    );
    assert!(!text.contains("compose.yaml"), "{text}");

    scratch.fix();
    let (passed, text) = scratch.pre_commit(args, path_first);
    assert!(passed, "the hook must pass:\n{text}");
    assert!(text.contains("Passed"), "{text}");
}

#[test]
fn the_system_hook_fails_on_a_bad_config_and_passes_on_a_fixed_one() {
    if !can_run("pre-commit", has_pre_commit()) {
        return;
    }
    let scratch = Scratch::new(&format!(
        "repos:\n  - repo: local\n    hooks:\n{}",
        hook_block("invokeai-lint-system", "system")
    ));
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .parent()
        .expect("binary directory");
    blocks_then_passes(&scratch, &["run"], Some(bin_dir));
}

/// The hook a user gets from `repo: <this repository>`: pre-commit installs this checkout
/// (uncommitted changes included) with pip, which builds it with maturin and cargo.
#[test]
fn the_python_hook_from_this_repository_fails_on_a_bad_config_and_passes_on_a_fixed_one() {
    if !can_run("pre-commit", has_pre_commit()) {
        return;
    }
    hook_block("invokeai-lint", "python");
    let scratch = Scratch::new("");
    let repo = manifest_dir();
    let repo = repo.to_str().expect("a UTF-8 path");
    blocks_then_passes(&scratch, &["try-repo", repo, "invokeai-lint"], None);
}

/// The way without Rust: a local python hook whose only dependency is the wheel (from PyPI
/// for users; here the one CI built), so pip installs a binary and compiles nothing.
#[test]
fn a_local_python_hook_installing_the_wheel_fails_on_a_bad_config_and_passes_on_a_fixed_one() {
    let wheel = std::env::var_os("INVOKEAI_LINT_WHEEL").map(PathBuf::from);
    if !can_run("pre-commit", has_pre_commit())
        || !can_run(
            "INVOKEAI_LINT_WHEEL (a built wheel)",
            wheel.as_ref().is_some_and(|w| w.is_file()),
        )
    {
        return;
    }
    let wheel = wheel.expect("checked");
    let config = format!(
        "repos:\n  - repo: local\n    hooks:\n      - id: invokeai-lint\n        name: invokeai-lint\n        entry: invokeai-lint lint --force-exclude\n        language: python\n        additional_dependencies: [\"{}\"]\n        files: (^|/)invokeai[^/]*\\.ya?ml$\n        require_serial: true\n",
        wheel.display()
    );
    let scratch = Scratch::new(&config);
    blocks_then_passes(&scratch, &["run"], None);
}

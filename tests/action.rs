//! The GitHub Action's steps (action/main.py, called by action.yml) against the built
//! binary: the SARIF report, the empty report when no configs are found, the exit status the
//! action passes on, and which package version it installs. GitHub itself runs the action in
//! .github/workflows/ci.yml; this runs its logic here.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn python() -> Option<&'static str> {
    ["python3", "python"].into_iter().find(|p| {
        Command::new(p)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    })
}

/// Runs `main.py run` in `dir` with `args`; returns (step outputs, stdout+stderr).
fn run_action(dir: &Path, args: &str) -> Option<(String, String)> {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("INVOKEAI_LINT_CI_TOOLS").is_none(),
            "CI needs python3"
        );
        eprintln!("skipped: no python3");
        return None;
    };
    let output_file = dir.join("github-output");
    std::fs::write(&output_file, "").unwrap();
    let out = Command::new(python)
        .current_dir(dir)
        .arg(root().join("action/main.py"))
        .arg("run")
        .env("INVOKEAI_LINT_BIN", env!("CARGO_BIN_EXE_invokeai-lint"))
        .env("INPUT_ARGS", args)
        .env("INPUT_SARIF_FILE", "report.sarif")
        .env("GITHUB_OUTPUT", &output_file)
        .env("NO_COLOR", "1")
        .output()
        .expect("run action/main.py");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.status.success(),
        "the step itself must not fail:\n{text}"
    );
    Some((std::fs::read_to_string(&output_file).unwrap(), text))
}

fn results(dir: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(dir.join("report.sarif")).expect("a SARIF report");
    let sarif: serde_json::Value = serde_json::from_str(&text).expect("SARIF is JSON");
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(sarif["runs"][0]["tool"]["driver"]["name"], "invokeai-lint");
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .clone()
}

#[test]
fn findings_give_a_sarif_report_annotations_and_exit_1() {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path();
    std::fs::copy(
        root().join("fixtures/examples/invokeai.yaml"),
        dir.join("invokeai.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/examples/invokeai.log"),
        dir.join("invokeai.log"),
    )
    .unwrap();
    let Some((outputs, text)) = run_action(dir, "invokeai.yaml --log invokeai.log") else {
        return;
    };
    assert!(outputs.contains("exit-code=1\n"), "{outputs}\n{text}");
    assert!(outputs.contains("sarif-file=report.sarif\n"), "{outputs}");
    assert!(!results(dir).is_empty());
    // The second run's annotations, in the log.
    assert!(text.contains("::error file=invokeai.yaml,"), "{text}");
}

#[test]
fn no_configs_give_an_empty_sarif_report_and_exit_2() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("README.md"), "no configs here\n").unwrap();
    let Some((outputs, text)) = run_action(t.path(), "") else {
        return;
    };
    assert!(outputs.contains("exit-code=2\n"), "{outputs}\n{text}");
    assert!(outputs.contains("sarif-file=report.sarif\n"), "{outputs}");
    assert!(results(t.path()).is_empty());
    assert!(text.contains("no InvokeAI configs found"), "{text}");
}

/// A wrong flag is not "no configs": an empty report would close every alert.
#[test]
fn a_failed_run_writes_no_report_and_exits_2() {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("invokeai.yaml"), "schema_version: 4.0.2\n").unwrap();
    let Some((outputs, text)) = run_action(t.path(), "--no-such-flag") else {
        return;
    };
    assert!(outputs.contains("exit-code=2\n"), "{outputs}\n{text}");
    assert!(outputs.contains("sarif-file=\n"), "{outputs}");
    assert!(!t.path().join("report.sarif").exists());
}

#[test]
fn the_installed_version_follows_the_input_then_the_action_tag() {
    let Some(python) = python() else {
        assert!(
            std::env::var_os("INVOKEAI_LINT_CI_TOOLS").is_none(),
            "CI needs python3"
        );
        return;
    };
    let check = |version: &str, package: &str, action_ref: &str| -> String {
        let out = Command::new(python)
            .current_dir(root().join("action"))
            .args(["-c", "import main; print(main.requirement())"])
            .env("INPUT_VERSION", version)
            .env("INPUT_PACKAGE", package)
            .env("ACTION_REF", action_ref)
            .env_remove("GITHUB_ACTION_REF")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    };
    assert_eq!(check("", "", "v0.2.0"), "('invokeai-lint==0.2.0', True)");
    assert_eq!(
        check("0.3.1", "", "v0.2.0"),
        "('invokeai-lint==0.3.1', True)"
    );
    assert_eq!(check("", "", "main"), "('invokeai-lint', True)");
    assert_eq!(check("", "", "0123abcd"), "('invokeai-lint', True)");
    assert_eq!(check("latest", "", "v0.2.0"), "('invokeai-lint', True)");
    assert_eq!(check("", ".", "v0.2.0"), "('.', False)");
}

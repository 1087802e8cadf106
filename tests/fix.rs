//! `--fix` changes only the bytes a fix names: line endings, BOM, comments and everything
//! else in the file come through untouched.

use std::process::Command;

fn lint_fix(path: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .env("NO_COLOR", "1")
        .args([
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "concise",
            "--fix",
        ])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).to_string();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

const BEFORE: &str = "\u{feff}# keep this comment  \r\nschema_version: 4.0.2\r\nmodels_dir: \"E:\\Softwares\\models\"   # trailing\r\n";

#[test]
fn a_safe_fix_changes_only_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    std::fs::write(&path, BEFORE).unwrap();
    let (code, out) = lint_fix(&path, &[]);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        "\u{feff}# keep this comment  \r\nschema_version: 4.0.2\r\nmodels_dir: 'E:\\Softwares\\models'   # trailing\r\n"
    );
    assert!(out.contains("fixed 1 finding in 1 file"), "{out}");
    assert_eq!(code, 0, "nothing is left after the fix: {out}");
}

#[test]
fn unsafe_fixes_wait_for_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    let text = "schema_version: 4.0.2\nlog_level: INFO # loud\n";
    std::fs::write(&path, text).unwrap();
    let (code, out) = lint_fix(&path, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "no safe fix here"
    );
    assert_eq!(code, 1, "{out}");
    let (code, out) = lint_fix(&path, &["--unsafe-fixes"]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "schema_version: 4.0.2\nlog_level: info # loud\n"
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_file_that_is_not_utf8_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    let bytes = b"# caf\xe9\nschema_version: 4.0.2\nlog_level: INFO\n".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let (_, out) = lint_fix(&path, &["--unsafe-fixes"]);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(out.contains("not fixed"), "{out}");
}

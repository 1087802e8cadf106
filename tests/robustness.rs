//! Bad input gets a clear message and an exit code of 1 or 2, never a panic (101).

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"));
    c.env("NO_COLOR", "1").env_remove("RUST_BACKTRACE");
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("il-robust-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Lint one file with the given bytes; return (exit code, stdout, stderr).
fn lint_bytes(name: &str, bytes: &[u8]) -> (i32, String, String) {
    let dir = scratch(name);
    let path = dir.join("invokeai.yaml");
    std::fs::write(&path, bytes).unwrap();
    let out = bin()
        .args(["lint", "--invokeai-version", "5.9.1", "--format", "json"])
        .arg(&path)
        .output()
        .unwrap();
    std::fs::remove_dir_all(&dir).ok();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{name}: {stderr}");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        stderr,
    )
}

fn rules_in(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).expect("JSON output");
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn broken_yaml_is_a_syntax_finding() {
    let (code, out, _) = lint_bytes("broken", b"schema_version: 4.0.2\nport: [9090\n");
    assert_eq!(code, 1);
    assert!(rules_in(&out).contains(&"yaml-syntax".to_string()));
}

#[test]
fn binary_bytes_are_a_finding_not_a_crash() {
    let bytes: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 256) as u8).collect();
    let (code, out, _) = lint_bytes("binary", &bytes);
    assert_eq!(code, 1);
    let rules = rules_in(&out);
    assert!(rules.contains(&"invalid-encoding".to_string()), "{rules:?}");
}

#[test]
fn invalid_utf8_in_a_comment_is_located() {
    let (code, out, _) = lint_bytes("latin1", b"schema_version: 4.0.2\n# caf\xe9\nport: 9090\n");
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let d = &v["diagnostics"][0];
    assert_eq!(d["name"], "invalid-encoding");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(6))
    );
}

#[test]
fn an_alias_bomb_costs_nothing() {
    let mut y = String::from("schema_version: 4.0.2\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..10 {
        let prev = (b'a' + i - 1) as char;
        let cur = (b'a' + i) as char;
        y.push_str(&format!("{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
    }
    let (code, out, _) = lint_bytes("bomb", y.as_bytes());
    assert_eq!(code, 1, "the keys a..j are unknown settings");
    assert!(rules_in(&out).contains(&"unknown-key".to_string()));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let y = format!(
        "schema_version: 4.0.2\nx: {}1{}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let (code, out, _) = lint_bytes("deep", y.as_bytes());
    assert_eq!(code, 1);
    assert!(rules_in(&out).contains(&"yaml-syntax".to_string()));
}

#[test]
fn missing_files_and_directories_are_skipped_with_a_reason() {
    let dir = scratch("missing");
    let out = bin()
        .args(["lint", "--invokeai-version", "5.9.1"])
        .arg(dir.join("nope.yaml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.yaml"), "{err}");
    assert!(!err.contains("panicked"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_oversized_file_is_skipped_not_read() {
    let dir = scratch("huge");
    let path = dir.join("invokeai.yaml");
    let f = std::fs::File::create(&path).unwrap();
    f.set_len(64 * 1024 * 1024).unwrap();
    let out = bin()
        .args(["lint", "--invokeai-version", "5.9.1"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bytes"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_bad_version_flag_is_a_usage_error() {
    let out = bin()
        .args(["lint", "--invokeai-version", "five", "x.yaml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("five"));
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use std::os::unix::process::ExitStatusExt;
    // Far more output than a pipe buffers (64 KiB): 1000 out-of-memory events in JSON.
    let dir = scratch("pipe");
    let log = dir.join("invokeai.log");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!(
            "[2025-03-31 10:{:02}:{:02},000]::[InvokeAI]::ERROR --> Error while invoking session {i}: CUDA out of memory. Tried to allocate {}.{:02} GiB. GPU 0 has a total capacity of 11.76 GiB of which 0.98 GiB is free.\n",
            (i / 60) % 60,
            i % 60,
            1 + i / 100,
            i % 100
        ));
    }
    std::fs::write(&log, text).unwrap();
    let mut child = bin()
        .args(["facts", "--format", "json"])
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // stdout is dropped here: the rest of the output has nowhere to go.
    let status = child.wait().unwrap();
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!err.contains("panicked"), "{err}");
    assert!(status.code() != Some(101), "{status:?}");
    assert_eq!(
        status.signal(),
        Some(13),
        "ended by SIGPIPE like any Unix filter"
    );
    std::fs::remove_dir_all(&dir).ok();
}

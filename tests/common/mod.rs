//! Shared by the CLI tests: run the real binary and capture what it says.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Both streams, for assertion messages.
    pub fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"));
    c.current_dir(dir)
        .env_remove("PYTORCH_CUDA_ALLOC_CONF")
        .env("NO_COLOR", "1")
        .args(args);
    c
}

fn finish(out: std::process::Output) -> Run {
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert_ne!(run.code, 101, "panic: {}", run.all());
    assert!(
        !run.stderr.contains("internal error"),
        "internal error: {}",
        run.all()
    );
    run
}

/// Run `invokeai-lint ARGS` in `dir`.
pub fn run(dir: &Path, args: &[&str]) -> Run {
    finish(command(dir, args).output().expect("run invokeai-lint"))
}

/// Run with `input` on stdin.
pub fn run_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    let mut child = command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run invokeai-lint");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    finish(child.wait_with_output().expect("wait"))
}

/// Write `text` to `root/rel`, creating directories.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A config InvokeAI 5.9.1 accepts as is.
pub const CLEAN: &str = "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nhost: 0.0.0.0\n";

/// A config with one unknown key (an error) for 5.9.1, on line 5.
pub const UNKNOWN_KEY: &str =
    "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nrender_node: 7\n";

/// A config with one deprecated key (a warning) for 5.9.1, on line 5.
pub const DEPRECATED: &str =
    "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nram: 7.5\n";

/// `[diagnostics][*].name` of a JSON report.
pub fn names(json: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| d["name"].as_str().unwrap_or("").to_string())
        .collect()
}

/// `(file, name, line)` of each finding of a JSON report.
pub fn findings(json: &str) -> Vec<(String, String, u64)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"));
    v["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["file"].as_str().unwrap_or("").to_string(),
                d["name"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

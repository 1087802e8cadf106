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

/// The binary as every test runs it: in `dir`, without colour, and without the
/// environment variables the linter takes facts from.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"));
    c.current_dir(dir)
        .env_remove("PYTORCH_CUDA_ALLOC_CONF")
        .env("NO_COLOR", "1")
        .args(args);
    c
}

/// The run's exit code and text, after checking that it did not panic.
pub fn finish(out: std::process::Output) -> Run {
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
pub const CLEAN: &str = "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nhost: 127.0.0.1\n";

/// A config with one unknown key (an error) for 5.9.1, on line 5.
pub const UNKNOWN_KEY: &str =
    "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nrender_node: 7\n";

/// A config with one deprecated key (a warning) for 5.9.1, on line 5.
pub const DEPRECATED: &str =
    "# Internal metadata - do not edit:\nschema_version: 4.0.2\n\n# Put user settings here:\nram: 12\n";

/// `lint --format json --invokeai-version 5.9.1 EXTRA`: the arguments most config tests run.
pub fn json_lint_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["lint", "--format", "json", "--invokeai-version", "5.9.1"];
    a.extend_from_slice(extra);
    a
}

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

/// What a run in a pseudo-terminal `cols` columns wide printed (stdout and stderr
/// together, as a terminal shows them; `\r` removed). Linux and macOS only.
#[cfg(unix)]
pub fn run_in_terminal(dir: &Path, args: &[&str], cols: u16) -> String {
    use std::io::Read;
    use std::os::fd::{FromRawFd, OwnedFd};

    let mut master: libc::c_int = -1;
    let mut slave: libc::c_int = -1;
    let size = libc::winsize {
        ws_row: 50,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty writes two descriptors it opened; we own them from here on.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = command(dir, args);
    cmd.stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave.try_clone().unwrap()))
        .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().expect("run invokeai-lint");
    drop(cmd); // the parent's copies of the terminal's far end: reads end when the child exits
    let mut reader = std::fs::File::from(master);
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => out.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => break, // EIO: the child closed the terminal
        }
    }
    let status = child.wait().expect("wait");
    assert_ne!(status.code(), Some(101), "panic");
    let text = String::from_utf8_lossy(&out).replace('\r', "");
    assert!(!text.contains("internal error"), "internal error: {text}");
    text
}

/// Lines of `text` wider than `cols` characters.
pub fn lines_over(text: &str, cols: usize) -> Vec<String> {
    text.lines()
        .filter(|l| l.chars().count() > cols)
        .map(str::to_string)
        .collect()
}

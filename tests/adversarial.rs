//! Adversarial inputs and targets (issue 12): endless inputs, write errors, odd files to
//! write to, huge configs. Everything is made at test time in temporary folders. Each
//! run has a generous deadline (a hang fails the test instead of stalling the suite); no
//! test asserts how fast something is — speed is measured in `benches/`.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Long enough for a debug build on a loaded two-core machine; a quadratic pass over a
/// large config or an endless read takes far longer.
const DEADLINE: Duration = Duration::from_secs(300);

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn all(&self) -> String {
        format!(
            "exit {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            self.stdout.chars().take(4000).collect::<String>(),
            self.stderr
        )
    }
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"));
    c.env("NO_COLOR", "1")
        .env_remove("RUST_BACKTRACE")
        .env_remove("PYTORCH_CUDA_ALLOC_CONF");
    c
}

/// Wait for `child` until [`DEADLINE`]; a child still running then is killed and the test
/// fails.
fn wait(mut child: Child, what: &str) -> Ran {
    let mut out = child.stdout.take();
    let mut err = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(o) = out.as_mut() {
            let _ = o.read_to_end(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(e) = err.as_mut() {
            let _ = e.read_to_end(&mut s);
        }
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what}: still running after {DEADLINE:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let ran = Ran {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&reader.join().unwrap()).into_owned(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned(),
    };
    assert!(
        !ran.stderr.contains("panicked") && ran.code != 101,
        "{what}: panic\n{}",
        ran.all()
    );
    assert!(
        !ran.stderr.contains("internal error"),
        "{what}: internal error\n{}",
        ran.all()
    );
    ran
}

fn run_in(dir: &Path, args: &[&str]) -> Ran {
    let child = bin()
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait(child, &args.join(" "))
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

const GOOD: &str = "schema_version: 4.0.2\nram: 4\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

// ---- Reads -------------------------------------------------------------------------------

#[cfg(unix)]
#[test]
fn endless_linter_config_and_baseline_are_refused_by_size() {
    let t = tmp();
    write(t.path(), "invokeai.yaml", GOOD);
    for (flag, what) in [("--config", "linter config"), ("--baseline", "baseline")] {
        let r = run_in(t.path(), &["lint", flag, "/dev/zero", "invokeai.yaml"]);
        assert_eq!(r.code, 2, "{flag}: {}", r.all());
        assert!(
            r.stderr.contains("/dev/zero") && r.stderr.contains("is larger than"),
            "{flag} ({what}): {}",
            r.all()
        );
    }
    // A named config and stdin are bounded too.
    let r = run_in(t.path(), &["lint", "/dev/zero"]);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(r.stderr.contains("limit"), "{}", r.all());
}

#[cfg(unix)]
#[test]
fn endless_logs_are_abandoned_with_a_note() {
    let t = tmp();
    write(t.path(), "invokeai.yaml", GOOD);
    let r = run_in(t.path(), &["facts", "/dev/zero"]);
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("stopped reading after") && r.stdout.contains("no line break"),
        "{}",
        r.all()
    );
    let r = run_in(
        t.path(),
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--log",
            "/dev/zero",
            "invokeai.yaml",
        ],
    );
    // Finishes (the deadline above), and the config is still linted.
    assert_ne!(r.code, 2, "{}", r.all());
    assert!(r.stdout.contains("IL105"), "{}", r.all());
}

#[test]
fn a_log_of_lines_that_are_no_log_records_is_abandoned() {
    // Fed through stdin: 80 MiB of text lines, none of them a log record.
    let child = bin()
        .args(["facts", "/dev/stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut child = child;
    let mut stdin = child.stdin.take().unwrap();
    let feeder = std::thread::spawn(move || {
        let line = b"just some text that no logger wrote, over and over again\n".repeat(1024);
        let mut sent = 0usize;
        while sent < 80 * 1024 * 1024 {
            // The reader stops early: a broken pipe is the expected end.
            if stdin.write_all(&line).is_err() {
                return sent;
            }
            sent += line.len();
        }
        sent
    });
    let r = wait(child, "facts /dev/stdin");
    feeder.join().unwrap();
    assert!(
        r.stdout
            .contains("no line that starts a log record in the last 64 MiB"),
        "{}",
        r.all()
    );
}

#[cfg(unix)]
#[test]
fn a_fifo_next_to_a_config_is_named_for_what_it_is() {
    let t = tmp();
    write(t.path(), "invokeai.yaml", GOOD);
    mkfifo(&t.path().join("invokeai.log"));
    let r = run_in(
        t.path(),
        &["lint", "--log", "auto", "--invokeai-version", "5.9.1", "."],
    );
    assert!(
        r.stderr
            .contains("invokeai.log is a FIFO (named pipe), not a regular file"),
        "{}",
        r.all()
    );
    assert!(!r.stderr.contains("no invokeai.log"), "{}", r.all());
}

// ---- Stdout write errors -----------------------------------------------------------------

#[cfg(target_os = "linux")]
#[test]
fn every_listing_reports_a_full_stdout_without_a_panic() {
    let t = tmp();
    write(t.path(), "invokeai.yaml", GOOD);
    write(
        t.path(),
        "invokeai.log",
        "[2025-04-05 11:16:31,275]::[InvokeAI]::INFO --> InvokeAI version 5.9.1\n",
    );
    let cases: &[&[&str]] = &[
        &["rules"],
        &["rules", "--format", "json"],
        &["explain", "IL001"],
        &["explain", "ram"],
        &["keys", "--invokeai-version", "5.9.1"],
        &["facts", "invokeai.log"],
        &["facts", "--host"],
        &["print-config", "invokeai.yaml"],
        &["schema", "linter-config"],
        &["completions", "bash"],
        &["lint", "--invokeai-version", "5.9.1", "invokeai.yaml"],
    ];
    for args in cases {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let child = bin()
            .current_dir(t.path())
            .args(*args)
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let r = wait(child, &args.join(" "));
        assert_eq!(r.code, 2, "{args:?}: {}", r.all());
        assert!(
            r.stderr.contains("cannot write to stdout"),
            "{args:?}: {}",
            r.all()
        );
    }
}

#[cfg(unix)]
#[test]
fn a_closed_pipe_ends_a_listing_quietly() {
    let mut child = bin()
        .args(["keys", "--invokeai-version", "5.9.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read one byte, then close the pipe, as `| head -c1` does.
    let mut out = child.stdout.take().unwrap();
    let mut one = [0u8; 1];
    out.read_exact(&mut one).unwrap();
    drop(out);
    let r = wait(child, "keys | head -c1");
    assert!(r.stderr.is_empty(), "{}", r.all());
}

// ---- Writes ------------------------------------------------------------------------------

#[cfg(unix)]
fn mode(p: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let ok = Command::new("mkfifo").arg(p).status().unwrap().success();
    assert!(ok, "mkfifo");
}

#[cfg(unix)]
#[test]
fn output_to_a_fifo_or_device_is_written_not_renamed_over() {
    use std::os::unix::fs::FileTypeExt;
    let t = tmp();
    write(t.path(), "invokeai.yaml", GOOD);
    let fifo = t.path().join("report.fifo");
    mkfifo(&fifo);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let r = run_in(
        t.path(),
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "json",
            "-o",
            "report.fifo",
            "invokeai.yaml",
        ],
    );
    assert_ne!(r.code, 2, "{}", r.all());
    let got = reader.join().unwrap();
    assert!(got.contains("\"diagnostics\""), "{got}");
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());
    // /dev/null stays the device.
    let r = run_in(
        t.path(),
        &[
            "baseline",
            "create",
            "/dev/null",
            "--invokeai-version",
            "5.9.1",
            "invokeai.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
}

#[cfg(unix)]
#[test]
fn reports_are_no_more_open_than_the_config() {
    use std::os::unix::fs::PermissionsExt;
    let t = tmp();
    let cfg = write(t.path(), "invokeai.yaml", GOOD);
    std::fs::set_permissions(&cfg, std::fs::Permissions::from_mode(0o600)).unwrap();
    for args in [
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "-o",
            "report.txt",
            "invokeai.yaml",
        ][..],
        &[
            "baseline",
            "create",
            "baseline.json",
            "--invokeai-version",
            "5.9.1",
            "invokeai.yaml",
        ][..],
    ] {
        let r = run_in(t.path(), args);
        assert_ne!(r.code, 2, "{}", r.all());
    }
    assert_eq!(mode(&t.path().join("report.txt")), 0o600);
    assert_eq!(mode(&t.path().join("baseline.json")), 0o600);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(t.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
}

/// A config with a fixable finding: 5.x renames the deprecated `ram` key.
fn fixable() -> &'static str {
    "schema_version: 4.0.2\nram: 4\n"
}

#[cfg(unix)]
fn fix(dir: &Path, name: &str) -> Ran {
    run_in(
        dir,
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--fix",
            "--unsafe-fixes",
            name,
        ],
    )
}

#[cfg(unix)]
#[test]
fn fix_keeps_mode_owner_and_symlinks() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let t = tmp();
    let real = write(t.path(), "real.yaml", fixable());
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let root = unsafe_geteuid() == 0;
    if root {
        // As root the owner must be kept, not become root's.
        std::os::unix::fs::chown(&real, Some(4321), Some(4321)).unwrap();
    }
    std::os::unix::fs::symlink("real.yaml", t.path().join("invokeai.yaml")).unwrap();
    let r = fix(t.path(), "invokeai.yaml");
    assert!(!r.stderr.contains("not fixed"), "{}", r.all());
    let after = std::fs::read_to_string(&real).unwrap();
    assert_ne!(after, fixable(), "the target was not fixed: {}", r.all());
    assert!(std::fs::symlink_metadata(t.path().join("invokeai.yaml"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&real), 0o640);
    if root {
        let m = std::fs::metadata(&real).unwrap();
        assert_eq!((m.uid(), m.gid()), (4321, 4321));
    }
    let names = std::fs::read_dir(t.path()).unwrap().count();
    assert_eq!(names, 2, "a temporary file was left behind");
}

#[cfg(unix)]
fn unsafe_geteuid() -> u32 {
    // The test binary has no libc dependency; `id -u` says the same.
    let out = Command::new("id").arg("-u").output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(1)
}

#[cfg(unix)]
#[test]
fn fix_refuses_a_hard_linked_config_with_a_reason() {
    let t = tmp();
    let p = write(t.path(), "invokeai.yaml", fixable());
    std::fs::hard_link(&p, t.path().join("copy.yaml")).unwrap();
    let r = fix(t.path(), "invokeai.yaml");
    assert!(
        r.stderr.contains("not fixed") && r.stderr.contains("2 hard links"),
        "{}",
        r.all()
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), fixable());
}

#[cfg(unix)]
#[test]
fn fix_does_not_follow_a_planted_temporary_name() {
    // The old temporary name was predictable; whatever is planted, the victim is untouched.
    let t = tmp();
    write(t.path(), "invokeai.yaml", fixable());
    let victim = write(t.path(), "victim", "precious\n");
    for pid_guess in 0..50 {
        let _ = std::os::unix::fs::symlink(
            &victim,
            t.path()
                .join(format!(".invokeai.yaml.invokeai-lint-{pid_guess}")),
        );
    }
    let r = fix(t.path(), "invokeai.yaml");
    assert!(!r.stderr.contains("not fixed"), "{}", r.all());
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious\n");
}

// ---- Time: large configs stay near-linear ------------------------------------------------

fn big(dir: &Path, name: &str, n: usize, line: impl Fn(usize) -> String) -> String {
    let mut text = String::from("schema_version: 4.0.2\n");
    for i in 0..n {
        text.push_str(&line(i));
    }
    write(dir, name, &text);
    name.to_string()
}

#[test]
fn configs_of_many_keys_duplicates_suppressions_and_anchors_finish() {
    let t = tmp();
    let n = 30_000;
    let files = [
        big(t.path(), "keys.yaml", n, |i| format!("k{i}: {i}\n")),
        big(t.path(), "dups.yaml", n, |i| format!("ram: {i}\n")),
        big(t.path(), "sups.yaml", n, |i| {
            format!("k{i}: {i} # invokeai-lint: disable=unknown-key\n")
        }),
        big(t.path(), "anchors.yaml", n, |i| {
            format!("k{i}: &a{i} {i}\n")
        }),
        big(t.path(), "unknown-rules.yaml", n, |i| {
            format!("# invokeai-lint: disable=nope{}\nk{i}: 1\n", i % 7)
        }),
    ];
    for f in &files {
        let r = run_in(
            t.path(),
            &[
                "lint",
                "--invokeai-version",
                "5.9.1",
                "--format",
                "concise",
                f,
            ],
        );
        assert!(r.code == 0 || r.code == 1, "{f}: {}", r.all());
    }
    // 3.x sections: many, and repeated.
    let mut text = String::from("InvokeAI:\n");
    for i in 0..n {
        text.push_str(&format!("  S{}:\n    ram: {i}\n", i % 1000));
    }
    write(t.path(), "sections.yaml", &text);
    let r = run_in(
        t.path(),
        &[
            "lint",
            "--invokeai-version",
            "3.6.2",
            "--format",
            "concise",
            "sections.yaml",
        ],
    );
    assert!(r.code == 0 || r.code == 1, "{}", r.all());
}

// ---- Parsing corners ---------------------------------------------------------------------

fn concise(dir: &Path, name: &str, text: &str) -> Ran {
    write(dir, name, text);
    run_in(
        dir,
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "concise",
            name,
        ],
    )
}

#[test]
fn line_breaks_count_as_pyyaml_counts_them() {
    let t = tmp();
    for (name, brk) in [
        ("cr.yaml", "\r"),
        ("nel.yaml", "\u{85}"),
        ("ls.yaml", "\u{2028}"),
        ("ps.yaml", "\u{2029}"),
    ] {
        let text = format!("schema_version: 4.0.2{brk}ram: 4{brk}bogus_key: 1{brk}");
        let r = concise(t.path(), name, &text);
        assert!(!r.stdout.contains("IL001"), "{name}: {}", r.all());
        assert!(
            r.stdout.contains(&format!("{name}:2:1: warning[IL105]")),
            "{name}: {}",
            r.all()
        );
        assert!(
            r.stdout.contains(&format!("{name}:3:1:")) && r.stdout.contains("IL101"),
            "{name}: {}",
            r.all()
        );
    }
}

#[test]
fn suppressions_in_a_cr_only_file_apply_per_line() {
    let t = tmp();
    let text = "schema_version: 4.0.2\r\
                ram: 4 # invokeai-lint: disable=deprecated-key\r\
                # invokeai-lint: disable=unknown-key\r\
                bogus_key: 1\r\
                other_bogus: 2\r";
    let r = concise(t.path(), "cr.yaml", text);
    assert!(!r.stdout.contains("IL105"), "{}", r.all());
    assert!(!r.stdout.contains("cr.yaml:4:"), "{}", r.all());
    assert!(
        r.stdout.contains("cr.yaml:5:1:") && r.stdout.contains("IL101"),
        "{}",
        r.all()
    );
}

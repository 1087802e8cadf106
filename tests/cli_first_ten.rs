//! What a new user hits in the first ten minutes (issue 13): several GPUs under
//! `--detect`, and flags that were ignored or misled. Through the binary.

#![allow(clippy::expect_fun_call)]

mod common;

use std::path::Path;

use common::{run, write};

/// Put fake `nvidia-smi` / `rocm-smi` scripts first on PATH for one run.
#[cfg(unix)]
fn run_with_tools(dir: &Path, tools: &[(&str, &str)], args: &[&str]) -> common::Run {
    use std::os::unix::fs::PermissionsExt;
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    for (name, script) in tools {
        let p = bin.join(name);
        std::fs::write(&p, format!("#!/bin/sh\n{script}\n")).unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = common::command(dir, args);
    c.env("PATH", path).env_remove("CUDA_VISIBLE_DEVICES");
    common::finish(c.output().unwrap())
}

/// `lint --fix --unsafe-fixes` of `file` at 5.9.1, which must end clean: the file as the
/// fixes left it.
fn fixed_at_5_9_1(dir: &Path, file: &str) -> String {
    let fixed = run(
        dir,
        &[
            "lint",
            "--fix",
            "--unsafe-fixes",
            "--invokeai-version",
            "5.9.1",
            file,
        ],
    );
    assert_eq!(fixed.code, 0, "{}", fixed.all());
    std::fs::read_to_string(dir.join(file)).unwrap()
}

const TWO_NVIDIA: (&str, &str) = (
    "nvidia-smi",
    "echo 'NVIDIA GeForce GTX 1660, 6144'; echo 'NVIDIA GeForce RTX 4090, 24564'",
);
const NO_NVIDIA: (&str, &str) = ("nvidia-smi", "exit 9");
const TWO_AMD: (&str, &str) = (
    "rocm-smi",
    "echo 'device,Card series,VRAM Total Memory (B),VRAM Total Used Memory (B)'; echo 'card0,Radeon RX 6600,8573157376,0'; echo 'card1,Radeon RX 7900 XTX,25753026560,0'",
);

#[cfg(unix)]
#[test]
fn detect_uses_the_gpu_the_config_selects() {
    for tools in [&[TWO_NVIDIA][..], &[NO_NVIDIA, TWO_AMD]] {
        let dir = tempfile::tempdir().unwrap();
        let cap = "schema_version: 4.0.2\nmax_cache_vram_gb: 18\n";
        write(dir.path(), "second.yaml", &format!("{cap}device: cuda:1\n"));
        write(dir.path(), "first.yaml", &format!("{cap}device: cuda\n"));
        write(dir.path(), "unset.yaml", cap);
        let lint = |file: &str| {
            run_with_tools(
                dir.path(),
                tools,
                &[
                    "lint",
                    "--detect",
                    "--invokeai-version",
                    "5.9.1",
                    "--format",
                    "concise",
                    file,
                ],
            )
        };
        let second = lint("second.yaml");
        assert!(
            !second.stdout.contains("IL201"),
            "cuda:1 is the 24 GB card: {}",
            second.all()
        );
        for file in ["first.yaml", "unset.yaml"] {
            let r = lint(file);
            assert!(r.stdout.contains("error[IL201]"), "{file}: {}", r.all());
            assert!(
                r.stdout.contains("GPU 0") && r.stdout.contains("also found: GPU 1"),
                "{file}: {}",
                r.all()
            );
        }
        // A GPU the machine does not have: no size is guessed.
        write(dir.path(), "third.yaml", &format!("{cap}device: cuda:2\n"));
        assert!(!lint("third.yaml").stdout.contains("IL201"));
    }
}

#[cfg(unix)]
#[test]
fn facts_host_lists_every_gpu_and_speaks_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = run_with_tools(dir.path(), &[TWO_NVIDIA], &["facts", "--host"]);
    assert!(
        text.stdout.contains("gpu 1") && text.stdout.contains("RTX 4090"),
        "{}",
        text.all()
    );
    let json = run_with_tools(
        dir.path(),
        &[TWO_NVIDIA],
        &["facts", "--host", "--format", "json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json.stdout).expect(&json.all());
    assert_eq!(v["gpus"].as_array().unwrap().len(), 2);
    assert_eq!(v["gpus"][1]["name"], "NVIDIA GeForce RTX 4090");
    assert_eq!(v["vram_gib"]["value"], 6.0);
}

#[test]
fn statistics_refuses_formats_it_has_no_form_for() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "invokeai.yaml",
        "schema_version: 4.0.2\nbogus: 1\n",
    );
    for format in ["sarif", "github", "gitlab", "junit"] {
        let r = run(
            dir.path(),
            &["lint", "--statistics", "--format", format, "invokeai.yaml"],
        );
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(r.stderr.contains("--statistics"), "{}", r.all());
        assert_eq!(r.stdout, "");
    }
    let r = run(
        dir.path(),
        &["lint", "--statistics", "--format", "json", "invokeai.yaml"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.all());
    assert_eq!(v[0]["code"], "IL101");
}

#[test]
fn statistics_show_each_severity_a_rule_reported_at() {
    let dir = tempfile::tempdir().unwrap();
    // unknown-key is an error in a flat file, and its did-you-mean of an old key...
    // Use two findings of one rule at different levels: schema-version-outdated is info,
    // deprecated keys are warnings; count per rule and check the column shows counts.
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nbogus: 1\nother: 2\n",
    );
    let r = run(
        dir.path(),
        &[
            "lint",
            "--statistics",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
        ],
    );
    let line = r
        .stdout
        .lines()
        .find(|l| l.contains("IL101"))
        .expect(&r.all());
    assert!(line.starts_with("2  IL101"), "{line}");
    assert!(
        line.trim_end().ends_with("error"),
        "one level, named: {line}"
    );
}

#[test]
fn an_oversize_file_is_reported_with_its_real_size() {
    let dir = tempfile::tempdir().unwrap();
    let f = std::fs::File::create(dir.path().join("huge.yaml")).unwrap();
    f.set_len(124_889_028).unwrap();
    for args in [&["lint", "huge.yaml"][..], &["lint", "."]] {
        let r = run(dir.path(), args);
        if args[1] == "." && !r.stderr.contains("huge.yaml") {
            continue; // a directory scan may pass over a file that is not a config
        }
        assert!(r.stderr.contains("124889028 bytes"), "{}", r.all());
    }
}

#[test]
fn the_summary_says_how_many_findings_the_baseline_hid() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nbogus: 1\nother: 2\n",
    );
    write(dir.path(), "b.yaml", "schema_version: 4.0.2\nthird: 1\n");
    let made = run(
        dir.path(),
        &[
            "baseline",
            "create",
            "base.json",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
            "b.yaml",
        ],
    );
    assert_eq!(made.code, 0, "{}", made.all());
    let r = run(
        dir.path(),
        &[
            "lint",
            "--baseline",
            "base.json",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
            "b.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout
            .contains("No new findings in 2 files; 3 known findings hidden by the baseline"),
        "{}",
        r.all()
    );
    assert!(!r.stdout.contains("clean"), "{}", r.all());
}

#[test]
fn junit_fails_only_what_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    // A duplicate key is a warning: the run exits 0 with the default --fail-on error.
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nhost: 127.0.0.1\nhost: 127.0.0.1\n",
    );
    let r = run(
        dir.path(),
        &[
            "lint",
            "--format",
            "junit",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(
        r.stdout.contains("IL002") || r.stdout.contains("duplicate"),
        "{}",
        r.all()
    );
    assert!(r.stdout.contains(r#"failures="0""#), "{}", r.stdout);
    let r = run(
        dir.path(),
        &[
            "lint",
            "--format",
            "junit",
            "--fail-on",
            "warning",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stdout.contains("<failure"), "{}", r.stdout);
    assert!(!r.stdout.contains(r#"failures="0""#), "{}", r.stdout);
}

#[test]
fn a_missing_path_prints_only_the_error() {
    let dir = tempfile::tempdir().unwrap();
    for format in ["human", "concise"] {
        let r = run(dir.path(), &["lint", "--format", format, "nope.yaml"]);
        assert_eq!(r.code, 2, "{}", r.all());
        assert!(r.stderr.contains("nope.yaml"), "{}", r.all());
        assert_eq!(r.stdout, "", "{}", r.all());
    }
    // Machine formats still get their document.
    let r = run(dir.path(), &["lint", "--format", "json", "nope.yaml"]);
    assert!(
        serde_json::from_str::<serde_json::Value>(&r.stdout).is_ok(),
        "{}",
        r.all()
    );
}

#[test]
fn one_warning_is_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nhost: 127.0.0.1\nhost: 127.0.0.1\n",
    );
    let r = run(
        dir.path(),
        &[
            "lint",
            "--max-warnings",
            "0",
            "--invokeai-version",
            "5.9.1",
            "a.yaml",
        ],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(r.stderr.contains("1 warning,"), "{}", r.all());
    assert!(!r.all().contains("1 warnings"), "{}", r.all());
}

#[test]
fn a_file_that_is_not_an_invokeai_log_is_said_so() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "invokeai.yaml", "schema_version: 4.0.2\n");
    write(dir.path(), "notes.txt", "shopping list\nmilk\neggs\n");
    write(dir.path(), "empty.log", "");
    for (log, said) in [
        ("notes.txt", "is not an InvokeAI log"),
        ("empty.log", "is empty"),
    ] {
        let r = run(dir.path(), &["lint", "invokeai.yaml", "--log", log]);
        assert!(
            r.stderr.contains(&format!("--log {log}: {said}")),
            "{log}: {}",
            r.all()
        );
        assert!(
            r.stderr.contains("no facts were taken from it"),
            "{}",
            r.all()
        );
    }
    // An InvokeAI log gets no such note.
    let r = run(
        &common::root(),
        &[
            "lint",
            "fixtures/examples/invokeai.yaml",
            "--log",
            "fixtures/examples/invokeai.log",
        ],
    );
    assert!(!r.stderr.contains("not an InvokeAI log"), "{}", r.all());
}

#[test]
fn wide_encodings_and_binary_files_get_one_finding_and_no_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let text = "schema_version: 4.0.2\ndevice: cuda\n";
    let le: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let be_no_bom: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let utf32: Vec<u8> = text
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    let mut binary: Vec<u8> = b"\x7fELF\x02\x01\x01\0".to_vec();
    binary.extend((0..4096u32).map(|i| (i * 7919 % 251) as u8));
    for (name, bytes, said) in [
        ("le.yaml", le, "UTF-16 LE"),
        ("be.yaml", be_no_bom, "UTF-16 BE"),
        ("u32.yaml", utf32, "UTF-32 LE"),
        ("bin.yaml", binary, "binary data"),
    ] {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let r = run(
            dir.path(),
            &[
                "lint",
                "--invokeai-version",
                "5.9.1",
                "--format",
                "concise",
                name,
            ],
        );
        assert_eq!(r.code, 1, "{}", r.all());
        let findings: Vec<&str> = r.stdout.lines().filter(|l| l.starts_with(name)).collect();
        assert_eq!(findings.len(), 1, "{name}: {}", r.all());
        assert!(
            findings[0].contains("IL006") && findings[0].contains(said),
            "{}",
            findings[0]
        );
        let human = run(dir.path(), &["lint", "--invokeai-version", "5.9.1", name]);
        assert!(
            human.stdout.len() < 2048,
            "{name}: {} bytes\n{}",
            human.stdout.len(),
            human.stdout
        );
        assert!(!human.stdout.contains('\u{FFFD}'), "{}", human.stdout);
    }
}

#[test]
fn a_capitalised_key_is_offered_in_lower_case() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nDevice: cuda\n",
    );
    let r = run(
        dir.path(),
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "json",
            "a.yaml",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.all());
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "IL101", "{}", r.stdout);
    assert!(!r.stdout.contains("section heading"), "{}", r.stdout);
    assert!(
        d["help"].as_str().unwrap().contains("knows `device`"),
        "{}",
        r.stdout
    );
    assert_eq!(
        fixed_at_5_9_1(dir.path(), "a.yaml"),
        "schema_version: 4.0.2\ndevice: cuda\n"
    );
}

#[test]
fn without_a_version_the_newest_final_release_is_assumed_and_said() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "invokeai.yaml",
        // 4.0.3: a 4.0.2 file says it is for 5.6 – 6.12, and gets no redundancy info at all
        // without a release (tests/written_files.rs).
        "schema_version: 4.0.3\nenable_partial_loading: true\n",
    );
    let r = run(
        dir.path(),
        &["lint", "--isolated", "--format", "json", "invokeai.yaml"],
    );
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect(&r.all());
    let target = v["target"]["invokeai_version"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !target.contains("rc") && !target.contains('a') && !target.contains('b'),
        "{target}"
    );
    assert_eq!(v["target"]["source"], "default", "{}", r.stdout);
    // Release-dependent advice names the release it holds for, and removes nothing on
    // an assumption: on 5.x this line is what turns partial loading on.
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["rule"] == "IL207"
                || d["message"]
                    .as_str()
                    .unwrap_or("")
                    .contains("enable_partial_loading")
        })
        .unwrap_or_else(|| panic!("{}", r.stdout));
    let help = d["help"].as_str().unwrap();
    assert!(
        help.contains("6.13.0 or later") && help.contains("keep it"),
        "{help}"
    );
    assert!(d["fix"].is_null(), "{d}");
    // Named, the release gets the plain advice and the fix.
    let r = run(
        dir.path(),
        &[
            "lint",
            "--isolated",
            "--invokeai-version",
            "6.13.8",
            "--format",
            "json",
            "invokeai.yaml",
        ],
    );
    assert!(
        r.stdout.contains("Remove the redundant line"),
        "{}",
        r.stdout
    );
}

#[test]
fn a_double_quoted_path_with_control_escapes_is_reported_with_the_single_quote_fix() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.yaml",
        "schema_version: 4.0.2\nmodels_dir: \"D:\\new\\test\"\n",
    );
    let r = run(
        dir.path(),
        &[
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "concise",
            "a.yaml",
        ],
    );
    assert!(
        r.stdout.contains("a.yaml:2:16: warning[IL007]"),
        "{}",
        r.all()
    );
    assert_eq!(
        fixed_at_5_9_1(dir.path(), "a.yaml"),
        "schema_version: 4.0.2\nmodels_dir: 'D:\\new\\test'\n"
    );
}

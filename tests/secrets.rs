//! No output ever prints a secret. Every command and every format runs over configs and a log
//! full of fake secrets (`fixtures/secrets/`, each secret contains `Leak`), and each output
//! (stdout, stderr, files written) is searched for them.

mod common;

use std::path::Path;

use common::root;

const FORMATS: [&str; 7] = [
    "human", "concise", "json", "sarif", "github", "gitlab", "junit",
];

/// Every secret written in the fixtures: a word that contains `Leak`, cut at what ends a value.
fn secrets() -> Vec<String> {
    let mut out = Vec::new();
    for f in std::fs::read_dir(root().join("fixtures/secrets")).unwrap() {
        let path = f.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for word in text.split(|c: char| c.is_whitespace() || "\"'=:@,".contains(c)) {
            if word.contains("Leak") {
                out.push(word.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    assert!(out.len() >= 20, "fixtures lost their secrets: {out:?}");
    out
}

/// Stdout and stderr of one run, together.
fn run(dir: &Path, args: &[&str]) -> String {
    let r = common::run(dir, args);
    format!("{}\n{}", r.stdout, r.stderr)
}

/// The secrets `text` shows: a secret, or any 10 bytes of one after its first 4 (a message
/// that quotes a value cut short, or a mask that kept a prefix, still shows them).
fn leaks(text: &str, secrets: &[String]) -> Vec<String> {
    secrets
        .iter()
        .filter(|s| {
            let b = s.as_bytes();
            text.contains(s.as_str())
                || (4..b.len().saturating_sub(10))
                    .any(|i| std::str::from_utf8(&b[i..i + 10]).is_ok_and(|w| text.contains(w)))
        })
        .cloned()
        .collect()
}

fn configs() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(root().join("fixtures/secrets"))
        .unwrap()
        .map(|f| f.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .map(|p| {
            format!(
                "fixtures/secrets/{}",
                p.file_name().unwrap().to_string_lossy()
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn no_command_or_format_prints_a_secret() {
    let secrets = secrets();
    let dir = root();
    let log = "fixtures/secrets/invokeai.log";
    let mut outputs: Vec<(String, String)> = Vec::new();
    for cfg in configs() {
        for version in ["6.13.8", "5.9.1", "3.6.2"] {
            for format in FORMATS {
                let args = [
                    "lint",
                    cfg.as_str(),
                    "--invokeai-version",
                    version,
                    "--format",
                    format,
                    "--color",
                    "never",
                    "--isolated",
                ];
                outputs.push((args.join(" "), run(&dir, &args)));
            }
            let args = [
                "lint",
                cfg.as_str(),
                "--invokeai-version",
                version,
                "--statistics",
                "--isolated",
            ];
            outputs.push((args.join(" "), run(&dir, &args)));
            // A diff's context lines are the file's own: the token next to a fixed line.
            let args = [
                "lint",
                cfg.as_str(),
                "--invokeai-version",
                version,
                "--diff",
                "--unsafe-fixes",
                "--isolated",
            ];
            outputs.push((args.join(" "), run(&dir, &args)));
        }
        for format in FORMATS {
            let args = [
                "lint",
                cfg.as_str(),
                "--log",
                log,
                "--format",
                format,
                "--isolated",
            ];
            outputs.push((args.join(" "), run(&dir, &args)));
        }
        for format in ["human", "json"] {
            let args = [
                "print-config",
                cfg.as_str(),
                "--log",
                log,
                "--format",
                format,
                "--isolated",
            ];
            outputs.push((args.join(" "), run(&dir, &args)));
        }
        // stdin, with the file's name given
        let text = std::fs::read_to_string(dir.join(&cfg)).unwrap();
        let args = [
            "lint",
            "-",
            "--stdin-filename",
            cfg.as_str(),
            "--format",
            "json",
            "--isolated",
        ];
        let r = common::run_stdin(&dir, &args, &text);
        outputs.push((format!("stdin {cfg}"), r.stdout + &r.stderr));
    }
    for format in ["human", "json"] {
        let args = ["facts", log, "--format", format];
        outputs.push((args.join(" "), run(&dir, &args)));
    }
    // Baselines are committed next to the configs: neither the file nor its report may hold
    // a secret.
    let tmp = tempfile::tempdir().unwrap();
    let baseline = tmp.path().join("baseline.json");
    let mut args = vec!["baseline", "create", baseline.to_str().unwrap()];
    let cfgs = configs();
    args.extend(cfgs.iter().map(String::as_str));
    outputs.push(("baseline create".into(), run(&dir, &args)));
    outputs.push((
        "baseline file".into(),
        std::fs::read_to_string(&baseline).unwrap(),
    ));
    let mut failures = Vec::new();
    for (what, text) in &outputs {
        let found = leaks(text, &secrets);
        if !found.is_empty() {
            failures.push(format!("{what}: shows {found:?}"));
        }
    }
    assert!(
        failures.is_empty(),
        "secrets printed:\n{}",
        failures.join("\n")
    );
    // The runs did report on the secret-bearing lines (a test that lints nothing finds nothing).
    let all: String = outputs.iter().map(|(_, t)| t.as_str()).collect();
    assert!(all.contains("@@ "), "no --diff showed a hunk");
    for code in ["IL503", "IL001", "IL002", "IL102", "IL104"] {
        assert!(all.contains(code), "no {code} finding in any output");
    }
}

#[test]
fn baselines_do_not_depend_on_the_secret() {
    // Two files that differ only in a token's value get the same baseline: nothing in it can be
    // checked against a guessed token offline.
    let tmp = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (i, token) in ["hf_LeakOneAAAABBBBCCCCDDDD", "hf_LeakTwoEEEEFFFFGGGGHHHH"]
        .iter()
        .enumerate()
    {
        let dir = tmp.path().join(format!("c{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("invokeai.yaml"),
            format!("schema_version: 4.0.3\nremote_api_tokens: {token}\nhf_token: {token}\n"),
        )
        .unwrap();
        let out = dir.join("baseline.json");
        run(
            &dir,
            &[
                "baseline",
                "create",
                out.to_str().unwrap(),
                "invokeai.yaml",
                "--invokeai-version",
                "6.13.8",
                "--isolated",
            ],
        );
        files.push(std::fs::read_to_string(out).unwrap());
    }
    assert!(files[0].contains("IL102"), "{}", files[0]);
    assert_eq!(files[0], files[1]);
}

#[test]
fn fixing_a_file_keeps_its_secrets() {
    // Masking is for output only: `--fix` must write the real token back, not the stars.
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("invokeai.yaml");
    let text = "schema_version: 4.0.3\nremote_api_tokens:\n  - url_regex: hf.co\n    token: hf_LeakKeepIIIIJJJJKKKKLLLL\nuse_memory_db: true\n";
    std::fs::write(&path, text).unwrap();
    run(
        tmp.path(),
        &[
            "lint",
            "invokeai.yaml",
            "--invokeai-version",
            "6.13.8",
            "--fix",
            "--unsafe-fixes",
            "--isolated",
        ],
    );
    let after = std::fs::read_to_string(&path).unwrap();
    assert!(
        after.contains("token: hf_LeakKeepIIIIJJJJKKKKLLLL"),
        "{after}"
    );
    assert!(after.contains("use_memory_db: false"), "{after}");
}

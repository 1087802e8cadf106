//! Every rule has fixtures under `fixtures/rules/<rule-name>/`, run through the real binary,
//! with a snapshot of the human and the JSON output of each.
//!
//! A fixture's first line may hold `# lint-args: ...` (extra `lint` arguments); a sidecar
//! `<case>.args` file does the same for files that cannot hold a comment. `.log` files beside
//! the fixtures are logs the fixtures pass with `--log`. Case names say
//! what they must show: `fire*` must report the rule, `nofire*` must not, `unknown*` must
//! report `missing-fact` and not the rule.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn args_for(path: &Path) -> Vec<String> {
    let sidecar = path.with_extension("args");
    let text = if sidecar.exists() {
        std::fs::read_to_string(&sidecar).unwrap()
    } else {
        let bytes = std::fs::read(path).unwrap();
        let first = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        let first = String::from_utf8_lossy(first).to_string();
        match first
            .trim_start_matches('\u{feff}')
            .strip_prefix("# lint-args:")
        {
            Some(rest) => rest.to_string(),
            None => String::new(),
        }
    };
    text.split_whitespace().map(str::to_string).collect()
}

pub fn run(rel: &Path, args: &[String], format: &str) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .current_dir(root())
        .env_remove("PYTORCH_CUDA_ALLOC_CONF")
        .env("NO_COLOR", "1")
        .arg("lint")
        .arg(rel)
        .args(args)
        .args(["--format", format, "--color", "never"])
        .output()
        .expect("run invokeai-lint");
    let code = out.status.code().unwrap_or(-1);
    assert_ne!(
        code,
        101,
        "panic on {}: {}",
        rel.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let mut text = String::from_utf8(out.stdout).expect("utf-8 output");
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        text.push_str(&stderr);
    }
    (text, code)
}

fn fixtures() -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    let dir = root().join("fixtures/rules");
    for rule in std::fs::read_dir(&dir).unwrap() {
        let rule = rule.unwrap().path();
        let name = rule.file_name().unwrap().to_string_lossy().to_string();
        for f in std::fs::read_dir(&rule).unwrap() {
            let f = f.unwrap().path();
            // Sidecars: extra arguments, and logs that fixtures pass with `--log`.
            if f.extension().is_some_and(|e| e == "args" || e == "log") {
                continue;
            }
            out.push((name.clone(), f.strip_prefix(root()).unwrap().to_path_buf()));
        }
    }
    out.sort();
    out
}

#[test]
fn every_fixture_matches_its_snapshot_and_its_name() {
    let mut failures = Vec::new();
    for (rule, rel) in fixtures() {
        let case = rel.file_stem().unwrap().to_string_lossy().to_string();
        let args = args_for(&root().join(&rel));
        let (json, code) = run(&rel, &args, "json");
        let parsed: serde_json::Value = serde_json::from_str(
            json.split("\n--- stderr ---").next().unwrap(),
        )
        .unwrap_or_else(|e| panic!("{}: JSON output does not parse: {e}\n{json}", rel.display()));
        let names: Vec<&str> = parsed["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        let has = names.contains(&rule.as_str());
        if case.starts_with("fire") && !has {
            failures.push(format!("{}: expected {rule}, got {names:?}", rel.display()));
        }
        if (case.starts_with("nofire") || case.starts_with("unknown")) && has {
            failures.push(format!(
                "{}: expected no {rule}, got {names:?}",
                rel.display()
            ));
        }
        if case.starts_with("unknown") && !names.contains(&"missing-fact") {
            failures.push(format!(
                "{}: expected missing-fact, got {names:?}",
                rel.display()
            ));
        }
        let has_error = parsed["summary"]["errors"].as_u64().unwrap() > 0;
        if code != i32::from(has_error) {
            failures.push(format!(
                "{}: exit code {code} but errors={has_error}",
                rel.display()
            ));
        }
        let (human, _) = run(&rel, &args, "human");
        let snap = format!("{rule}__{case}");
        insta::with_settings!({snapshot_path => "snapshots/rules", prepend_module_to_snapshot => false, info => &args}, {
            insta::assert_snapshot!(format!("{snap}__human"), human);
            insta::assert_snapshot!(format!("{snap}__json"), json);
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_doc_and_fixtures_and_every_doc_a_rule() {
    let metas = invokeai_lint::rules::metas();
    let mut problems = Vec::new();
    for m in &metas {
        let doc = root().join("rules").join(format!("{}.md", m.name));
        match std::fs::read_to_string(&doc) {
            Ok(text) => {
                if !text.starts_with(&format!("# {} ({})", m.name, m.code)) {
                    problems.push(format!(
                        "{}: doc must start with `# {} ({})`",
                        doc.display(),
                        m.name,
                        m.code
                    ));
                }
                for section in ["## What it checks", "## Why", "## Example"] {
                    if !text.contains(section) {
                        problems.push(format!("{}: missing `{section}`", doc.display()));
                    }
                }
            }
            Err(_) => problems.push(format!("{} has no doc at {}", m.code, doc.display())),
        }
        let dir = root().join("fixtures/rules").join(m.name);
        let cases: Vec<String> = std::fs::read_dir(&dir)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().to_string())
                    .collect()
            })
            .unwrap_or_default();
        if !cases.iter().any(|c| c.starts_with("fire")) {
            problems.push(format!(
                "{} has no fire* fixture in {}",
                m.name,
                dir.display()
            ));
        }
        if m.name != "missing-fact" && !cases.iter().any(|c| c.starts_with("nofire")) {
            problems.push(format!(
                "{} has no nofire* fixture in {}",
                m.name,
                dir.display()
            ));
        }
    }
    for doc in std::fs::read_dir(root().join("rules")).unwrap() {
        let name = doc
            .unwrap()
            .file_name()
            .to_string_lossy()
            .trim_end_matches(".md")
            .to_string();
        if !metas.iter().any(|m| m.name == name) {
            problems.push(format!("rules/{name}.md documents no rule"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn readme_rule_table_is_current() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- rules:start -->")
        .expect("README has <!-- rules:start -->");
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README has <!-- rules:end -->");
    let mut table = String::from("<!-- rules:start -->\n| code | name | category | severity | fix | what it finds |\n|---|---|---|---|---|---|\n");
    for m in invokeai_lint::rules::metas() {
        table.push_str(&format!(
            "| {} | [{}](rules/{}.md) | {} | {} | {} | {} |\n",
            m.code,
            m.name,
            m.name,
            m.category.as_str(),
            m.default_severity.as_str(),
            if m.fixable { "yes" } else { "" },
            m.summary
        ));
    }
    let current = &readme[start..end];
    if current != table {
        let path = root().join("README.md");
        if std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{}{}", &readme[..start], table, &readme[end..]);
            std::fs::write(&path, new).unwrap();
        } else {
            panic!("README rule table is stale; run `UPDATE_README=1 cargo test --test rule_fixtures readme` \nexpected:\n{table}");
        }
    }
}

/// The README shows real output of its own "try it" command; this keeps it real.
#[test]
fn readme_example_output_is_current() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let start = readme
        .find("<!-- example:start -->")
        .expect("README has <!-- example:start -->");
    let end = readme
        .find("<!-- example:end -->")
        .expect("README has <!-- example:end -->");
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .current_dir(root())
        .env("NO_COLOR", "1")
        .args([
            "lint",
            "fixtures/examples/invokeai.yaml",
            "--log",
            "fixtures/examples/invokeai.log",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the example has errors");
    let text = String::from_utf8(out.stdout).unwrap();
    let block = format!(
        "<!-- example:start -->\n```text\n$ invokeai-lint lint fixtures/examples/invokeai.yaml --log fixtures/examples/invokeai.log\n{}```\n",
        text
    );
    if readme[start..end] != block {
        if std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{}{}", &readme[..start], block, &readme[end..]);
            std::fs::write(root().join("README.md"), new).unwrap();
        } else {
            panic!("README example is stale; run `UPDATE_README=1 cargo test --test rule_fixtures readme`");
        }
    }
}

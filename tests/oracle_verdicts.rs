//! Replays the differential oracle's recorded verdicts (fixtures/oracle/, written by
//! `python3 scripts/oracle/run.py --all --record`) through the built binary; no Python needed.
//!
//! The contract (docs/oracle.md): the linter reports an error-severity finding of a load-time rule
//! (IL0xx, IL1xx) for a file and release if and only if that InvokeAI release refuses to start
//! with the file or ignores the file whole. Every recorded case must keep that contract, except
//! those in `KNOWN_DIFFERENCES`; a known difference that now agrees fails the test until it is
//! removed from the list, so the list is always the exact set of open disagreements.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

/// (case name, release, why the linter disagrees today). Rewritten by `run.py --record`.
#[rustfmt::skip]
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    // oracle:known-differences:begin
    ("v3-value-8a576962", "3.0.0", "false-error: InvokeAI 3.0.0 accept; `host: ${oc.env:HOME}` resolves because the oracle runs with HOME set; IL113 cannot see the environment (docs/oracle.md: what no harness can model)"),
    ("v3-value-8a576962", "3.0.2", "false-error: InvokeAI 3.0.2 accept; `host: ${oc.env:HOME}` resolves because the oracle runs with HOME set; IL113 cannot see the environment (docs/oracle.md: what no harness can model)"),
    ("v3-value-8a576962", "3.4.0", "false-error: InvokeAI 3.4.0 accept; `host: ${oc.env:HOME}` resolves because the oracle runs with HOME set; IL113 cannot see the environment (docs/oracle.md: what no harness can model)"),
    ("v3-value-8a576962", "3.5.1", "false-error: InvokeAI 3.5.1 accept; `host: ${oc.env:HOME}` resolves because the oracle runs with HOME set; IL113 cannot see the environment (docs/oracle.md: what no harness can model)"),
    ("v3-value-8a576962", "3.6.3", "false-error: InvokeAI 3.6.3 accept; `host: ${oc.env:HOME}` resolves because the oracle runs with HOME set; IL113 cannot see the environment (docs/oracle.md: what no harness can model)"),
    // oracle:known-differences:end
];

struct Case {
    name: String,
    release: String,
    locale: String,
    invokeai: String,
    exception: String,
}

fn oracle_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/oracle")
}

fn cases() -> Vec<Case> {
    let text = std::fs::read_to_string(oracle_dir().join("cases.json")).expect("read cases.json");
    let entries: Vec<Value> = serde_json::from_str(&text).expect("cases.json is a JSON list");
    entries
        .iter()
        .map(|e| {
            let field = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            Case {
                name: field("name"),
                release: field("release"),
                locale: field("locale"),
                invokeai: field("invokeai"),
                exception: field("exception"),
            }
        })
        .collect()
}

fn config_path(name: &str) -> PathBuf {
    oracle_dir().join("configs").join(format!("{name}.yaml"))
}

/// For each file linted at `release`: does the linter report a load-time error?
fn linter_errors(release: &str, names: &BTreeSet<&str>) -> BTreeMap<String, Vec<String>> {
    let files: Vec<PathBuf> = names.iter().map(|n| config_path(n)).collect();
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .arg("lint")
        .args(&files)
        .args([
            "--invokeai-version",
            release,
            "--isolated",
            "--no-inline-suppressions",
        ])
        .args(["--format", "json", "--color", "never"])
        .env("NO_COLOR", "1")
        .output()
        .expect("run invokeai-lint");
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 1,
        "invokeai-lint exited {code} for {release}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut by_file: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for name in names {
        by_file.insert((*name).to_owned(), Vec::new());
    }
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        let rule = d["rule"].as_str().unwrap_or_default();
        let load_time = rule.starts_with("IL0") || rule.starts_with("IL1");
        if !load_time || d["severity"] != "error" {
            continue;
        }
        let file = PathBuf::from(d["file"].as_str().unwrap_or_default());
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        if let Some(rules) = by_file.get_mut(name) {
            rules.push(rule.to_owned());
        }
    }
    by_file
}

#[test]
fn recorded_verdicts_keep_the_severity_contract() {
    let cases = cases();
    let compared: Vec<&Case> = cases.iter().filter(|c| c.locale == "utf-8").collect();
    let mut by_release: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for c in &compared {
        by_release.entry(&c.release).or_default().insert(&c.name);
    }
    let verdicts: BTreeMap<&str, BTreeMap<String, Vec<String>>> = by_release
        .iter()
        .map(|(release, names)| (*release, linter_errors(release, names)))
        .collect();
    let known: BTreeSet<(&str, &str)> =
        KNOWN_DIFFERENCES.iter().map(|(n, r, _)| (*n, *r)).collect();
    let mut wrong = Vec::new();
    let mut stale = Vec::new();
    for c in &compared {
        let rules = &verdicts[c.release.as_str()][&c.name];
        let invokeai_error = c.invokeai != "accept";
        let linter_error = !rules.is_empty();
        let agrees = invokeai_error == linter_error;
        let listed = known.contains(&(c.name.as_str(), c.release.as_str()));
        if !agrees && !listed {
            wrong.push(format!(
                "{} @ {}: InvokeAI {} ({}), linter load-time errors {:?}",
                c.name, c.release, c.invokeai, c.exception, rules
            ));
        }
        if agrees && listed {
            stale.push(format!("{} @ {}", c.name, c.release));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} recorded verdicts disagree with the linter (fix the linter, or list them in KNOWN_DIFFERENCES with a reason):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
    assert!(
        stale.is_empty(),
        "these known differences now agree; remove them from KNOWN_DIFFERENCES:\n{}",
        stale.join("\n")
    );
}

#[test]
fn known_differences_name_recorded_cases() {
    let cases = cases();
    let recorded: BTreeSet<(&str, &str)> = cases
        .iter()
        .filter(|c| c.locale == "utf-8")
        .map(|c| (c.name.as_str(), c.release.as_str()))
        .collect();
    for (name, release, reason) in KNOWN_DIFFERENCES {
        assert!(
            recorded.contains(&(*name, *release)),
            "KNOWN_DIFFERENCES names {name} @ {release}, which is not a recorded UTF-8 case"
        );
        assert!(
            !reason.trim().is_empty(),
            "{name} @ {release} needs a reason"
        );
    }
}

#[test]
fn recorded_set_is_complete_and_well_formed() {
    let cases = cases();
    assert!(cases.len() >= 50, "only {} recorded cases", cases.len());
    let verdicts: BTreeSet<&str> = cases.iter().map(|c| c.invokeai.as_str()).collect();
    for v in ["accept", "refuse", "ignored"] {
        assert!(
            verdicts.contains(v),
            "no recorded case where InvokeAI says {v}"
        );
    }
    let locales: BTreeSet<&str> = cases.iter().map(|c| c.locale.as_str()).collect();
    assert_eq!(locales, BTreeSet::from(["cp1252", "gbk", "utf-8"]));
    for c in &cases {
        assert!(
            matches!(c.invokeai.as_str(), "accept" | "refuse" | "ignored"),
            "{}: unknown verdict {}",
            c.name,
            c.invokeai
        );
        assert!(
            config_path(&c.name).is_file(),
            "{}: config file missing",
            c.name
        );
        assert!(
            c.invokeai == "accept" || !c.exception.is_empty(),
            "{} @ {}: a refusal without InvokeAI's exception text",
            c.name,
            c.release
        );
    }
    for entry in std::fs::read_dir(oracle_dir().join("migrations")).expect("migrations folder") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read migration dump");
        let dump: Value = serde_json::from_str(&text).expect("migration dump is JSON");
        assert!(
            dump.get("settings").is_some() || dump.get("refused").is_some(),
            "{}: neither settings nor refused",
            path.display()
        );
    }
}

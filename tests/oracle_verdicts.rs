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
    ("alias-value-f7a357d9", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host, ssl_keyfile; linter: no load-time error"),
    ("alias-value-f7a357d9", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host, ssl_keyfile; linter: no load-time error"),
    ("allow-origins-string-46d27382", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, allow_origins; linter: no load-time error"),
    ("allow-origins-string-46d27382", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, allow_origins; linter: no load-time error"),
    ("attention-slice-true-61dd5bd1", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, attention_slice_size; linter: no load-time error"),
    ("attention-slice-true-61dd5bd1", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, attention_slice_size; linter: no load-time error"),
    ("binary-tag-7619f22a", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("binary-tag-7619f22a", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("bom-3c002c85", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: device_working_mem_gb; linter: no load-time error"),
    ("bom-3c002c85", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: device_working_mem_gb; linter: no load-time error"),
    ("bom-7afe0da7", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("bom-flat-08e3efb5", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("bom-flat-08e3efb5", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("bom-zh-comment-e2ffe1d3", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, enable_partial_loading; linter: no load-time error"),
    ("bom-zh-comment-e2ffe1d3", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, enable_partial_loading; linter: no load-time error"),
    ("custom-tag-b2fd1fe9", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (unreadable): ConstructorError: could not determine a constructor for the tag '!port'; linter: no load-time error"),
    ("custom-tag-b2fd1fe9", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (unreadable): ConstructorError: could not determine a constructor for the tag '!port'; linter: no load-time error"),
    ("custom-tag-b2fd1fe9", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: ConstructorError: could not determine a constructor for the tag '!port'; linter: no load-time error"),
    ("int-key-0355fde2", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, 1; linter: no load-time error"),
    ("int-key-0355fde2", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, 1; linter: no load-time error"),
    ("key-without-value-9e803dfd", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, max_cache_ram_gb; linter: no load-time error"),
    ("key-without-value-9e803dfd", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, max_cache_ram_gb; linter: no load-time error"),
    ("merge-key-28417f2f", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: port, schema_version, base; linter: no load-time error"),
    ("merge-key-28417f2f", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: port, schema_version, base; linter: no load-time error"),
    ("merge-key-only-897075ba", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: port, host, schema_version; linter: no load-time error"),
    ("merge-key-only-897075ba", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: port, host, schema_version; linter: no load-time error"),
    ("merge-key-only-897075ba", "5.9.1", "false-error: InvokeAI 5.9.1 accept; linter: IL101"),
    ("no-schema-lowvram-645ec377", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: enable_partial_loading; linter: no load-time error"),
    ("no-schema-lowvram-645ec377", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: enable_partial_loading; linter: no load-time error"),
    ("null-key-de289f73", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (unreadable): KeyValidationError: Incompatible key type 'NoneType'; linter: no load-time error"),
    ("null-key-de289f73", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (unreadable): KeyValidationError: Incompatible key type 'NoneType'; linter: no load-time error"),
    ("only-schema-8e8f6d9c", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version; linter: no load-time error"),
    ("only-schema-8e8f6d9c", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version; linter: no load-time error"),
    ("port-leading-space-b1c0757f", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, port; linter: no load-time error"),
    ("port-leading-space-b1c0757f", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, port; linter: no load-time error"),
    ("python-tag-76bd78f2", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (unreadable): ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:python/int'; linter: no load-time error"),
    ("python-tag-76bd78f2", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (unreadable): ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:python/int'; linter: no load-time error"),
    ("python-tag-76bd78f2", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: ConstructorError: could not determine a constructor for the tag 'tag:yaml.org,2002:python/int'; linter: no load-time error"),
    ("quoted-key-space-c51abc1d", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, port; linter: no load-time error"),
    ("quoted-key-space-c51abc1d", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, port; linter: no load-time error"),
    ("remote-token-bad-regex-f45d7d1b", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, remote_api_tokens; linter: no load-time error"),
    ("remote-token-bad-regex-f45d7d1b", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, remote_api_tokens; linter: no load-time error"),
    ("remote-token-no-token-b8a80dad", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, remote_api_tokens; linter: no load-time error"),
    ("remote-token-no-token-b8a80dad", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, remote_api_tokens; linter: no load-time error"),
    ("schema-float-033bd5e8", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("schema-float-033bd5e8", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, host; linter: no load-time error"),
    ("schema-int-d0f8c69e", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version; linter: no load-time error"),
    ("schema-int-d0f8c69e", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version; linter: no load-time error"),
    ("seed-6a46532f", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("seed-c580586e", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: device_working_mem_gb; linter: no load-time error"),
    ("seed-c580586e", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: device_working_mem_gb; linter: no load-time error"),
    ("v3-bool-string-cf933237", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-bool-string-cf933237", "3.6.2", "false-error: InvokeAI 3.6.2 accept; linter: IL102"),
    ("v3-env-unset-c6f57722", "3.0.0", "missed-error: InvokeAI 3.0.0 refuse: InterpolationResolutionError: KeyError raised while resolving interpolation: \"Environment variable 'INVOKEAI_ORACLE_UNSET' not found\"; linter: no load-time error"),
    ("v3-env-unset-c6f57722", "3.6.2", "missed-error: InvokeAI 3.6.2 refuse: InterpolationResolutionError: KeyError raised while resolving interpolation: \"Environment variable 'INVOKEAI_ORACLE_UNSET' not found\"; linter: no load-time error"),
    ("v3-host-int-198f6e32", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-invokeai-list-659afa76", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: AttributeError: 'list' object has no attribute 'items'; linter: no load-time error"),
    ("v3-invokeai-null-4d2d43ae", "3.0.0", "missed-error: InvokeAI 3.0.0 refuse: TypeError: argument of type 'NoneType' is not iterable; linter: no load-time error"),
    ("v3-invokeai-null-4d2d43ae", "3.6.2", "missed-error: InvokeAI 3.6.2 refuse: TypeError: argument of type 'NoneType' is not iterable; linter: no load-time error"),
    ("v3-invokeai-null-4d2d43ae", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: AttributeError: 'NoneType' object has no attribute 'items'; linter: no load-time error"),
    ("v3-invokeai-scalar-51e870d9", "3.0.0", "missed-error: InvokeAI 3.0.0 refuse: TypeError: argument of type 'int' is not iterable; linter: no load-time error"),
    ("v3-invokeai-scalar-51e870d9", "3.6.2", "missed-error: InvokeAI 3.6.2 refuse: TypeError: argument of type 'int' is not iterable; linter: no load-time error"),
    ("v3-invokeai-scalar-51e870d9", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: AttributeError: 'int' object has no attribute 'items'; linter: no load-time error"),
    ("v3-key-other-section-06fa2b6a", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-key-other-section-06fa2b6a", "3.6.2", "false-error: InvokeAI 3.6.2 accept; linter: IL102"),
    ("v3-list-string-10949173", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-lowercase-top-d731daca", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: invokeai; linter: no load-time error"),
    ("v3-lowercase-top-d731daca", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: invokeai; linter: no load-time error"),
    ("v3-max-cache-zero-33eb0b79", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: RuntimeError: Failed to load and migrate v3 config file <root>/invokeai.yaml: 1 validation error for DefaultInvokeAIAppConfig / ram: Input should be greater than 0 [type=greater_than, input_value=0.0, input_type=float]; linter: no load-time error"),
    ("v3-null-dirs-7cc77641", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-outdir-zero-3a8e3877", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-outdir-zero-3a8e3877", "5.9.1", "missed-error: InvokeAI 5.9.1 refuse: RuntimeError: Failed to load and migrate v3 config file <root>/invokeai.yaml: 1 validation error for DefaultInvokeAIAppConfig / outputs_dir: Input is not a valid path [type=path_type, input_value=0, input_type=int]; linter: no load-time error"),
    ("v3-port-float-a8a66f6c", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("v3-ram-under-web-server-485db621", "3.6.2", "false-error: InvokeAI 3.6.2 accept; linter: IL103"),
    ("v3-section-empty-ead4a88f", "3.0.0", "missed-error: InvokeAI 3.0.0 refuse: TypeError: argument of type 'NoneType' is not iterable; linter: no load-time error"),
    ("v3-section-empty-ead4a88f", "3.6.2", "missed-error: InvokeAI 3.6.2 refuse: TypeError: argument of type 'NoneType' is not iterable; linter: no load-time error"),
    ("v3-section-scalar-5928a960", "3.0.0", "missed-error: InvokeAI 3.0.0 refuse: TypeError: argument of type 'int' is not iterable; linter: no load-time error"),
    ("v3-section-scalar-5928a960", "3.6.2", "missed-error: InvokeAI 3.6.2 refuse: TypeError: argument of type 'int' is not iterable; linter: no load-time error"),
    ("windows-path-single-quoted-0602ec22", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, models_dir; linter: no load-time error"),
    ("windows-path-single-quoted-0602ec22", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, models_dir; linter: no load-time error"),
    ("zh-comment-utf8-9a5a8984", "3.0.0", "false-error: InvokeAI 3.0.0 accept; linter: IL102"),
    ("zh-comment-utf8-e197c2e4", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: enable_partial_loading; linter: no load-time error"),
    ("zh-comment-utf8-e197c2e4", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: enable_partial_loading; linter: no load-time error"),
    ("zh-value-utf8-120d4ec5", "3.0.0", "missed-error: InvokeAI 3.0.0 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, outputs_dir; linter: no load-time error"),
    ("zh-value-utf8-120d4ec5", "3.6.2", "missed-error: InvokeAI 3.6.2 ignored (no-invokeai-section): no top-level InvokeAI: key; top-level keys: schema_version, outputs_dir; linter: no load-time error"),
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

//! Every output format rendered from one set of findings.
//!
//! The fixture covers what the renderers must get right: a failing file (an error
//! with help and a related place in the same file, a warning, an info), a clean
//! file, a parse error at one character, a finding whose related place is a log
//! line (a snippet that starts at line 23), multi-byte UTF-8 before a span, a fix
//! with two edits, and a skipped file.

#[path = "report_formats/fixture.rs"]
mod fixture;

use invokeai_lint::diagnostic::{Diagnostic, Location, Severity};
use invokeai_lint::report::{self, human, Format, Report};
use invokeai_lint::source::{SourceFile, Span};

use fixture::{at, diagnostics, report, report_with, BAD, DEPRECATED_KEY, YAML_SYNTAX};

fn render(report: &Report, format: Format) -> String {
    let mut out = Vec::new();
    report::render(report, format, false, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

fn render_human(report: &Report, color: bool) -> String {
    let mut out = Vec::new();
    let style = human::Style {
        color,
        width: 100,
        fit: false,
    };
    human::render(report, &style, &mut out).expect("render");
    String::from_utf8(out).expect("utf-8")
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

// ---- snapshots -------------------------------------------------------------

#[test]
fn human_snapshot() {
    insta::assert_snapshot!(render_human(&report(), false));
}

#[test]
fn human_color_snapshot() {
    let text = render_human(&report(), true);
    assert!(text.contains("\x1b["), "colour output has ANSI styles");
    // The rule code links to its doc.
    assert!(text.contains(
        "\x1b]8;;https://github.com/invokeai-lint/invokeai-lint/blob/main/rules/duplicate-key.md\x1b\\"
    ));
    insta::assert_snapshot!(text);
}

#[test]
fn concise_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Concise));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Json));
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Sarif));
}

#[test]
fn github_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Github));
}

#[test]
fn gitlab_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Gitlab));
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!(render(&report(), Format::Junit));
}

// ---- human -----------------------------------------------------------------

#[test]
fn human_without_color_writes_no_escape_sequences() {
    let text = render_human(&report(), false);
    assert!(!text.contains('\x1b'), "{text}");
    // The docs URL is still there, as plain text.
    assert!(text.contains(
        "(https://github.com/invokeai-lint/invokeai-lint/blob/main/rules/duplicate-key.md)"
    ));
}

#[test]
fn human_numbers_log_lines_as_the_log_does() {
    let text = render_human(&report(), false);
    assert!(text.contains("[invokeai.log:23:1]"), "{text}");
    assert!(text.contains(" 23 │ [2024-11-20 10:02:11,448]"), "{text}");
}

#[test]
fn human_columns_count_characters_after_multibyte_text() {
    let text = render_human(&report(), false);
    // `outputs_dir: "D:输出` is 18 characters; the backslash is the 19th.
    assert!(text.contains("[configs/unicode.yaml:2:19]"), "{text}");
}

#[test]
fn human_summary_closes_the_report() {
    let text = render_human(&report(), false);
    assert!(text.ends_with(
        "Found 3 errors, 2 warnings, 1 info in 5 files (linted against InvokeAI 5.9.1, from --invokeai-version); 1 fixable with --fix\n"
    ));
    let clean = report_with(Vec::new());
    assert_eq!(
        render_human(&clean, false),
        "All 5 files clean (linted against InvokeAI 5.9.1, from --invokeai-version)\n"
    );
}

#[test]
fn human_survives_spans_at_and_past_the_end_and_empty_files() {
    let empty = SourceFile::new("empty.yaml", "");
    let tail = SourceFile::new("tail.yaml", "a: 1\r\n");
    let diags = vec![
        Diagnostic::new(
            &YAML_SYNTAX,
            Location::new(&empty, Span::new(0, 0)),
            "empty",
        ),
        Diagnostic::new(
            &YAML_SYNTAX,
            Location::new(&tail, Span::new(6, 6)),
            "at the end",
        ),
        Diagnostic::new(
            &YAML_SYNTAX,
            Location::new(&tail, Span::new(90, 99)),
            "past the end",
        ),
    ];
    let text = render_human(&report_with(diags), false);
    assert!(!text.contains("Failed to read"), "{text}");
    // Both land on the last drawn line, after `a: 1`.
    assert_eq!(text.matches("[tail.yaml:1:5]").count(), 2, "{text}");
    assert_eq!(text.matches(" 1 │ a: 1").count(), 2, "{text}");
}

// ---- concise ----------------------------------------------------------------

#[test]
fn concise_is_one_line_per_finding_plus_summary() {
    let text = render(&report(), Format::Concise);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 7);
    assert_eq!(
        lines[5],
        "configs/unicode.yaml:2:19: warning[TS010] [fix] `\\i` in a double-quoted string is not a valid YAML escape"
    );
}

// ---- json -------------------------------------------------------------------

fn keys(v: &serde_json::Value) -> Vec<&str> {
    let mut k: Vec<&str> = v
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    k.sort_unstable();
    k
}

fn sorted(mut k: Vec<&str>) -> Vec<&str> {
    k.sort_unstable();
    k
}

#[test]
fn json_has_exactly_the_contract_keys() {
    let v = json(&render(&report(), Format::Json));
    assert_eq!(
        keys(&v),
        sorted(vec![
            "version",
            "target",
            "diagnostics",
            "summary",
            "skipped"
        ])
    );
    assert_eq!(v["version"], 1);
    assert_eq!(
        keys(&v["target"]),
        sorted(vec!["invokeai_version", "source"])
    );
    assert_eq!(v["target"]["invokeai_version"], "5.9.1");
    assert_eq!(v["target"]["source"], "flag");
    assert_eq!(
        keys(&v["summary"]),
        sorted(vec!["files", "errors", "warnings", "infos"])
    );
    assert_eq!(v["summary"]["files"], 5);
    assert_eq!(v["summary"]["errors"], 3);
    assert_eq!(keys(&v["skipped"][0]), sorted(vec!["file", "reason"]));

    let diags = v["diagnostics"].as_array().expect("array");
    assert_eq!(diags.len(), 6);
    let diag_keys = sorted(vec![
        "rule",
        "name",
        "severity",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "key",
        "message",
        "help",
        "related",
        "fix",
    ]);
    for d in diags {
        assert_eq!(keys(d), diag_keys);
    }
    // A finding without key, help, related or fix still has the keys, as null or [].
    let parse_error = &diags[3];
    assert_eq!(parse_error["rule"], "TS001");
    assert!(parse_error["key"].is_null() && parse_error["help"].is_null());
    assert!(parse_error["fix"].is_null());
    assert_eq!(parse_error["related"], serde_json::json!([]));
    assert_eq!(
        (parse_error["line"].as_u64(), parse_error["column"].as_u64()),
        (Some(2), Some(12))
    );
    assert_eq!(parse_error["end_column"], 13);

    let logged = &diags[4];
    assert_eq!(
        keys(&logged["related"][0]),
        sorted(vec!["file", "line", "column", "message"])
    );
    assert_eq!(logged["related"][0]["file"], "invokeai.log");
    assert_eq!(logged["related"][0]["line"], 23);

    let fixed = &diags[5];
    assert_eq!(
        keys(&fixed["fix"]),
        sorted(vec!["description", "applicability", "edits"])
    );
    assert_eq!(fixed["fix"]["applicability"], "safe");
    let edit = &fixed["fix"]["edits"][1];
    assert_eq!(
        keys(edit),
        sorted(vec![
            "line",
            "column",
            "end_line",
            "end_column",
            "replacement"
        ])
    );
    // The closing quote after `D:输出\images`: columns count characters.
    assert_eq!(
        (edit["column"].as_u64(), edit["end_column"].as_u64()),
        (Some(26), Some(27))
    );
}

#[test]
fn json_keeps_the_contract_key_order() {
    let text = render(&report(), Format::Json);
    let order = [
        "\"version\"",
        "\"target\"",
        "\"diagnostics\"",
        "\"summary\"",
        "\"skipped\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| text.find(k).expect(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
    let d = &text[text.find("\"rule\"").expect("rule")..];
    let order = [
        "\"rule\"",
        "\"name\"",
        "\"severity\"",
        "\"file\"",
        "\"line\"",
        "\"column\"",
        "\"end_line\"",
        "\"end_column\"",
        "\"key\"",
        "\"message\"",
        "\"help\"",
        "\"related\"",
        "\"fix\"",
    ];
    let positions: Vec<usize> = order.iter().map(|k| d.find(k).expect(k)).collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]), "{positions:?}");
}

// ---- github -----------------------------------------------------------------

#[test]
fn github_escapes_data_and_properties() {
    let src = SourceFile::new("we,ird:name.yaml", "ram: 50%\n");
    let d = Diagnostic::new(
        &DEPRECATED_KEY,
        at(&src, "50%", 0),
        "100% sure\r\nsecond line",
    )
    .help("a: b, c");
    let mut r = report_with(vec![d]);
    r.skipped.clear();
    assert_eq!(
        render(&r, Format::Github),
        "::warning file=we%2Cird%3Aname.yaml,line=1,col=6,endLine=1,endColumn=9,title=TS102 deprecated-key\
         ::100%25 sure%0D%0Asecond line%0Ahelp: a: b, c\n"
    );
}

#[test]
fn github_leaves_out_columns_for_a_multiline_span() {
    let src = SourceFile::new("a.yaml", "a:\n  - 1\n");
    let d = Diagnostic::new(&YAML_SYNTAX, Location::new(&src, Span::new(0, 8)), "m");
    let text = render(&report_with(vec![d]), Format::Github);
    assert!(
        text.starts_with("::error file=a.yaml,line=1,endLine=2,title=TS001 yaml-syntax::m"),
        "{text}"
    );
}

// ---- fingerprints -----------------------------------------------------------

fn sarif_fingerprint(v: &serde_json::Value, i: usize) -> String {
    v["runs"][0]["results"][i]["partialFingerprints"]["invokeaiLint/v1"]
        .as_str()
        .expect("fingerprint")
        .to_string()
}

#[test]
fn fingerprints_survive_a_blank_line_above_the_finding() {
    let moved = BAD.replacen("host:", "\nhost:", 1);
    let before = report();
    let after = report_with(diagnostics(&SourceFile::new("configs/bad.yaml", moved)));

    let (a, b) = (
        json(&render(&before, Format::Sarif)),
        json(&render(&after, Format::Sarif)),
    );
    for i in 0..3 {
        let line = |v: &serde_json::Value| {
            v["runs"][0]["results"][i]["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
        };
        assert_eq!(
            line(&a).map(|l| l + 1),
            line(&b),
            "result {i} moved down a line"
        );
        assert_eq!(sarif_fingerprint(&a, i), sarif_fingerprint(&b, i));
    }
    let (a, b) = (
        json(&render(&before, Format::Gitlab)),
        json(&render(&after, Format::Gitlab)),
    );
    assert_eq!(a[2]["fingerprint"], b[2]["fingerprint"]);
    assert_ne!(
        a[2]["location"]["lines"]["begin"],
        b[2]["location"]["lines"]["begin"]
    );
}

#[test]
fn fingerprints_differ_between_findings_even_when_alike() {
    let src = SourceFile::new("a.yaml", "ram: 1\nram: 1\n");
    let d = |n| Diagnostic::new(&DEPRECATED_KEY, at(&src, "ram", n), "m").key("ram");
    let prints = report::fingerprints(&[d(0), d(1)]);
    assert_ne!(prints[0], prints[1]);

    let all = report::fingerprints(&report().diagnostics);
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), all.len());
}

// ---- sarif ------------------------------------------------------------------

/// The SARIF 2.1.0 schema: `SARIF_SCHEMA`, else the shared folder beside the repo,
/// else its usual place on the development machines.
fn sarif_schema() -> Option<std::path::PathBuf> {
    let candidates = [
        std::env::var_os("SARIF_SCHEMA").map(std::path::PathBuf::from),
        Some(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/schemas/sarif-schema-2.1.0.json"),
        ),
        Some("/work/shared/schemas/sarif-schema-2.1.0.json".into()),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

fn fix_language_patterns(v: &mut serde_json::Value) {
    const BAD: &str = "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$";
    match v {
        serde_json::Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if k == "pattern" && child == BAD {
                    *child = "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$".into();
                } else {
                    fix_language_patterns(child);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(fix_language_patterns),
        _ => {}
    }
}

#[test]
fn sarif_validates_against_the_schema() {
    let Some(path) = sarif_schema() else {
        eprintln!(
            "SARIF schema not found (set SARIF_SCHEMA to sarif-schema-2.1.0.json); not validating"
        );
        return;
    };
    let mut schema = json(&std::fs::read_to_string(&path).expect("read schema"));
    // The published 2.1.0 schema has a stray `]` in its `language` patterns, which
    // the validator rightly refuses to compile; put in the pattern the spec's prose
    // means (`en` or `en-US`). invokeai-lint never writes `language`.
    fix_language_patterns(&mut schema);
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let sarif = json(&render(&report(), Format::Sarif));
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The validator does catch a broken log.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

#[test]
fn sarif_lists_rules_and_points_results_at_them() {
    let v = json(&render(&report(), Format::Sarif));
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "invokeai-lint");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
    for result in run["results"].as_array().expect("results") {
        let index = result["ruleIndex"].as_u64().expect("index") as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
    }
    let info = &run["results"][0];
    assert_eq!(info["level"], "note");
    let related = &run["results"][4]["relatedLocations"][0]["physicalLocation"];
    assert_eq!(related["artifactLocation"]["uri"], "invokeai.log");
    assert_eq!(related["region"]["startLine"], 23);
    assert_eq!(run["invocations"][0]["executionSuccessful"], false);
}

// ---- junit ------------------------------------------------------------------

#[test]
fn junit_counts_match_the_cases() {
    let mut at_warning = report();
    at_warning.fail_on = Severity::Warning;
    let text = render(&at_warning, Format::Junit);
    // 6 findings, a passing case for the clean file, an error case for the skipped one.
    assert_eq!(text.matches("<testcase ").count(), 8);
    assert!(text.contains(r#"<testsuites name="invokeai-lint" tests="8" failures="5" errors="1">"#));
    assert!(text.contains(
        r#"<testcase name="lint" classname="configs/clean.yaml" file="configs/clean.yaml"/>"#
    ));
    // Infos pass: they do not turn a test report red.
    assert_eq!(text.matches("<failure ").count(), 5);
    assert_eq!(text.matches("<system-out>").count(), 1);
    // With the default --fail-on error only errors fail, as only they fail the run.
    let report = report();
    let errors = report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let text = render(&report, Format::Junit);
    assert_eq!(text.matches("<failure ").count(), errors);
    assert_eq!(text.matches("<system-out>").count(), 6 - errors);
    assert!(text.contains(&format!(r#"failures="{errors}""#)));
}

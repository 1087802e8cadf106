//! Tests of reading and applying suppressions.

use std::sync::Arc;

use super::*;
use crate::diagnostic::{Diagnostic, Location};
use crate::rules;
use crate::rules::unused_suppression::META as UNUSED;
use crate::source::SourceFile;

fn codes(s: &Suppressions) -> Vec<(Scope, Vec<String>)> {
    s.directives
        .iter()
        .map(|d| (d.scope, d.rules.iter().map(|r| r.text.clone()).collect()))
        .collect()
}

#[test]
fn end_of_line_and_line_above_forms() {
    let text = "a: 1 # invokeai-lint: disable=unknown-key -- fork\n\
                # invokeai-lint: disable=IL102,IL103\n\
                \n\
                # another comment\n\
                b: 2\n\
                # invokeai-lint: disable-file=deprecated-key\n";
    let s = parse(text);
    assert_eq!(s.malformed, vec![]);
    assert_eq!(
        codes(&s),
        vec![
            (Scope::Line { target: Some(1) }, vec!["unknown-key".into()]),
            (
                Scope::Line { target: Some(5) },
                vec!["IL102".into(), "IL103".into()]
            ),
            (Scope::File, vec!["deprecated-key".into()]),
        ]
    );
    assert_eq!(s.directives[0].reason.as_deref(), Some("fork"));
    assert_eq!(s.directives[1].reason, None);
    let r = &s.directives[0].rules[0];
    assert_eq!(&text[r.span.start..r.span.end], "unknown-key");
    assert_eq!(r.meta.map(|m| m.code), Some("IL101"));
}

#[test]
fn hashes_in_quotes_and_block_scalars_are_not_comments() {
    let text = "a: '# invokeai-lint: disable=IL101'\n\
                b: \"x \\\" # invokeai-lint: disable=IL101\"\n\
                c: |\n  # invokeai-lint: disable=IL101\n  more\n\
                d: x#invokeai-lint: disable=IL101\n\
                e: it's # invokeai-lint: disable=IL102\n\
                f: 'it''s' # invokeai-lint: disable=IL103\n\
                g: \"two\n  lines # invokeai-lint: disable=IL104\"\n";
    let s = parse(text);
    assert_eq!(
        codes(&s),
        vec![
            (Scope::Line { target: Some(7) }, vec!["IL102".into()]),
            (Scope::Line { target: Some(8) }, vec!["IL103".into()]),
        ]
    );
}

#[test]
fn a_line_above_at_the_end_targets_nothing() {
    let s = parse("a: 1\n# invokeai-lint: disable=IL101\n\n");
    assert_eq!(s.directives[0].scope, Scope::Line { target: None });
}

#[test]
fn malformed_comments_are_kept_with_a_reason() {
    let s = parse(
        "# invokeai-lint: enable=IL101\n\
         # invokeai-lint: disable IL101\n\
         # invokeai-lint: disable=\n\
         # invokeai-lint: disable=IL101 because\n\
         # invokeai-lint:disable=IL101,,IL102\n",
    );
    let msgs: Vec<&str> = s.malformed.iter().map(|m| m.message.as_str()).collect();
    assert_eq!(msgs.len(), 5, "{msgs:?}");
    assert!(msgs[0].contains("found `enable`"));
    assert!(msgs[1].contains("expected `=`"));
    assert!(msgs[2].contains("expected rule names"));
    assert!(msgs[3].contains("reason after ` -- `"));
    assert!(msgs[4].contains("empty rule name"));
}

#[test]
fn files_without_the_marker_cost_nothing() {
    assert_eq!(parse("a: 1 # just a comment\n"), Suppressions::default());
}

fn finding(src: &Arc<SourceFile>, meta: &'static RuleMeta, line: u32) -> Diagnostic {
    Diagnostic::new(
        meta,
        Location::new(src, src.line_span(u64::from(line)).unwrap()),
        "x",
    )
}

fn meta(name: &str) -> &'static RuleMeta {
    rules::find(name).unwrap()
}

#[test]
fn apply_silences_matching_findings_and_reports_the_rest() {
    let text = "a: 1 # invokeai-lint: disable=unknown-key,wrong-type\n\
                # invokeai-lint: disable=nope-rule\n\
                b: 2\n\
                # invokeai-lint: disable-file=deprecated-key\n\
                # invokeai-lint: bogus\n";
    let src = SourceFile::new("invokeai.yaml", text);
    let sup = parse(text);
    let diags = vec![
        finding(&src, meta("unknown-key"), 1),
        finding(&src, meta("unknown-key"), 3),
        finding(&src, meta("deprecated-key"), 3),
    ];
    let out = apply(&sup, &src, diags);
    assert_eq!(out.suppressed, 2);
    assert_eq!(out.kept.len(), 1);
    assert_eq!(out.kept[0].location.start().line, 3);
    let msgs: Vec<String> = out
        .unused
        .iter()
        .map(|d| format!("{}:{}", d.location.start().line, d.message))
        .collect();
    assert_eq!(
        msgs,
        vec![
            "5:unreadable suppression comment: expected `disable=<rule>` or `disable-file=<rule>`, found `bogus`",
            "1:unused suppression: no `wrong-type` finding on line 1",
            "2:suppression names an unknown rule `nope-rule`; `invokeai-lint rules` lists them",
        ]
    );
    assert!(out.unused.iter().all(|d| d.code == UNUSED.code));
}

#[test]
fn unused_suppression_can_itself_be_suppressed() {
    let text = "a: 1 # invokeai-lint: disable=wrong-type,unused-suppression\n";
    let src = SourceFile::new("invokeai.yaml", text);
    let out = apply(&parse(text), &src, vec![]);
    assert!(out.unused.is_empty(), "{:?}", out.unused);

    let text =
        "# invokeai-lint: disable-file=unused-suppression\na: 1 # invokeai-lint: disable=IL102\n";
    let src = SourceFile::new("invokeai.yaml", text);
    let out = apply(&parse(text), &src, vec![]);
    assert!(out.unused.is_empty(), "{:?}", out.unused);
}

#[test]
fn findings_in_other_files_need_a_file_wide_suppression() {
    let text =
        "a: 1 # invokeai-lint: disable=log-oom\n# invokeai-lint: disable-file=version-conflict\n";
    let src = SourceFile::new("invokeai.yaml", text);
    let log = SourceFile::snippet("invokeai.log", "OOM\n", 1);
    let diags = vec![
        finding(&log, meta("log-oom"), 1),
        finding(&log, meta("version-conflict"), 1),
    ];
    let out = apply(&parse(text), &src, diags);
    assert_eq!(out.kept.len(), 1);
    assert_eq!(out.kept[0].name, "log-oom");
}

#[test]
fn never_panics_on_odd_text() {
    for t in [
        "#invokeai-lint:",
        "# invokeai-lint: disable=é,ü -- ✓",
        "\"# invokeai-lint: disable=IL101",
        "k: |\n# invokeai-lint: disable=IL101",
        "# invokeai-lint: disable-file=--",
        "\r\n# invokeai-lint: disable=IL101\r\nx: 1\r\n",
    ] {
        let s = parse(t);
        let src = SourceFile::new("f", t);
        let _ = apply(&s, &src, vec![]);
    }
    let s = parse("\r\n# invokeai-lint: disable=IL101\r\nx: 1\r\n");
    assert_eq!(s.directives[0].scope, Scope::Line { target: Some(3) });
    assert_eq!(s.directives[0].rules[0].text, "IL101");
}

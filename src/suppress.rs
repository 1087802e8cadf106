//! Inline suppressions: YAML comments that silence a rule on one line or in a whole file.
//!
//! ```yaml
//! max_cache_vram_gb: 20  # invokeai-lint: disable=max-cache-vram-over-budget -- 24 GB cards only
//! # invokeai-lint: disable=unknown-key -- read by our fork
//! custom_setting: 1
//! # invokeai-lint: disable-file=deprecated-key
//! ```
//!
//! The YAML parser drops comments, so they are found here with a small scanner that knows
//! where a `#` starts a comment: outside quotes, at the start of a line or after a space,
//! and not inside a block scalar. Suppressions that silence nothing, name no rule, or
//! cannot be read are findings of their own (`unused-suppression`).

use std::sync::Arc;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::diagnostic::{Diagnostic, Location};
use crate::rules::unused_suppression::META as UNUSED;
use crate::rules::RuleMeta;
use crate::selection::{find_rule, unknown_rule_message};
use crate::source::{SourceFile, Span};

const MARKER: &str = "invokeai-lint:";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `disable=`: findings that start on `target` (the comment's own line when it ends a
    /// line of YAML, else the next line with YAML on it).
    Line { target: Option<u32> },
    /// `disable-file=`: every finding for the file.
    File,
}

/// A rule named in a suppression.
#[derive(Clone, Debug)]
pub struct RuleRef {
    pub text: String,
    pub span: Span,
    pub meta: Option<&'static RuleMeta>,
}

impl PartialEq for RuleRef {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
            && self.span == other.span
            && self.meta.map(|m| m.code) == other.meta.map(|m| m.code)
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Directive {
    pub scope: Scope,
    /// 1-based line of the comment.
    pub line: u32,
    pub rules: Vec<RuleRef>,
    pub reason: Option<String>,
}

/// An `# invokeai-lint:` comment that could not be read.
#[derive(Clone, Debug, PartialEq)]
pub struct Malformed {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Suppressions {
    pub directives: Vec<Directive>,
    pub malformed: Vec<Malformed>,
}

/// A comment in YAML text: the byte offset of its `#`, and whether YAML precedes it on its line.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Comment {
    at: usize,
    line: u32,
    after_code: bool,
}

/// Find comments and which lines carry YAML. Lines are 1-based; `code[i]` is line `i + 1`.
fn scan(text: &str) -> (Vec<Comment>, Vec<bool>) {
    let mut comments = Vec::new();
    let mut code = Vec::new();
    let mut quote: Option<u8> = None;
    // Indent of the line that opened a block scalar (`key: |`): deeper lines are its text.
    let mut block: Option<usize> = None;
    let mut offset = 0;
    // Lines as PyYAML counts them (a lone `\r`, U+2028, ... end one too).
    for (idx, raw) in crate::source::yaml_lines(text).enumerate() {
        let line_no = u32::try_from(idx + 1).unwrap_or(u32::MAX);
        let start = offset;
        offset += raw.len();
        let line = crate::source::trim_break(raw);
        let bytes = line.as_bytes();
        let indent = bytes.iter().take_while(|b| **b == b' ').count();
        let blank = line.trim().is_empty();
        if let Some(parent) = block {
            if blank || indent > parent {
                code.push(!blank);
                continue;
            }
            block = None;
        }
        let mut has_code = quote.is_some() && !blank;
        let mut comment_at = None;
        let mut prev: Option<u8> = None; // previous byte on this line
        let mut prev_sig: Option<u8> = None; // previous non-space byte on this line
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(b'"') => {
                    if b == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b == b'"' {
                        quote = None;
                    }
                }
                Some(_) => {
                    if b == b'\'' {
                        if bytes.get(i + 1) == Some(&b'\'') {
                            i += 2;
                            continue;
                        }
                        quote = None;
                    }
                }
                None => {
                    if b == b'#' && prev.is_none_or(|p| p == b' ' || p == b'\t') {
                        comment_at = Some(i);
                        break;
                    }
                    let opens_scalar = prev_sig.is_none_or(|p| b":-[{,?".contains(&p))
                        && prev.is_none_or(|p| b" \t[{,".contains(&p));
                    if (b == b'"' || b == b'\'') && opens_scalar {
                        quote = Some(b);
                    }
                    if !b.is_ascii_whitespace() {
                        has_code = true;
                    }
                }
            }
            prev = Some(b);
            if !b.is_ascii_whitespace() {
                prev_sig = Some(b);
            }
            i += 1;
        }
        code.push(has_code);
        if quote.is_none() {
            let before = line.get(..comment_at.unwrap_or(line.len())).unwrap_or("");
            if opens_block_scalar(before) {
                block = Some(indent);
            }
        }
        if let Some(at) = comment_at {
            comments.push(Comment {
                at: start + at,
                line: line_no,
                after_code: has_code,
            });
        }
    }
    (comments, code)
}

/// `key: |`, `key: >-`, `- |2`: the line's YAML ends with a block scalar indicator.
fn opens_block_scalar(before_comment: &str) -> bool {
    let t = before_comment.trim_end();
    let body = t.trim_end_matches(|c: char| c == '+' || c == '-' || c.is_ascii_digit());
    let Some(head) = body.strip_suffix('|').or_else(|| body.strip_suffix('>')) else {
        return false;
    };
    head.is_empty() || head.ends_with(' ') || head.ends_with(':')
}

impl Suppressions {
    /// No directive and nothing malformed: the file has no `# invokeai-lint:` comment.
    pub fn is_empty(&self) -> bool {
        self.directives.is_empty() && self.malformed.is_empty()
    }
}

/// Read every `# invokeai-lint:` comment of a file.
pub fn parse(text: &str) -> Suppressions {
    let mut out = Suppressions::default();
    // Most files have none; skip the scan for them.
    // The searcher is built once: building it per file cost more than the search.
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(MARKER));
    if FINDER.find(text.as_bytes()).is_none() {
        return out;
    }
    let (comments, code) = scan(text);
    for c in comments {
        let body_start = c.at + 1;
        let line_end = text
            .get(body_start..)
            .and_then(|t| t.find(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}']))
            .map_or(text.len(), |n| body_start + n);
        let Some(body) = text.get(body_start..line_end) else {
            continue;
        };
        let lead = body.len() - body.trim_start().len();
        let Some(rest) = body.trim_start().strip_prefix(MARKER) else {
            continue;
        };
        let rest_at = body_start + lead + MARKER.len();
        match directive(rest, rest_at) {
            Ok((file_wide, rules, reason)) => {
                let scope = if file_wide {
                    Scope::File
                } else if c.after_code {
                    Scope::Line {
                        target: Some(c.line),
                    }
                } else {
                    let next = code
                        .iter()
                        .enumerate()
                        .skip(c.line as usize)
                        .find(|(_, has)| **has)
                        .and_then(|(i, _)| u32::try_from(i + 1).ok());
                    Scope::Line { target: next }
                };
                out.directives.push(Directive {
                    scope,
                    line: c.line,
                    rules,
                    reason,
                });
            }
            Err((at, message)) => out.malformed.push(Malformed {
                span: Span::new(at, line_end),
                message,
            }),
        }
    }
    out
}

type Parts = (bool, Vec<RuleRef>, Option<String>);

/// `disable=a,b -- why` after the marker. `base` is the offset of `s` in the file.
fn directive(s: &str, base: usize) -> Result<Parts, (usize, String)> {
    let trimmed = s.trim_start();
    let mut pos = base + (s.len() - trimmed.len());
    let word_len = trimmed
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(trimmed.len());
    let word = &trimmed[..word_len];
    let file_wide = match word {
        "disable" => false,
        "disable-file" => true,
        _ => {
            return Err((
                pos,
                format!("expected `disable=<rule>` or `disable-file=<rule>`, found `{word}`"),
            ))
        }
    };
    let after_word = &trimmed[word_len..];
    pos += word_len;
    let after_ws = after_word.trim_start();
    pos += after_word.len() - after_ws.len();
    let Some(list) = after_ws.strip_prefix('=') else {
        return Err((pos, format!("expected `=` and rule names after `{word}`")));
    };
    pos += 1;
    let (rules_text, reason) = match list.find("--") {
        Some(n) => (&list[..n], Some(list[n + 2..].trim().to_string())),
        None => (list, None),
    };
    let mut rules = Vec::new();
    let mut at = pos;
    for part in rules_text.split(',') {
        let t = part.trim();
        let lead = part.len() - part.trim_start().len();
        if t.is_empty() {
            if rules_text.trim().is_empty() {
                return Err((at, format!("expected rule names after `{word}=`")));
            }
            return Err((at, "empty rule name between commas".to_string()));
        }
        if t.contains(char::is_whitespace) {
            return Err((
                at + lead,
                format!("`{t}`: separate rules with `,` and put the reason after ` -- `"),
            ));
        }
        rules.push(RuleRef {
            text: t.to_string(),
            span: Span::new(at + lead, at + lead + t.len()),
            meta: find_rule(t),
        });
        at += part.len() + 1;
    }
    Ok((file_wide, rules, reason.filter(|r| !r.is_empty())))
}

/// The findings left after suppressions, and the `unused-suppression` findings.
#[derive(Debug, Default)]
pub struct Applied {
    pub kept: Vec<Diagnostic>,
    pub suppressed: usize,
    pub unused: Vec<Diagnostic>,
}

fn line_of(d: &Diagnostic, source: &SourceFile) -> Option<u32> {
    (d.location.file() == source.name()).then(|| d.location.start().line)
}

/// The file's suppressions by what they silence.
struct Index {
    /// (target line, or 0 for the whole file; rule code) → the (directive, rule) pairs.
    by_key: FxHashMap<(u32, &'static str), Vec<(usize, usize)>>,
    /// Lines whose own `disable=` comment names `unused-suppression`.
    unused_named_on: FxHashSet<u32>,
}

impl Index {
    fn of(sup: &Suppressions) -> Index {
        let mut by_key: FxHashMap<(u32, &'static str), Vec<(usize, usize)>> = FxHashMap::default();
        let mut unused_named_on = FxHashSet::default();
        for (di, dir) in sup.directives.iter().enumerate() {
            for (ri, r) in dir.rules.iter().enumerate() {
                let Some(meta) = r.meta else { continue };
                let line = match dir.scope {
                    Scope::File => 0,
                    Scope::Line { target: Some(t) } => t,
                    Scope::Line { target: None } => {
                        if meta.code == UNUSED.code {
                            unused_named_on.insert(dir.line);
                        }
                        continue;
                    }
                };
                if meta.code == UNUSED.code && matches!(dir.scope, Scope::Line { .. }) {
                    unused_named_on.insert(dir.line);
                }
                by_key.entry((line, meta.code)).or_default().push((di, ri));
            }
        }
        Index {
            by_key,
            unused_named_on,
        }
    }

    /// The keys that may silence a finding of `code` on `line`.
    fn keys(&self, line: Option<u32>, code: &'static str) -> [(u32, &'static str); 2] {
        // Line 0 never holds a finding: a finding in another file only meets `disable-file`.
        [(0, code), (line.unwrap_or(0), code)]
    }
}

/// Drop the findings the file's suppressions silence, and report suppressions that are
/// unused, unknown or unreadable.
pub fn apply(sup: &Suppressions, source: &Arc<SourceFile>, diags: Vec<Diagnostic>) -> Applied {
    if sup.directives.is_empty() && sup.malformed.is_empty() {
        return Applied {
            kept: diags,
            ..Applied::default()
        };
    }
    let mut used: Vec<Vec<bool>> = sup
        .directives
        .iter()
        .map(|d| vec![false; d.rules.len()])
        .collect();
    // Findings are looked up by line and code, so a file with thousands of suppressions
    // costs one lookup per finding, not one pass over every directive.
    let index = Index::of(sup);
    let mut out = Applied::default();
    let mut marked: FxHashSet<(u32, &'static str)> = FxHashSet::default();
    for d in diags {
        let line = line_of(&d, source);
        let mut hit = false;
        for key in index.keys(line, d.code) {
            let Some(refs) = index.by_key.get(&key) else {
                continue;
            };
            hit = true;
            // Each (line, rule) marks its directives once, however many findings it has.
            if marked.insert(key) {
                for &(di, ri) in refs {
                    used[di][ri] = true;
                }
            }
        }
        if hit {
            out.suppressed += 1;
        } else {
            out.kept.push(d);
        }
    }
    let mut meta_findings = Vec::new();
    for m in &sup.malformed {
        meta_findings.push(
            Diagnostic::new(
                &UNUSED,
                Location::new(source, m.span),
                format!("unreadable suppression comment: {}", m.message),
            )
            .label("not understood, so it suppresses nothing")
            .help("write `# invokeai-lint: disable=<rule>[,<rule>] -- <reason>` or `# invokeai-lint: disable-file=<rule>`"),
        );
    }
    let mut unknown_said: FxHashMap<&str, String> = FxHashMap::default();
    for (di, dir) in sup.directives.iter().enumerate() {
        for (ri, r) in dir.rules.iter().enumerate() {
            let loc = Location::new(source, r.span);
            let Some(meta) = r.meta else {
                meta_findings.push(
                    Diagnostic::new(
                        &UNUSED,
                        loc,
                        format!(
                            "suppression names an {}",
                            // The did-you-mean compares with every rule name: once per name.
                            unknown_said
                                .entry(r.text.as_str())
                                .or_insert_with(|| unknown_rule_message(&r.text))
                        ),
                    )
                    .label("no such rule")
                    .help("name a rule by code (IL101) or name (unknown-key); `invokeai-lint rules` lists them"),
                );
                continue;
            };
            // A suppression of this very rule cannot be judged unused by itself.
            if used[di][ri] || meta.code == UNUSED.code {
                continue;
            }
            let (message, label) = match dir.scope {
                Scope::File => (
                    format!(
                        "unused suppression: no `{}` finding in this file",
                        meta.name
                    ),
                    "nothing to suppress in this file".to_string(),
                ),
                Scope::Line { target: Some(t) } => (
                    format!("unused suppression: no `{}` finding on line {t}", meta.name),
                    format!("nothing to suppress on line {t}"),
                ),
                Scope::Line { target: None } => (
                    format!(
                        "unused suppression: `{}` comment has no YAML line after it",
                        meta.name
                    ),
                    "applies to no line".to_string(),
                ),
            };
            meta_findings.push(
                Diagnostic::new(&UNUSED, loc, message)
                    .label(label)
                    .help("remove it: the finding it was written for is gone"),
            );
        }
    }
    // `disable=unused-suppression` (on the line, or file-wide) silences these too.
    for d in meta_findings {
        let line = line_of(&d, source);
        let silenced = index
            .keys(line, d.code)
            .into_iter()
            .any(|k| index.by_key.contains_key(&k))
            || line.is_some_and(|l| index.unused_named_on.contains(&l));
        if !silenced {
            out.unused.push(d);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules;

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
        Diagnostic::new(meta, Location::new(src, src.line_span(line).unwrap()), "x")
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

        let text = "# invokeai-lint: disable-file=unused-suppression\na: 1 # invokeai-lint: disable=IL102\n";
        let src = SourceFile::new("invokeai.yaml", text);
        let out = apply(&parse(text), &src, vec![]);
        assert!(out.unused.is_empty(), "{:?}", out.unused);
    }

    #[test]
    fn findings_in_other_files_need_a_file_wide_suppression() {
        let text = "a: 1 # invokeai-lint: disable=log-oom\n# invokeai-lint: disable-file=version-conflict\n";
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
}

//! The `config` target: a config through the whole pipeline — lint, every renderer, every
//! fix — as `lint --fix --unsafe-fixes` runs it, in memory.
//!
//! Input: byte 0 picks the release linted against, byte 1 the facts (none, a CUDA GPU of
//! some size, CPU, Apple MPS, Windows), the rest is the file. Oracles:
//! - no output of any format shows a secret of the input ([`super::unique_secrets`]);
//! - the fixed text still parses when the original did, every setting keeps its value
//!   except those a fix names (or a rename brings in), every own-line comment is kept;
//! - fixing the fixed text again changes nothing.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::config::ConfigFile;
use crate::diagnostic::{Diagnostic, Severity, Summary};
use crate::facts::{Device, DeviceKind, Fact, Facts, Origin, Target};
use crate::fix::{self, FixMode};
use crate::knowledge::Knowledge;
use crate::lint;
use crate::report::{self, human, Format, Report};
use crate::selection::RuleSet;
use crate::yaml::{self, Node, NodeKind};

const NAME: &str = "invokeai.yaml";

const FORMATS: [Format; 7] = [
    Format::Human,
    Format::Concise,
    Format::Json,
    Format::Sarif,
    Format::Github,
    Format::Gitlab,
    Format::Junit,
];

pub fn config(data: &[u8]) {
    let (Some(&pick_release), Some(&pick_facts)) = (data.first(), data.get(1)) else {
        return;
    };
    let kb = Knowledge::get();
    let release = &kb.releases[usize::from(pick_release) % kb.releases.len()];
    let target = Target {
        version: release.version.clone(),
        release,
        origin: Some(Origin::Flag("--invokeai-version".into())),
    };
    let facts = facts(pick_facts);
    let rules = RuleSet::defaults();
    let lint_text = |text: &[u8]| -> (Arc<crate::source::SourceFile>, Vec<Diagnostic>) {
        let config: ConfigFile = lint::config_from_bytes(NAME, text.to_vec());
        let found = lint::lint_config(&config, &rules, &facts, &target, true);
        (Arc::clone(&config.source), found.diagnostics)
    };
    let (source, diags) = lint_text(&data[2..]);
    let original = source.text();
    let secrets = super::unique_secrets(original);
    render_all(&target, &diags, &secrets);

    // Keys a fix may change: those named by a fixable finding of any pass (a later pass
    // may fix what an earlier fix uncovered).
    let fixed_keys = std::cell::RefCell::new(fixable_keys(&diags));
    let relint = |text: &str| {
        let (src, d) = lint_text(text.as_bytes());
        fixed_keys.borrow_mut().extend(fixable_keys(&d));
        (src, d, 0, [false; 3])
    };
    let Some(fixed) = fix::converge(&source, &diags, FixMode::All, relint) else {
        return;
    };
    check_fixed(original, &fixed.text, &fixed_keys.borrow());
    if fixed.stopped.is_some() {
        // The loop said why it gave up (fixes that undo each other, or one that would
        // break the YAML); what is left is then not promised to be settled.
        return;
    }
    let (again_source, again_diags) = lint_text(fixed.text.as_bytes());
    if let Some(again) = fix::converge(&again_source, &again_diags, FixMode::All, relint) {
        assert_eq!(
            again.text, fixed.text,
            "a second fix pass changed the fixed text\n--- original ---\n{original}\n--- fixed ---\n{}",
            fixed.text
        );
    }
}

/// The facts a run may have: byte `pick` chooses.
fn facts(pick: u8) -> Facts {
    let flag = |name: &str| Origin::Flag(name.into());
    let mut facts = Facts::default();
    let device = |kind| Some(Fact::new(Device { kind, name: None }, flag("--device")));
    match pick % 5 {
        0 => {}
        1 => {
            let vram = [4.0, 6.0, 8.0, 12.0, 24.0][usize::from(pick / 5) % 5];
            facts.vram_gib = Some(Fact::new(vram, flag("--vram-gb")));
            facts.ram_gib = Some(Fact::new(vram * 2.0, flag("--ram-gb")));
            facts.device = device(DeviceKind::Cuda);
        }
        2 => facts.device = device(DeviceKind::Cpu),
        3 => {
            facts.device = device(DeviceKind::Mps);
            facts.os = Some(Fact::new("macos".into(), flag("--os")));
        }
        _ => facts.os = Some(Fact::new("windows".into(), flag("--os"))),
    }
    facts
}

/// Render the findings in every format; none may show a secret.
fn render_all(target: &Target, diags: &[Diagnostic], secrets: &[&str]) {
    let report = Report {
        invokeai_version: target.version.to_string(),
        target_source: target.source_kind(),
        files: vec![NAME.to_string()],
        diagnostics: diags.to_vec(),
        skipped: Vec::new(),
        summary: Summary::count(1, diags),
        fail_on: Severity::Warning,
    };
    for format in FORMATS {
        let mut out = Vec::new();
        let result = match format {
            // The width a pipe gets, not the terminal's: the same input renders the same.
            Format::Human => {
                let style = human::Style {
                    color: false,
                    width: report::PIPE_WIDTH,
                    fit: false,
                };
                human::render(&report, &style, &mut out)
            }
            _ => report::render(&report, format, false, &mut out),
        };
        result.unwrap_or_else(|e| panic!("{format:?} failed to render: {e}"));
        let text = String::from_utf8(out)
            .unwrap_or_else(|e| panic!("{format:?} output is not UTF-8: {e}"));
        super::assert_no_secret(&format!("{format:?}"), &text, secrets);
    }
}

/// The fixed text against the original: still YAML, same settings but the fixed ones,
/// every comment line kept.
fn fixable_keys(diags: &[Diagnostic]) -> Vec<String> {
    diags
        .iter()
        .filter(|d| d.fix.is_some())
        .filter_map(|d| d.key.clone())
        .collect()
}

fn check_fixed(original: &str, fixed: &str, fixed_keys: &[String]) {
    let before = settings(original);
    let after = settings(fixed);
    let (Some(before), Some(after)) = (before, after) else {
        assert!(
            settings(original).is_none(),
            "the fixes broke the YAML\n--- original ---\n{original}\n--- fixed ---\n{fixed}"
        );
        return;
    };
    // Keys a fix may touch: those fixable findings name, and those only the fixed text has
    // (a rename's new name, an inserted setting).
    let mut touchable: Vec<&str> = fixed_keys.iter().map(String::as_str).collect();
    touchable.extend(
        after
            .keys()
            .filter(|k| !before.contains_key(*k))
            .map(String::as_str),
    );
    for k in before.keys().chain(after.keys()) {
        if before.get(k) != after.get(k) && k != "InvokeAI" {
            assert!(
                touchable.contains(&k.as_str()),
                "`{k}` changed ({:?} → {:?}) but no fix names it ({touchable:?})\n--- original ---\n{original}\n--- fixed ---\n{fixed}",
                before.get(k),
                after.get(k)
            );
        }
    }
    let kept = comment_lines(fixed);
    for (line, n) in comment_lines(original) {
        // A suppression comment may be one a fix removes (an unused one).
        if line.contains("invokeai-lint:") {
            continue;
        }
        assert!(
            kept.get(line).copied().unwrap_or(0) >= n,
            "the comment line {line:?} was lost\n--- original ---\n{original}\n--- fixed ---\n{fixed}"
        );
    }
}

/// Own-line comments (trimmed) and how often each occurs; lines end as PyYAML ends them.
fn comment_lines(text: &str) -> BTreeMap<&str, usize> {
    let mut out = BTreeMap::new();
    let b = text.as_bytes();
    let (mut start, mut i) = (0, 0);
    while i <= b.len() {
        let brk = if i == b.len() {
            Some(0)
        } else {
            crate::source::line_break(b, i)
        };
        match brk {
            Some(n) => {
                let line = text.get(start..i).unwrap_or("").trim();
                if line.starts_with('#') {
                    *out.entry(line).or_insert(0) += 1;
                }
                i += n.max(1);
                start = i;
            }
            None => i += 1,
        }
    }
    out
}

/// The first document's settings as (key → value as PyYAML would build it); None when
/// the text is not YAML. 3.x sections give one setting per `InvokeAI.Section.key`.
pub fn settings(text: &str) -> Option<BTreeMap<String, String>> {
    let parsed = yaml::parse(text);
    if parsed.error.is_some() {
        return None;
    }
    let mut out = BTreeMap::new();
    let Some(doc) = parsed.documents.first() else {
        return Some(out);
    };
    for e in doc.root.entries().unwrap_or(&[]) {
        let key = e.key.as_str().map_or_else(|| show(&e.key), str::to_string);
        let sections = e.value.entries().filter(|_| key == "InvokeAI");
        for sec in sections.unwrap_or(&[]) {
            let title = sec
                .key
                .as_str()
                .map_or_else(|| show(&sec.key), str::to_string);
            for s in sec.value.entries().unwrap_or(&[]) {
                let name = s.key.as_str().map_or_else(|| show(&s.key), str::to_string);
                out.insert(format!("InvokeAI.{title}.{name}"), show(&s.value));
            }
        }
        out.insert(key, show(&e.value));
    }
    Some(out)
}

fn show(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar(s) => format!("{:?}", s.resolved.describe(&s.value)),
        NodeKind::Mapping { entries, .. } => {
            let inner: Vec<String> = entries
                .iter()
                .map(|e| format!("{}: {}", show(&e.key), show(&e.value)))
                .collect();
            format!("{{{}}}", inner.join(", "))
        }
        NodeKind::Sequence { items, .. } => {
            let inner: Vec<String> = items.iter().map(show).collect();
            format!("[{}]", inner.join(", "))
        }
        NodeKind::Alias(a) => format!("*{a}"),
    }
}

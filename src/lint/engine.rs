//! Stages 5 and 6 for one text, the engine: every rule, then inline suppressions, then rule
//! selection and severities. Nothing here reads a file: [`lint_text`] is the entry point
//! for callers that hold the text (an editor server, a fix loop), and the run calls
//! the same code for each file it reads.

use std::sync::Arc;

use crate::config::ConfigFile;
use crate::diagnostic::Diagnostic;
use crate::facts::{Facts, Target};
use crate::rules::{self, Context};
use crate::selection::RuleSet;
use crate::source::SourceFile;
use crate::suppress;

/// One text's findings, after inline suppressions and rule selection.
#[derive(Debug, Default)]
pub struct TextFindings {
    /// Sorted by position, then rule code.
    pub diagnostics: Vec<Diagnostic>,
    /// Findings that inline suppressions silenced.
    pub suppressed: usize,
}

/// **The engine's entry point**: lint one config held in memory, with the rule settings,
/// facts and target release given, and nothing read from disk. Runs every rule, applies
/// the text's inline suppressions (`# invokeai-lint: ignore[...]`, reporting unused ones)
/// and then `rules` (selection and severities), and returns the findings sorted.
///
/// This is what `lint` does for each file once it has read it and worked out its
/// settings ([`crate::linter_config::FileSettings::rules`]), facts ([`combine_facts`]) and
/// target ([`choose_target_for`]); an editor or a fix loop calls it directly. `name` is
/// how findings name the file. `missing-fact` findings are all kept (the run's
/// once-per-fact bookkeeping happens across files, outside this call).
pub fn lint_text(
    name: &str,
    text: &str,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
) -> Vec<Diagnostic> {
    let config = ConfigFile::parse(SourceFile::new(name, text));
    lint_config(&config, rules, facts, target, true).diagnostics
}

/// [`lint_text`] for a config already parsed (e.g. with [`config_from_bytes`], which also
/// notes invalid UTF-8); `inline_suppressions: false` is `--no-inline-suppressions`.
pub fn lint_config(
    config: &ConfigFile,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
    inline_suppressions: bool,
) -> TextFindings {
    let (found, _) =
        lint_config_unless_said(config, rules, facts, target, inline_suppressions, &|_| {
            false
        });
    found
}

/// [`lint_config`], without building the `missing-fact` findings that `said_before(fact)`
/// says an earlier file already reports (unless the text has suppressions, which may be
/// the ones that use them, or the rule is off here); which facts those were comes back too.
pub(super) fn lint_config_unless_said(
    config: &ConfigFile,
    rules: &RuleSet,
    facts: &Facts,
    target: &Target,
    inline_suppressions: bool,
    said_before: &dyn Fn(rules::Needed) -> bool,
) -> (TextFindings, [bool; 3]) {
    let sup = inline_suppressions.then(|| suppress::parse(config.source.text()));
    let may_skip = sup.as_ref().is_none_or(|s| s.is_empty())
        && rules.is_enabled(rules::missing_fact::META.code);
    let (mut diags, unsaid) = check_config_selected_unless_said(
        config,
        facts,
        target,
        |name| rules.is_enabled_name(name),
        |fact| may_skip && said_before(fact),
    );
    let mut suppressed = 0;
    if let Some(sup) = sup {
        let applied = suppress::apply(&sup, &config.source, diags);
        suppressed = applied.suppressed;
        diags = applied.kept;
        diags.extend(applied.unused);
    }
    let mut diagnostics = apply_selection(diags, rules);
    finish(&mut diagnostics);
    // Rules quote values freely; no secret among them may leave the engine (crate::redact).
    for d in &mut diagnostics {
        d.redact_secrets();
    }
    (
        TextFindings {
            diagnostics,
            suppressed,
        },
        unsaid,
    )
}

/// Run every rule over one parsed config.
pub fn check_config(config: &ConfigFile, facts: &Facts, target: &Target) -> Vec<Diagnostic> {
    check_config_selected(config, facts, target, |_| true)
}

/// Run every rule; `missing-fact` only mentions rules for which `enabled(name)` holds, so
/// a fact needed only by rules that are off is not asked for.
pub fn check_config_selected(
    config: &ConfigFile,
    facts: &Facts,
    target: &Target,
    enabled: impl Fn(&str) -> bool,
) -> Vec<Diagnostic> {
    check_config_selected_unless_said(config, facts, target, enabled, |_| false).0
}

/// [`check_config_selected`], without the `missing-fact` finding for facts that
/// `said(fact)` reports as said elsewhere; which facts those were comes back too.
fn check_config_selected_unless_said(
    config: &ConfigFile,
    facts: &Facts,
    target: &Target,
    enabled: impl Fn(&str) -> bool,
    said: impl Fn(rules::Needed) -> bool,
) -> (Vec<Diagnostic>, [bool; 3]) {
    let cx = Context::new(config, facts, target);
    let mut out = Vec::new();
    // A file InvokeAI cannot read as a mapping has no settings: judging what it "does not
    // set" would only invent findings. Syntax and log findings still stand.
    let readable = matches!(
        config.layout,
        crate::config::Layout::Flat | crate::config::Layout::V3Nested
    );
    for rule in rules::all() {
        let category = rule.meta().category;
        if !readable
            && matches!(
                category,
                rules::Category::Schema | rules::Category::Memory | rules::Category::Device
            )
        {
            continue;
        }
        rule.check(&cx, &mut out);
    }
    let mut unsaid = [false; 3];
    for (fact, rule, at) in cx.take_needed() {
        if !enabled(rule) {
            continue;
        }
        if said(fact) {
            unsaid[fact_index(fact)] = true;
        } else {
            cx.need(fact, rule, at);
        }
    }
    out.extend(rules::missing_fact::report(&cx));
    (out, unsaid)
}

/// Where a missing fact is counted in the `[_; 3]` tallies.
pub(super) fn fact_index(f: rules::Needed) -> usize {
    match f {
        rules::Needed::Vram => 0,
        rules::Needed::Ram => 1,
        rules::Needed::Device => 2,
    }
}

/// Keep the findings of enabled rules, at their configured severity.
pub fn apply_selection(diags: Vec<Diagnostic>, rules: &RuleSet) -> Vec<Diagnostic> {
    diags
        .into_iter()
        .filter_map(|mut d| match rules.get(d.code) {
            Some(r) if !r.enabled => None,
            Some(r) => {
                // Only a configured severity replaces the rule's own choice (a rule may
                // lower its default, e.g. unknown keys under 3.x are warnings).
                if r.severity_from.is_some() {
                    d.severity = r.severity;
                }
                Some(d)
            }
            None => Some(d),
        })
        .collect()
}

/// Sort by file and position, and drop exact repeats (a log finding seen from two configs).
pub(super) fn finish(diagnostics: &mut Vec<Diagnostic>) {
    // The order of `Diagnostic::sort_key`, compared in place: building the key allocates,
    // and a tree of configs has tens of thousands of findings to sort.
    // Findings of one file share its source: the pointer settles the file without
    // comparing names, which for a tree are long and share their start.
    let same_file = |a: &Diagnostic, b: &Diagnostic| {
        Arc::ptr_eq(&a.location.source, &b.location.source)
            || a.location.file() == b.location.file()
    };
    let order = |a: &Diagnostic, b: &Diagnostic| {
        let file = if same_file(a, b) {
            std::cmp::Ordering::Equal
        } else {
            a.location.file().cmp(b.location.file())
        };
        file.then(a.location.span.start.cmp(&b.location.span.start))
            .then(a.code.cmp(b.code))
    };
    // Files sorted on the workers and joined in path order are usually in order already
    // (only findings in a log shared by several configs are not); the stable sort would
    // take scratch memory the size of the findings even then.
    if !diagnostics.is_sorted_by(|a, b| order(a, b).is_le()) {
        diagnostics.sort_by(order);
    }
    diagnostics.dedup_by(|a, b| {
        a.code == b.code
            && a.location.span == b.location.span
            && same_file(a, b)
            && a.message == b.message
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Location, Severity};
    use crate::lint::read::config_from_bytes;
    use crate::lint::target::choose_target;
    use crate::selection::Layer;

    #[test]
    fn selection_drops_rules_that_are_off_and_remaps_configured_severities() {
        let src = SourceFile::new("f.yaml", "a: 1\n");
        let d = |name: &str| {
            Diagnostic::new(
                rules::find(name).unwrap(),
                Location::new(&src, Default::default()),
                "m",
            )
        };
        let mut layer = Layer::new(crate::selection::LayerOrigin::Flags);
        layer.ignore = vec![crate::selection::Selector::parse("deprecated-key").unwrap()];
        layer.severity = vec![(
            crate::selection::Selector::parse("unknown-key").unwrap(),
            crate::selection::Level::On(Severity::Info),
        )];
        let set = RuleSet::defaults().with_layers([&layer]);
        let out = apply_selection(
            vec![
                d("unknown-key").severity(Severity::Warning),
                d("deprecated-key"),
                d("wrong-type").severity(Severity::Warning),
            ],
            &set,
        );
        let got: Vec<(&str, Severity)> = out.iter().map(|d| (d.name, d.severity)).collect();
        assert_eq!(
            got,
            vec![
                ("unknown-key", Severity::Info),
                ("wrong-type", Severity::Warning)
            ]
        );
    }

    #[test]
    fn lint_text_applies_suppressions_and_selection_without_touching_disk() {
        let facts = Facts::default();
        let target = choose_target(Some("5.9.1"), &facts).unwrap();
        let text = "schema_version: 4.0.2\nnot_a_key: 1\nnor_this: 2  # invokeai-lint: disable=unknown-key\n";
        let all = RuleSet::defaults();
        let names = |d: &[Diagnostic]| -> Vec<(u64, &'static str)> {
            d.iter()
                .map(|d| (d.location.start().line, d.name))
                .collect()
        };
        let found = lint_text("mem.yaml", text, &all, &facts, &target);
        assert_eq!(names(&found), vec![(2, "unknown-key")], "{found:?}");
        assert_eq!(found[0].location.file(), "mem.yaml");
        let mut layer = Layer::new(crate::selection::LayerOrigin::Flags);
        layer.ignore = vec![crate::selection::Selector::parse("unknown-key").unwrap()];
        let quiet = RuleSet::defaults().with_layers([&layer]);
        assert!(lint_text("mem.yaml", text, &quiet, &facts, &target).is_empty());
        let config = config_from_bytes("mem.yaml", text.as_bytes().to_vec());
        let raw = lint_config(&config, &all, &facts, &target, false);
        assert_eq!(raw.suppressed, 0);
        assert_eq!(
            names(&raw.diagnostics),
            vec![(2, "unknown-key"), (3, "unknown-key")]
        );
        assert_eq!(
            lint_config(&config, &all, &facts, &target, true).suppressed,
            1
        );
    }
}

//! IL900 missing-fact: a rule needed a fact about the machine that no flag, linter config,
//! host detection or log supplied. Said once per fact per run, never silently skipped.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{Category, Context, Needed, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL900",
    name: "missing-fact",
    category: Category::Meta,
    default_severity: Severity::Info,
    fixable: false,
    summary: "A check was skipped because a fact about the machine (VRAM, RAM, device) is unknown",
    doc: include_str!("../../rules/missing-fact.md"),
};

/// One info per missing fact, at the first place that needed it, naming every rule that did.
pub fn report(cx: &Context<'_>) -> Vec<Diagnostic> {
    let mut needed = cx.take_needed();
    // Places in this config first (the user acts there), then log lines; byte offsets of
    // different files do not compare.
    let elsewhere =
        |at: &crate::diagnostic::Location| !std::sync::Arc::ptr_eq(&at.source, &cx.config.source);
    needed.sort_by_key(|(fact, _, at)| (*fact, elsewhere(at), at.span.start));
    let mut out: Vec<Diagnostic> = Vec::new();
    let mut i = 0;
    while i < needed.len() {
        let fact = needed[i].0;
        let mut rules: Vec<&str> = needed[i..]
            .iter()
            .take_while(|(f, _, _)| *f == fact)
            .map(|(_, r, _)| *r)
            .collect();
        let count = rules.len();
        rules.sort_unstable();
        rules.dedup();
        let (what, how) = (what(fact), how(fact));
        let at = needed[i].2.clone();
        out.push(
            Diagnostic::new(
                &META,
                at,
                format!(
                    "not checked: {} {} {what}, which is unknown",
                    rules.join(", "),
                    if rules.len() == 1 { "needs" } else { "need" }
                ),
            )
            .label(format!("{what} is needed to check this"))
            .help(how),
        );
        i += count;
    }
    out
}

fn what(fact: Needed) -> &'static str {
    match fact {
        Needed::Vram => "the GPU's total VRAM",
        Needed::Ram => "the machine's system RAM",
        Needed::Device => "the torch device InvokeAI runs on",
    }
}

fn how(fact: Needed) -> &'static str {
    match fact {
        Needed::Vram => "Pass --vram-gb N, --detect on the machine that runs InvokeAI, --log with an InvokeAI log, or set vram_gb in invokeai-lint.toml",
        Needed::Ram => "Pass --ram-gb N, --detect on the machine that runs InvokeAI, or set ram_gb in invokeai-lint.toml",
        Needed::Device => "Pass --device cuda|mps|cpu, --detect, or --log with an InvokeAI log that shows the torch device",
    }
}

/// Which fact a `missing-fact` finding is about (None for any other finding).
pub fn fact_of(d: &Diagnostic) -> Option<Needed> {
    if d.code != META.code {
        return None;
    }
    let label = d.label.as_deref()?;
    [Needed::Vram, Needed::Ram, Needed::Device]
        .into_iter()
        .find(|&f| label.starts_with(what(f)))
}

/// Say on the one finding kept for a run how many other configs lacked the same fact.
pub fn note_others(d: &mut Diagnostic, others: usize) {
    if others > 0 {
        let s = if others == 1 { "" } else { "s" };
        d.message
            .push_str(&format!(" (also in {others} other config{s})"));
    }
}

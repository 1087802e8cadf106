//! IL405 log-vram-pressure: the log shows the VRAM budget exhausted (the negative request
//! warning) or models that would fit being loaded only in part, again and again.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::machine::{number, working_mem};
use crate::rules::util::gib;
use crate::rules::{Category, Context, Needed, Rule, RuleMeta};
use crate::source::SourceFile;

pub static META: RuleMeta = RuleMeta {
    code: "IL405",
    name: "log-vram-pressure",
    category: Category::Log,
    default_severity: Severity::Warning,
    fixable: false,
    summary:
        "The log shows a negative VRAM budget, or repeated partial loads of models that would fit",
    doc: include_str!("../../rules/log-vram-pressure.md"),
};

/// Partial loads of the same model before it counts as a pattern, not a one-off.
const REPEATS: usize = 3;

pub struct LogVramPressure;

fn at(file: &str, line: u64, text: &str) -> Location {
    let src = SourceFile::snippet(file, text.to_string(), line);
    let span = src.line_span(line).unwrap_or_default();
    Location::new(&src, span)
}

impl Rule for LogVramPressure {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(log) = &cx.facts.log else { return };
        let cap = number(cx, "max_cache_vram_gb");
        let (w, w_set) = working_mem(cx);
        if let Some(first) = log.negative_vram.first() {
            let n = log.negative_vram.len();
            let cause = match &cap {
                Some((c, _)) => format!(
                    "`max_cache_vram_gb: {}` is below what was already on the GPU, so the budget went negative: raise it or remove it",
                    gib(*c)
                ),
                None => format!(
                    "Free VRAM minus the {} GB working-memory reserve was below zero: another program holds VRAM, or `device_working_mem_gb` is too large for this GPU",
                    gib(w)
                ),
            };
            let mut d = Diagnostic::new(
                &META,
                at(&log.file, first.line, &first.text),
                format!(
                    "the model cache's VRAM budget was negative ({} MB requested{}): InvokeAI loaded the minimum weights anyway, past its own budget",
                    first.value.requested_mb,
                    if n > 1 { format!("; {n} times in this log") } else { String::new() }
                ),
            )
            .label("negative VRAM budget")
            .help(cause);
            if let Some((_, s)) = &cap {
                d = d.related(cx.config.loc(s.value.span), "the VRAM cap");
            } else if let Some(s) = &w_set {
                d = d.related(cx.config.loc(s.value.span), "the working-memory reserve");
            }
            out.push(d);
        }
        // Models loaded below 100 % again and again although they would fit in the budget.
        let Some(vram) = cx.facts.vram_gib.as_ref().map(|f| f.value) else {
            if let Some(p) = log.partial_loads.iter().find(|p| p.value.percent < 100.0) {
                cx.need(Needed::Vram, META.name, at(&log.file, p.line, &p.text));
            }
            return;
        };
        let budget_mb = cap.as_ref().map_or(vram - w, |(c, _)| *c) * 1024.0;
        let mut counts: Vec<(&str, usize, &crate::log::Located<crate::log::PartialLoad>)> =
            Vec::new();
        for p in &log.partial_loads {
            if p.value.percent >= 100.0 || p.value.total_mb <= 0.0 || p.value.total_mb > budget_mb {
                continue;
            }
            match counts.iter_mut().find(|(m, _, _)| *m == p.value.model) {
                Some(entry) => entry.1 += 1,
                None => counts.push((&p.value.model, 1, p)),
            }
        }
        if let Some((model, n, first)) = counts
            .into_iter()
            .filter(|c| c.1 >= REPEATS)
            .max_by_key(|c| c.1)
        {
            let advice = match &cap {
                Some((c, _)) => format!("`max_cache_vram_gb: {}` leaves too little room for it beside the other models in the cache: raise it (within VRAM − working memory) or remove it", gib(*c)),
                None => "Other models fill the VRAM budget: lower `device_working_mem_gb` if it was raised, or close other programs using the GPU".into(),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    at(&log.file, first.line, &first.text),
                    format!(
                        "model '{model}' ({} MB) was loaded only in part {n} times, although it fits in the {} MB VRAM budget: each partial load streams layers from RAM and slows generation",
                        first.value.total_mb,
                        budget_mb.round()
                    ),
                )
                .severity(Severity::Info)
                .label(format!("{}% in VRAM", first.value.percent))
                .help(advice),
            );
        }
    }
}

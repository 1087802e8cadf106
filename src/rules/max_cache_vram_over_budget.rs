//! IL201 max-cache-vram-over-budget: `max_cache_vram_gb` leaves less than
//! `device_working_mem_gb` of the GPU free — the low-VRAM guide's crash.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::facts::DeviceKind;
use crate::rules::machine::{cite_amount, device, number, vram, working_mem};
use crate::rules::util::{gib, origin_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL201",
    name: "max-cache-vram-over-budget",
    category: Category::Memory,
    default_severity: Severity::Error,
    fixable: true,
    summary: "max_cache_vram_gb is above VRAM − device_working_mem_gb, leaving no working memory",
    doc: include_str!("../../rules/max-cache-vram-over-budget.md"),
};

pub struct MaxCacheVramOverBudget;

impl Rule for MaxCacheVramOverBudget {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") {
            return;
        }
        let Some((cap, s)) = number(cx, "max_cache_vram_gb") else {
            return;
        };
        // Off CUDA there is no VRAM budget to overrun (CPU) or it is shared RAM (MPS).
        if device(cx).is_some_and(|d| d.kind != DeviceKind::Cuda) {
            return;
        }
        let at = cx.config.loc(s.value.span);
        let Some(v) = vram(cx, META.name, &at) else {
            return;
        };
        let (w, w_setting) = working_mem(cx);
        let bound = v.value - w;
        let w_from = match &w_setting {
            Some(ws) => format!(
                "`device_working_mem_gb: {}` on line {}",
                gib(w),
                cx.config.loc(ws.value.span).start().line
            ),
            None => format!("`device_working_mem_gb` at its default of {}", gib(w)),
        };
        let arithmetic = format!(
            "{} GB > {} GB − {} GB = {} GB",
            gib(cap),
            gib(v.value),
            gib(w),
            gib(bound)
        );
        let origin = origin_phrase(&v.origin);
        let d = if cap > bound {
            let safe = (bound.floor()).max(0.0);
            let what = if cap > v.value {
                format!("is more than the GPU's {} GB of VRAM", gib(v.value))
            } else if cap == v.value {
                format!(
                    "is all of the GPU's {} GB of VRAM, leaving no working memory",
                    gib(v.value)
                )
            } else {
                format!("leaves less than the {} GB of working memory free", gib(w))
            };
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`max_cache_vram_gb: {}` {what}: {arithmetic} (VRAM from {origin}; {w_from})",
                    gib(cap)
                ),
            )
            .label(format!("more than the {} GB the GPU can spare", gib(bound)))
            .help(format!(
                "With max_cache_vram_gb set, InvokeAI ignores device_working_mem_gb and fills the GPU up to the cap, so denoising and VAE decode run out of memory. \
                 Set it to at most {} (VRAM − working memory), or remove it and let InvokeAI keep {} GB free by itself",
                gib(safe),
                gib(w)
            ))
            .fix(Fix::one(Applicability::Unsafe, format!("Lower max_cache_vram_gb to {}", gib(safe)), crate::edits::replace_value_noting(cx.config.source.text(), s.value, &gib(safe), &format!("{} - {} = {} GB (VRAM - device_working_mem_gb)", gib(v.value), gib(w), gib(safe)))))
        } else if cap > bound * 0.9 {
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`max_cache_vram_gb: {}` is within 10 % of the most the GPU can spare ({} GB − {} GB = {} GB; VRAM from {origin})",
                    gib(cap),
                    gib(v.value),
                    gib(w),
                    gib(bound)
                ),
            )
            .severity(Severity::Info)
            .label("at the edge of the safe bound")
            .help("InvokeAI's docs call VRAM − working memory the maximum safe value and advise staying well below it; large images and VAE decode need more than the reserve")
        } else {
            return;
        };
        out.push(cite_amount(d.key(s.path()), &v, "total VRAM"));
    }
}

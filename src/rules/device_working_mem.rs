//! IL203 device-working-mem: `device_working_mem_gb` that is negative, or so large against the
//! GPU that the cache can hold nothing.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::DeviceKind;
use crate::rules::machine::{cite_amount, device, number, vram};
use crate::rules::util::{gib, origin_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL203",
    name: "device-working-mem",
    category: Category::Memory,
    default_severity: Severity::Error,
    fixable: false,
    summary: "device_working_mem_gb is negative, or too large for the GPU's VRAM",
    doc: include_str!("../../rules/device-working-mem.md"),
};

pub struct DeviceWorkingMem;

impl Rule for DeviceWorkingMem {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") {
            return;
        }
        let Some((w, s)) = number(cx, "device_working_mem_gb") else {
            return;
        };
        let at = cx.config.loc(s.value.span);
        if w < 0.0 {
            out.push(
                Diagnostic::new(
                    &META,
                    at,
                    format!("`device_working_mem_gb: {}` is negative: InvokeAI accepts it (the setting has no lower bound) but a negative reserve means the cache may take more VRAM than the GPU has", gib(w)),
                )
                .key(s.path())
                .label("negative working memory")
                .help("Use a positive amount; the default is 3"),
            );
            return;
        }
        // Off CUDA the reserve does nothing (CPU) or is measured against RAM (MPS).
        if device(cx).is_some_and(|d| d.kind != DeviceKind::Cuda) {
            return;
        }
        let Some(v) = vram(cx, META.name, &at) else {
            return;
        };
        let origin = origin_phrase(&v.origin);
        let d = if w >= v.value {
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`device_working_mem_gb: {}` is at least the GPU's whole VRAM ({} GB, from {origin}): {}",
                    gib(w),
                    gib(v.value),
                    if number(cx, "max_cache_vram_gb").is_some() {
                        "max_cache_vram_gb is set, so the cache ignores this reserve, but every operation that asks for working memory waits for VRAM that cannot be freed"
                    } else if cx.target.at_least("5.6.1") {
                        "the cache keeps no weights on the GPU between steps, and the RAM cache falls to its 4 GB floor (its cap is VRAM − working memory)"
                    } else {
                        "the cache keeps no weights on the GPU between steps"
                    }
                ),
            )
            .label(format!("≥ {} GB of VRAM", gib(v.value)))
            .help(format!("Set it well below the VRAM: the default is 3; 4 helps when VAE decode runs out of memory on a {} GB card", gib(v.value)))
        } else if w >= v.value / 2.0 {
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`device_working_mem_gb: {}` reserves half or more of the GPU's {} GB (from {origin}): the cache keeps at most {} GB of weights and offloads constantly",
                    gib(w),
                    gib(v.value),
                    gib(v.value - w)
                ),
            )
            .severity(Severity::Warning)
            .label(format!("≥ half of {} GB", gib(v.value)))
            .help("Lower it towards the default of 3; raise it by 1 GB at a time only while out-of-memory errors persist")
        } else {
            return;
        };
        out.push(cite_amount(d.key(s.path()), &v, "total VRAM"));
    }
}

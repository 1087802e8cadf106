//! IL204 max-cache-ram-over-system: `max_cache_ram_gb` above the machine's RAM, or leaving the
//! system less than 4 GB.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::facts::DeviceKind;
use crate::rules::machine::{cite_amount, device, number, ram, working_mem};
use crate::rules::util::{gib, origin_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL204",
    name: "max-cache-ram-over-system",
    category: Category::Memory,
    default_severity: Severity::Error,
    fixable: true,
    summary: "max_cache_ram_gb is above system RAM, or leaves the system under 4 GB",
    doc: include_str!("../../rules/max-cache-ram-over-system.md"),
};

/// What the operating system and the rest of InvokeAI need beside the model cache.
const SYSTEM_HEADROOM_GB: f64 = 4.0;

pub struct MaxCacheRamOverSystem;

impl Rule for MaxCacheRamOverSystem {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") {
            return;
        }
        let Some((size, s)) = number(cx, "max_cache_ram_gb") else {
            return;
        };
        let at = cx.config.loc(s.value.span);
        let Some(r) = ram(cx, META.name, &at) else {
            return;
        };
        let origin = origin_phrase(&r.origin);
        let auto = default_size(cx, r.value)
            .map(|(gb, how)| {
                format!(
                    " Without the setting InvokeAI would use {} GB ({how})",
                    gib(gb)
                )
            })
            .unwrap_or_default();
        let d = if size > r.value {
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`max_cache_ram_gb: {}` is more than the machine's {} GB of RAM (from {origin}): the cache would push the system into swap or the page file, or crash it",
                    gib(size),
                    gib(r.value)
                ),
            )
            .label(format!("> {} GB of RAM", gib(r.value)))
            .help(format!(
                "Set it to at most {} (RAM − {} GB for the system), or remove it.{auto}",
                gib((r.value - SYSTEM_HEADROOM_GB).max(0.0).floor()),
                gib(SYSTEM_HEADROOM_GB)
            ))
        } else if r.value - size < SYSTEM_HEADROOM_GB {
            Diagnostic::new(
                &META,
                at,
                format!(
                    "`max_cache_ram_gb: {}` leaves {} GB of the machine's {} GB (from {origin}) for the system and everything else",
                    gib(size),
                    gib(r.value - size),
                    gib(r.value)
                ),
            )
            .severity(Severity::Warning)
            .label(format!("leaves under {} GB free", gib(SYSTEM_HEADROOM_GB)))
            .help(format!(
                "Keep at least {} GB for the system: at most {}.{auto}",
                gib(SYSTEM_HEADROOM_GB),
                gib((r.value - SYSTEM_HEADROOM_GB).max(0.0).floor())
            ))
        } else {
            return;
        };
        // The guide's own arithmetic (32 GB of RAM → 28): RAM less the system's share.
        let safe = (r.value - SYSTEM_HEADROOM_GB).floor();
        let d = if safe > 0.0 {
            d.fix(Fix::one(
                Applicability::Unsafe,
                format!(
                    "Lower max_cache_ram_gb to {} ({} − {} GB for the system)",
                    gib(safe),
                    gib(r.value),
                    gib(SYSTEM_HEADROOM_GB)
                ),
                crate::edits::replace_value_noting(
                    cx.config.source.text(),
                    s.value,
                    &gib(safe),
                    &format!(
                        "{} - {} = {} GB (RAM - what the system needs)",
                        gib(r.value),
                        gib(SYSTEM_HEADROOM_GB),
                        gib(safe)
                    ),
                ),
            ))
        } else {
            d
        };
        out.push(cite_amount(d.key(s.path()), r, "system RAM"));
    }
}

/// The RAM cache size InvokeAI computes when `max_cache_ram_gb` is unset, and how
/// (model_cache.py, 5.6.0 and 5.6.1+ heuristics). None when a needed fact is unknown.
pub fn default_size(cx: &Context<'_>, ram_gb: f64) -> Option<(f64, String)> {
    let h1 = 0.5 * ram_gb - 2.0;
    let cuda = match device(cx) {
        Some(d) => d.kind == DeviceKind::Cuda,
        // A known VRAM size means a GPU.
        None => cx.facts.vram_gib.is_some(),
    };
    let vram_cap = number(cx, "max_cache_vram_gb").map(|(v, _)| v);
    let (w, _) = working_mem(cx);
    let v = cx.facts.vram_gib.as_ref().map(|f| f.value);
    if !cx.target.at_least("5.6.1") {
        // 5.6.0: cap 2×VRAM (32 without CUDA), then a CUDA floor of the VRAM cap or VRAM − W, then 4.
        let mut size = h1;
        let cap = if cuda { 2.0 * v? } else { 32.0 };
        size = size.min(cap);
        if cuda {
            size = size.max(vram_cap.unwrap_or(v? - w));
        }
        size = size.max(4.0);
        return Some((size, "5.6.0's heuristics: half the RAM − 2 GB, capped at twice the VRAM, floored at the VRAM budget and 4 GB".into()));
    }
    let mut how = vec![format!("half the RAM − 2 GB = {}", gib(h1))];
    let mut size = h1;
    let cap = if cuda {
        match vram_cap {
            Some(c) => (c, "max_cache_vram_gb"),
            None => (v? - w, "VRAM − device_working_mem_gb"),
        }
    } else {
        (32.0, "the limit without CUDA")
    };
    if size > cap.0 {
        size = cap.0;
        how.push(format!("capped at {} = {}", cap.1, gib(cap.0)));
    }
    if size < 4.0 {
        size = 4.0;
        how.push("raised to the 4 GB floor".into());
    }
    Some((size, how.join(", ")))
}

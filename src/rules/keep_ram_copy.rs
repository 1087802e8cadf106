//! IL205 keep-ram-copy: `keep_ram_copy_of_weights` on (the default) where RAM is tight.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::facts::DeviceKind;
use crate::rules::machine::{boolean, cite_amount, device, number, ram};
use crate::rules::util::{gib, origin_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL205",
    name: "keep-ram-copy",
    category: Category::Memory,
    default_severity: Severity::Info,
    fixable: true,
    summary: "keep_ram_copy_of_weights is on with little system RAM: turning it off saves RAM",
    doc: include_str!("../../rules/keep-ram-copy.md"),
};

/// Below this much RAM the copy competes with the cache itself: machines sold with less than
/// 16 GB. A 16 GB machine reports 15.x GiB (psutil's total, or the size derived from the log),
/// so the line sits at 15.
const SMALL_RAM_GB: f64 = 15.0;

pub struct KeepRamCopy;

impl Rule for KeepRamCopy {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") || boolean(cx, "keep_ram_copy_of_weights") == Some(false) {
            return;
        }
        // On the CPU models never move to a GPU, so there is no second copy to save.
        if device(cx).is_some_and(|d| d.kind == DeviceKind::Cpu) {
            return;
        }
        let set = cx.config.get("keep_ram_copy_of_weights");
        let cache = number(cx, "max_cache_ram_gb");
        // Cite the setting when written, else the RAM cache size, else the top of the file.
        let at = match (&set, &cache) {
            (Some(s), _) => cx.config.loc(s.value.span),
            (None, Some((_, c))) => cx.config.loc(c.key.span),
            (None, None) => cx.config.loc(Span::new(0, 0)),
        };
        // Ask for RAM only when the file touches RAM settings: the default alone is no reason
        // to send every config's author to find their RAM size.
        let r = if set.is_some() || cache.is_some() {
            ram(cx, META.name, &at)
        } else {
            cx.facts.ram_gib.as_ref()
        };
        let Some(r) = r else {
            return;
        };
        let origin = origin_phrase(&r.origin);
        let near_limit = cache.as_ref().is_some_and(|(c, _)| *c >= 0.75 * r.value);
        let why = if r.value < SMALL_RAM_GB {
            format!("the machine has {} GB of RAM (from {origin})", gib(r.value))
        } else if near_limit {
            let (c, _) = cache.as_ref().expect("near_limit implies a cache size");
            format!(
                "`max_cache_ram_gb: {}` claims 75 % or more of the machine's {} GB of RAM (from {origin})",
                gib(*c),
                gib(r.value)
            )
        } else {
            return;
        };
        let state = if set.is_some() {
            "is on"
        } else {
            "is on by default"
        };
        let mut d = Diagnostic::new(
            &META,
            at,
            format!("`keep_ram_copy_of_weights` {state} while {why}: each model on the GPU also keeps a copy of its weights in RAM"),
        )
        .label("a RAM copy of every model on the GPU")
        .help("Set `keep_ram_copy_of_weights: false` to lower average RAM use. The trade-off: switching models and applying LoRAs get slower, because weights must be reloaded instead of copied back; peak RAM may not drop");
        d = match &set {
            Some(s) => d.key(s.path()).fix(Fix::one(
                Applicability::Unsafe,
                "Set keep_ram_copy_of_weights to false",
                crate::edits::replace_value(cx.config.source.text(), s.value, "false"),
            )),
            None => d.key("keep_ram_copy_of_weights").fix_opt(
                crate::edits::insert_setting(
                    cx.config,
                    "keep_ram_copy_of_weights",
                    "false",
                    Some(&if r.value < SMALL_RAM_GB {
                        crate::guide::ram_copy_comment(r.value)
                    } else {
                        format!(
                            "max_cache_ram_gb is 75 % or more of the {} GB of RAM: no RAM copy of the models on the GPU",
                            gib(r.value)
                        )
                    }),
                    crate::edits::Place::Last,
                )
                .map(|e| {
                    Fix::one(
                        Applicability::Unsafe,
                        "Add keep_ram_copy_of_weights: false",
                        e,
                    )
                }),
            ),
        };
        out.push(cite_amount(d, r, "system RAM"));
    }
}

//! IL202 vram-cap-overrides-working-mem: `max_cache_vram_gb` and `device_working_mem_gb` both
//! set; the cap wins and the working-memory reserve is not applied.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::machine::number;
use crate::rules::util::gib;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL202",
    name: "vram-cap-overrides-working-mem",
    category: Category::Memory,
    default_severity: Severity::Warning,
    fixable: true,
    summary:
        "max_cache_vram_gb set with device_working_mem_gb: the cap wins and the reserve is ignored",
    doc: include_str!("../../rules/vram-cap-overrides-working-mem.md"),
};

pub struct VramCapOverridesWorkingMem;

impl Rule for VramCapOverridesWorkingMem {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") {
            return;
        }
        let (Some((cap, cap_s)), Some((w, w_s))) = (
            number(cx, "max_cache_vram_gb"),
            number(cx, "device_working_mem_gb"),
        ) else {
            return;
        };
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(w_s.key.span),
                format!(
                    "`device_working_mem_gb: {}` has no effect on the VRAM budget while `max_cache_vram_gb: {}` is set: in InvokeAI {} the cap alone decides how much the cache may fill, and neither this reserve nor the extra working memory an operation (VAE decode) asks for is kept free",
                    gib(w),
                    gib(cap),
                    cx.target.release.version
                ),
            )
            .key(w_s.path())
            .label("ignored for VRAM budgeting")
            .related(cx.config.loc(cap_s.key.span), "this cap wins")
            .help(format!(
                "Keep one of the two: remove `max_cache_vram_gb` to let InvokeAI keep {} GB free itself, or keep the cap and make sure VRAM − {} GB is enough working memory",
                gib(w),
                gib(cap)
            ))
            // A key that does nothing while the cap is set (the guide: no no-op keys).
            .fix_opt(
                crate::edits::remove_setting(cx.config, "device_working_mem_gb").map(|edits| Fix {
                    description: format!(
                        "Remove device_working_mem_gb: it does nothing while max_cache_vram_gb: {} is set",
                        gib(cap)
                    ),
                    applicability: Applicability::Unsafe,
                    edits,
                }),
            ),
        );
    }
}

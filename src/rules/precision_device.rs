//! IL302 precision-device: a `precision` the device will not use.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::DeviceKind;
use crate::rules::gpu::forced_float32;
use crate::rules::machine::device;
use crate::rules::{Category, Context, Needed, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL302",
    name: "precision-device",
    category: Category::Device,
    default_severity: Severity::Warning,
    fixable: false,
    summary:
        "precision float16/bfloat16 on a CPU device, or on a GTX 1650/1660 that always runs float32",
    doc: include_str!("../../rules/precision-device.md"),
};

pub struct PrecisionDevice;

impl Rule for PrecisionDevice {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(s) = cx.config.get("precision") else {
            return;
        };
        let Some(p) = s.value.as_str() else { return };
        if !matches!(p, "float16" | "bfloat16") {
            return;
        }
        let Some(dev) = device(cx) else {
            cx.need(Needed::Device, META.name, cx.config.loc(s.value.span));
            return;
        };
        let mut d = if dev.kind == DeviceKind::Cpu {
            if cx.target.at_least("4.0.0") {
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!("`precision: {p}` is ignored on a CPU device ({}): InvokeAI {} always runs float32 on the CPU", dev.because, cx.target.release.version),
                )
                .label("CPU runs float32")
                .help("Remove the setting or use `auto`; half precision on a CPU is unsupported by many torch operations")
            } else {
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!("`precision: {p}` on a CPU device ({}): InvokeAI 3.x really loads half-precision weights, and many CPU operations fail on them (\"not implemented for 'Half'\")", dev.because),
                )
                .severity(Severity::Error)
                .label("half precision on the CPU")
                .help("Use `precision: float32` (or `auto`) on the CPU")
            }
        } else if dev.kind == DeviceKind::Cuda
            && cx.target.at_least("4.0.0")
            && dev.name.as_deref().is_some_and(forced_float32)
        {
            Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`precision: {p}` is ignored on a {}: InvokeAI always runs GTX 1650/1660 cards in float32 (their half precision gives black images)",
                    dev.name.clone().unwrap_or_default()
                ),
            )
            .severity(Severity::Info)
            .label("float32 on this card")
            .help("Remove the setting; it has no effect on this GPU")
        } else {
            return;
        };
        d = d.key(s.path());
        if let Some(at) = dev.at {
            d = d.related(at, format!("device: {}", dev.kind.as_str()));
        }
        out.push(d);
    }
}

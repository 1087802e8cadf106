//! IL303 attention-settings: attention choices InvokeAI will not honour.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::DeviceKind;
use crate::knowledge::written::same_value;
use crate::rules::gpu::ampere_or_newer;
use crate::rules::machine::{device, read};
use crate::rules::{Category, Context, Needed, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL303",
    name: "attention-settings",
    category: Category::Device,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "xformers where it is never used or installed, or attention_slice_size without sliced attention",
    doc: include_str!("../../rules/attention-settings.md"),
};

pub struct AttentionSettings;

impl Rule for AttentionSettings {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let attention = read(cx, "attention_type");
        let kind = attention.as_ref().and_then(|s| s.value.as_str());
        if let (Some(s), Some("xformers")) = (&attention, kind) {
            let dev = device(cx);
            if dev.is_none() {
                cx.need(Needed::Device, META.name, cx.config.loc(s.value.span));
            }
            if let Some(dev) = dev {
                let d = if dev.kind == DeviceKind::Mps {
                    // Before 5.2.0 diffusers fails without the package; from 5.2.0 InvokeAI
                    // falls back to torch SDP on MPS (diffusers_pipeline.py@v5.2.0).
                    let fatal = !cx.target.at_least("5.2.0");
                    Some(
                        Diagnostic::new(
                            &META,
                            cx.config.loc(s.value.span),
                            if fatal {
                                format!("`attention_type: xformers` on Apple MPS ({}): xformers is never installed on macOS, and InvokeAI {} fails when it tries to use it", dev.because, cx.target.release.version)
                            } else {
                                format!("`attention_type: xformers` on Apple MPS ({}): xformers is never installed on macOS; InvokeAI {} silently uses torch SDP instead", dev.because, cx.target.release.version)
                            },
                        )
                        .severity(if fatal { Severity::Error } else { Severity::Warning })
                        .label("not available on macOS")
                        .help("Use `attention_type: auto` (torch SDP on MPS)"),
                    )
                } else if dev.kind == DeviceKind::Cuda && cx.target.at_least("5.2.0") {
                    dev.name.as_deref().filter(|n| ampere_or_newer(n) == Some(true)).map(|name| {
                        Diagnostic::new(
                            &META,
                            cx.config.loc(s.value.span),
                            format!("`attention_type: xformers` is silently not used on {name}: InvokeAI {} uses xformers only on GPUs older than Ampere (compute capability 7 or lower) and falls back to torch SDP", cx.target.release.version),
                        )
                        .label("falls back to torch SDP")
                        .help("Use `attention_type: auto` (or `torch-sdp`); torch SDP is as fast on this GPU")
                    })
                } else {
                    None
                };
                if let Some(mut d) = d {
                    if let Some(at) = dev.at {
                        let what = dev.name.as_deref().unwrap_or(dev.kind.as_str());
                        d = d.related(at, format!("torch device: {what}"));
                    }
                    out.push(d.key(s.path()));
                }
            }
        }
        if let Some(size) = read(cx, "attention_slice_size") {
            // At its default the setting asks for nothing, and 3.x wrote it into every file.
            let at_default = cx
                .kb
                .key_in("attention_slice_size", cx.target.release)
                .is_some_and(|k| same_value(size.value, &k.rev.default));
            if kind != Some("sliced") && !at_default {
                let why = match kind {
                    Some(k) => format!("`attention_type` is `{k}`"),
                    None => "`attention_type` is not set (auto)".into(),
                };
                let mut d = Diagnostic::new(
                    &META,
                    cx.config.loc(size.key.span),
                    format!("`attention_slice_size` is ignored: it is read only with `attention_type: sliced`, and {why}"),
                )
                .key(size.path())
                .label("ignored")
                .help("Set `attention_type: sliced` to use it, or remove it");
                if let Some(a) = &attention {
                    d = d.related(cx.config.loc(a.value.span), "attention type set here");
                }
                out.push(d);
            }
        }
    }
}

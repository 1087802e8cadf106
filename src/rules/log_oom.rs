//! IL404 log-oom: the log shows an out-of-memory error; say which change to this config is
//! most likely to help, given what it sets now.

use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::log::OomEvent;
use crate::rules::util::gib;
use crate::rules::values::setting_number;
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::{SourceFile, Span};

pub static META: RuleMeta = RuleMeta {
    code: "IL404",
    name: "log-oom",
    category: Category::Log,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "The log shows an out-of-memory error; names the config change most likely to help",
    doc: include_str!("../../rules/log-oom.md"),
};

pub struct LogOom;

impl Rule for LogOom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(log) = &cx.facts.log else { return };
        // One finding per run of OOMs is enough: the first, with the count.
        let Some(first) = log.oom.first() else { return };
        let count = log.oom_total.max(log.oom.len() as u64);
        let at = event_location(&log.file, first);
        let what = describe(first);
        let more = if count > log.oom.len() as u64 {
            // Only the newest events are kept: the log's first one is gone.
            format!(
                " ({count} out-of-memory events in this log; this is the earliest of the last {} kept)",
                log.oom.len()
            )
        } else if count > 1 {
            format!(" ({count} out-of-memory events in this log; this is the first)")
        } else {
            String::new()
        };
        let (advice, key) = advice(cx, first);
        let mut d = Diagnostic::new(&META, at, format!("{what}{more}"))
            .label("out of memory")
            .help(advice);
        if let Some((name, loc)) = key {
            d = d.related(loc, format!("`{name}` is set here"));
        }
        out.push(d);
    }
}

/// The log line, with the span on the error's own words when they can be found in it.
fn event_location(file: &str, e: &OomEvent) -> Location {
    let line = e.line;
    let src = SourceFile::snippet(file, e.text.clone(), line);
    let whole = src.line_span(line).unwrap_or_default();
    let text = &src.text()[whole.start..whole.end];
    let start = [
        "CUDA out of memory",
        "HIP out of memory",
        "MPS backend out of memory",
        "out of memory",
        "Insufficient GPU memory",
    ]
    .iter()
    .find_map(|k| text.find(k));
    let span = match start {
        Some(s) => {
            // To the end of the first sentence of the error.
            let end = text[s..].find(". ").map_or(text.len(), |i| s + i + 1);
            Span::new(whole.start + s, whole.start + end)
        }
        None => whole,
    };
    Location::new(&src, span)
}

fn describe(e: &OomEvent) -> String {
    let mut parts = Vec::new();
    if let Some(t) = e.tried_gib {
        parts.push(format!("tried to allocate {} GiB", gib(t)));
    }
    if let Some(c) = e.capacity_gib {
        parts.push(format!("of {} GiB total", gib(c)));
    }
    if let Some(f) = e.free_gib {
        parts.push(format!("{} GiB free", gib(f)));
    }
    let who = if e.backend == "InvokeAI" {
        "InvokeAI could not fit a model in GPU memory".to_string()
    } else {
        format!("{} out of memory", e.backend)
    };
    if parts.is_empty() {
        who
    } else {
        format!("{who}: {}", parts.join(", "))
    }
}

/// The single change most likely to help, in order of how much it usually buys.
fn advice(cx: &Context<'_>, e: &OomEvent) -> (String, Option<(&'static str, Location)>) {
    let t = cx.target;
    let cfg = cx.config;
    if !t.at_least("5.6.0") {
        return (
            format!(
                "InvokeAI {} has no partial loading: upgrading to 5.6.0 or later and setting `enable_partial_loading: true` lets models larger than the free VRAM run; until then, lower `vram` (the VRAM cache) to 0 and use smaller or quantised models",
                t.release.version
            ),
            cfg.get("vram").map(|s| ("vram", cfg.loc(s.key.span))),
        );
    }
    let partial = cfg.get("enable_partial_loading");
    let partial_on = crate::rules::machine::boolean(cx, "enable_partial_loading")
        .unwrap_or_else(|| t.at_least("6.13.0"));
    if let Some(s) = cfg.get("max_cache_vram_gb") {
        let v = setting_number(cx, &s)
            .map(gib)
            .unwrap_or_else(|| "it".into());
        return (
            format!("`max_cache_vram_gb: {v}` overrides the working-memory reserve: lower it, or remove it so InvokeAI keeps `device_working_mem_gb` free"),
            Some(("max_cache_vram_gb", cfg.loc(s.value.span))),
        );
    }
    if !partial_on {
        return (
            "Set `enable_partial_loading: true`: models that do not fit are then loaded in part and streamed from RAM instead of failing".into(),
            partial.map(|s| ("enable_partial_loading", cfg.loc(s.value.span))),
        );
    }
    let w = cfg.get("device_working_mem_gb");
    let current = w.and_then(|s| setting_number(cx, &s)).unwrap_or(3.0);
    let mut text = format!(
        "Raise `device_working_mem_gb` from {} to {}: the OOM hit while working memory was short (VAE decode and large images need more than the reserve)",
        gib(current),
        gib(current + 1.0)
    );
    // The allocator hint is for NVIDIA: whether ROCm builds take cudaMallocAsync is not known,
    // and MPS has no CUDA allocator at all.
    let nvidia = e.backend == "CUDA"
        || (e.backend == "InvokeAI"
            && crate::rules::machine::device(cx).is_some_and(|d| {
                d.kind == crate::facts::DeviceKind::Cuda
                    && !d.name.as_deref().is_some_and(looks_amd)
            }));
    if nvidia && t.at_least("5.7.2") && cfg.get("pytorch_cuda_alloc_conf").is_none() {
        text.push_str("; also try `pytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"`, which fragments less");
    }
    (
        text,
        w.map(|s| ("device_working_mem_gb", cfg.loc(s.value.span))),
    )
}

fn looks_amd(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    n.contains("AMD") || n.contains("RADEON")
}

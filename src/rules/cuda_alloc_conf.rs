//! IL207 cuda-alloc-conf: `pytorch_cuda_alloc_conf` checked the way PyTorch's allocator parses it
//! and the way InvokeAI applies it.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::DeviceKind;
use crate::rules::machine::device;
use crate::rules::{Category, Context, Needed, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL207",
    name: "cuda-alloc-conf",
    category: Category::Device,
    default_severity: Severity::Error,
    fixable: false,
    summary: "pytorch_cuda_alloc_conf that PyTorch rejects, that trips InvokeAI's backend check, or on a machine without CUDA",
    doc: include_str!("../../rules/cuda-alloc-conf.md"),
};

pub struct CudaAllocConf;

/// PyTorch's caching-allocator options (c10 CUDAAllocatorConfig, torch 2.x) and what each takes.
const OPTIONS: &[(&str, ValueKind)] = &[
    ("backend", ValueKind::Backend),
    ("max_split_size_mb", ValueKind::SplitSize),
    ("max_non_split_rounding_mb", ValueKind::Int),
    ("garbage_collection_threshold", ValueKind::Fraction),
    ("roundup_power2_divisions", ValueKind::Divisions),
    ("expandable_segments", ValueKind::Bool),
    ("release_lock_on_cudamalloc", ValueKind::Bool),
    ("release_lock_on_hipmalloc", ValueKind::Bool),
    ("pinned_use_cuda_host_register", ValueKind::Bool),
    ("pinned_use_hip_host_register", ValueKind::Bool),
    ("pinned_num_register_threads", ValueKind::Int),
    ("pinned_reserve_segment_size_mb", ValueKind::Int),
    ("pinned_use_background_threads", ValueKind::Bool),
    ("graph_capture_record_stream_reuse", ValueKind::Bool),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ValueKind {
    Backend,
    SplitSize,
    Int,
    Fraction,
    Divisions,
    Bool,
}

/// A problem in the string, with its byte range inside the string.
#[derive(Debug, PartialEq)]
pub struct Problem {
    pub at: (usize, usize),
    pub message: String,
    pub help: String,
}

impl Rule for CudaAllocConf {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.7.2") {
            return;
        }
        let Some(s) = cx.config.get("pytorch_cuda_alloc_conf") else {
            return;
        };
        let Some(value) = s.value.as_str() else {
            return;
        };
        if value.is_empty() {
            return;
        }
        let whole = cx.config.loc(s.value.span);
        let dev = device(cx);
        if dev.is_none() {
            cx.need(Needed::Device, META.name, whole.clone());
        }
        if let Some(d) = dev.filter(|d| d.kind != DeviceKind::Cuda) {
            let mut diag = Diagnostic::new(
                &META,
                whole.clone(),
                format!(
                    "`pytorch_cuda_alloc_conf` is set but the device is {} ({}): InvokeAI stops at start-up (\"Attempted to configure the PyTorch CUDA memory allocator, but no CUDA devices are available\")",
                    d.kind.as_str(),
                    d.because
                ),
            )
            .key(s.path())
            .label("needs a CUDA device")
            .help("Remove the setting on machines without an NVIDIA or ROCm GPU");
            if let Some(at) = d.at {
                diag = diag.related(at, format!("the device is {}", d.kind.as_str()));
            }
            out.push(diag);
            return;
        }
        // Point inside the string when its text in the file is the value itself (no escapes).
        let raw = &cx.config.source.text()[s.value.span.start..s.value.span.end];
        let inner_offset = raw.find(value).map(|i| s.value.span.start + i);
        for p in problems(value) {
            let loc = match inner_offset {
                Some(o) => cx.config.loc(Span::new(o + p.at.0, o + p.at.1)),
                None => whole.clone(),
            };
            out.push(
                Diagnostic::new(&META, loc, p.message.clone())
                    .key(s.path())
                    .label(p.message)
                    .help(p.help),
            );
        }
        if let Some(env) = &cx.facts.env_alloc_conf {
            let same = env == value;
            out.push(
                Diagnostic::new(
                    &META,
                    whole,
                    if same {
                        format!("PYTORCH_CUDA_ALLOC_CONF is already set to '{env}' in this environment: InvokeAI skips the setting (same value, no effect)")
                    } else {
                        format!("PYTORCH_CUDA_ALLOC_CONF is set to '{env}' in this environment: InvokeAI keeps that and skips this setting ('{value}')")
                    },
                )
                .severity(Severity::Info)
                .key(s.path())
                .label("skipped while the variable is set")
                .help("Unset PYTORCH_CUDA_ALLOC_CONF where InvokeAI runs, or drop the setting; the environment variable wins"),
            );
        }
    }
}

/// Parse the string as PyTorch does: `option:value` items separated by commas.
pub fn problems(conf: &str) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut backend_async_alias = None;
    for item in split_items(conf) {
        let (start, text) = item;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let lead = text.len() - text.trim_start().len();
        let s = start + lead;
        let Some((name, val)) = trimmed.split_once(':') else {
            let (name, hint) = match trimmed.split_once('=') {
                Some((n, v)) => (
                    n,
                    format!(
                        "write `{}:{}` — PyTorch separates option and value with a colon",
                        n.trim(),
                        v.trim()
                    ),
                ),
                None => (trimmed, "each item is `option:value`".to_string()),
            };
            out.push(Problem {
                at: (s, s + trimmed.len()),
                message: format!(
                    "PyTorch refuses this: \"Unrecognized CachingAllocator option: {trimmed}\""
                ),
                help: if known(name.trim()).is_some() {
                    hint
                } else {
                    known_list()
                },
            });
            continue;
        };
        let name = name.trim();
        let val = val.trim();
        let Some(kind) = known(name) else {
            let best = OPTIONS
                .iter()
                .map(|(o, _)| (strsim::levenshtein(name, o), *o))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, o)| format!("Did you mean `{o}`? "))
                .unwrap_or_default();
            out.push(Problem {
                at: (s, s + name.len()),
                message: format!(
                    "PyTorch refuses this: \"Unrecognized CachingAllocator option: {name}\""
                ),
                help: format!("{best}{}", known_list()),
            });
            continue;
        };
        let vs = s + trimmed.len() - val.len();
        let bad = |m: String, h: &str| Problem {
            at: (vs, vs + val.len()),
            message: m,
            help: h.to_string(),
        };
        match kind {
            ValueKind::Backend => match val {
                "native" | "cudaMallocAsync" => {}
                "async" => backend_async_alias = Some((vs, vs + val.len())),
                _ => out.push(bad(
                    format!("`backend:{val}` is not an allocator backend PyTorch knows (\"Unknown allocator backend\")"),
                    "Use `backend:native` or `backend:cudaMallocAsync`",
                )),
            },
            ValueKind::Bool => {
                if val != "True" && val != "False" {
                    out.push(bad(
                        format!("`{name}` takes True or False (capitalised), not `{val}`"),
                        "PyTorch compares the text exactly: write True or False",
                    ));
                }
            }
            ValueKind::SplitSize => match val.parse::<u64>() {
                Ok(n) if n > 20 => {}
                Ok(_) => out.push(bad(
                    format!("`max_split_size_mb:{val}` is too small: PyTorch requires more than 20"),
                    "Blocks under 20 MB are never split anyway; try 128 or 512",
                )),
                Err(_) => out.push(bad(format!("`max_split_size_mb` takes a whole number of MB, not `{val}`"), "e.g. max_split_size_mb:512")),
            },
            ValueKind::Int => {
                if val.parse::<u64>().is_err() {
                    out.push(bad(format!("`{name}` takes a whole number, not `{val}`"), "Write a positive integer"));
                }
            }
            ValueKind::Fraction => match val.parse::<f64>() {
                Ok(x) if x > 0.0 && x < 1.0 => {}
                _ => out.push(bad(
                    format!("`garbage_collection_threshold:{val}` must be between 0 and 1 (exclusive)"),
                    "e.g. garbage_collection_threshold:0.8 reclaims cached blocks above 80 % use",
                )),
            },
            ValueKind::Divisions => {
                let ok = val.starts_with('[') && val.ends_with(']')
                    || val.parse::<u64>().is_ok_and(|n| n.is_power_of_two());
                if !ok {
                    out.push(bad(
                        format!("`roundup_power2_divisions:{val}` must be a power of two (or a bracketed list)"),
                        "e.g. roundup_power2_divisions:4",
                    ));
                }
            }
        }
    }
    if let Some(at) = backend_async_alias {
        out.push(Problem {
            at,
            message: "`backend:async` is not the text InvokeAI looks for: it expects the native backend unless the string contains `cudaMallocAsync`, so it stops at start-up — with \"Expected backend: 'native'\" where PyTorch takes `async` as cudaMallocAsync, or with PyTorch's own \"Unknown allocator backend\" where it does not".into(),
            help: "Write `backend:cudaMallocAsync`".into(),
        });
    }
    out
}

/// Items separated by commas outside brackets, with their byte offsets.
fn split_items(conf: &str) -> Vec<(usize, &str)> {
    let mut items = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    for (i, c) in conf.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            ',' if depth <= 0 => {
                items.push((start, &conf[start..i]));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push((start, &conf[start..]));
    items
}

fn known(name: &str) -> Option<ValueKind> {
    OPTIONS.iter().find(|(o, _)| *o == name).map(|(_, k)| *k)
}

fn known_list() -> String {
    format!(
        "Options PyTorch knows: {}",
        OPTIONS
            .iter()
            .map(|(o, _)| *o)
            .collect::<Vec<_>>()
            .join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_documented_values() {
        assert!(problems("backend:cudaMallocAsync").is_empty());
        assert!(problems("expandable_segments:True,max_split_size_mb:512").is_empty());
        assert!(problems("garbage_collection_threshold:0.6, max_split_size_mb:128").is_empty());
        assert!(problems("roundup_power2_divisions:[256:1,512:2,>:4]").is_empty());
    }

    #[test]
    fn finds_each_problem_at_its_place() {
        let p = problems("expandable_segments=True");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].at, (0, 24));
        let p = problems("backend:native,max_splt_size_mb:64");
        assert_eq!(p[0].at, (15, 31));
        assert!(p[0].help.starts_with("Did you mean `max_split_size_mb`"));
        let p = problems("expandable_segments:true");
        assert_eq!(p[0].at, (20, 24));
        assert_eq!(problems("max_split_size_mb:20").len(), 1);
        assert_eq!(problems("garbage_collection_threshold:1").len(), 1);
    }

    #[test]
    fn backend_async_trips_invokeai() {
        let p = problems("backend:async");
        assert_eq!(p.len(), 1);
        assert!(p[0].message.contains("Expected backend: 'native'"));
    }
}

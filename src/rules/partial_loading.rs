//! IL206 partial-loading: `enable_partial_loading` where it does nothing, where it is
//! redundant, or missing where it would help.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Location, Severity};
use crate::edits::{insert_setting, remove_setting, Place};
use crate::facts::DeviceKind;
use crate::rules::machine::{boolean, device};
use crate::rules::schema_version::assumed_target_is_newer_than_file;
use crate::rules::util::gib;
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::{SourceFile, Span};

pub static META: RuleMeta = RuleMeta {
    code: "IL206",
    name: "partial-loading",
    category: Category::Memory,
    default_severity: Severity::Warning,
    fixable: true,
    summary: "enable_partial_loading with no effect (off CUDA), redundant (6.13+), or missing on a small GPU",
    doc: include_str!("../../rules/partial-loading.md"),
};

/// Cards below this size are the ones low-VRAM mode was made for.
const SMALL_CARD_GB: f64 = 16.0;

pub struct PartialLoading;

impl Rule for PartialLoading {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !cx.target.at_least("5.6.0") {
            return;
        }
        let setting = cx.config.get("enable_partial_loading");
        let value = boolean(cx, "enable_partial_loading");
        let default_on = cx.target.at_least("6.13.0");
        let dev = device(cx);
        if let (Some(s), Some(true)) = (&setting, value) {
            // No `need` for the device here: almost every such config runs on CUDA, and an
            // info on each of them would be noise.
            if let Some(d) = dev.as_ref().filter(|d| d.kind != DeviceKind::Cuda) {
                let mut diag = Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!(
                        "`enable_partial_loading: true` has no effect on {} ({}): partial loading only works on a CUDA device; elsewhere every model is loaded whole",
                        d.kind.as_str(),
                        d.because
                    ),
                )
                .key(s.path())
                .label("ignored off CUDA")
                .help("Remove the setting, or run InvokeAI on an NVIDIA (or ROCm) GPU");
                if let Some(at) = d.at.clone() {
                    diag = diag.related(at, format!("the device is {}", d.kind.as_str()));
                }
                out.push(diag);
                return;
            }
            // A 4.0.2 file linted with no release given is for 5.6 – 6.12, where the line is
            // what turns partial loading on: not redundant for it.
            if default_on && !assumed_target_is_newer_than_file(cx) {
                // No release was given (nor found in a log or the linter config): the
                // newest is only assumed, and on 5.6 – 6.12 this line is what turns partial
                // loading on. Say it for the release named, and offer no removal.
                let assumed = cx.target.origin.is_none();
                let help = if assumed {
                    format!(
                        "If this machine runs InvokeAI 6.13.0 or later the line can go; on 5.6 – 6.12 keep it, as the default there is false. No release was given, so {} was assumed: pass --invokeai-version",
                        cx.target.release.version
                    )
                } else {
                    "Remove the line, unless the same file must also work on InvokeAI 5.6 – 6.12, where the default is false".to_string()
                };
                let fix = remove_setting(cx.config, "enable_partial_loading")
                    .filter(|_| !assumed)
                    .map(|edits| Fix {
                        description: "Remove the redundant line".into(),
                        applicability: Applicability::Safe,
                        edits,
                    });
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.config.loc(s.value.span),
                        format!(
                            "`enable_partial_loading: true` is the default in InvokeAI 6.13.0 and later, so redundant for {} (the release this config is linted against)",
                            cx.target.release.version
                        ),
                    )
                    .severity(Severity::Info)
                    .key(s.path())
                    .label("redundant from 6.13.0")
                    .help(help)
                    .fix_opt(fix),
                );
            }
            return;
        }
        if setting.is_some() || default_on {
            return;
        }
        // Unset on 5.6 – 6.12, where it defaults to false.
        if dev.as_ref().is_some_and(|d| d.kind != DeviceKind::Cuda) {
            return;
        }
        let log = cx.facts.log.as_ref();
        let oom = log.and_then(|l| l.oom.first());
        // Without a VRAM cap, log-oom gives this very advice at the out-of-memory line; a
        // second finding here would only repeat it.
        if oom.is_some() && cx.config.get("max_cache_vram_gb").is_none() {
            return;
        }
        let small = cx
            .facts
            .vram_gib
            .as_ref()
            .filter(|v| v.value < SMALL_CARD_GB);
        let why = match (oom, small) {
            (Some(e), _) => format!("the log shows an out-of-memory error (line {})", e.line),
            (None, Some(v)) => format!(
                "the GPU has {} GB of VRAM (from {})",
                gib(v.value),
                v.origin.describe()
            ),
            (None, None) => return,
        };
        let mut d = Diagnostic::new(
            &META,
            cx.config.loc(Span::new(0, 0)),
            format!(
                "`enable_partial_loading` is not set, so InvokeAI {} loads every model whole, and {why}",
                cx.target.release.version
            ),
        )
        .severity(Severity::Info)
        .key("enable_partial_loading")
        .label("low-VRAM mode is off")
        .help("Add `enable_partial_loading: true`: a model that does not fit is then loaded in part and the rest streamed from RAM, instead of failing with out-of-memory (the default from 6.13.0)")
        .fix_opt(
            insert_setting(
                cx.config,
                "enable_partial_loading",
                "true",
                Some(&crate::guide::partial_loading_comment(small.map(|v| v.value))),
                Place::Last,
            )
            .map(|mut e| {
                let mut description = "Add enable_partial_loading: true".to_string();
                // The guide's low-VRAM block also sets CUDA's own allocator; added in the
                // same place, so the two lines land together.
                if let Some(alloc) = allocator_line(cx, dev.as_ref()).filter(|a| a.span == e.span)
                {
                    e.replacement.push_str(&alloc.replacement);
                    description.push_str(" and pytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"");
                }
                Fix {
                    description,
                    applicability: Applicability::Unsafe,
                    edits: vec![e],
                }
            }),
        );
        // Cite what the message gives as the reason.
        match (oom, log, small) {
            (Some(e), Some(l), _) => {
                let line = e.line;
                let src = SourceFile::snippet(l.file.clone(), e.text.clone(), line);
                let span = src.line_span(line).unwrap_or_default();
                d = d.related(Location::new(&src, span), "the out-of-memory error");
            }
            (None, _, Some(v)) => d = crate::rules::machine::cite_amount(d, v, "total VRAM"),
            _ => {}
        }
        out.push(d);
    }
}

/// The guide's `pytorch_cuda_alloc_conf: "backend:cudaMallocAsync"`, to add beside
/// `enable_partial_loading` when this is known to be an NVIDIA card (the guide gives it for
/// NVIDIA only; on a machine without CUDA the setting stops InvokeAI at start-up, see
/// cuda-alloc-conf), the release has the key (5.7.2+) and the file does not set it.
fn allocator_line(
    cx: &Context<'_>,
    dev: Option<&crate::rules::machine::DeviceGuess>,
) -> Option<crate::diagnostic::Edit> {
    let nvidia = dev.is_some_and(|d| {
        d.kind == DeviceKind::Cuda
            && d.name
                .as_deref()
                .is_some_and(|n| n.to_ascii_lowercase().contains("nvidia"))
    });
    if !nvidia
        || cx
            .kb
            .key_in("pytorch_cuda_alloc_conf", cx.target.release)
            .is_none()
        || cx.config.get("pytorch_cuda_alloc_conf").is_some()
    {
        return None;
    }
    insert_setting(
        cx.config,
        "pytorch_cuda_alloc_conf",
        crate::guide::ALLOCATOR_VALUE,
        Some(crate::guide::ALLOCATOR_COMMENT),
        Place::Last,
    )
}

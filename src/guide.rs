//! The low-VRAM guide as a tool: the settings it recommends for one release and machine,
//! each with the arithmetic behind it (../shared/guide/low-vram-guide.zh.md, facts in
//! CONFIG_FACTS.md §low-VRAM). `invokeai-lint guide` prints them as an invokeai.yaml block;
//! the rules' unsafe fixes add the same lines with the same comments.

use crate::facts::{DeviceKind, Facts, Target};
use crate::knowledge::Knowledge;

/// Cards below this size are the ones low-VRAM mode was made for (partial-loading rule).
pub const SMALL_CARD_GB: f64 = 16.0;
/// Below this much RAM a RAM copy of every model on the GPU costs too much (keep-ram-copy).
pub const SMALL_RAM_GB: f64 = 15.0;
/// InvokeAI's default `device_working_mem_gb`.
pub const DEFAULT_WORKING_MEM_GB: f64 = 3.0;

/// The guide's CUDA allocator setting (NVIDIA cards), as a YAML value, and its comment.
pub const ALLOCATOR_VALUE: &str = "\"backend:cudaMallocAsync\"";
pub const ALLOCATOR_COMMENT: &str = "CUDA's own allocator, the guide's first choice (NVIDIA)";

/// GB as the rules write them (two decimals at most, no trailing zeros).
fn gib(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        format!("{r:.2}").trim_end_matches('0').to_string()
    }
}

/// The comment for `enable_partial_loading: true` on a card of `vram` GB.
pub fn partial_loading_comment(vram: Option<f64>) -> String {
    match vram {
        Some(v) => format!(
            "{} GB VRAM < {} GB: load a model in part when it does not fit (off by default before 6.13.0)",
            gib(v),
            gib(SMALL_CARD_GB)
        ),
        None => "a model that does not fit is loaded in part (off by default before 6.13.0)".into(),
    }
}

/// The comment for `keep_ram_copy_of_weights: false` with `ram` GB of RAM.
pub fn ram_copy_comment(ram: f64) -> String {
    format!(
        "{} GB RAM < {} GB: no RAM copy of the models on the GPU (model switches get slower)",
        gib(ram),
        gib(SMALL_RAM_GB)
    )
}

/// One recommended setting, or (with `key` None) a line of advice.
pub struct Line {
    pub key: Option<&'static str>,
    pub value: String,
    pub comment: String,
}

/// What the guide recommends for `target` on the machine `facts` describe.
pub fn recommend(target: &Target, facts: &Facts, working_mem: Option<f64>) -> Vec<Line> {
    let kb = Knowledge::get();
    let has = |k: &str| kb.key_in(k, target.release).is_some();
    let vram = facts.vram_gib.as_ref().map(|f| f.value);
    let ram = facts.ram_gib.as_ref().map(|f| f.value);
    let cuda = facts
        .device
        .as_ref()
        .is_none_or(|d| d.value.kind == DeviceKind::Cuda);
    let w = working_mem.unwrap_or(DEFAULT_WORKING_MEM_GB);
    let mut out = Vec::new();
    if let Some(s) = target.release.schema_version.as_deref() {
        out.push(Line {
            key: Some("schema_version"),
            value: s.to_string(),
            comment: format!("the schema InvokeAI {} writes", target.version),
        });
    }
    if !has("enable_partial_loading") {
        out.push(advice(format!(
            "InvokeAI {} has no low-VRAM mode (partial loading came in 5.6.0)",
            target.version
        )));
        return out;
    }
    if !cuda {
        out.push(advice(
            "not CUDA: partial loading and the CUDA allocator do nothing here".into(),
        ));
    } else if target.at_least("6.13.0") {
        out.push(advice(
            "enable_partial_loading is on by default from 6.13.0: nothing to add".into(),
        ));
    } else if vram.is_none_or(|v| v < SMALL_CARD_GB) {
        out.push(Line {
            key: Some("enable_partial_loading"),
            value: "true".into(),
            comment: partial_loading_comment(vram),
        });
    }
    if cuda && has("pytorch_cuda_alloc_conf") {
        out.push(Line {
            key: Some("pytorch_cuda_alloc_conf"),
            value: ALLOCATOR_VALUE.into(),
            comment: ALLOCATOR_COMMENT.into(),
        });
    }
    if has("device_working_mem_gb") {
        match working_mem {
            Some(w) => out.push(Line {
                key: Some("device_working_mem_gb"),
                value: gib(w),
                comment: format!("VRAM kept free for inference (default {})", gib(DEFAULT_WORKING_MEM_GB)),
            }),
            None => out.push(advice(format!(
                "device_working_mem_gb: {} by default; raise it (e.g. 4) if out-of-memory errors remain",
                gib(w)
            ))),
        }
    }
    if has("max_cache_vram_gb") {
        out.push(advice(match vram {
            Some(v) => format!(
                "max_cache_vram_gb: leave it unset; if set, at most {} - {} = {} GB (VRAM - device_working_mem_gb), it overrides the working memory",
                gib(v),
                gib(w),
                gib((v - w).max(0.0))
            ),
            None => "max_cache_vram_gb: leave it unset; if set, at most VRAM - device_working_mem_gb".into(),
        }));
    }
    if has("keep_ram_copy_of_weights") {
        match ram {
            Some(r) if r < SMALL_RAM_GB => out.push(Line {
                key: Some("keep_ram_copy_of_weights"),
                value: "false".into(),
                comment: ram_copy_comment(r),
            }),
            Some(r) => out.push(advice(format!(
                "{} GB RAM: keep_ram_copy_of_weights can stay on (the default)",
                gib(r)
            ))),
            None => out.push(advice(
                "keep_ram_copy_of_weights: false when RAM is short (pass --ram-gb to decide)"
                    .into(),
            )),
        }
    }
    out
}

fn advice(comment: String) -> Line {
    Line {
        key: None,
        value: String::new(),
        comment,
    }
}

/// The block as invokeai.yaml text: a comment line above each setting.
pub fn render(lines: &[Line]) -> String {
    let mut s = String::new();
    for l in lines {
        s.push_str(&format!("# {}\n", l.comment));
        if let Some(k) = l.key {
            s.push_str(&format!("{k}: {}\n", l.value));
        }
    }
    s
}

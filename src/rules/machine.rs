//! Shared by the memory and device rules: the machine facts a rule needs, recorded as
//! missing (for `missing-fact`) when unknown, and the settings they interact with.

use crate::config::Setting;
use crate::diagnostic::{Diagnostic, Location};
use crate::facts::{DeviceKind, Fact, Origin};
use crate::rules::util::{cite, gib};
use crate::rules::values::setting_number;
use crate::rules::{Context, Needed};

/// Total VRAM, or record that `rule` needed it at `at`.
///
/// VRAM read back from the log's RAM-cache line assumed the defaults (cache = VRAM − 3 GB);
/// when this config sets the keys that change that arithmetic, the fact is redone with them,
/// or dropped when it cannot be (a `max_cache_vram_gb` cap hides the VRAM).
pub fn vram(cx: &Context<'_>, rule: &'static str, at: &Location) -> Option<Fact<f64>> {
    let f = cx
        .facts
        .vram_gib
        .as_ref()
        .and_then(|f| adjusted_for_config(cx, f));
    if f.is_none() {
        cx.need(Needed::Vram, rule, at.clone());
    }
    f
}

fn adjusted_for_config(cx: &Context<'_>, f: &Fact<f64>) -> Option<Fact<f64>> {
    let Origin::LogDerived {
        basis: "ram_cache",
        file,
        line,
        text,
        reasoning,
    } = &f.origin
    else {
        return Some(f.clone());
    };
    if cx.config.get("max_cache_vram_gb").is_some() {
        return None;
    }
    match number(cx, "device_working_mem_gb") {
        Some((w, _)) if (w - 3.0).abs() > f64::EPSILON => Some(Fact::new(
            f.value - 3.0 + w,
            Origin::LogDerived {
                file: file.clone(),
                line: *line,
                text: text.clone(),
                reasoning: format!(
                    "{reasoning}; redone with this config's device_working_mem_gb: {}",
                    gib(w)
                ),
                basis: "ram_cache",
            },
        )),
        _ => Some(f.clone()),
    }
}

/// System RAM, or record that `rule` needed it at `at`.
pub fn ram<'a>(cx: &'a Context<'_>, rule: &'static str, at: &Location) -> Option<&'a Fact<f64>> {
    let f = cx.facts.ram_gib.as_ref();
    if f.is_none() {
        cx.need(Needed::Ram, rule, at.clone());
    }
    f
}

/// `device_working_mem_gb` as InvokeAI will use it: the setting, or the default 3.
pub fn working_mem<'c>(cx: &'c Context<'_>) -> (f64, Option<Setting<'c>>) {
    match cx.config.get("device_working_mem_gb") {
        Some(s) => (setting_number(cx, &s).unwrap_or(3.0), Some(s)),
        None => (3.0, None),
    }
}

/// A numeric setting that is set and valid.
pub fn number<'c>(cx: &'c Context<'_>, name: &str) -> Option<(f64, Setting<'c>)> {
    let s = cx.config.get(name)?;
    Some((setting_number(cx, &s)?, s))
}

/// A boolean setting as pydantic reads it (`true`, `'yes'`, `1`), or None when unset/invalid.
pub fn boolean(cx: &Context<'_>, name: &str) -> Option<bool> {
    let s = cx.config.get(name)?;
    let scalar = s.value.as_scalar()?;
    match &scalar.resolved {
        crate::yaml::Resolved::Bool(b) => Some(*b),
        crate::yaml::Resolved::Int(0) => Some(false),
        crate::yaml::Resolved::Int(1) => Some(true),
        crate::yaml::Resolved::Str => match scalar.value.to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" | "t" | "y" => Some(true),
            "false" | "no" | "off" | "0" | "f" | "n" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// Which device InvokeAI will run on, and why we think so: an explicit `device:` in the config
/// wins; `auto` (or no setting) defers to the facts (flag, host, log).
pub struct DeviceGuess {
    pub kind: DeviceKind,
    pub name: Option<String>,
    /// "`device: cpu` in this config", "the log (invokeai.log:2)", "--device".
    pub because: String,
    /// Where to cite it: the config value, or the log line.
    pub at: Option<Location>,
}

pub fn device(cx: &Context<'_>) -> Option<DeviceGuess> {
    if let Some(s) = cx.config.get("device") {
        if let Some(v) = s.value.as_str() {
            if let Some(kind) = DeviceKind::parse(v).filter(|_| v != "auto") {
                return Some(DeviceGuess {
                    kind,
                    name: None,
                    because: format!("`device: {v}` in this config"),
                    at: Some(cx.config.loc(s.value.span)),
                });
            }
        }
    }
    if let Some(f) = cx.facts.device.as_ref() {
        return Some(DeviceGuess {
            kind: f.value.kind,
            name: f.value.name.clone(),
            because: f.origin.describe(),
            at: f.origin.location(),
        });
    }
    // A VRAM size means a discrete GPU, which torch drives as CUDA (NVIDIA, and AMD on ROCm).
    let v = cx.facts.vram_gib.as_ref()?;
    Some(DeviceGuess {
        kind: DeviceKind::Cuda,
        name: None,
        because: format!(
            "a GPU with {} GB of VRAM, from {}",
            crate::rules::util::gib(v.value),
            v.origin.describe()
        ),
        at: v.origin.location(),
    })
}

/// Attach the log line a VRAM/RAM fact came from, with its value.
pub fn cite_amount(d: Diagnostic, f: &Fact<f64>, what: &str) -> Diagnostic {
    cite(d, f, &format!("{what}: {} GB", gib(f.value)))
}

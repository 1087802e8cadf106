//! IL301 device-mismatch: the config asks for a device the log shows InvokeAI did not get.

use crate::diagnostic::{Diagnostic, Severity};
use crate::facts::{DeviceKind, Origin};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL301",
    name: "device-mismatch",
    category: Category::Device,
    default_severity: Severity::Error,
    fixable: false,
    summary: "device asks for CUDA or MPS while the log shows torch running on another device",
    doc: include_str!("../../rules/device-mismatch.md"),
};

pub struct DeviceMismatch;

impl Rule for DeviceMismatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(s) = cx.config.get("device") else {
            return;
        };
        let Some(v) = s.value.as_str() else { return };
        let Some(want) = DeviceKind::parse(v).filter(|_| v != "auto") else {
            return;
        };
        // Only a device the log (or the host) saw counts as proof.
        let Some(seen) = &cx.facts.device else { return };
        if !matches!(seen.origin, Origin::Log { .. } | Origin::Host(_)) || seen.value.kind == want {
            return;
        }
        let got = seen.value.kind;
        if want == DeviceKind::Cpu {
            // The file asks for the CPU and torch ran on a GPU: the file was not what that
            // run read (INVOKEAI_DEVICE beats the file from 4.0.0), or the log is older.
            let mut d = Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                format!(
                    "`device: cpu`, but torch ran on {} ({}): that run did not use this setting — INVOKEAI_DEVICE in the environment overrides the file, or the log predates this config",
                    seen.value.name.clone().unwrap_or_else(|| got.as_str().to_uppercase()),
                    seen.origin.describe()
                ),
            )
            .severity(Severity::Warning)
            .key(s.path())
            .label("cpu requested")
            .help("Check INVOKEAI_DEVICE where InvokeAI runs, or lint with a log from a run that used this config");
            if let Some(at) = seen.origin.location() {
                d = d.related(at, format!("torch device: {}", got.as_str()));
            }
            out.push(d);
            return;
        }
        let cause = match (want, got) {
            (DeviceKind::Cuda, DeviceKind::Cpu) => "the usual cause is a CPU-only torch wheel (pip installed `torch` without the CUDA index URL), or a driver too old for the torch build; reinstall torch from the CUDA index that matches the driver",
            (DeviceKind::Mps, _) => "MPS exists only on Apple Silicon Macs with a torch build that has it",
            (DeviceKind::Cuda, DeviceKind::Mps) => "this is a Mac: use `device: mps` or `auto`",
            _ => "set `device` to what the machine has, or `auto`",
        };
        let mut d = Diagnostic::new(
            &META,
            cx.config.loc(s.value.span),
            format!(
                "`device: {v}` but torch ran on {} ({}): {}",
                seen.value.name.clone().unwrap_or_else(|| got.as_str().to_uppercase()),
                seen.origin.describe(),
                match want {
                    DeviceKind::Cuda => "torch cannot see a CUDA device there, so InvokeAI stops at start-up when it asks the device for its name and memory",
                    _ => "InvokeAI stops at start-up when it cannot open this device",
                }
            ),
        )
        .key(s.path())
        .label(format!("{} requested", want.as_str()))
        .help(cause);
        if let Some(at) = seen.origin.location() {
            d = d.related(at, format!("torch device: {}", got.as_str()));
        }
        out.push(d);
    }
}

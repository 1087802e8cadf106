//! Facts as print-config shows them.

use std::collections::BTreeMap;

use super::model::ConfigFacts;
use crate::facts::Origin;

/// A readable list of what print-config shows, shared by its human and JSON forms.
#[derive(Debug, serde::Serialize)]
pub struct Shown {
    pub value: String,
    /// `default`, a flag, or `invokeai-lint.toml <table> <key>`.
    pub from: String,
}

/// Facts as print-config shows them, keyed by their config-file name.
pub fn facts_table(f: &ConfigFacts) -> BTreeMap<&'static str, Option<Shown>> {
    let show = |v: String, o: &Origin| Shown {
        value: v,
        from: o.describe(),
    };
    let mut m = BTreeMap::new();
    m.insert(
        "invokeai_version",
        f.invokeai_version
            .as_ref()
            .map(|x| show(x.value.clone(), &x.origin)),
    );
    m.insert(
        "vram_gb",
        f.vram_gb
            .as_ref()
            .map(|x| show(x.value.to_string(), &x.origin)),
    );
    m.insert(
        "ram_gb",
        f.ram_gb
            .as_ref()
            .map(|x| show(x.value.to_string(), &x.origin)),
    );
    m.insert(
        "device",
        f.device.as_ref().map(|x| show(x.value.clone(), &x.origin)),
    );
    m.insert(
        "os",
        f.os.as_ref().map(|x| show(x.value.clone(), &x.origin)),
    );
    m
}

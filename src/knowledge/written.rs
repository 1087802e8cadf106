//! Values InvokeAI writes into invokeai.yaml by itself, without the user choosing them.
//!
//! 3.x's `invokeai-configure` wrote every setting with its value, defaults included
//! (`InvokeAIAppConfig.to_yaml`, invokeai/app/services/config/config_base.py@v3.6.2). From 4.0.0
//! InvokeAI writes only values that differ from its defaults (`write_file` with
//! `exclude_defaults`, config_default.py@v4.0.0 … @v6.13.8), and its migration of a 3.x file keeps
//! every key the release still has. So a 3.x default that a later release changed (or stopped
//! reading) lands in a file InvokeAI itself wrote: `ram: 7.5` / `vram: 0.25` from a 3.6 file
//! migrated by 5.9.1. Rules that would otherwise warn about such a value ask here first.

use serde_json::Value;

use super::{KeySpec, Knowledge};
use crate::yaml::{Node, Resolved};

/// The 3.x keys 4.0.0's migration renames (`migrate_v3_config_dict`, config_default.py@v4.0.0 …
/// @v6.13.8): (3.x name, the name it is written under).
const V3_RENAMED: [(&str, &str); 4] = [
    ("outdir", "outputs_dir"),
    ("max_cache_size", "ram"),
    ("max_vram_cache_size", "vram"),
    ("conf_path", "legacy_models_yaml_path"),
];

/// Whether a scalar node holds the value `default` as Python would compare them after PyYAML
/// read the file (`6` equals `6.0`; a quoted `'6'` is a string and does not).
pub fn same_value(node: &Node, default: &Value) -> bool {
    let Some(s) = node.as_scalar() else {
        return false;
    };
    match (&s.resolved, default) {
        (Resolved::Null, Value::Null) => true,
        (Resolved::Bool(b), Value::Bool(d)) => b == d,
        (Resolved::Int(i), Value::Number(n)) => n.as_f64() == Some(*i as f64),
        (Resolved::Float(f), Value::Number(n)) => n.as_f64() == Some(*f),
        (Resolved::Str, Value::String(d)) => s.value == *d,
        _ => false,
    }
}

impl Knowledge {
    /// Whether `value` is a default `spec` had in a release where it was still in use (not yet
    /// deprecated), or that the 3.x key migrated into it had: a value InvokeAI wrote by itself
    /// into 3.x files, which its own migration carries into later ones.
    pub fn is_former_default(&self, spec: &KeySpec, value: &Node) -> bool {
        let live_default = |key: &KeySpec| {
            key.history
                .iter()
                .filter(|r| key.deprecated_in.as_ref().is_none_or(|d| r.since < *d))
                .any(|r| same_value(value, &r.default))
        };
        live_default(spec)
            || V3_RENAMED
                .iter()
                .filter(|(_, to)| *to == spec.name)
                .filter_map(|(from, _)| self.key(from))
                .any(live_default)
    }
}

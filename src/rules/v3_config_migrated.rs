//! IL109 v3-config-migrated: a 3.x nested file linted for 4.0.0+, which InvokeAI migrates at
//! start-up: what the migration renames, drops and breaks.

use crate::config::Layout;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::yaml::NodeKind;

pub static META: RuleMeta = RuleMeta {
    code: "IL109",
    name: "v3-config-migrated",
    category: Category::Schema,
    default_severity: Severity::Info,
    fixable: false,
    summary: "A 3.x nested file under InvokeAI 4.0+: migrated at start-up; lists what is renamed or dropped",
    doc: include_str!("../../rules/v3-config-migrated.md"),
};

pub struct V3ConfigMigrated;

impl Rule for V3ConfigMigrated {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if cx.config.layout != Layout::V3Nested || !cx.target.at_least("4.0.0") {
            return;
        }
        let rel = &cx.target.release.version;
        let Some(root) = cx.config.root() else { return };
        let Some(top) = root.get("InvokeAI") else {
            return;
        };
        let schema = cx
            .target
            .release
            .schema_version
            .as_deref()
            .unwrap_or("4.0.0");
        let head = Diagnostic::new(
            &META,
            cx.config.loc(top.key.span),
            format!(
                "a 3.x nested config: {} migrates it to the flat schema {schema} at start-up and rewrites the file without comments (the original is kept as invokeai.yaml.bak)",
                target_phrase(cx.target)
            ),
        )
        .label("3.x layout")
        .help(format!("Run `invokeai-lint migrate {} --to {}` to see the flat file InvokeAI would make, with your comments kept (`--write` writes it); any other finding on a key of this file says what the migration drops or renames", cx.config.name(), cx.target.release.version));
        out.push(cite_target(head, cx.target));

        // `InvokeAI:` itself, or a section, that is not a mapping crashes the v3 migration (it
        // calls .items() on them: migrate_v3_config_dict, config_default.py@v4.0.0 … @v6.13.8).
        if top.value.entries().is_none() && !matches!(top.value.kind, NodeKind::Alias(_)) {
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(top.key.span),
                    format!(
                        "`InvokeAI:` holds {}, not a mapping of sections: the 3.x migration stops with AttributeError ('… object has no attribute \'items\'') and {} does not start",
                        describe(&top.value),
                        target_phrase(cx.target)
                    ),
                )
                .severity(Severity::Error)
                .key("InvokeAI")
                .label("not a mapping")
                .help("Put the 3.x sections under `InvokeAI:`, or delete the line and write a flat file with `schema_version` first"),
            );
        }
        for sec in top.value.entries().unwrap_or(&[]) {
            if sec.value.entries().is_none() && !matches!(sec.value.kind, NodeKind::Alias(_)) {
                let name = sec.key.as_str().unwrap_or("?");
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.config.loc(sec.key.span),
                        format!("`{name}` under `InvokeAI:` is not a section of settings: the 3.x migration stops with an AttributeError and InvokeAI does not start"),
                    )
                    .severity(Severity::Error)
                    .key(format!("InvokeAI.{name}"))
                    .label("empty or not a mapping")
                    .help("Remove the line, or put the settings it should hold under it"),
                );
            }
        }

        // Keys beside `InvokeAI:` are lost: the migration reads only what is under it.
        for e in root.entries().unwrap_or(&[]) {
            if let Some(name) = e.key.as_str().filter(|n| *n != "InvokeAI") {
                out.push(
                    Diagnostic::new(
                        &META,
                        cx.config.loc(e.key.span),
                        format!("`{name}` sits beside `InvokeAI:`: a file with a top-level `InvokeAI:` is read as 3.x, and the migration drops everything outside it"),
                    )
                    .severity(Severity::Warning)
                    .key(name)
                    .label("lost in the migration")
                    .help("Move the setting under the right section of `InvokeAI:`, or convert the whole file to the flat format"),
                );
            }
        }

        for &s in cx.settings() {
            let path = s.path();
            let d = match s.name {
                "conf_path" => Some(
                    Diagnostic::new(&META, cx.config.loc(s.key.span), "`conf_path` becomes the internal `legacy_models_yaml_path`: InvokeAI uses it once, to import the old models.yaml into its database")
                        .label("renamed to legacy_models_yaml_path")
                        .help("Nothing to do unless models.yaml is gone; it is not a setting to keep in a flat file"),
                ),
                "outdir" => Some(
                    Diagnostic::new(&META, cx.config.loc(s.key.span), "`outdir` becomes `outputs_dir` in the migration")
                        .label("renamed to outputs_dir")
                        .help("Write `outputs_dir` in a flat file"),
                ),
                "max_cache_size" | "max_vram_cache_size" => {
                    let to = if s.name == "max_cache_size" { "ram" } else { "vram" };
                    let new = if to == "ram" { "max_cache_ram_gb" } else { "max_cache_vram_gb" };
                    let ignored = cx.target.at_least("5.6.0");
                    Some(
                        Diagnostic::new(
                            &META,
                            cx.config.loc(s.key.span),
                            if ignored {
                                format!("`{}` is carried over as `{to}`, which 5.6.0 and later validate but never read: the cache size you set here is lost", s.name)
                            } else {
                                format!("`{}` is carried over as `{to}` (unless `{to}` is set in the same section)", s.name)
                            },
                        )
                        .severity(if ignored { Severity::Warning } else { Severity::Info })
                        .label(format!("becomes `{to}`"))
                        .help(if ignored {
                            format!("Set `{new}` in a flat file instead")
                        } else {
                            format!("Write `{to}` in a flat file")
                        }),
                    )
                }
                "precision"
                    if s.value.as_str() == Some("autocast")
                        && cx.target.at_least("4.1.0")
                        && !cx.target.at_least("4.2.6") =>
                {
                    Some(
                        Diagnostic::new(
                            &META,
                            cx.config.loc(s.value.span),
                            format!("`precision: autocast` makes the migration fail in {}: the value is copied as is and 4.1.0+ no longer accepts it", target_phrase(cx.target)),
                        )
                        .severity(Severity::Error)
                        .label("fails validation after migration")
                        .help("Change it to `precision: auto` before upgrading"),
                    )
                }
                name if cx.kb.key_in(name, cx.target.release).is_none() => {
                    let extra = match name {
                        "png_compress_level" => " It is not carried to `pil_compress_level`, whose default is 1, not 6.",
                        "root" => " From 4.0.0 the root comes from --root or INVOKEAI_ROOT.",
                        "always_use_cpu" => " Use `device: cpu` instead.",
                        "xformers_enabled" => " Use `attention_type` instead.",
                        "tiled_decode" => " Use `force_tiled_decode` instead.",
                        _ => "",
                    };
                    Some(
                        Diagnostic::new(
                            &META,
                            cx.config.loc(s.key.span),
                            format!("`{}` is dropped by the migration: {} has no such setting.{extra}", s.name, target_phrase(cx.target)),
                        )
                        .severity(Severity::Warning)
                        .label("dropped silently")
                        .help(match cx.kb.key(name).and_then(|k| k.replaced_by.as_deref()) {
                            Some(by) if cx.kb.key_in(by, cx.target.release).is_some() => {
                                format!("Remove it; write `{by}` in the flat file if you need its effect")
                            }
                            Some(by) => format!("Remove it; its replacement is {by}"),
                            None => format!("Remove it: nothing in {rel} takes its place"),
                        }),
                    )
                }
                _ => None,
            };
            if let Some(d) = d {
                out.push(d.key(path));
            }
        }
    }
}

/// A value for messages: "nothing" for an empty one.
fn describe(node: &crate::yaml::Node) -> String {
    match &node.kind {
        NodeKind::Scalar(s) if s.resolved == crate::yaml::Resolved::Null => "nothing".into(),
        _ => node.describe(),
    }
}

//! JSON Schemas: one for `invokeai-lint.toml` (editors such as Taplo validate and complete
//! it) and one for the invokeai.yaml of a given InvokeAI release (yaml-language-server,
//! check-jsonschema).
//!
//! The invokeai.yaml schema is the strict reading of the settings table: types as YAML
//! writes them. pydantic's lax mode also takes `'4'` for a number; the linter judges that
//! case properly, a schema cannot.

use serde_json::{json, Map, Value};

use crate::knowledge::{Constraints, KeyAt, Knowledge, ValueType, Version};
use crate::linter_config::{FACT_KEYS, OS_NAMES};
use crate::rules;

const DRAFT: &str = "http://json-schema.org/draft-07/schema#";

/// The schema of `invokeai-lint.toml`.
pub fn linter_config() -> Value {
    let metas = rules::metas();
    let mut names: Vec<Value> = vec![json!("ALL")];
    names.extend(metas.iter().map(|m| json!(m.code)));
    names.extend(metas.iter().map(|m| json!(m.name)));
    let mut cats: Vec<&str> = metas.iter().map(|m| m.category.as_str()).collect();
    cats.sort_unstable();
    cats.dedup();
    names.extend(cats.iter().map(|c| json!(c)));
    let facts_props: Map<String, Value> = FACT_KEYS
        .iter()
        .map(|k| {
            let schema = match *k {
                "invokeai_version" => json!({
                    "type": "string",
                    "description": "The InvokeAI release these configs run on, e.g. \"5.9.1\"."
                }),
                "vram_gb" => json!({
                    "type": "number", "exclusiveMinimum": 0,
                    "description": "Total VRAM of the GPU, in GB (GiB, as InvokeAI counts)."
                }),
                "ram_gb" => json!({
                    "type": "number", "exclusiveMinimum": 0,
                    "description": "Total system RAM, in GB (GiB)."
                }),
                "device" => json!({
                    "enum": ["cuda", "mps", "cpu", "xpu"],
                    "description": "The torch device InvokeAI runs on (ROCm is cuda to torch)."
                }),
                _ => json!({ "enum": OS_NAMES, "description": "The operating system." }),
            };
            (k.to_string(), schema)
        })
        .collect();
    let rule_settings = json!({
        "select": {
            "description": "Rules to run (replaces the set so far). Default: every rule.",
            "type": "array", "items": { "$ref": "#/definitions/rule" }
        },
        "extend-select": {
            "description": "Rules to add to the set so far.",
            "type": "array", "items": { "$ref": "#/definitions/rule" }
        },
        "ignore": {
            "description": "Rules to turn off.",
            "type": "array", "items": { "$ref": "#/definitions/rule" }
        },
        "severity": {
            "description": "Severity per rule; \"off\" turns the rule off.",
            "type": "object",
            "propertyNames": { "$ref": "#/definitions/rule" },
            "additionalProperties": { "enum": ["error", "warning", "info", "off"] }
        }
    });
    let mut top = rule_settings.as_object().cloned().unwrap_or_default();
    top.insert(
        "extend".into(),
        json!({
            "description": "Another linter config (path relative to this file) to inherit from: its settings apply first, this file's beat them, and the overrides of both apply (its first).",
            "type": "string", "minLength": 1
        }),
    );
    top.insert(
        "fail-on".into(),
        json!({
            "description": "Lowest severity that makes the run fail (exit 1) for the files this config governs. Default: error.",
            "enum": ["error", "warning", "info"]
        }),
    );
    top.insert(
        "max-warnings".into(),
        json!({
            "description": "Fail when the files this config governs have more warnings than this.",
            "type": "integer", "minimum": 0
        }),
    );
    top.insert(
        "include".into(),
        json!({
            "description": "Globs (relative to this file) of extra files to lint when walking directories.",
            "type": "array", "items": { "type": "string" }
        }),
    );
    top.insert(
        "exclude".into(),
        json!({
            "description": "Globs (relative to this file) of files and directories never to lint when walking; named files too with --force-exclude.",
            "type": "array", "items": { "type": "string" }
        }),
    );
    top.insert("facts".into(), json!({ "$ref": "#/definitions/facts" }));
    top.insert(
        "overrides".into(),
        json!({
            "description": "Facts and rule settings per path; later entries win.",
            "type": "array", "items": { "$ref": "#/definitions/override" }
        }),
    );
    let mut override_props = rule_settings.as_object().cloned().unwrap_or_default();
    override_props.insert(
        "paths".into(),
        json!({
            "description": "Globs relative to this file's directory; a glob without '/' matches at any depth.",
            "type": "array", "minItems": 1, "items": { "type": "string" }
        }),
    );
    override_props.insert("facts".into(), json!({ "$ref": "#/definitions/facts" }));
    json!({
        "$schema": DRAFT,
        "title": "invokeai-lint.toml",
        "description": "Settings of invokeai-lint, the linter for InvokeAI's invokeai.yaml.",
        "type": "object",
        "additionalProperties": false,
        "properties": top,
        "definitions": {
            "rule": {
                "description": "A rule code (IL101), name (unknown-key), category (schema), code prefix (IL1) or ALL.",
                "anyOf": [
                    { "enum": names },
                    { "type": "string", "pattern": "^[Ii][Ll][0-9]{0,2}$" }
                ]
            },
            "facts": {
                "description": "Facts about the machines the configs run on.",
                "type": "object",
                "additionalProperties": false,
                "properties": facts_props
            },
            "override": {
                "type": "object",
                "additionalProperties": false,
                "required": ["paths"],
                "properties": override_props
            }
        }
    })
}

/// The schema of invokeai.yaml as release `v` reads it.
pub fn invokeai_config(kb: &Knowledge, v: &Version) -> Result<Value, String> {
    let release = kb.release_for(v).ok_or_else(|| {
        format!("InvokeAI {v} is older than 3.0.0, the oldest release invokeai-lint knows")
    })?;
    let keys = kb.keys_at(v);
    let title = format!("invokeai.yaml for InvokeAI {}", release.version);
    if release.version.at_least("4.0.0") {
        let props: Map<String, Value> = keys
            .iter()
            .map(|k| (k.spec.name.clone(), key_schema(k)))
            .collect();
        return Ok(json!({
            "$schema": DRAFT,
            "title": title,
            "description": format!(
                "Settings InvokeAI {} accepts; any other key stops it at start-up. Generated by invokeai-lint.",
                release.version
            ),
            "type": "object",
            "additionalProperties": false,
            "properties": props
        }));
    }
    // 3.x: InvokeAI → section → settings; keys in other places are ignored, not fatal.
    let sections = kb.v3_sections_at(v).cloned().unwrap_or_default();
    let mut section_props = Map::new();
    for (section, names) in &sections {
        let props: Map<String, Value> = keys
            .iter()
            .filter(|k| names.contains(&k.spec.name))
            .map(|k| (k.spec.name.clone(), key_schema(k)))
            .collect();
        section_props.insert(
            section.clone(),
            json!({ "type": ["object", "null"], "properties": props }),
        );
    }
    Ok(json!({
        "$schema": DRAFT,
        "title": title,
        "description": format!(
            "Settings InvokeAI {} reads, under InvokeAI: and a section heading. Generated by invokeai-lint.",
            release.version
        ),
        "type": "object",
        "properties": {
            "InvokeAI": { "type": "object", "properties": section_props }
        }
    }))
}

fn key_schema(k: &KeyAt<'_>) -> Value {
    let mut s = match type_schema(&k.rev.ty) {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    add_constraints(&mut s, &k.rev.constraints);
    if let Some(choices) = &k.rev.choices {
        s.insert("enum".into(), Value::Array(choices.clone()));
    }
    if let Some(p) = &k.rev.pattern {
        s.insert("pattern".into(), json!(p));
    }
    if !k.rev.default.is_null() {
        s.insert("default".into(), k.rev.default.clone());
    }
    if !k.spec.description.is_empty() {
        s.insert("description".into(), json!(k.spec.description));
    }
    if k.deprecated {
        s.insert("deprecated".into(), json!(true));
    }
    Value::Object(s)
}

fn type_schema(t: &ValueType) -> Value {
    match t {
        ValueType::Bool => json!({ "type": "boolean" }),
        ValueType::Int => json!({ "type": "integer" }),
        ValueType::Float => json!({ "type": "number" }),
        ValueType::Str | ValueType::Path => json!({ "type": "string" }),
        ValueType::Optional(inner) => {
            json!({ "anyOf": [type_schema(inner), { "type": "null" }] })
        }
        ValueType::List(inner) => json!({ "type": "array", "items": type_schema(inner) }),
        ValueType::Literal(values) => json!({ "enum": values }),
        ValueType::Union(types) => {
            json!({ "anyOf": types.iter().map(type_schema).collect::<Vec<_>>() })
        }
        ValueType::UrlRegexTokenPair => json!({
            "type": "object",
            "required": ["url_regex", "token"],
            "additionalProperties": false,
            "properties": {
                "url_regex": { "type": "string" },
                "token": { "type": "string" }
            }
        }),
        ValueType::Any(_) => json!({}),
    }
}

fn add_constraints(s: &mut Map<String, Value>, c: &Constraints) {
    for (word, bound) in [
        ("exclusiveMinimum", c.gt),
        ("minimum", c.ge),
        ("exclusiveMaximum", c.lt),
        ("maximum", c.le),
    ] {
        if let Some(b) = bound.and_then(serde_json::Number::from_f64) {
            s.insert(word.into(), Value::Number(b));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linter_config_schema_lists_every_top_level_key_and_rule() {
        let s = linter_config();
        let props = s["properties"].as_object().unwrap();
        // Every key the linter config accepts, and nothing else.
        for k in crate::linter_config::TOP_KEYS {
            assert!(props.contains_key(*k), "{k}");
        }
        assert_eq!(props.len(), crate::linter_config::TOP_KEYS.len());
        let names = s["definitions"]["rule"]["anyOf"][0]["enum"]
            .as_array()
            .unwrap();
        assert!(names.contains(&json!("unknown-key")));
        assert!(names.contains(&json!("IL901")));
        assert!(names.contains(&json!("schema")));
        assert_eq!(s["definitions"]["override"]["required"], json!(["paths"]));
    }

    #[test]
    fn invokeai_schema_follows_the_release() {
        let kb = Knowledge::get();
        let s = invokeai_config(kb, &Version::parse("5.9.1").unwrap()).unwrap();
        assert_eq!(s["additionalProperties"], json!(false));
        let p = &s["properties"];
        assert!(p.get("max_cache_vram_gb").is_some());
        assert_eq!(p["enable_partial_loading"]["type"], json!("boolean"));
        let old = invokeai_config(kb, &Version::parse("5.5.0").unwrap()).unwrap();
        assert!(old["properties"].get("max_cache_vram_gb").is_none());
        let v3 = invokeai_config(kb, &Version::parse("3.6.2").unwrap()).unwrap();
        assert!(v3["properties"]["InvokeAI"]["properties"]
            .as_object()
            .is_some_and(|m| !m.is_empty()));
        assert!(invokeai_config(kb, &Version::parse("2.3.5").unwrap()).is_err());
    }

    #[test]
    fn types_map_to_json_schema() {
        assert_eq!(
            type_schema(&ValueType::Optional(Box::new(ValueType::Float))),
            json!({ "anyOf": [{ "type": "number" }, { "type": "null" }] })
        );
        let mut m = Map::new();
        add_constraints(
            &mut m,
            &Constraints {
                gt: Some(0.0),
                le: Some(1.0),
                ..Default::default()
            },
        );
        assert_eq!(m["exclusiveMinimum"], json!(0.0));
        assert_eq!(m["maximum"], json!(1.0));
    }
}

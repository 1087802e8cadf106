//! Completion: at the start of a top-level line, the settings the target release accepts
//! that the file does not set yet; after `key: `, the values a choice or a boolean takes.

use lsp_types::{CompletionItem, CompletionItemKind, Documentation, MarkupContent, MarkupKind};

use crate::config::{ConfigFile, Layout};
use crate::facts::Target;
use crate::knowledge::explain::plain;
use crate::knowledge::types::ValueType;
use crate::knowledge::Knowledge;

use super::hover::key_text;

/// The completions at byte `offset` of `config`'s text.
pub fn at(config: &ConfigFile, target: &Target, offset: usize) -> Vec<CompletionItem> {
    let text = config.source.text();
    let offset = offset.min(text.len());
    let line_start = text[..offset].rfind(['\n', '\r']).map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    if before.trim_start().starts_with('#') {
        return Vec::new();
    }
    match before.find(':') {
        // `key: |` → the values of `key`.
        Some(colon) => {
            let key = before[..colon].trim().trim_matches(['"', '\'']);
            values(key, target)
        }
        // A key being typed, at the top level of a flat file (3.x nested files have
        // sections; keys are offered only where a flat file takes them).
        None if !before.starts_with([' ', '\t']) && config.layout != Layout::V3Nested => {
            keys(config, target)
        }
        None => Vec::new(),
    }
}

fn keys(config: &ConfigFile, target: &Target) -> Vec<CompletionItem> {
    // While a key is being typed the YAML is often broken and has no settings: the keys
    // written at the start of a line count as present too.
    let text = config.source.text();
    let mut present: Vec<&str> = config.settings().iter().map(|s| s.name).collect();
    present.extend(text.lines().filter_map(|line| {
        let (key, _) = line.split_once(':')?;
        let key = key.trim_end().trim_matches(['"', '\'']);
        (!line.starts_with([' ', '\t', '#', '-'])).then_some(key)
    }));
    Knowledge::get()
        .keys_at(&target.version)
        .into_iter()
        .filter(|k| !k.spec.internal || k.spec.name == "schema_version")
        .filter(|k| !present.contains(&k.spec.name.as_str()))
        .map(|k| CompletionItem {
            label: k.spec.name.clone(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(k.rev.type_text.clone()),
            documentation: Some(markdown(key_text(&k.spec.name, target))),
            insert_text: Some(format!("{}: ", k.spec.name)),
            deprecated: Some(k.deprecated),
            ..CompletionItem::default()
        })
        .collect()
}

fn values(key: &str, target: &Target) -> Vec<CompletionItem> {
    let Some(at) = Knowledge::get().key_in(key, target.release) else {
        return Vec::new();
    };
    let mut items: Vec<String> = match &at.rev.choices {
        Some(choices) => choices.iter().map(plain).collect(),
        None => Vec::new(),
    };
    if items.is_empty() && bool_typed(&at.rev.ty) {
        items = vec!["true".into(), "false".into()];
    }
    items
        .into_iter()
        .map(|v| CompletionItem {
            label: v,
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: Some(format!("{key} ({})", at.rev.type_text)),
            ..CompletionItem::default()
        })
        .collect()
}

fn bool_typed(ty: &ValueType) -> bool {
    match ty {
        ValueType::Bool => true,
        ValueType::Optional(inner) => bool_typed(inner),
        _ => false,
    }
}

fn markdown(value: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value,
    })
}

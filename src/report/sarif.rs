//! SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: one run, the
//! rules it knows, one result per finding.
//!
//! Columns are Unicode code points (`columnKind: unicodeCodePoints`), as everywhere
//! else in invokeai-lint; SARIF's default would be UTF-16 code units.

use std::io::{self, Write};

use serde::Serialize;

use super::{fingerprints, message_with_help, rule_doc_url, rule_ident, Report, HOME_URL};
use crate::diagnostic::{Diagnostic, Location, Severity};
use crate::rules::RuleMeta;
use crate::source::{SourceFile, Span};

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<SarifResult>,
    properties: RunProperties,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RunProperties {
    invokeai_version: String,
    invokeai_version_source: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    information_uri: &'static str,
    rules: Vec<Rule>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    id: &'static str,
    name: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    short_description: Option<Text>,
    help_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    default_configuration: Option<Configuration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<RuleProperties>,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    category: &'static str,
    fixable: bool,
}

/// SARIF's `message` and `artifactContent` both hold a plain `text`.
#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tool_execution_notifications: Vec<Notification>,
}

#[derive(Serialize)]
struct Notification {
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: Vec<SarifLocation>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<SarifLocation>,
    partial_fingerprints: Fingerprints,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
struct Fingerprints {
    /// Versioned, so a change to what is hashed can ship under a new name.
    #[serde(rename = "invokeaiLint/v1")]
    v1: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    logical_locations: Vec<LogicalLocation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: u64,
    start_column: u32,
    end_line: u64,
    end_column: u32,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let rules = rule_table(&report.diagnostics);
    let prints = fingerprints(&report.diagnostics);
    let results = report
        .diagnostics
        .iter()
        .zip(prints)
        .map(|(d, print)| result(d, &rules, print))
        .collect();
    let log = Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "invokeai-lint",
                    version: env!("CARGO_PKG_VERSION"),
                    information_uri: HOME_URL,
                    rules: rules.iter().map(Entry::to_rule).collect(),
                },
            },
            invocations: [Invocation {
                execution_successful: report.skipped.is_empty(),
                tool_execution_notifications: report.skipped.iter().map(skipped).collect(),
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: RunProperties {
                invokeai_version: report.invokeai_version.clone(),
                invokeai_version_source: report.target_source,
            },
        }],
    };
    serde_json::to_writer_pretty(&mut *out, &log)?;
    writeln!(out)
}

/// A rule in `tool.driver.rules`: from the registry, or only known by a diagnostic's code.
enum Entry {
    Known(&'static RuleMeta),
    Unlisted {
        code: &'static str,
        name: &'static str,
    },
}

impl Entry {
    fn code(&self) -> &'static str {
        match self {
            Entry::Known(m) => m.code,
            Entry::Unlisted { code, .. } => code,
        }
    }

    fn to_rule(&self) -> Rule {
        match self {
            Entry::Known(m) => Rule {
                id: m.code,
                name: m.name,
                short_description: Some(Text {
                    text: m.summary.to_string(),
                }),
                help_uri: rule_doc_url(m.name),
                default_configuration: Some(Configuration {
                    level: level(m.default_severity),
                }),
                properties: Some(RuleProperties {
                    category: m.category.as_str(),
                    fixable: m.fixable,
                }),
            },
            Entry::Unlisted { code, name } => Rule {
                id: code,
                name,
                short_description: None,
                help_uri: rule_doc_url(name),
                default_configuration: None,
                properties: None,
            },
        }
    }
}

/// Every registered rule, then any code the diagnostics use that the registry lacks.
fn rule_table(diagnostics: &[Diagnostic]) -> Vec<Entry> {
    let mut table: Vec<Entry> = crate::rules::metas()
        .into_iter()
        .map(Entry::Known)
        .collect();
    for d in diagnostics {
        let (code, name) = rule_ident(d);
        if !table.iter().any(|e| e.code() == code) {
            table.push(Entry::Unlisted { code, name });
        }
    }
    table
}

fn result(d: &Diagnostic, rules: &[Entry], fingerprint: String) -> SarifResult {
    let (code, _) = rule_ident(d);
    // rule_table listed every code the diagnostics use, so the lookup always succeeds.
    let rule_index = rules.iter().position(|e| e.code() == code).unwrap_or(0);
    let mut primary = location(&d.location, None, None);
    if let Some(key) = &d.key {
        primary.logical_locations.push(LogicalLocation {
            fully_qualified_name: key.clone(),
            kind: "property",
        });
    }
    SarifResult {
        rule_id: code,
        rule_index,
        level: level(d.severity),
        message: Text {
            text: message_with_help(d),
        },
        locations: vec![primary],
        related_locations: d
            .related
            .iter()
            .enumerate()
            .map(|(i, r)| location(&r.location, Some(i), Some(&r.message)))
            .collect(),
        partial_fingerprints: Fingerprints { v1: fingerprint },
        fixes: d
            .fix
            .iter()
            .map(|f| SarifFix {
                description: Text {
                    text: f.description.clone(),
                },
                artifact_changes: vec![ArtifactChange {
                    artifact_location: ArtifactLocation {
                        uri: artifact_uri(d.location.file()),
                    },
                    replacements: f
                        .edits
                        .iter()
                        .map(|e| Replacement {
                            deleted_region: region(&d.location.source, e.span),
                            inserted_content: Text {
                                text: crate::redact::shown_replacement(
                                    &e.replacement,
                                    d.location.source.text(),
                                    d.location.source.secret_spans(),
                                )
                                .into_owned(),
                            },
                        })
                        .collect(),
                }],
            })
            .collect(),
    }
}

fn location(at: &Location, id: Option<usize>, message: Option<&str>) -> SarifLocation {
    SarifLocation {
        id,
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation {
                uri: artifact_uri(at.file()),
            },
            region: Some(region(&at.source, at.span)),
        },
        logical_locations: Vec::new(),
        message: message.map(|m| Text {
            text: m.to_string(),
        }),
    }
}

/// SARIF's `endColumn` is the column after the region, which is what our span end is.
fn region(source: &SourceFile, span: Span) -> Region {
    let (start, end) = source.span_bounds(span);
    Region {
        start_line: start.line,
        start_column: start.column,
        end_line: end.line,
        end_column: end.column,
    }
}

fn skipped((path, why): &(String, String)) -> Notification {
    Notification {
        level: "error",
        message: Text {
            text: format!("skipped {path}: {why}"),
        },
        locations: vec![SarifLocation {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: artifact_uri(path),
                },
                region: None,
            },
            logical_locations: Vec::new(),
            message: None,
        }],
    }
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A path as a URI reference: relative paths stay relative (code scanning resolves
/// them against the checkout), absolute ones become `file:` URIs. Backslashes turn
/// into slashes; anything a URI cannot hold is percent-encoded.
fn artifact_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let bytes = path.as_bytes();
    let drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    let (prefix, rest) = if drive {
        // `C:/x` → `file:///C:/x`; the drive's colon stays.
        ("file:///", path.split_at(2))
    } else if path.starts_with('/') {
        ("file://", ("", path.as_str()))
    } else {
        ("", ("", path.as_str()))
    };
    let mut uri = String::from(prefix);
    uri.push_str(rest.0);
    for b in rest.1.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            uri.push(char::from(b));
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    use super::artifact_uri;

    #[test]
    fn uris_keep_relative_paths_relative_and_encode_the_rest() {
        assert_eq!(
            artifact_uri("configs/12gb/invokeai.yaml"),
            "configs/12gb/invokeai.yaml"
        );
        assert_eq!(artifact_uri(r"configs\a b.yaml"), "configs/a%20b.yaml");
        assert_eq!(
            artifact_uri("/home/me/invokeai.yaml"),
            "file:///home/me/invokeai.yaml"
        );
        assert_eq!(
            artifact_uri(r"C:\InvokeAI\invokeai.yaml"),
            "file:///C:/InvokeAI/invokeai.yaml"
        );
        // A colon in a relative path would read as a URI scheme.
        assert_eq!(artifact_uri("a:b.yaml"), "a%3Ab.yaml");
        assert_eq!(artifact_uri("é.yaml"), "%C3%A9.yaml");
    }
}

//! IL503 secret-in-config: a token, an API key or a URL password written into the config.

use crate::config::Setting;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{in_git, items, text};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    code: "IL503",
    name: "secret-in-config",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "A token, API key or URL password is written in the config",
    doc: include_str!("../../rules/secret-in-config.md"),
};

/// The tokens of InvokeAI's own generated `invokeai.example.yaml`: placeholders, not secrets.
const PLACEHOLDERS: [&str; 2] = ["my_secret_token", "some_other_token"];

/// Where the API keys file came in (`api_keys.yaml`, read after invokeai.yaml, wins over it).
const API_KEYS_FILE_SINCE: &str = "6.13.0";

pub struct SecretInConfig;

/// What kind of secret a setting holds.
enum Kind {
    RemoteToken,
    ApiKey,
    UrlPassword,
    OtherToken,
}

impl Rule for SecretInConfig {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let mut found: Vec<(Setting<'_>, Span, Kind)> = Vec::new();
        for s in cx.settings().iter().filter(|s| s.effective) {
            if s.name == "remote_api_tokens" {
                for entry in items(s.value).unwrap_or(&[]) {
                    if let Some(tok) = entry.get("token") {
                        if is_secret_value(&tok.value) {
                            found.push((*s, tok.value.span, Kind::RemoteToken));
                        }
                    }
                }
                continue;
            }
            let lower = s.name.to_ascii_lowercase();
            if lower.starts_with("external_") && lower.ends_with("_api_key") {
                if is_secret_value(s.value) {
                    found.push((*s, s.value.span, Kind::ApiKey));
                }
                continue;
            }
            if lower.ends_with("token") || lower.ends_with("api_key") || lower.ends_with("password")
            {
                if is_secret_value(s.value) {
                    found.push((*s, s.value.span, Kind::OtherToken));
                }
                continue;
            }
            for v in strings_in(s.value) {
                if let Some(span) = url_password(cx, v) {
                    found.push((*s, span, Kind::UrlPassword));
                }
            }
        }
        if found.is_empty() {
            return;
        }
        let shared = in_git(cx);
        let severity = if shared {
            Severity::Warning
        } else {
            Severity::Info
        };
        let place = if shared {
            "this file is in a git repository, so the secret is in its history and in every clone"
        } else {
            "anyone who gets a copy of this file (a backup, a shared fleet config, a support request) gets the secret"
        };
        let keys_file = cx.target.at_least(API_KEYS_FILE_SINCE);
        for (s, span, kind) in found {
            let (what, help) = match kind {
                Kind::RemoteToken => (
                    "a download token in `remote_api_tokens`".to_string(),
                    "Set the tokens in the environment instead: INVOKEAI_REMOTE_API_TOKENS, a JSON list of \
                     {\"url_regex\": …, \"token\": …} objects, overrides the file. Revoke a token that was committed"
                        .to_string(),
                ),
                Kind::ApiKey if keys_file => (
                    format!("an API key in `{}`", s.name),
                    format!(
                        "Move it to `api_keys.yaml` in the InvokeAI root (read after invokeai.yaml and \
                         preferred to it, kept out of the config you share) or to the environment variable \
                         INVOKEAI_{}. Revoke a key that was committed",
                        s.name.to_ascii_uppercase()
                    ),
                ),
                Kind::ApiKey => (
                    format!("an API key in `{}`", s.name),
                    format!(
                        "Set it in the environment instead (INVOKEAI_{}). Revoke a key that was committed",
                        s.name.to_ascii_uppercase()
                    ),
                ),
                Kind::UrlPassword => (
                    format!("a user name and password in the URL of `{}`", s.name),
                    "Take the credentials out of the URL; give them to the service another way (the \
                     environment, a credentials file outside the repository)"
                        .to_string(),
                ),
                Kind::OtherToken => (
                    format!("a secret in `{}`", s.name),
                    "Remove it from the file; keep secrets in the environment or in a file that is not shared"
                        .to_string(),
                ),
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(span),
                    format!("The config holds {what}: {place}"),
                )
                .severity(severity)
                .key(s.path())
                .label("secret (not shown)")
                .help(help),
            );
        }
    }
}

/// A string worth protecting: not empty, not a placeholder of InvokeAI's example file.
fn is_secret_value(node: &Node) -> bool {
    let Some(t) = text(node) else {
        return false;
    };
    let t = t.trim();
    !t.is_empty() && !PLACEHOLDERS.contains(&t) && !t.starts_with("${")
}

/// Every string scalar in a value (the value itself or a list's items).
fn strings_in(node: &Node) -> Vec<&Node> {
    match items(node) {
        Some(list) => list.iter().filter(|n| text(n).is_some()).collect(),
        None if text(node).is_some() => vec![node],
        None => Vec::new(),
    }
}

/// The `user:password` of a URL in this scalar, as a span of the file.
fn url_password(cx: &Context<'_>, node: &Node) -> Option<Span> {
    let written = cx
        .config
        .source
        .text()
        .get(node.span.start..node.span.end)?;
    let scheme = written.find("://")? + 3;
    let rest = &written[scheme..];
    let auth_end = rest
        .find(['/', '?', '#', ' ', '"', '\''])
        .unwrap_or(rest.len());
    let at = rest[..auth_end].rfind('@')?;
    let userinfo = &rest[..at];
    userinfo.contains(':').then(|| {
        let start = node.span.start + scheme;
        Span::new(start, start + at)
    })
}

//! IL113 v3-interpolation: a `${...}` interpolation in a value InvokeAI 3.x reads; OmegaConf
//! resolves it at start-up and stops InvokeAI when it cannot.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::util::{cite_target, target_phrase};
use crate::rules::values::{interpolation, read_by_v3, v3_target_reads_file};
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::yaml::Node;

pub static META: RuleMeta = RuleMeta {
    code: "IL113",
    name: "v3-interpolation",
    category: Category::Schema,
    default_severity: Severity::Error,
    fixable: false,
    summary: "In a 3.x file, a `${...}` interpolation OmegaConf cannot resolve stops InvokeAI 3.x",
    doc: include_str!("../../rules/v3-interpolation.md"),
};

/// Resolvers omegaconf 2.3 registers itself (`omegaconf/resolvers/oc`).
const BUILT_IN: &[&str] = &[
    "oc.env",
    "oc.decode",
    "oc.create",
    "oc.deprecated",
    "oc.select",
    "oc.dict.keys",
    "oc.dict.values",
];

pub struct V3Interpolation;

impl Rule for V3Interpolation {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        if !v3_target_reads_file(cx) {
            return;
        }
        for &s in cx.settings() {
            if !s.effective || !read_by_v3(cx, &s) {
                continue;
            }
            let Some(text) = interpolation(s.value) else {
                continue;
            };
            let Some(inner) = first_interpolation(text) else {
                continue;
            };
            let (message, help) = match judge(cx, inner) {
                Verdict::Resolves => continue,
                Verdict::NeedsEnv(var) => (
                    format!(
                        "`{}` is read from the environment variable `{var}` at start-up: if `{var}` is not set when {} starts, it stops with InterpolationResolutionError (\"Environment variable '{var}' not found\")",
                        s.name,
                        target_phrase(cx.target)
                    ),
                    format!("Make sure `{var}` is set wherever InvokeAI starts (the linter cannot see that environment), or give a default: `${{oc.env:{var},<default>}}`, or write the value itself"),
                ),
                Verdict::Fails(why) => (
                    format!(
                        "`{}` holds the interpolation `${{{inner}}}`, which OmegaConf cannot resolve: {} stops at start-up with {why}",
                        s.name,
                        target_phrase(cx.target)
                    ),
                    "Write the value itself; 3.x resolves `${...}` only to other keys of this file or with OmegaConf's own resolvers (oc.env, …)".to_string(),
                ),
            };
            let d = Diagnostic::new(&META, cx.config.loc(s.value.span), message)
                .key(s.path())
                .label("resolved by OmegaConf when 3.x reads it")
                .help(help);
            out.push(cite_target(d, cx.target));
        }
    }
}

enum Verdict {
    Resolves,
    NeedsEnv(String),
    Fails(String),
}

/// The text between the first unescaped `${` and its `}`.
fn first_interpolation(text: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(i) = text[from..].find("${").map(|i| i + from) {
        if i > 0 && text.as_bytes()[i - 1] == b'\\' {
            from = i + 2;
            continue;
        }
        let rest = &text[i + 2..];
        return Some(rest.find('}').map_or(rest, |j| &rest[..j]));
    }
    None
}

fn judge(cx: &Context<'_>, inner: &str) -> Verdict {
    let inner = inner.trim();
    if let Some((resolver, args)) = inner.split_once(':') {
        let resolver = resolver.trim();
        if resolver == "oc.env" {
            // `${oc.env:VAR,default}`: the default is used when VAR is not set.
            return match args.split_once(',') {
                Some(_) => Verdict::Resolves,
                None => Verdict::NeedsEnv(args.trim().to_string()),
            };
        }
        if BUILT_IN.contains(&resolver) {
            return Verdict::Resolves;
        }
        return Verdict::Fails(format!(
            "UnsupportedInterpolationType (\"Unsupported interpolation type {resolver}\")"
        ));
    }
    if inner.is_empty() || inner.starts_with('.') {
        // Relative and empty paths: not modelled; OmegaConf may resolve them.
        return Verdict::Resolves;
    }
    match cx.config.root().and_then(|r| lookup(r, inner)) {
        Some(_) => Verdict::Resolves,
        None => Verdict::Fails(format!(
            "InterpolationKeyError (\"Interpolation key '{inner}' not found\")"
        )),
    }
}

/// A dotted path from the root of the file (`InvokeAI.Web Server.port`).
fn lookup<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    path.split('.')
        .try_fold(root, |node, part| node.get(part).map(|e| &e.value))
}

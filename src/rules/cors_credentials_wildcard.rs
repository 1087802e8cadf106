//! IL502 cors-credentials-wildcard: `allow_origins` with `*` while credentials are allowed.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{flag_of, items, setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL502",
    name: "cors-credentials-wildcard",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "allow_origins contains `*` while allow_credentials is on",
    doc: include_str!("../../rules/cors-credentials-wildcard.md"),
};

pub struct CorsCredentialsWildcard;

impl Rule for CorsCredentialsWildcard {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(origins) = setting(cx, "allow_origins") else {
            return;
        };
        let Some(star) = items(origins.value)
            .unwrap_or(&[])
            .iter()
            .find(|n| text(n).is_some_and(|t| t.trim() == "*"))
        else {
            return;
        };
        // allow_credentials defaults to true in every release that has it.
        let credentials = flag_of(cx, "allow_credentials");
        if credentials.as_ref().is_some_and(|(on, _)| !on) {
            return;
        }
        if cx
            .kb
            .key_in("allow_credentials", cx.target.release)
            .is_none()
        {
            return;
        }
        let how = if credentials.is_some() {
            "`allow_credentials: true`"
        } else {
            "`allow_credentials` (true by default)"
        };
        let mut d = Diagnostic::new(
            &META,
            cx.config.loc(star.span),
            format!(
                "`allow_origins` contains `*` and {how} is on: the server answers credentialed \
                 cross-origin requests from any web page, so any site a user visits can drive \
                 this InvokeAI with the user's session"
            ),
        )
        .key(origins.path())
        .label("any origin, with credentials")
        .help(
            "List the exact origins that need access (`https://app.example.com`), or set \
             `allow_credentials: false` if no cross-origin page needs the user's session",
        );
        if let Some((_, c)) = credentials {
            d = d.related(cx.config.loc(c.value.span), "credentials allowed here");
        }
        out.push(d);
    }
}

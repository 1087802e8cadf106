//! IL507 ssl-pair: `ssl_certfile` without `ssl_keyfile`, or the reverse.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL507",
    name: "ssl-pair",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    fixable: false,
    summary: "ssl_keyfile without ssl_certfile (fatal), or ssl_certfile without ssl_keyfile",
    doc: include_str!("../../rules/ssl-pair.md"),
};

pub struct SslPair;

impl Rule for SslPair {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let given = |name| {
            setting(cx, name).filter(|s| text(s.value).is_some_and(|t| !t.trim().is_empty()))
        };
        match (given("ssl_certfile"), given("ssl_keyfile")) {
            (None, Some(key)) => out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(key.key.span),
                    "`ssl_keyfile` is set without `ssl_certfile`: uvicorn turns HTTPS on when either \
                     is set and requires the certificate, so InvokeAI stops at start-up",
                )
                .key(key.path())
                .label("a key without its certificate")
                .help("Add `ssl_certfile:` with the certificate that goes with this key, or remove `ssl_keyfile`"),
            ),
            (Some(cert), None) => out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(cert.key.span),
                    "`ssl_certfile` is set without `ssl_keyfile`: the server starts only if the \
                     certificate file also holds the private key (one PEM with both); otherwise loading \
                     the certificate fails and InvokeAI stops at start-up",
                )
                .severity(Severity::Warning)
                .key(cert.path())
                .label("a certificate without a key file")
                .help("Add `ssl_keyfile:` with the certificate's private key, unless the certificate file holds both"),
            ),
            _ => {}
        }
    }
}

//! IL512 hashing-random: `hashing_algorithm: random` gives models no stable identity.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::hygiene::{setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL512",
    name: "hashing-random",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: true,
    summary: "hashing_algorithm: random gives each installed model a random id instead of a hash",
    doc: include_str!("../../rules/hashing-random.md"),
};

pub struct HashingRandom;

impl Rule for HashingRandom {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some(s) = setting(cx, "hashing_algorithm") else {
            return;
        };
        if text(s.value) != Some("random") {
            return;
        }
        out.push(
            Diagnostic::new(
                &META,
                cx.config.loc(s.value.span),
                "`hashing_algorithm: random` skips hashing and gives each installed model a random id: \
                 the same file installed twice is not recognised, and a model's hash in image metadata \
                 matches nothing on another install",
            )
            .key(s.path())
            .label("no stable model hash")
            .help("Use `blake3_single` (the default, best on hard disks) or `blake3_multi` (SSDs); keep `random` for throw-away test instances")
            .fix(Fix::replace(
                Applicability::Unsafe,
                "Set hashing_algorithm to blake3_single",
                s.value.span,
                "blake3_single",
            )),
        );
    }
}

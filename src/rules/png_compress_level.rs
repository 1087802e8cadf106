//! IL511 png-compress-level: `pil_compress_level` (3.x `png_compress_level`) outside −1..9.

use crate::diagnostic::{Applicability, Diagnostic, Fix, Severity};
use crate::rules::hygiene::setting;
use crate::rules::values::setting_number;
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL511",
    name: "png-compress-level",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    fixable: true,
    summary: "pil_compress_level outside -1..9: every PNG save fails",
    doc: include_str!("../../rules/png-compress-level.md"),
};

pub struct PngCompressLevel;

impl Rule for PngCompressLevel {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        for name in ["pil_compress_level", "png_compress_level"] {
            let Some(s) = setting(cx, name) else { continue };
            let Some(level) = setting_number(cx, &s) else {
                continue;
            };
            if (-1.0..=9.0).contains(&level) {
                continue;
            }
            let default = if name == "pil_compress_level" {
                "1"
            } else {
                "6"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(s.value.span),
                    format!(
                        "`{name}: {level}` is outside zlib's levels -1..9: InvokeAI starts, but saving \
                         any image fails (Pillow: \"codec configuration error\"), so no generation completes"
                    ),
                )
                .key(s.path())
                .label("zlib accepts -1..9")
                .help(format!(
                    "Use a level from 0 (no compression) to 9 (smallest files); {default} is the default"
                ))
                .fix(Fix::replace(
                    Applicability::Unsafe,
                    format!("Set {name} to {}", if level > 9.0 { "9" } else { "0" }),
                    s.value.span,
                    if level > 9.0 { "9" } else { "0" },
                )),
            );
        }
    }
}

//! IL006 invalid-encoding: bytes that are not UTF-8.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::yaml_syntax::V3_IGNORED;
use crate::rules::{Category, Context, Rule, RuleMeta};
use crate::source::Span;

pub static META: RuleMeta = RuleMeta {
    code: "IL006",
    name: "invalid-encoding",
    category: Category::Syntax,
    default_severity: Severity::Error,
    fixable: false,
    summary: "The file is not valid UTF-8",
    doc: include_str!("../../rules/invalid-encoding.md"),
};

pub struct InvalidEncoding;

impl Rule for InvalidEncoding {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let windows = cx.facts.os.as_ref().map(|o| o.value == "windows");
        let text = cx.config.source.text();
        // A UTF-8 byte-order mark read in the Windows code page is text (`ï»¿` in cp1252)
        // glued to the first key: the load stops (differential oracle, 5.9.1 under cp1252 and
        // GBK: refuse). Under a UTF-8 locale, and in 3.x (OmegaConf reads UTF-8), it is skipped.
        if windows == Some(true) && cx.target.at_least("4.0.0") && cx.config.parsed.bom {
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(Span::new(0, 0)),
                    "the file starts with a UTF-8 byte-order mark: on Windows InvokeAI opens invokeai.yaml in the system code page (locale.getpreferredencoding: cp1252, GBK, ...), where the mark's bytes become text in front of the first key, and it stops at start-up",
                )
                .label("byte-order mark")
                .help("Save the file as UTF-8 without BOM (in Notepad: \"UTF-8\", not \"UTF-8 with BOM\")"),
            );
        }
        if let Some(what) = cx.config.not_text {
            let consequence = if cx.target.at_least("4.0.0") {
                "InvokeAI reads invokeai.yaml as text in the locale's encoding and stops at start-up with a decode or YAML error"
            } else {
                "InvokeAI 3.x fails to read it and silently uses the defaults for every setting"
            };
            out.push(
                Diagnostic::new(
                    &META,
                    cx.config.loc(Span::new(0, 0)),
                    format!("the file is {}: {consequence}", what.describe()),
                )
                .label("not UTF-8 text")
                .help(match what {
                    crate::encoding::NotText::Wide { .. } => "Save the file as UTF-8 (in Notepad: Save As → Encoding: UTF-8; PowerShell 5's `>` and Out-File write UTF-16)",
                    crate::encoding::NotText::Binary { .. } => "This is not a YAML file: check that the right file is named, or restore invokeai.yaml from a backup",
                }),
            );
            return;
        }
        let Some(at) = cx.config.invalid_utf8_at else {
            // Valid UTF-8, but InvokeAI 4.x+ reads it in the Windows code page (cp1252, GBK…):
            // non-ASCII text turns into other characters or a decode error there.
            if windows == Some(true) && cx.target.at_least("4.0.0") {
                if let Some(i) = text
                    .char_indices()
                    .find(|(_, c)| !c.is_ascii() && *c != '\u{feff}')
                    .map(|(i, _)| i)
                {
                    let end = i + text[i..].chars().next().map_or(1, char::len_utf8);
                    out.push(
                        Diagnostic::new(
                            &META,
                            cx.config.loc(Span::new(i, end)),
                            "non-ASCII text in a UTF-8 file on Windows: InvokeAI opens invokeai.yaml in the system code page (locale.getpreferredencoding), so this reads as other characters or stops with UnicodeDecodeError",
                        )
                        .severity(Severity::Warning)
                        .label("not ASCII")
                        .help("Keep invokeai.yaml ASCII on Windows: move non-ASCII comments out, and keep model and output folders on paths without non-ASCII characters (or turn on Windows' \"Use Unicode UTF-8 for worldwide language support\")")
                    );
                }
            }
            return;
        };
        // In the decoded text the bad byte became U+FFFD (3 bytes).
        let end = (at + '\u{FFFD}'.len_utf8()).min(text.len());
        let (message, severity) = if !cx.target.at_least("4.0.0") {
            (format!("the file is not valid UTF-8 (OmegaConf reads it as UTF-8 on every system): {V3_IGNORED}"), Severity::Error)
        } else if windows == Some(true) {
            ("the file is not valid UTF-8: InvokeAI reads invokeai.yaml in the system code page, so on this Windows machine it may load with other characters than intended, and fails on any machine whose locale is UTF-8".to_string(), Severity::Warning)
        } else {
            ("the file is not valid UTF-8: InvokeAI reads invokeai.yaml in the locale's encoding, and where that is UTF-8 (Linux, macOS) it stops with UnicodeDecodeError".to_string(), Severity::Error)
        };
        out.push(
            Diagnostic::new(&META, cx.config.loc(Span::new(at, end)), message)
                .severity(severity)
                .label("first byte that is not UTF-8")
                .help("Save the file as UTF-8 (a comment or path typed in a legacy code page is the usual cause)"),
        );
    }
}

//! IL509 log-handler: a `log_handlers` entry InvokeAI rejects at start-up or skips.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{log_handlers, on_windows};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL509",
    name: "log-handler",
    category: Category::Hygiene,
    default_severity: Severity::Error,
    fixable: false,
    summary: "A log_handlers entry that stops start-up (file without a path, http without an http URL, syslog on Windows) or is skipped",
    doc: include_str!("../../rules/log-handler.md"),
};

const KNOWN: [&str; 4] = ["console", "file", "syslog", "http"];

pub struct LogHandler;

impl Rule for LogHandler {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some((s, handlers)) = log_handlers(cx) else {
            return;
        };
        let fatal = "InvokeAI raises ValueError while it sets up logging and does not start";
        for h in handlers {
            let at = cx.config.loc(h.node.span);
            let found = match (h.name, h.arg) {
                ("console", _) => None,
                ("file", None) => Some((
                    Severity::Error,
                    format!("`file` needs a path (`file=/path/to/invokeai.log`): {fatal}"),
                    "Write the log file's path after `file=`".to_string(),
                )),
                ("http", None) => Some((
                    Severity::Error,
                    format!("`http` needs a URL (`http=http://host:port/path`): {fatal}"),
                    "Write the URL after `http=`".to_string(),
                )),
                ("http", Some(url)) if !url.trim_start().to_ascii_lowercase().starts_with("http://") => Some((
                    Severity::Error,
                    format!("The http log handler sends only to `http://` URLs (Python's HTTPHandler): {fatal}"),
                    "Use an `http://` URL (a local relay can forward to HTTPS), or another handler".to_string(),
                )),
                ("syslog", _) if on_windows(cx) == Some(true) => Some((
                    Severity::Error,
                    format!("`syslog` is not available on Windows (no syslog module): {fatal}"),
                    "Use `console` or `file=PATH` on Windows".to_string(),
                )),
                (name, _) if !KNOWN.contains(&name) => {
                    let near = KNOWN
                        .iter()
                        .find(|k| k.eq_ignore_ascii_case(name.trim()))
                        .or_else(|| KNOWN.iter().find(|k| strsim::levenshtein(k, name) <= 2));
                    Some((
                        Severity::Warning,
                        format!(
                            "`{name}` is not a log handler InvokeAI knows (console, file, syslog, http): it is skipped without a word{}",
                            if h.name.eq_ignore_ascii_case("console") {
                                ", so there may be no console log at all"
                            } else {
                                ""
                            }
                        ),
                        match near {
                            Some(k) => format!("Did you mean `{k}`? Handler names are lower case"),
                            None => "Use one of console, file=PATH, syslog, http=URL".to_string(),
                        },
                    ))
                }
                _ => None,
            };
            if let Some((severity, message, help)) = found {
                out.push(
                    Diagnostic::new(&META, at, message)
                        .severity(severity)
                        .label(if severity == Severity::Error {
                            "InvokeAI stops at start-up"
                        } else {
                            "skipped"
                        })
                        .key(s.path())
                        .help(help),
                );
            }
        }
    }
}

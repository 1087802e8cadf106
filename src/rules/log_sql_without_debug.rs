//! IL510 log-sql-without-debug: `log_sql: true` while `log_level` is above debug.

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::hygiene::{flag_of, setting, text};
use crate::rules::{Category, Context, Rule, RuleMeta};

pub static META: RuleMeta = RuleMeta {
    code: "IL510",
    name: "log-sql-without-debug",
    category: Category::Hygiene,
    default_severity: Severity::Warning,
    fixable: false,
    summary: "log_sql is on but log_level is not debug: no SQL is logged",
    doc: include_str!("../../rules/log-sql-without-debug.md"),
};

pub struct LogSqlWithoutDebug;

impl Rule for LogSqlWithoutDebug {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let Some((true, sql)) = flag_of(cx, "log_sql") else {
            return;
        };
        let level = setting(cx, "log_level");
        let level_text = level.as_ref().and_then(|l| text(l.value)).unwrap_or("info");
        if level_text == "debug" {
            return;
        }
        let mut d = Diagnostic::new(
            &META,
            cx.config.loc(sql.value.span),
            format!(
                "`log_sql: true` logs each SQL statement at debug level, but `log_level` is `{level_text}`{}: no SQL is logged",
                if level.is_some() { "" } else { " (the default)" }
            ),
        )
        .key(sql.path())
        .label("has no effect at this log level")
        .help("Set `log_level: debug` to see the statements (very verbose), or remove `log_sql`");
        if let Some(l) = &level {
            d = d.related(cx.config.loc(l.value.span), "log level set here");
        }
        out.push(d);
    }
}

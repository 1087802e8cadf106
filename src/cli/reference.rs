//! The commands that print what the linter knows rather than lint anything: `rules`,
//! `explain`, `keys` and `schema`.

use std::fmt::Write as _;

use super::args::{ListFormat, SchemaCommand};
use super::output::{print_line, print_out};
use crate::knowledge::{Knowledge, Version};
use crate::rules;

pub(super) fn schema(which: SchemaCommand) -> Result<i32, String> {
    let value = match which {
        SchemaCommand::LinterConfig => crate::schema::linter_config(),
        SchemaCommand::InvokeaiConfig { invokeai_version } => {
            let kb = Knowledge::get();
            let v = match invokeai_version {
                Some(s) => Version::parse(&s)?,
                None => kb.newest_final().version.clone(),
            };
            crate::schema::invokeai_config(kb, &v)?
        }
    };
    print_line(&serde_json::to_string_pretty(&value).map_err(|e| e.to_string())?)?;
    Ok(0)
}

pub(super) fn print_rules(format: ListFormat) -> Result<(), String> {
    let metas = rules::metas();
    match format {
        ListFormat::Json => {
            print_line(&serde_json::to_string_pretty(&metas).map_err(|e| e.to_string())?)
        }
        ListFormat::Human => match crate::table::stdout_width() {
            Some(width) => print_out(&rules_table(&metas, width)),
            None => {
                let mut text = String::new();
                for m in metas {
                    let _ = writeln!(
                        text,
                        "{:<6} {:<34} {:<8} {:<7} {}{}",
                        m.code,
                        m.name,
                        m.category.as_str(),
                        m.default_severity.as_str(),
                        m.summary,
                        if m.fixable { " (fixable)" } else { "" }
                    );
                }
                print_out(&text)
            }
        },
    }
}

/// The rule list fitted to a terminal `width` columns wide.
fn rules_table(metas: &[&rules::RuleMeta], width: usize) -> String {
    use crate::table::Column;
    let column = |heading, wrap, droppable| Column {
        heading,
        wrap,
        droppable,
    };
    let columns = [
        column("", false, false),
        column("", false, false),
        column("", false, true),
        column("", false, false),
        column("", true, false),
    ];
    let rows: Vec<Vec<String>> = metas
        .iter()
        .map(|m| {
            vec![
                m.code.to_string(),
                m.name.to_string(),
                m.category.as_str().to_string(),
                m.default_severity.as_str().to_string(),
                format!("{}{}", m.summary, if m.fixable { " (fixable)" } else { "" }),
            ]
        })
        .collect();
    crate::table::render(&columns, &rows, Some(width))
}

pub(super) fn explain(what: &str) -> Result<i32, String> {
    if let Some(rule) = rules::find(what) {
        print_out(rule.doc)?;
        return Ok(0);
    }
    let text = crate::knowledge::explain::explain_key(what)?;
    print_out(&text)?;
    Ok(0)
}

pub(super) fn keys(version: Option<&str>, format: ListFormat) -> Result<i32, String> {
    let kb = Knowledge::get();
    let v = match version {
        Some(s) => Version::parse(s)?,
        None => kb.newest_final().version.clone(),
    };
    let text = crate::knowledge::explain::keys_listing(&v, format == ListFormat::Json)?;
    // The listing is of the release that covers V; say which when V is not itself listed.
    if let Some(release) = kb.release_for(&v).filter(|r| r.version != v) {
        eprintln!(
            "invokeai-lint: note: {v} is not a release in the settings table; listing {}, the newest release before it",
            release.version
        );
    }
    print_out(&text)?;
    Ok(0)
}

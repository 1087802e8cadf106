//! Shared by the schema_version rules: what the file says and what the release writes and reads.

use crate::config::Layout;
use crate::knowledge::Version;
use crate::rules::Context;
use crate::yaml::{Entry, Resolved};

pub struct SchemaFacts<'a> {
    pub entry: Option<&'a Entry>,
    /// The value as a string, when it is one (`4.0.2`).
    pub value: Option<&'a str>,
    /// What the target release writes.
    pub written: &'static str,
}

/// For a flat file linted against 4.0.0+, the schema facts; None otherwise.
pub fn facts<'a>(cx: &'a Context<'_>) -> Option<SchemaFacts<'a>> {
    if cx.config.layout != Layout::Flat {
        return None;
    }
    let written = cx.target.release.schema_version.as_deref()?;
    let entry = cx.config.schema_version();
    let value = entry.and_then(|e| match &e.value.as_scalar()?.resolved {
        Resolved::Str => e.value.as_str(),
        _ => None,
    });
    Some(SchemaFacts {
        entry,
        value,
        written,
    })
}

/// No release was given (the newest is only assumed) and the file's own `schema_version` is
/// older than the one that release writes: the file is for an older release, which says more
/// about it than the assumption. Advice that holds only for the newest release stays unsaid.
pub fn assumed_target_is_newer_than_file(cx: &Context<'_>) -> bool {
    cx.target.origin.is_none()
        && facts(cx).is_some_and(|f| {
            f.value
                .is_some_and(|v| cmp_schema(v, f.written) == Some(std::cmp::Ordering::Less))
        })
}

pub fn cmp_schema(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    // Nearly every file has a schema from the known list: compare places in it rather than
    // parse two versions per file.
    let place = |s: &str| KNOWN.iter().position(|k| *k == s);
    if let (Some(x), Some(y)) = (place(a), place(b)) {
        return Some(x.cmp(&y));
    }
    Some(Version::parse(a).ok()?.cmp(&Version::parse(b).ok()?))
}

/// Schemas InvokeAI has ever written, oldest first.
pub const KNOWN: [&str; 4] = ["4.0.0", "4.0.1", "4.0.2", "4.0.3"];

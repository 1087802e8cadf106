//! Small helpers the rules share: how to name the target release and cite where it came from.

use crate::diagnostic::Diagnostic;
use crate::facts::{Fact, Origin, Target};
use crate::knowledge::Knowledge;

/// "InvokeAI 5.5.0 (from --invokeai-version)", "InvokeAI 5.4.2 (from invokeai.log:23)",
/// or just "InvokeAI 6.14.0-rc2" when no version was given.
pub fn target_phrase(t: &Target) -> String {
    let from = match &t.origin {
        // The summary line already says the newest release was assumed, and how to choose.
        None => return format!("InvokeAI {}", t.version),
        Some(o) => format!("from {}", o.describe()),
    };
    if t.version == t.release.version {
        format!("InvokeAI {} ({from})", t.version)
    } else {
        format!(
            "InvokeAI {} ({from}; settings as in {})",
            t.version, t.release.version
        )
    }
}

/// Attach the log line a target version came from, so the finding shows its proof.
pub fn cite_target(d: Diagnostic, t: &Target) -> Diagnostic {
    match t
        .origin
        .as_ref()
        .and_then(|o| o.location_of(t.version.as_str()))
    {
        Some(loc) => d.related(
            loc,
            format!("InvokeAI version {} (from this log line)", t.version),
        ),
        None => d,
    }
}

/// Attach the log line any fact came from.
pub fn cite<T>(d: Diagnostic, fact: &Fact<T>, what: &str) -> Diagnostic {
    match fact.origin.location() {
        Some(loc) => d.related(loc, what.to_string()),
        None => d,
    }
}

/// "--vram-gb", "invokeai.log:68", "this machine (nvidia-smi)".
pub fn origin_phrase(o: &Origin) -> String {
    o.describe()
}

/// "5.6.0 – 6.14.0-rc2" or "3.0.0 – 3.6.2 and 5.0.0 – 5.2.0".
pub fn ranges_phrase(kb: &Knowledge, name: &str) -> Option<String> {
    let ranges = kb.ranges_with_key(name);
    if ranges.is_empty() {
        return None;
    }
    let parts: Vec<String> = ranges
        .iter()
        .map(|(a, b)| {
            if a.version == b.version {
                a.version.to_string()
            } else if b.version == kb.newest().version {
                format!("{} on", a.version)
            } else {
                format!("{} – {}", a.version, b.version)
            }
        })
        .collect();
    Some(parts.join(" and "))
}

/// Format a GiB amount for messages: 9, 9.5, 15.98.
pub fn gib(x: f64) -> String {
    let r = (x * 100.0).round() / 100.0;
    if r.fract() == 0.0 {
        format!("{r:.0}")
    } else {
        let s = format!("{r:.2}");
        s.trim_end_matches('0').to_string()
    }
}

/// A key name as a message can show it: characters that print as nothing or as a blank
/// (a byte-order mark, zero-width and direction marks, control characters, no-break spaces)
/// written as `\u{…}`, so `\u{feff}schema_version` does not read as `schema_version`.
pub fn visible_name(name: &str) -> std::borrow::Cow<'_, str> {
    let hidden = |c: char| {
        c.is_control()
            || matches!(
                c,
                '\u{00A0}' | '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}'
                    | '\u{17B4}' | '\u{17B5}' | '\u{180E}' | '\u{2000}'..='\u{200F}'
                    | '\u{2028}'..='\u{202F}' | '\u{205F}'..='\u{206F}' | '\u{3000}'
                    | '\u{3164}' | '\u{FEFF}' | '\u{FFA0}' | '\u{FFF9}'..='\u{FFFB}'
            )
    };
    if !name.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len() + 8);
    for c in name.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:04x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

#[cfg(test)]
mod visible_name_tests {
    use super::visible_name;

    #[test]
    fn invisible_characters_in_a_name_are_spelled_out() {
        assert_eq!(
            visible_name("\u{feff}schema_version"),
            "\\u{feff}schema_version"
        );
        assert_eq!(visible_name("max\u{200b}_cache"), "max\\u{200b}_cache");
        assert_eq!(visible_name("a\tb"), "a\\u{0009}b");
        assert_eq!(visible_name("schema_version"), "schema_version");
        assert_eq!(visible_name("显存_gb"), "显存_gb");
    }
}

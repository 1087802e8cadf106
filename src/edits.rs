//! Where a fix's edits go, so that a fixed file still reads as the same YAML plus the one
//! change: a new top-level key goes where the document's own mapping takes keys, in its
//! style (block or flow, its indentation, its line ending); a removed key takes its whole
//! line (or its flow entry and comma) and nothing else; a replaced value stays a value.
//! When a document's shape leaves no such place, no edit is offered.

use crate::config::{ConfigFile, Layout};
use crate::diagnostic::Edit;
use crate::source::Span;
use crate::yaml::{Entry, Node, NodeKind};

/// Where a new top-level key goes in the mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Before the first key (`schema_version`, as InvokeAI writes it).
    First,
    /// After the last key.
    Last,
}

/// The file's line ending: that of its first line break (`\n` when it has none).
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

/// Insert the top-level setting `key: value` (both already written as YAML plain text)
/// into a flat file's first document, with `comment` (one line, no `#`) on the line above
/// it in block style. None when the document has no place for it: a 3.x file, a file that
/// did not parse, a root that is not a mapping, or a key whose line holds something else
/// before it.
pub fn insert_setting(
    config: &ConfigFile,
    key: &str,
    value: &str,
    comment: Option<&str>,
    place: Place,
) -> Option<Edit> {
    let text = config.source.text();
    let eol = line_ending(text);
    match config.layout {
        Layout::Flat => {}
        Layout::Empty => return insert_into_empty(config, key, value, comment, eol),
        _ => return None,
    }
    let root = config.root()?;
    let NodeKind::Mapping { entries, flow } = &root.kind else {
        return None;
    };
    if *flow {
        return insert_flow(text, root, entries, key, value, place);
    }
    let first = entries.first()?;
    let key_start = entry_start(first);
    let line_start = line_start(text, key_start);
    let indent = &text[line_start..key_start];
    // A key on a line with a `---`, a tag or a BOM before it: no line of ours can go there
    // at this indentation and stay in the same mapping.
    if !indent.bytes().all(|b| b == b' ') {
        return None;
    }
    let mut lines = String::new();
    if let Some(c) = comment {
        lines.push_str(&format!("{indent}# {c}{eol}"));
    }
    lines.push_str(&format!("{indent}{key}: {value}"));
    match place {
        Place::First => {
            lines.push_str(eol);
            Some(edit_at(above_attached_comments(text, line_start), lines))
        }
        Place::Last => {
            let last = entries.last()?;
            let end = last.value.span.end.max(last.key.span.end);
            match text[end..].find('\n') {
                Some(i) => {
                    lines.push_str(eol);
                    Some(edit_at(end + i + 1, lines))
                }
                // The last line has no line break: give it one and leave the file
                // without a final one, as it was.
                None => Some(edit_at(text.len(), format!("{eol}{lines}"))),
            }
        }
    }
}

/// The start of the comment lines directly above `line_start` (no blank line between):
/// they speak of the key below them, so a line inserted before the key goes above them.
fn above_attached_comments(text: &str, line_start: usize) -> usize {
    let floor = if text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        0
    };
    let mut at = line_start;
    while at > floor {
        let prev = line_start_of(text, at - 1);
        let line = text[prev..at].trim_start_matches('\u{feff}').trim_start();
        if !line.starts_with('#') {
            break;
        }
        at = prev;
    }
    // An own-line `# invokeai-lint: disable=…` silences the next line with YAML on it,
    // blank lines between or not: a line inserted below it would be silenced instead of
    // the key. Such a comment above the key (across blank lines) goes below the insertion.
    let mut scan = at;
    while scan > floor {
        let prev = line_start_of(text, scan - 1);
        let line = text[prev..scan].trim_start_matches('\u{feff}').trim();
        if line.starts_with('#') {
            if line.contains("invokeai-lint:") {
                at = prev;
            }
        } else if !line.is_empty() {
            break;
        }
        scan = prev;
    }
    // Never before a byte-order mark.
    at.max(floor)
}

fn line_start_of(text: &str, offset: usize) -> usize {
    text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// A file with no settings at all (empty, or only comments): the line goes at the end,
/// unless a document marker makes "the end" another document.
fn insert_into_empty(
    config: &ConfigFile,
    key: &str,
    value: &str,
    comment: Option<&str>,
    eol: &str,
) -> Option<Edit> {
    let text = config.source.text();
    let markers = text.lines().any(|l| {
        l.starts_with("---") || l.starts_with("...") || l.starts_with('%') || l.starts_with('!')
    });
    if markers || config.parsed.documents.len() > 1 {
        return None;
    }
    let mut s = String::new();
    if !text.is_empty() && !text.ends_with('\n') && text != "\u{feff}" {
        s.push_str(eol);
    }
    if let Some(c) = comment {
        s.push_str(&format!("# {c}{eol}"));
    }
    s.push_str(&format!("{key}: {value}{eol}"));
    Some(edit_at(text.len(), s))
}

/// `{a: 1}` → `{key: value, a: 1}` or `{a: 1, key: value}`.
fn insert_flow(
    text: &str,
    root: &Node,
    entries: &[Entry],
    key: &str,
    value: &str,
    place: Place,
) -> Option<Edit> {
    if !text[root.span.start..].starts_with('{') || !text[..root.span.end].ends_with('}') {
        return None;
    }
    match (entries.first(), entries.last(), place) {
        (None, _, _) => Some(edit_at(root.span.start + 1, format!("{key}: {value}"))),
        (Some(first), _, Place::First) => {
            Some(edit_at(entry_start(first), format!("{key}: {value}, ")))
        }
        (_, Some(last), Place::Last) => {
            let end = last.value.span.end.max(last.key.span.end);
            Some(edit_at(end, format!(", {key}: {value}")))
        }
        _ => None,
    }
}

/// Edits removing every top-level entry named `name` from a flat file (all of them: with
/// duplicates, removing only the one that counts would bring an earlier value back).
/// None when one of them shares its lines with another entry in block style.
pub fn remove_setting(config: &ConfigFile, name: &str) -> Option<Vec<Edit>> {
    if config.layout != Layout::Flat {
        return None;
    }
    let root = config.root()?;
    let NodeKind::Mapping { entries, flow } = &root.kind else {
        return None;
    };
    let text = config.source.text();
    let mut edits = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if e.key.as_str() != Some(name) || e.key.as_scalar().is_none() {
            continue;
        }
        let span = if *flow {
            flow_entry_span(text, entries, i)?
        } else {
            block_entry_lines(text, e)?
        };
        edits.push(Edit {
            span,
            replacement: String::new(),
        });
    }
    // Removing every key of a flow mapping leaves `{}`; of a block one, nothing: an empty
    // file reads as None, which InvokeAI treats as no settings, the same as `{}`.
    (!edits.is_empty()).then_some(edits)
}

/// The lines holding a block entry, line break included; None when anything but blanks
/// and a comment shares them.
fn block_entry_lines(text: &str, e: &Entry) -> Option<Span> {
    let start = entry_start(e);
    let ls = line_start(text, start);
    if !text[ls..start].bytes().all(|b| b == b' ') {
        return None;
    }
    let end = e.value.span.end.max(e.key.span.end);
    let rest_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    let rest = text[end..rest_end].trim_end_matches(['\n', '\r']);
    let rest = rest.trim_start_matches([' ', '\t']);
    if !(rest.is_empty() || rest.starts_with('#')) {
        return None;
    }
    Some(Span::new(ls, rest_end))
}

/// A flow entry with the comma after it (or, for the last, the comma before it).
fn flow_entry_span(text: &str, entries: &[Entry], i: usize) -> Option<Span> {
    let e = &entries[i];
    let start = entry_start(e);
    let end = e.value.span.end.max(e.key.span.end);
    if let Some(next) = entries.get(i + 1) {
        return Some(Span::new(start, entry_start(next)));
    }
    if i > 0 {
        let prev = &entries[i - 1];
        let prev_end = prev.value.span.end.max(prev.key.span.end);
        return Some(Span::new(prev_end, end));
    }
    // The only entry: keep any trailing comma out of it (`{a: 1,}` → `{,}` is not YAML).
    let after = &text[end..];
    let comma = after
        .find(|c: char| !c.is_whitespace())
        .filter(|&j| after.as_bytes()[j] == b',')
        .map_or(end, |j| end + j + 1);
    Some(Span::new(start, comma))
}

/// Replace a setting's value with `new` (plain YAML text). An empty value (`key:`) has
/// an empty span right after the colon: the new value needs a space before it.
pub fn replace_value(text: &str, value: &Node, new: &str) -> Edit {
    let span = value.span;
    let needs_space =
        span.is_empty() && span.start > 0 && text.as_bytes().get(span.start - 1) == Some(&b':');
    Edit {
        span,
        replacement: if needs_space {
            format!(" {new}")
        } else {
            new.to_string()
        },
    }
}

/// [`replace_value`], with `  # note` after the value when nothing else follows it on its
/// line (the arithmetic behind a new value stays next to it).
pub fn replace_value_noting(text: &str, value: &Node, new: &str, note: &str) -> Edit {
    let mut e = replace_value(text, value, new);
    let end = value.span.end;
    let rest = text[end..].split('\n').next().unwrap_or("");
    if rest.trim_end_matches('\r').trim().is_empty() && !text[..value.span.start].ends_with('{') {
        let flow = matches!(
            text[end..].trim_start().chars().next(),
            Some(',' | '}' | ']')
        );
        if !flow {
            e.replacement.push_str(&format!("  # {note}"));
        }
    }
    e
}

/// Where an entry starts: its key, or the key's `&anchor`/`!tag` when it has them. (A
/// key's span leaves its properties out; they come before it on the same line.)
fn entry_start(e: &Entry) -> usize {
    e.key.span.start
}

fn line_start(text: &str, offset: usize) -> usize {
    let offset = offset.min(text.len());
    let ls = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    // Never before a byte-order mark: PyYAML would read it as part of the key.
    if ls == 0 && text.starts_with('\u{feff}') {
        '\u{feff}'.len_utf8()
    } else {
        ls
    }
}

fn edit_at(offset: usize, replacement: String) -> Edit {
    Edit {
        span: Span::new(offset, offset),
        replacement,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn fixed(text: &str, place: Place) -> Option<String> {
        let c = ConfigFile::parse(SourceFile::new("t.yaml", text));
        let e = insert_setting(&c, "schema_version", "4.0.2", None, place)?;
        Some(crate::fix::apply(text, &[e]).0)
    }

    #[test]
    fn block_roots_keep_their_indentation_and_line_ending() {
        assert_eq!(
            fixed("  a: 1\r\n  b: 2\r\n", Place::First).unwrap(),
            "  schema_version: 4.0.2\r\n  a: 1\r\n  b: 2\r\n"
        );
        assert_eq!(
            fixed("a: 1\nb: 2", Place::Last).unwrap(),
            "a: 1\nb: 2\nschema_version: 4.0.2"
        );
        assert_eq!(
            fixed("a: 1 # c\n# tail\n", Place::Last).unwrap(),
            "a: 1 # c\nschema_version: 4.0.2\n# tail\n"
        );
    }

    #[test]
    fn a_key_keeps_the_comment_above_it() {
        assert_eq!(
            fixed("# head\n\n# about a\na: 1\n", Place::First).unwrap(),
            "# head\n\nschema_version: 4.0.2\n# about a\na: 1\n"
        );
        assert_eq!(
            fixed("\u{feff}# about a\r\na: 1\r\n", Place::First).unwrap(),
            "\u{feff}schema_version: 4.0.2\r\n# about a\r\na: 1\r\n"
        );
    }

    /// An own-line suppression comment keeps silencing the key it silenced, blank lines
    /// between or not (found by the config fuzz target: the insertion took its place).
    #[test]
    fn a_suppression_above_the_first_key_keeps_its_target() {
        assert_eq!(
            fixed(
                "# head\n# invokeai-lint: disable=unknown-key\n\nbogus: 1\n",
                Place::First
            )
            .unwrap(),
            "# head\nschema_version: 4.0.2\n# invokeai-lint: disable=unknown-key\n\nbogus: 1\n"
        );
        // A comment that is no directive stays where it was.
        assert_eq!(
            fixed("# head\n\na: 1\n", Place::First).unwrap(),
            "# head\n\nschema_version: 4.0.2\na: 1\n"
        );
    }

    #[test]
    fn a_bom_stays_first_and_markers_stay_above() {
        assert_eq!(
            fixed("\u{feff}a: 1\n", Place::First).unwrap(),
            "\u{feff}schema_version: 4.0.2\na: 1\n"
        );
        assert_eq!(
            fixed("--- !!map\na: 1\n", Place::First).unwrap(),
            "--- !!map\nschema_version: 4.0.2\na: 1\n"
        );
    }

    #[test]
    fn flow_roots_get_a_flow_entry() {
        assert_eq!(
            fixed("{device: cuda}\n", Place::First).unwrap(),
            "{schema_version: 4.0.2, device: cuda}\n"
        );
        assert_eq!(
            fixed("{device: cuda}\n", Place::Last).unwrap(),
            "{device: cuda, schema_version: 4.0.2}\n"
        );
        assert_eq!(
            fixed("{}\n", Place::Last).unwrap(),
            "{schema_version: 4.0.2}\n"
        );
    }

    #[test]
    fn the_first_document_of_several_takes_the_line() {
        assert_eq!(
            fixed("a: 1\n---\nb: 2\n", Place::Last).unwrap(),
            "a: 1\nschema_version: 4.0.2\n---\nb: 2\n"
        );
    }

    #[test]
    fn removal_takes_every_copy_and_only_its_lines() {
        let text = "a: 1\nk: true  # c\nb: 2\nk: false\n";
        let c = ConfigFile::parse(SourceFile::new("t.yaml", text));
        let e = remove_setting(&c, "k").unwrap();
        assert_eq!(crate::fix::apply(text, &e).0, "a: 1\nb: 2\n");
        let text = "{a: 1, k: true, b: 2}";
        let c = ConfigFile::parse(SourceFile::new("t.yaml", text));
        let e = remove_setting(&c, "k").unwrap();
        assert_eq!(crate::fix::apply(text, &e).0, "{a: 1, b: 2}");
        let text = "{a: 1, k: true}";
        let c = ConfigFile::parse(SourceFile::new("t.yaml", text));
        let e = remove_setting(&c, "k").unwrap();
        assert_eq!(crate::fix::apply(text, &e).0, "{a: 1}");
    }

    #[test]
    fn an_empty_value_gets_a_space() {
        let text = "k:\n";
        let c = ConfigFile::parse(SourceFile::new("t.yaml", text));
        let v = &c.root().unwrap().entries().unwrap()[0].value;
        assert_eq!(
            crate::fix::apply(text, &[replace_value(text, v, "false")]).0,
            "k: false\n"
        );
    }
}

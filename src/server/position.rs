//! Byte offsets ↔ LSP positions, and `file:` URIs ↔ paths.
//!
//! The linter works in byte offsets into UTF-8 text; LSP speaks of lines and columns
//! counted in UTF-16 code units (the protocol's default, which every client supports). A
//! config with Chinese comments or an emoji in a value must still put its squiggle under
//! the right characters, so every conversion goes through one [`LineIndex`].

use std::path::{Path, PathBuf};

use lsp_types::{Position, Range, Uri};

use crate::source::Span;

/// Where each line of a text starts. LSP ends lines at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i + 1),
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 1;
                }
                b'\r' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        LineIndex { starts }
    }

    /// The position of byte `offset` (clamped to the text and to a character boundary).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let character: usize = text[start..offset].chars().map(char::len_utf16).sum();
        Position::new(line as u32, character as u32)
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(
            self.position(text, span.start),
            self.position(text, span.end),
        )
    }

    /// The byte offset of `pos`. A column past the end of its line means the line's end (its
    /// terminator excluded), a line past the last means the text's end, as LSP asks; a
    /// column inside a surrogate pair rounds down to the character's start.
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .copied()
            .unwrap_or(text.len());
        let line = text[start..end].trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, c) in line.char_indices() {
            let next = units + c.len_utf16();
            if next > pos.character as usize {
                return start + i;
            }
            units = next;
        }
        start + line.len()
    }
}

/// The path of a `file:` URI (percent-decoded; `file:///C:/x` is `C:/x` on Windows).
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    // An authority other than empty or localhost is a network share we do not read.
    let path = match rest.find('/') {
        Some(0) => rest,
        Some(i) if &rest[..i] == "localhost" => &rest[i..],
        _ => return None,
    };
    let decoded = percent_decode(path)?;
    if cfg!(windows) {
        // `/C:/Users/x` → `C:/Users/x`
        let trimmed = decoded.strip_prefix('/').unwrap_or(&decoded);
        let is_drive = trimmed.as_bytes().get(1) == Some(&b':');
        return Some(PathBuf::from(if is_drive { trimmed } else { &decoded }));
    }
    Some(PathBuf::from(decoded))
}

/// A `file:` URI for `path` (absolute), percent-encoding what a URI cannot hold.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::from("file://");
    if !text.starts_with('/') {
        out.push('/');
    }
    for b in text.bytes() {
        let keep = b.is_ascii_alphanumeric() || b"/-._~:!$&'()*+,;=@".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.parse().ok()
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        // 😀 is two UTF-16 units and four bytes; 中 one unit and three bytes.
        let text = "a: 1\r\n{k: \"😀中\", log_level: INFO}\rz\n";
        let idx = LineIndex::new(text);
        let info = text.find("INFO").unwrap();
        assert_eq!(idx.position(text, info), Position::new(1, 22));
        assert_eq!(idx.offset(text, Position::new(1, 22)), info);
        // Lone \r ends a line too.
        let z = text.find('z').unwrap();
        assert_eq!(idx.position(text, z), Position::new(2, 0));
        // Past the end of a line: the line's end, before its terminator.
        assert_eq!(idx.offset(text, Position::new(0, 99)), 4);
        // Inside the surrogate pair: the emoji's start.
        let emoji = text.find('😀').unwrap();
        assert_eq!(idx.offset(text, Position::new(1, 6)), emoji);
        // Past the last line: the end.
        assert_eq!(idx.offset(text, Position::new(9, 0)), text.len());
    }

    #[test]
    fn file_uris_round_trip() {
        let path = Path::new("/tmp/my configs/配置.yaml");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(
            uri.as_str(),
            "file:///tmp/my%20configs/%E9%85%8D%E7%BD%AE.yaml"
        );
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        let other: Uri = "untitled:Untitled-1".parse().unwrap();
        assert_eq!(uri_to_path(&other), None);
    }
}

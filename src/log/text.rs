//! Turning a physical line into the text a terminal showed.

use memchr::{memchr, memrchr};

/// How many characters of a line we keep for citing it in a diagnostic.
pub const CITE_CHARS: usize = 300;

/// The part of a physical line a terminal shows: without the line ending (`\n`, `\r\n`,
/// or any run of `\r` before it), and only what follows the last `\r` inside it, since
/// each `\r` (a tqdm redraw) sends the cursor back to column 0.
///
/// Choice: a frame that is wider than the last one would leave its tail visible on a
/// real terminal; tqdm pads every frame to the previous width, so we ignore that case.
pub fn visible(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    if end > 0 && line[end - 1] == b'\n' {
        end -= 1;
    }
    while end > 0 && line[end - 1] == b'\r' {
        end -= 1;
    }
    let line = &line[..end];
    match memrchr(b'\r', line) {
        Some(i) => &line[i + 1..],
        None => line,
    }
}

/// `line` with ANSI escape sequences removed, written into `out` (cleared first).
/// Returns false, leaving `out` untouched, when the line has no ESC byte at all: the
/// caller then uses the line itself, which saves a copy on almost every line.
pub fn strip_ansi_into(line: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(first) = memchr(0x1b, line) else {
        return false;
    };
    out.clear();
    strip_from(line, first, out);
    true
}

/// [`strip_ansi_into`], appending to `out` instead of replacing it.
pub fn strip_ansi_append(line: &[u8], out: &mut Vec<u8>) -> bool {
    let Some(first) = memchr(0x1b, line) else {
        return false;
    };
    strip_from(line, first, out);
    true
}

/// Append `line` without its ANSI codes; `first` is where its first ESC is.
fn strip_from(line: &[u8], first: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&line[..first]);
    let mut i = first;
    while i < line.len() {
        let b = line[i];
        if b != 0x1b {
            out.push(b);
            i += 1;
            continue;
        }
        // ESC [ params... final-byte (0x40..=0x7e); ESC ( X; or ESC + one byte.
        match line.get(i + 1) {
            Some(b'[') => {
                let mut j = i + 2;
                while j < line.len() && !(0x40..=0x7e).contains(&line[j]) {
                    j += 1;
                }
                i = j + 1;
            }
            // Character-set designation: ESC ( B and friends.
            Some(b'(' | b')' | b'*' | b'+') => i += 3,
            Some(_) => i += 2,
            None => i += 1,
        }
    }
}

/// Characters a console would need for `bytes`: UTF-8 continuation bytes do not count,
/// and an invalid byte (cp1252 text) counts as one character.
pub fn char_width(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

/// The text of a line for citing: lossily decoded, control characters dropped, capped at
/// [`CITE_CHARS`] characters (an ellipsis marks the cut).
pub fn cite(bytes: &[u8]) -> String {
    let mut out = String::new();
    cite_into(bytes, &mut out);
    out
}

/// [`cite`] into a reused buffer. Returns false when the part looked at was not valid
/// UTF-8.
pub fn cite_into(bytes: &[u8], out: &mut String) -> bool {
    out.clear();
    // Fast path, almost every line: printable ASCII. Written without early exits so that
    // it compiles to vector code.
    let head = &bytes[..bytes.len().min(CITE_CHARS)];
    let plain_ascii = head.is_ascii()
        && !head
            .iter()
            .fold(false, |any, &b| any | (b < 0x20) | (b == 0x7f));
    if plain_ascii {
        // ASCII is UTF-8; the fallback cannot be reached.
        out.push_str(std::str::from_utf8(head).unwrap_or_default());
        if bytes.len() > CITE_CHARS {
            out.push('…');
        } else {
            let kept = out.trim_end().len();
            out.truncate(kept);
        }
        return true;
    }
    // No more than CITE_CHARS characters of up to 4 bytes each are needed.
    let head = &bytes[..bytes.len().min(CITE_CHARS * 4)];
    let valid = std::str::from_utf8(head).is_ok();
    let decoded = String::from_utf8_lossy(head);
    let mut cut = false;
    for (n, c) in decoded.chars().filter(|c| !c.is_control()).enumerate() {
        if n == CITE_CHARS {
            cut = true;
            break;
        }
        out.push(c);
    }
    if cut || head.len() < bytes.len() {
        out.push('…');
    } else {
        let kept = out.trim_end().len();
        out.truncate(kept);
    }
    valid
}

/// Lossy decode of a value, trimmed.
pub fn value(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).trim().to_string()
}

/// `bytes` without leading and trailing ASCII whitespace.
pub fn trim(bytes: &[u8]) -> &[u8] {
    bytes.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visible_drops_line_endings_and_tqdm_frames() {
        assert_eq!(visible(b"abc\r\n"), b"abc");
        assert_eq!(visible(b"abc\n"), b"abc");
        assert_eq!(visible(b"abc"), b"abc");
        assert_eq!(visible(b"\r 10%|#\r 20%|##\r\n"), b" 20%|##");
        assert_eq!(visible(b"\rframe[2024]::x\n"), b"frame[2024]::x");
        assert_eq!(visible(b"\r\r\n"), b"");
    }

    #[test]
    fn ansi_codes_are_removed() {
        let mut out = Vec::new();
        assert!(!strip_ansi_into(b"plain", &mut out));
        assert!(strip_ansi_into(
            b"\x1b[38;20m[ts]::[InvokeAI]::INFO --> hi\x1b[0m",
            &mut out
        ));
        assert_eq!(out, b"[ts]::[InvokeAI]::INFO --> hi");
        // A lone ESC at the end and a two-byte escape.
        assert!(strip_ansi_into(b"a\x1b(Bb\x1b", &mut out));
        assert_eq!(out, b"ab");
        // An unterminated CSI swallows the rest, without panicking.
        assert!(strip_ansi_into(b"x\x1b[12;", &mut out));
        assert_eq!(out, b"x");
    }

    #[test]
    fn width_counts_characters() {
        assert_eq!(char_width("Radeon™".as_bytes()), 7);
        assert_eq!(char_width(b"j\xf6rg"), 4);
    }

    #[test]
    fn cite_is_lossy_and_capped() {
        assert_eq!(cite(b"caf\xe9\t ok  "), "caf\u{fffd} ok");
        let long = vec![b'a'; 1000];
        let c = cite(&long);
        assert_eq!(c.chars().count(), CITE_CHARS + 1);
        assert!(c.ends_with('…'));
    }
}

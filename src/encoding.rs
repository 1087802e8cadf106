//! Files that are not text in an encoding YAML readers take: UTF-16 and UTF-32 (told by
//! their byte-order mark or by the pattern of NUL bytes ASCII text leaves in them), and
//! binary data. Such a file gets one finding that says what it is; its bytes are never
//! parsed as YAML, nor printed.

/// What a file's bytes are when they are not UTF-8 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NotText {
    /// UTF-16 or UTF-32 (`bits`), little or big endian, with or without a BOM.
    Wide {
        bits: u8,
        big_endian: bool,
        bom: bool,
    },
    /// Binary: a NUL byte (or other control bytes text does not hold) at this offset.
    Binary { at: usize },
}

impl NotText {
    pub fn describe(&self) -> String {
        match *self {
            NotText::Wide {
                bits,
                big_endian,
                bom,
            } => format!(
                "UTF-{bits} {}{}",
                if big_endian { "BE" } else { "LE" },
                if bom {
                    " (it starts with a byte-order mark)"
                } else {
                    " (every ASCII character comes with NUL bytes)"
                }
            ),
            NotText::Binary { at } => {
                format!("binary data, not text (byte {at} is a control byte text never holds)")
            }
        }
    }
}

/// How far into a file to look: a config's first line settles it.
const SNIFF: usize = 512;

/// A control byte a text file does not hold: below 0x20 and not tab, line feed, form feed,
/// carriage return or ESC.
fn is_stray_control(b: u8) -> bool {
    const TEXT_CONTROLS: u32 = 1 << 0x09 | 1 << 0x0A | 1 << 0x0C | 1 << 0x0D | 1 << 0x1B;
    b < 0x20 && (TEXT_CONTROLS >> (b & 0x1F)) & 1 == 0
}

/// Whether `bytes` are UTF-16/UTF-32 or binary rather than (possibly broken) UTF-8 text.
/// Cheap for ordinary configs: one `memchr` for a NUL in the first bytes.
pub fn sniff(bytes: &[u8]) -> Option<NotText> {
    let wide = |bits, big_endian, bom| {
        Some(NotText::Wide {
            bits,
            big_endian,
            bom,
        })
    };
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => return wide(32, false, true),
        [0, 0, 0xFE, 0xFF, ..] => return wide(32, true, true),
        [0xFF, 0xFE, ..] => return wide(16, false, true),
        [0xFE, 0xFF, ..] => return wide(16, true, true),
        _ => {}
    }
    let head = &bytes[..bytes.len().min(SNIFF)];
    let nul = memchr::memchr(0, head);
    if let Some(at) = nul {
        // ASCII in a wide encoding: NULs at fixed positions of each 2- or 4-byte unit.
        let units = |size: usize, text_at: usize| {
            let whole = head.len() / size * size;
            whole >= size
                && head[..whole].chunks(size).all(|u| {
                    u.iter()
                        .enumerate()
                        .all(|(i, &b)| (i == text_at) == (b != 0) || (i == text_at && b == 0))
                })
                && head[..whole]
                    .chunks(size)
                    .filter(|u| u[text_at] != 0)
                    .count()
                    * 2
                    >= whole / size
        };
        if units(4, 0) {
            return wide(32, false, false);
        }
        if units(4, 3) {
            return wide(32, true, false);
        }
        if units(2, 0) {
            return wide(16, false, false);
        }
        if units(2, 1) {
            return wide(16, true, false);
        }
        return Some(NotText::Binary { at });
    }
    // Without a NUL: binary when control bytes other than tab, line breaks, form feed and
    // ESC are common in the head (a text file has none).
    // Counted without a branch per byte (every file passes here): the compiler vectorises it.
    let controls: usize = head.iter().map(|&b| usize::from(is_stray_control(b))).sum();
    if controls * 10 > head.len().max(1) {
        let at = head.iter().position(|&b| is_stray_control(b)).unwrap_or(0);
        return Some(NotText::Binary { at });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big_endian {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    }

    #[test]
    fn wide_encodings_are_told_with_or_without_a_bom() {
        let text = "schema_version: 4.0.2\ndevice: cuda\n";
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16(text, false));
        assert_eq!(
            sniff(&le),
            Some(NotText::Wide {
                bits: 16,
                big_endian: false,
                bom: true
            })
        );
        assert_eq!(
            sniff(&utf16(text, true)),
            Some(NotText::Wide {
                bits: 16,
                big_endian: true,
                bom: false
            })
        );
        assert_eq!(
            sniff(&utf16(text, false)),
            Some(NotText::Wide {
                bits: 16,
                big_endian: false,
                bom: false
            })
        );
        let le32: Vec<u8> = text
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        assert_eq!(
            sniff(&le32),
            Some(NotText::Wide {
                bits: 32,
                big_endian: false,
                bom: false
            })
        );
        let mut be32 = vec![0, 0, 0xFE, 0xFF];
        be32.extend(text.chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(
            sniff(&be32),
            Some(NotText::Wide {
                bits: 32,
                big_endian: true,
                bom: true
            })
        );
    }

    #[test]
    fn binary_is_told_from_text() {
        assert!(matches!(
            sniff(b"\x7fELF\x02\x01\x01\0\0\0"),
            Some(NotText::Binary { .. })
        ));
        assert!(matches!(
            sniff(&[1, 2, 3, 4, 5, 6, 7, 8, b'a']),
            Some(NotText::Binary { at: 0 })
        ));
        assert_eq!(
            sniff(b"a: 1\n# caf\xc3\xa9 \xff\n"),
            None,
            "broken UTF-8 is still text"
        );
        assert_eq!(sniff("device: cuda\t# ok\r\n".as_bytes()), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn stray_controls_are_the_controls_text_does_not_use() {
        for b in 0..=255u8 {
            let expected = b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0C | 0x1B);
            assert_eq!(is_stray_control(b), expected, "{b:#x}");
        }
    }
}

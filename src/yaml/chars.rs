//! Character index → byte offset, for saphyr's markers (which count characters).
//!
//! Events arrive roughly in text order but not strictly (a block collection's end is reported
//! where the next token starts), so lookups are random access: a checkpoint every
//! `STRIDE` characters bounds each lookup to a short walk, in memory 1/STRIDE of a full table.

const STRIDE: usize = 64;

pub(super) struct CharIndex<'t> {
    text: &'t str,
    ascii: bool,
    /// Byte offset of character `k * STRIDE`.
    checkpoints: Vec<usize>,
}

impl<'t> CharIndex<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            text.char_indices()
                .step_by(STRIDE)
                .map(|(b, _)| b)
                .collect()
        };
        CharIndex {
            text,
            ascii,
            checkpoints,
        }
    }

    /// Byte offset of the character with index `ci`; the text's length past its end.
    pub(super) fn byte(&self, ci: usize) -> usize {
        if self.ascii {
            return ci.min(self.text.len());
        }
        let Some(&base) = self.checkpoints.get(ci / STRIDE) else {
            return self.text.len();
        };
        let rest = ci % STRIDE;
        self.text
            .get(base..)
            .and_then(|tail| tail.char_indices().nth(rest))
            .map_or(self.text.len(), |(b, _)| base + b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_character_of_mixed_text() {
        let text = "aé€😀b".repeat(50);
        let idx = CharIndex::new(&text);
        for (ci, (b, _)) in text.char_indices().enumerate() {
            assert_eq!(idx.byte(ci), b, "char {ci}");
        }
        assert_eq!(idx.byte(text.chars().count()), text.len());
        assert_eq!(idx.byte(usize::MAX), text.len());
    }

    #[test]
    fn ascii_is_identity() {
        let idx = CharIndex::new("abc");
        assert_eq!(idx.byte(2), 2);
        assert_eq!(idx.byte(9), 3);
    }
}

//! Which pydantic each InvokeAI release ships, and the lax-mode behaviours that changed between
//! pydantic versions.
//!
//! Pins come from `pyproject.toml` at each tag; from 5.10.0 on pyproject leaves pydantic open and
//! the version is the one the tag's `uv.lock` resolves (what the installer ships):
//!
//! | releases            | pydantic | source |
//! | ------------------- | -------- | ------ |
//! | 3.0.0 – 3.3.x       | 1.10     | `pydantic==1.*` (pyproject@v3.3.0) |
//! | 3.4.0rc1 – rc4      | 2.4      | `pydantic~=2.4.2` (pyproject@v3.4.0rc2) |
//! | 3.4.0 – 3.6.2       | 2.5      | `pydantic~=2.5.0` / `==2.5.3` (pyproject@v3.4.0, @v3.6.2) |
//! | 3.6.3               | 2.6      | `pydantic==2.6.1` (pyproject@3.6.3) |
//! | 4.0.0 – 4.2.3       | 2.6      | `pydantic==2.6.3` (pyproject@v4.0.0 … @v4.2.3) |
//! | 4.2.4 – 5.9.x       | 2.7      | `pydantic==2.7.2` (pyproject@v4.2.4 … @v5.9.1) |
//! | 5.10.0 – 5.15.x     | 2.11     | uv.lock@v5.10.0 … @v5.15.0: 2.11.1 |
//! | 6.0.0 – 6.13.4      | 2.11     | uv.lock@v6.0.0 … @v6.13.0: 2.11.7 |
//! | 6.13.5 on           | 2.13     | uv.lock@v6.13.5 … @v6.14.0-rc2: 2.13.4 |
//!
//! The behaviours below were found by running each shipped pydantic on the same inputs
//! (`TypeAdapter(t).validate_python(v)`, 2.5.3 / 2.6.3 / 2.7.2 / 2.11.1 / 2.13.4); these are the
//! only lax-mode differences between them for the types InvokeAI's settings use.

use crate::knowledge::Version;

/// A pydantic release line (major, minor).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pydantic {
    pub major: u8,
    pub minor: u8,
}

impl Pydantic {
    pub const fn new(major: u8, minor: u8) -> Self {
        Pydantic { major, minor }
    }

    /// The pydantic InvokeAI `v` ships (see the module table).
    pub fn shipped_with(v: &Version) -> Pydantic {
        let (major, minor, patch) = v.release();
        let p = Pydantic::new;
        match (major, minor, patch) {
            (0..=2, _, _) | (3, 0..=3, _) => p(1, 10),
            (3, 4, 0) if v.is_prerelease() => p(2, 4),
            (3, 4..=5, _) | (3, 6, 0..=2) => p(2, 5),
            (3, _, _) => p(2, 6),
            (4, 0..=1, _) | (4, 2, 0..=3) => p(2, 6),
            (4, _, _) | (5, 0..=9, _) => p(2, 7),
            (5, _, _) => p(2, 11),
            (6, 0..=12, _) | (6, 13, 0..=4) => p(2, 11),
            _ => p(2, 13),
        }
    }

    pub fn is_v1(self) -> bool {
        self.major < 2
    }

    /// Strings given to int and float fields are stripped of surrounding whitespace before
    /// parsing (`' 9090'` → 9090) from pydantic 2.7; 2.5 and 2.6 reject them.
    pub fn strips_number_strings(self) -> bool {
        self >= Pydantic::new(2, 7)
    }

    /// A `Literal[1, …]` choice matches `True`, `1.0` and `4.0` (equal in Python) from pydantic
    /// 2.11 (checked: 2.7.2 rejects, 2.11.1 accepts); pydantic 1 looks choices up in a dict, so
    /// equal values always match there.
    pub fn literal_matches_equal_numbers(self) -> bool {
        self.is_v1() || self >= Pydantic::new(2, 11)
    }

    pub fn describe(self) -> String {
        format!("pydantic {}.{}", self.major, self.minor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped(v: &str) -> Pydantic {
        Pydantic::shipped_with(&Version::parse(v).unwrap())
    }

    #[test]
    fn each_release_line_gets_its_pin() {
        assert_eq!(shipped("3.0.0"), Pydantic::new(1, 10));
        assert_eq!(shipped("3.3.0"), Pydantic::new(1, 10));
        assert_eq!(shipped("3.4.0rc2"), Pydantic::new(2, 4));
        assert_eq!(shipped("3.4.0"), Pydantic::new(2, 5));
        assert_eq!(shipped("3.6.2"), Pydantic::new(2, 5));
        assert_eq!(shipped("3.6.3"), Pydantic::new(2, 6));
        assert_eq!(shipped("4.2.3"), Pydantic::new(2, 6));
        assert_eq!(shipped("4.2.4"), Pydantic::new(2, 7));
        assert_eq!(shipped("5.9.1"), Pydantic::new(2, 7));
        assert_eq!(shipped("5.15.0"), Pydantic::new(2, 11));
        assert_eq!(shipped("6.13.0"), Pydantic::new(2, 11));
        assert_eq!(shipped("6.13.8"), Pydantic::new(2, 13));
        assert_eq!(shipped("6.14.0-rc2"), Pydantic::new(2, 13));
    }

    #[test]
    fn behaviours_follow_the_version() {
        assert!(!shipped("4.1.0").strips_number_strings());
        assert!(shipped("4.2.9").strips_number_strings());
        assert!(!shipped("5.9.1").literal_matches_equal_numbers());
        assert!(shipped("5.15.0").literal_matches_equal_numbers());
        assert!(shipped("3.3.0").literal_matches_equal_numbers());
    }
}

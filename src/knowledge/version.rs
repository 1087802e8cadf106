//! InvokeAI versions, compared as PEP 440 (the way pip orders InvokeAI's releases).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A release version as written by a user or a log (`5.6.0rc2`, `6.14.0-rc2`, `v5.9.1`, `5.0.0.post1`).
///
/// Keeps the text it was written as for messages; compares by PEP 440.
#[derive(Clone, Debug)]
pub struct Version {
    pep: pep440_rs::Version,
    text: String,
}

impl Version {
    pub fn parse(s: &str) -> Result<Self, String> {
        let trimmed = s.trim();
        let bare = trimmed
            .strip_prefix('v')
            .or_else(|| trimmed.strip_prefix('V'))
            .unwrap_or(trimmed);
        let pep = pep440_rs::Version::from_str(bare)
            .map_err(|e| format!("`{s}` is not a version InvokeAI could have ({e})"))?;
        Ok(Version {
            pep,
            text: bare.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Major, minor, patch (missing parts are 0).
    pub fn release(&self) -> (u64, u64, u64) {
        let r = self.pep.release();
        (
            r.first().copied().unwrap_or(0),
            r.get(1).copied().unwrap_or(0),
            r.get(2).copied().unwrap_or(0),
        )
    }

    pub fn is_prerelease(&self) -> bool {
        self.pep.any_prerelease()
    }

    /// Shorthand for comparisons in rules: `v.at_least("5.6.0")`. Rules call this with a
    /// handful of literals for every file, so each literal is parsed once per thread.
    pub fn at_least(&self, other: &str) -> bool {
        with_parsed(other, |v| *self >= *v.expect("valid version literal"))
    }

    /// [`Version::parse`] for text met again and again (the `--invokeai-version` of every
    /// file of a tree): parsed once per thread.
    pub fn parse_cached(s: &str) -> Result<Self, String> {
        with_parsed(s, |v| v.cloned()).map_or_else(|| Version::parse(s), Ok)
    }
    pub fn below(&self, other: &str) -> bool {
        !self.at_least(other)
    }
}

/// Run `f` on the parsed form of `text` (None when it is not a version), from a per-thread
/// cache of the texts seen so far.
fn with_parsed<R>(text: &str, f: impl FnOnce(Option<&Version>) -> R) -> R {
    thread_local! {
        static PARSED: std::cell::RefCell<rustc_hash::FxHashMap<String, Version>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
    }
    PARSED.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(v) = cache.get(text) {
            return f(Some(v));
        }
        match Version::parse(text) {
            Ok(v) => f(Some(cache.entry(text.to_string()).or_insert(v))),
            Err(_) => f(None),
        }
    })
}

impl FromStr for Version {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Version::parse(s)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.pep == other.pep
    }
}
impl Eq for Version {}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        self.pep.cmp(&other.pep)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn prereleases_sort_before_the_release() {
        assert!(v("5.6.0rc2") < v("5.6.0"));
        assert!(v("6.14.0-rc2") < v("6.14.0"));
        assert!(v("6.14.0-alpha") < v("6.14.0-rc2"));
        assert!(v("6.13.8") < v("6.14.0-alpha"));
        assert!(v("5.0.0.post1") > v("5.0.0"));
        assert!(v("5.10.0") > v("5.9.1"));
    }

    #[test]
    fn a_leading_v_is_accepted_and_dropped() {
        assert_eq!(v("v5.9.1"), v("5.9.1"));
        assert_eq!(v("v5.9.1").to_string(), "5.9.1");
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(Version::parse("five").is_err());
        assert!(Version::parse("").is_err());
    }
}

//! Did-you-mean for setting names.
//!
//! Typos in invokeai.yaml come in three shapes: a slip of the keyboard (`max_cahce_ram_gb`),
//! words in the wrong order (`max_vram_cache_gb` for `max_cache_vram_gb`, as guides often
//! write it) and a name cut short or padded (`enable_partial_load`). Edit distance catches the
//! first, the distance between the sorted words the second, a substring test the third.

/// At most this many suggestions.
const MAX_SUGGESTIONS: usize = 3;

/// No setting name is near this long; beyond it the edit-distance table (length × length)
/// would only cost memory, so such names get no suggestion.
const MAX_NAME_LEN: usize = 128;

/// Candidates close to `name`, best first; empty when nothing is close. Each candidate comes
/// with whether it is deprecated: a key that loads but does nothing is a poor answer to
/// "what did I mean", so deprecated keys rank after every live one.
pub(super) fn closest<'a>(
    name: &str,
    candidates: impl Iterator<Item = (&'a str, bool)>,
) -> Vec<&'a str> {
    closest_pruned(name, candidates, true)
}

/// [`closest`]; `prune` off computes every distance (the tests compare the two).
fn closest_pruned<'a>(
    name: &str,
    candidates: impl Iterator<Item = (&'a str, bool)>,
    prune: bool,
) -> Vec<&'a str> {
    if name.len() > MAX_NAME_LEN {
        return Vec::new();
    }
    let wanted = normalize(name);
    if wanted.is_empty() {
        return Vec::new();
    }
    let wanted_words = sorted_words(&wanted);
    let (wanted_len, wanted_words_len) = (wanted.chars().count(), wanted_words.chars().count());
    let mut scored: Vec<(bool, i64, usize, usize, &'a str)> = Vec::new();
    for (order, (cand, deprecated)) in candidates.enumerate() {
        let cand_len = cand.chars().count();
        let longest = wanted_len.max(cand_len);
        let limit = (longest / 3).max(2);
        let related = contains_either(&wanted, cand);
        // An edit distance is at least the difference in length: most candidates are
        // ruled out by that alone, before the distance tables are filled.
        let at_least = wanted_len
            .abs_diff(cand_len)
            .min(wanted_words_len.abs_diff(sorted_words_len(cand)) + 1);
        if prune && !related && at_least > limit {
            continue;
        }
        let plain = strsim::damerau_levenshtein(&wanted, cand);
        // Reordered words cost one edit, so a true typo of the same order still ranks first.
        let reordered = strsim::damerau_levenshtein(&wanted_words, &sorted_words(cand)) + 1;
        let distance = plain.min(reordered);
        let close = distance <= limit || related;
        if !close {
            continue;
        }
        let score = i64::try_from(distance).unwrap_or(i64::MAX) - if related { 2 } else { 0 };
        let len_gap = wanted.len().abs_diff(cand.len());
        scored.push((deprecated, score, len_gap, order, cand));
    }
    scored.sort();
    scored
        .into_iter()
        .take(MAX_SUGGESTIONS)
        .map(|(_, _, _, _, c)| c)
        .collect()
}

/// Setting names are snake_case; people also write them with dashes, spaces or capitals.
fn normalize(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' | '.' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

fn sorted_words(name: &str) -> String {
    let mut words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    words.sort_unstable();
    words.join("_")
}

/// The length in characters of [`sorted_words`]`(name)`, without building it.
fn sorted_words_len(name: &str) -> usize {
    let (chars, words) = name
        .split('_')
        .filter(|w| !w.is_empty())
        .fold((0usize, 0usize), |(chars, words), w| {
            (chars + w.chars().count(), words + 1)
        });
    chars + words.saturating_sub(1)
}

/// One name inside the other, when the shorter one is long enough to mean something:
/// `vram_gb` in `max_cache_vram_gb`, but not `dir` in every path setting.
fn contains_either(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    short.len() >= 4 && short.len() * 3 >= long.len() && long.contains(short)
}

#[cfg(test)]
mod tests {
    use super::closest;

    const NAMES: &[&str] = &[
        "max_cache_ram_gb",
        "max_cache_vram_gb",
        "device_working_mem_gb",
        "enable_partial_loading",
        "keep_ram_copy_of_weights",
        "models_dir",
        "db_dir",
        "outputs_dir",
        "convert_cache_dir",
        "download_cache_dir",
        "ram",
        "vram",
    ];

    fn ask(name: &str) -> Vec<&'static str> {
        closest(name, NAMES.iter().map(|n| (*n, false)))
    }

    #[test]
    fn reordered_words_find_the_real_key_first() {
        assert_eq!(ask("max_vram_cache_gb").first(), Some(&"max_cache_vram_gb"));
        assert_eq!(ask("max_ram_cache_gb").first(), Some(&"max_cache_ram_gb"));
    }

    #[test]
    fn keyboard_slips_and_case_are_forgiven() {
        assert_eq!(ask("max_cahce_ram_gb").first(), Some(&"max_cache_ram_gb"));
        assert_eq!(ask("Max-Cache-VRAM-GB").first(), Some(&"max_cache_vram_gb"));
        assert_eq!(
            ask("device_workingmem_gb").first(),
            Some(&"device_working_mem_gb")
        );
    }

    #[test]
    fn a_name_cut_short_is_found() {
        assert_eq!(
            ask("enable_partial_load").first(),
            Some(&"enable_partial_loading")
        );
        assert_eq!(ask("cache_vram_gb").first(), Some(&"max_cache_vram_gb"));
    }

    #[test]
    fn nothing_close_means_no_suggestion() {
        assert!(ask("xyzzy").is_empty());
        assert!(ask("").is_empty());
        assert!(ask("dir").is_empty(), "{:?}", ask("dir"));
        assert!(ask("hashing").is_empty());
        assert!(ask(&"max_cache_ram_gb".repeat(100)).is_empty());
    }

    #[test]
    fn deprecated_keys_come_after_live_ones() {
        let with_vram_deprecated = |name: &str| {
            closest(
                name,
                NAMES.iter().map(|n| (*n, *n == "vram" || *n == "ram")),
            )
        };
        assert_eq!(ask("vram_gb").first(), Some(&"vram"));
        assert_eq!(
            with_vram_deprecated("vram_gb"),
            ["max_cache_vram_gb", "vram"]
        );
    }

    #[test]
    fn at_most_three() {
        assert!(ask("cache_dir").len() <= 3);
        assert!(!ask("cache_dir").is_empty());
    }

    #[test]
    fn the_length_bound_never_rules_out_a_close_name() {
        use super::{closest_pruned, sorted_words, sorted_words_len};
        let kb = crate::knowledge::Knowledge::get();
        let names: Vec<&str> = kb.keys.iter().map(|k| k.name.as_str()).collect();
        let mut asked = vec![
            "max_vram_cache_gb".to_string(),
            "enable__partial".into(),
            "_ram_".into(),
            "a".into(),
            "sécurité_dir".into(),
            "Device-Working-Mem".into(),
        ];
        // Every key cut short, padded, and with two words swapped.
        for n in &names {
            assert_eq!(sorted_words_len(n), sorted_words(n).chars().count());
            asked.push(n[..n.len() / 2].to_string());
            asked.push(format!("{n}_x"));
            let mut words: Vec<&str> = n.split('_').collect();
            words.reverse();
            asked.push(words.join("_"));
        }
        let all = || names.iter().map(|n| (*n, false));
        for name in &asked {
            assert_eq!(
                closest_pruned(name, all(), true),
                closest_pruned(name, all(), false),
                "{name}"
            );
        }
    }
}

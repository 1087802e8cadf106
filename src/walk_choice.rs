//! Two questions a directory walk asks of a file before it lints it, both cheap enough for
//! every YAML file of a repository (a name test, a line scan; never a parse).
//!
//! **Skipped on a walk** ([`skip_reason`]): `invokeai.example.yaml`, which InvokeAI writes
//! afresh at every start and never reads, and backup copies: `*.bak`, `*.orig` (also
//! `x.bak.yaml`, `x.orig.yaml`; InvokeAI's own migration keeps `invokeai.yaml.bak`) and
//! editor backups ending in `~`. They are skipped only when they would otherwise be linted
//! (a config by name, by content or by an `include`), and the run says once which were
//! skipped and why. A file named on the command line is always linted.
//!
//! **A config by its keys** ([`looks_like_settings`]): a YAML file without
//! `schema_version`/`InvokeAI` (see `discover::sniff`) is still an InvokeAI config when its
//! top-level keys are InvokeAI settings of any release. The rule, chosen so that a
//! `docker-compose.yaml`, a GitHub workflow or another server's `host`/`port` file is not
//! taken for one:
//! - the top-level keys (column 0, `key:`) are counted as known (a setting of some release,
//!   `Knowledge::key`) or unknown;
//! - at least as many are known as unknown (one typo in a hand-written file does not hide
//!   it), and
//! - at least one known key is distinctive: not one of the plain words other programs'
//!   configs also use ([`GENERIC`]: `host`, `port`, `version`, `device`, `log_level`, ...).

use crate::knowledge::Knowledge;

/// Why a walk does not lint a file of this name, or None.
pub fn skip_reason(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower == "invokeai.example.yaml" || lower == "invokeai.example.yml" {
        return Some("InvokeAI rewrites it at every start and never reads it");
    }
    if lower.ends_with('~') {
        return Some("an editor's backup copy");
    }
    let stem = lower
        .strip_suffix(".yaml")
        .or_else(|| lower.strip_suffix(".yml"))
        .unwrap_or(&lower);
    if stem.ends_with(".bak") || stem.ends_with(".orig") {
        return Some("a backup copy");
    }
    None
}

/// The name a backup would have without its backup ending (`invokeai.yaml.bak` →
/// `invokeai.yaml`), to ask whether the original is a config.
pub fn unbacked_name(name: &str) -> &str {
    let n = name.trim_end_matches('~');
    let lower = n.to_ascii_lowercase();
    for end in [".bak", ".orig"] {
        if lower.ends_with(end) {
            return &n[..n.len() - end.len()];
        }
    }
    n
}

/// Known settings that other programs' YAML files use too; they do not make a file an
/// InvokeAI config on their own.
pub const GENERIC: &[&str] = &[
    "host",
    "port",
    "version",
    "root",
    "device",
    "precision",
    "ram",
    "vram",
    "outdir",
    "db_dir",
    "conf_path",
    "from_file",
    "log_level",
    "log_format",
    "log_handlers",
    "ssl_certfile",
    "ssl_keyfile",
    "allow_origins",
    "allow_credentials",
    "allow_methods",
    "allow_headers",
];

/// Are this YAML text's top-level keys InvokeAI settings? (See the module doc for the rule.)
pub fn looks_like_settings(bytes: &[u8]) -> bool {
    let knowledge = Knowledge::get();
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    let (mut known, mut unknown, mut distinctive) = (0usize, 0usize, false);
    for line in bytes.split(|b| *b == b'\n') {
        let line = line.strip_prefix(b"--- ").unwrap_or(line);
        let Some(key) = top_level_key(line) else {
            continue;
        };
        match std::str::from_utf8(key)
            .ok()
            .filter(|k| knowledge.key(k).is_some())
        {
            Some(k) => {
                known += 1;
                distinctive |= !GENERIC.contains(&k);
            }
            None => unknown += 1,
        }
    }
    distinctive && known >= unknown
}

/// The key a column-0 `key:` line sets (quotes dropped), or None for anything else.
fn top_level_key(line: &[u8]) -> Option<&[u8]> {
    let first = *line.first()?;
    if first.is_ascii_whitespace() || matches!(first, b'#' | b'-' | b'.' | b'{' | b'[' | b'%') {
        return None;
    }
    let (key, rest) = match first {
        b'"' | b'\'' => {
            let body = &line[1..];
            let end = body.iter().position(|b| *b == first)?;
            (&body[..end], &body[end + 1..])
        }
        _ => {
            let colon = line
                .windows(2)
                .position(|w| w[0] == b':' && w[1].is_ascii_whitespace())
                .or_else(|| line.strip_suffix(b":").map(|l| l.len()))?;
            (line[..colon].trim_ascii_end(), &line[colon..])
        }
    };
    let rest = rest.trim_ascii_start();
    (rest.first() == Some(&b':') && rest.get(1).is_none_or(|b| b.is_ascii_whitespace()))
        .then_some(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_and_backups_are_skipped() {
        assert!(skip_reason("invokeai.example.yaml").is_some());
        assert!(skip_reason("InvokeAI.example.yml").is_some());
        assert!(skip_reason("invokeai.yaml.bak").is_some());
        assert!(skip_reason("invokeai.bak.yaml").is_some());
        assert!(skip_reason("invokeai.yaml.orig").is_some());
        assert!(skip_reason("invokeai.yaml~").is_some());
        assert!(skip_reason("invokeai.yaml").is_none());
        assert!(skip_reason("invokeai-backup-plan.yaml").is_none());
        assert_eq!(unbacked_name("invokeai.yaml.bak"), "invokeai.yaml");
        assert_eq!(unbacked_name("x.yaml~"), "x.yaml");
        assert_eq!(unbacked_name("x.yaml"), "x.yaml");
    }

    #[test]
    fn settings_files_are_told_from_other_yaml() {
        assert!(looks_like_settings(
            b"enable_partial_loading: true\nmax_cache_vram_gb: 4\n"
        ));
        assert!(looks_like_settings(b"# low VRAM\n\"lazy_offload\": true\n"));
        // One typo does not hide a hand-written file.
        assert!(looks_like_settings(
            b"enable_partial_loading: true\nmax_cach_vram_gb: 4\n"
        ));
        // 3.x flat names count too.
        assert!(looks_like_settings(b"xformers_enabled: true\n"));
        assert!(!looks_like_settings(
            b"version: '3'\nservices:\n  invokeai:\n    image: x\n"
        ));
        assert!(!looks_like_settings(
            b"name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n"
        ));
        assert!(!looks_like_settings(b"host: 0.0.0.0\nport: 8080\n"));
        assert!(!looks_like_settings(b"models_dir: x\na: 1\nb: 2\nc: 3\n"));
        assert!(!looks_like_settings(b"  enable_partial_loading: true\n"));
        assert!(!looks_like_settings(b""));
    }
}

//! Reading one linter config and combining a chain of them (without the filesystem;
//! finding them on disk is tested in tests/cli_config.rs and tests/cli_config_nested.rs).

use std::path::{Path, PathBuf};

use super::*;
use crate::diagnostic::Severity;
use crate::selection::{Layer, LayerOrigin};

fn parse(text: &str) -> Result<LinterConfig, String> {
    LinterConfig::parse(text, "invokeai-lint.toml", PathBuf::from("/repo"))
}

fn chain(text: &str) -> ConfigChain {
    ConfigChain::single(parse(text).unwrap())
}

const FLEET: &str = r#"
select = ["ALL"]
ignore = ["deprecated-key"]
fail-on = "warning"
max-warnings = 3
exclude = ["vendor/"]

[severity]
unknown-key = "warning"

[facts]
invokeai_version = "5.9.1"

[[overrides]]
paths = ["fleet/12gb/**"]
facts = { vram_gb = 12, ram_gb = 32 }
ignore = ["IL106"]

[[overrides]]
paths = ["fleet/old/**"]
facts = { invokeai_version = "5.5.0" }
severity = { unknown-key = "error" }
"#;

#[test]
fn a_fleet_manifest_parses() {
    let c = parse(FLEET).unwrap();
    assert_eq!(c.fail_on, Some(Severity::Warning));
    assert_eq!(c.max_warnings, Some(3));
    assert_eq!(c.facts.invokeai_version.as_deref(), Some("5.9.1"));
    assert_eq!(c.overrides.len(), 2);
    assert_eq!(c.overrides[0].facts.vram_gb, Some(12.0));
    assert!(c.excludes("vendor/x/invokeai.yaml"));
    assert!(!c.excludes("fleet/12gb/invokeai.yaml"));
}

#[test]
fn overrides_match_relative_paths_and_later_ones_win() {
    let c = parse(FLEET).unwrap();
    let flags = Layer::new(LayerOrigin::Flags);
    assert_eq!(
        c.matching_overrides(Some("fleet/12gb/invokeai.yaml")),
        vec![1]
    );
    assert_eq!(
        c.matching_overrides(Some("fleet/12gbx/invokeai.yaml")),
        Vec::<usize>::new()
    );
    assert_eq!(c.matching_overrides(None), Vec::<usize>::new());

    let s = chain(FLEET).settings_for(&[0], &flags);
    assert_eq!(s.facts.vram_gb.as_ref().unwrap().value, 12.0);
    assert_eq!(
        s.facts.vram_gb.as_ref().unwrap().origin.describe(),
        "invokeai-lint.toml [[overrides]] #1 (fleet/12gb/**) vram_gb"
    );
    assert_eq!(
        s.facts.invokeai_version.as_ref().unwrap().origin.describe(),
        "invokeai-lint.toml [facts] invokeai_version"
    );
    assert!(!s.rules.is_enabled("IL106"));
    assert!(!s.rules.is_enabled("IL105"));
    assert_eq!(s.rules.get("IL101").unwrap().severity, Severity::Warning);

    let both = chain(FLEET).settings_for(&[0, 1], &flags);
    assert_eq!(both.facts.invokeai_version.unwrap().value, "5.5.0");
    assert_eq!(both.rules.get("IL101").unwrap().severity, Severity::Error);
}

#[test]
fn flags_beat_the_file() {
    let flags = Layer::from_flags(None, &["deprecated-key".into()], &["IL101".into()]).unwrap();
    let s = chain(FLEET).settings_for(&[1], &flags);
    assert!(s.rules.is_enabled("IL105"));
    assert!(!s.rules.is_enabled("IL101"));
}

#[test]
fn unknown_keys_are_errors_with_positions_and_suggestions() {
    let e = parse(
        "selct = [\"IL101\"]\nvram_gb = 12\n[facts]\nvram = 3\n[[overrides]]\npath = [\"a\"]\n",
    )
    .unwrap_err();
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 5, "{e}");
    assert_eq!(
        lines[0],
        "invokeai-lint.toml:1:1: unknown key `selct` (did you mean `select`?)"
    );
    assert!(
        lines[1]
            .starts_with("invokeai-lint.toml:2:1: unknown key `vram_gb` (facts go under [facts]"),
        "{e}"
    );
    assert_eq!(
        lines[2],
        "invokeai-lint.toml:4:1: unknown key `vram` in [facts] (did you mean `vram_gb`?)"
    );
    assert!(
        lines[3].starts_with("invokeai-lint.toml:5:1: [[overrides]] #1: needs `paths"),
        "{e}"
    );
    assert_eq!(
        lines[4],
        "invokeai-lint.toml:6:1: unknown key `path` in [[overrides]] #1 (did you mean `paths`?)"
    );
}

#[test]
fn bad_values_are_errors_at_the_value() {
    let e = parse("fail-on = \"sometimes\"\nselect = [\"unknwn-key\"]\n[facts]\nvram_gb = -1\ndevice = \"gpu\"\nos = \"beos\"\ninvokeai_version = \"five\"\n").unwrap_err();
    assert!(
        e.contains(":1:11: fail-on: `sometimes` is not one of"),
        "{e}"
    );
    assert!(
        e.contains(":2:11: select: unknown rule `unknwn-key` (did you mean `unknown-key`?)"),
        "{e}"
    );
    assert!(
        e.contains(":4:11: [facts] vram_gb: expected a number"),
        "{e}"
    );
    assert!(e.contains("device: `gpu` is not one of cuda"), "{e}");
    assert!(e.contains("os: `beos` is not one of"), "{e}");
    assert!(
        e.contains("invokeai_version: `five` is not a version"),
        "{e}"
    );
}

#[test]
fn toml_syntax_errors_have_a_position() {
    let e = parse("select = [\n").unwrap_err();
    assert!(e.starts_with("invokeai-lint.toml:"), "{e}");
}

#[test]
fn a_version_written_as_a_float_is_taken_as_text() {
    let c = parse("[facts]\ninvokeai_version = 5.9\n").unwrap();
    assert_eq!(c.facts.invokeai_version.as_deref(), Some("5.9"));
}

#[test]
fn globs_without_a_slash_match_at_any_depth() {
    let s = glob_set(&["*.yml".into(), "/top.yaml".into(), "lab/".into()]).unwrap();
    assert!(s.is_match("a/b/c.yml"));
    assert!(s.is_match("top.yaml"));
    assert!(!s.is_match("a/top.yaml"));
    assert!(s.is_match("lab/x/invokeai.yaml"));
    assert!(glob_set(&["a/[".into()]).is_err());
}

#[test]
fn relative_paths_are_from_the_config_folder() {
    let cwd = Path::new("/repo/sub");
    let c = parse("").unwrap();
    assert_eq!(
        c.relative(cwd, Path::new("x/invokeai.yaml")).as_deref(),
        Some("sub/x/invokeai.yaml")
    );
    assert_eq!(c.relative(cwd, Path::new("/elsewhere/invokeai.yaml")), None);
}

#[test]
fn an_extending_config_beats_the_one_it_extends_and_overrides_add_up_each_from_its_folder() {
    let parent = LinterConfig::parse(
        "ignore = [\"deprecated-key\"]\nfail-on = \"warning\"\n[facts]\ninvokeai_version = \"5.9.1\"\nvram_gb = 24\n\
         [[overrides]]\npaths = [\"lab/**\"]\nfacts = { vram_gb = 8 }\n",
        "invokeai-lint.toml",
        PathBuf::from("/repo"),
    )
    .unwrap();
    let child = LinterConfig::parse(
        "extend = \"../invokeai-lint.toml\"\nextend-select = [\"deprecated-key\"]\n[facts]\nvram_gb = 12\n\
         [[overrides]]\npaths = [\"lab/**\"]\nfacts = { ram_gb = 16 }\n",
        "team/invokeai-lint.toml",
        PathBuf::from("/repo/team"),
    )
    .unwrap();
    assert_eq!(
        child
            .extend
            .as_ref()
            .map(|(to, at)| (to.as_str(), at.as_str())),
        Some((
            "../invokeai-lint.toml",
            "team/invokeai-lint.toml:1:10: extend"
        ))
    );
    let chain = ConfigChain {
        id: 1,
        files: vec![child, parent],
    };
    let cwd = Path::new("/repo");
    let flags = Layer::new(LayerOrigin::Flags);

    // In the child's lab/: the child's override (relative to team/), not the parent's.
    let file = Path::new("team/lab/invokeai.yaml");
    let m = chain.matching_overrides(cwd, file);
    assert_eq!(m, vec![1]);
    let s = chain.settings_for(&m, &flags);
    let f = &s.facts;
    assert_eq!(f.invokeai_version.as_ref().unwrap().value, "5.9.1");
    assert_eq!(
        f.vram_gb.as_ref().unwrap().origin.describe(),
        "team/invokeai-lint.toml [facts] vram_gb"
    );
    assert_eq!(f.vram_gb.as_ref().unwrap().value, 12.0);
    assert_eq!(
        f.ram_gb.as_ref().unwrap().origin.describe(),
        "team/invokeai-lint.toml [[overrides]] #1 (lab/**) ram_gb"
    );
    assert!(
        s.rules.is_enabled_name("deprecated-key"),
        "child's key beats parent's"
    );
    assert_eq!(
        s.fail_on,
        Some((Severity::Warning, "invokeai-lint.toml".to_string()))
    );
    assert_eq!(s.overrides, vec!["[[overrides]] #1 (lab/**)"]);

    // The parent's override matches paths relative to the parent's folder, and its
    // override beats the child's top level (overrides come after every top level).
    let file = Path::new("lab/invokeai.yaml");
    let m = chain.matching_overrides(cwd, file);
    assert_eq!(m, vec![0]);
    let s = chain.settings_for(&m, &flags);
    assert_eq!(s.facts.vram_gb.as_ref().unwrap().value, 8.0);
    assert_eq!(
        s.overrides,
        vec!["invokeai-lint.toml [[overrides]] #1 (lab/**)"]
    );
}

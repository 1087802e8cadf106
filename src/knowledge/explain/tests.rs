use super::*;

#[test]
fn a_key_page_has_every_part() {
    let page = explain_key("ram").unwrap();
    for part in [
        "ram\n===\n",
        "Size of the RAM model cache",
        "Releases:     3.1.0 – 6.14.0-rc2",
        "Type:         Optional[float] — a number or null (empty)",
        "Constraint:   > 0",
        "3.x section:  InvokeAI: → Model Cache:",
        "Env var:      INVOKEAI_RAM",
        "Deprecated:   since 5.6.0; replaced by max_cache_ram_gb",
        "never read",
        "History:\n  3.1.0        Union[float, Literal[\"auto\"]], default 6.0, > 0, section Model Cache",
        "  5.6.0        Optional[float], default null",
        "Notes:\n  - 4.0.0-5.5.0 default is computed",
        "Source: invokeai/app/services/config/config_default.py@v6.14.0-rc2",
    ] {
        assert!(page.contains(part), "missing {part:?} in\n{page}");
    }
}

#[test]
fn removed_keys_say_when_and_what_happens() {
    let page = explain_key("outdir").unwrap();
    assert!(page.contains("Releases:     3.0.0 – 3.7.0"), "{page}");
    assert!(page.contains("Removed in:   4.0.0 (from then on a file that sets it fails to load"));
    assert!(page.contains("Replaced by:  outputs_dir"));
    assert!(page.contains("Last type:"));
    let page = explain_key("free_gpu_mem").unwrap();
    assert!(
        page.contains("Removed in:   3.5.0 (3.x ignores keys it does not know)"),
        "{page}"
    );
}

#[test]
fn literals_list_their_values_and_patterns_show() {
    let page = explain_key("log_level").unwrap();
    assert!(
        page.contains("Allowed:      debug, info, warning, error, critical"),
        "{page}"
    );
    let page = explain_key("device").unwrap();
    assert!(
        page.contains(r"Pattern:      ^(auto|cpu|mps|xpu(:\d+)?|cuda(:\d+)?)$"),
        "{page}"
    );
    assert!(page.contains("5.15.0       str, default auto, pattern"));
}

#[test]
fn unknown_names_get_a_did_you_mean_across_all_releases() {
    let err = explain_key("max_vram_cache_gb").unwrap_err();
    assert!(
        err.starts_with("`max_vram_cache_gb` is neither a rule nor a setting"),
        "{err}"
    );
    assert!(err.contains("Did you mean `max_cache_vram_gb`"), "{err}");
    // A 3.x-only key is offered too: explain is not tied to a release.
    assert!(explain_key("xformers_enable")
        .unwrap_err()
        .contains("`xformers_enabled`"));
    let err = explain_key("zzz").unwrap_err();
    assert!(!err.contains("Did you mean"), "{err}");
}

#[test]
fn listing_for_a_version_older_than_the_table_is_an_error() {
    let err = keys_listing(&Version::parse("2.3.5").unwrap(), true).unwrap_err();
    assert!(err.contains("older than 3.0.0"), "{err}");
}

#[test]
fn long_types_are_cut_in_the_human_table() {
    assert_eq!(shorten("list[str]", 44), "list[str]");
    let cut = shorten(
        r#"Literal["blake3_multi", "blake3_single", "random", "md5"]"#,
        20,
    );
    assert_eq!(cut.chars().count(), 20);
    assert!(cut.ends_with("…]"));
}

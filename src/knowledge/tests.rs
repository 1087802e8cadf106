//! The table's queries, checked against facts from CONFIG_FACTS.md / config-keys.json.

use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap()
}

fn kb() -> &'static Knowledge {
    Knowledge::get()
}

#[test]
fn the_embedded_table_loads_with_every_release_and_key() {
    // The fact base's 83 releases and 104 keys, plus 3.6.3 and 3.7.0 and their
    // `civitai_api_key` (scripts/gen_settings_table.py, add_3_6_3_and_3_7_0).
    assert_eq!(kb().releases.len(), 85);
    assert_eq!(kb().keys.len(), 105);
    assert_eq!(kb().releases[0].version, v("3.0.0"));
    assert_eq!(kb().newest().version, v("6.14.0-rc2"));
    assert!(kb().newest().prerelease);
    assert_eq!(kb().newest_final().version, v("6.13.8"));
}

#[test]
fn release_for_takes_the_newest_release_not_after_v() {
    let at = |s: &str| kb().release_for(&v(s)).map(|r| r.version.to_string());
    assert_eq!(at("5.6.3").as_deref(), Some("5.6.2"));
    assert_eq!(at("6.14.0").as_deref(), Some("6.14.0-rc2"));
    // A pre-release reads as the release it leads to: 5.6.0rc2 already has 5.6.0's
    // low-VRAM settings (config_default.py@v5.6.0rc2), 3.4.0rc2 its Optional[Path] fields.
    assert_eq!(at("6.14.0rc1").as_deref(), Some("6.14.0-rc2"));
    assert_eq!(at("5.6.0rc2").as_deref(), Some("5.6.0"));
    assert_eq!(at("3.4.0rc2").as_deref(), Some("3.4.0"));
    assert_eq!(at("7.0.0rc1").as_deref(), Some("6.14.0-rc2"));
    assert_eq!(at("5.0.0.post1").as_deref(), Some("5.0.0"));
    assert_eq!(at("3.0.0").as_deref(), Some("3.0.0"));
    assert_eq!(at("9.0.0").as_deref(), Some("6.14.0-rc2"));
    assert_eq!(at("2.3.5"), None);
    assert!(kb().is_listed(&v("5.6.2")));
    assert!(!kb().is_listed(&v("5.6.3")));
}

#[test]
fn the_per_release_table_agrees_with_the_key_history_everywhere() {
    // `key_in` reads a table made at load; `KeySpec::at` is the definition it caches.
    let kb = kb();
    let mut present = 0;
    for r in &kb.releases {
        assert!(std::ptr::eq(&kb.releases[r.index], r));
        for k in &kb.keys {
            let want = k.at(&r.version);
            let got = kb.key_in(&k.name, r);
            assert_eq!(got.is_some(), want.is_some(), "{} at {}", k.name, r.version);
            if let (Some(g), Some(w)) = (got, want) {
                assert!(std::ptr::eq(g.rev, w.rev), "{} at {}", k.name, r.version);
                assert_eq!(g.deprecated, w.deprecated, "{} at {}", k.name, r.version);
                present += 1;
            }
        }
    }
    // Not vacuous: most releases have most keys.
    assert!(present > 4000, "{present}");
    assert!(kb.key_in("no_such_key", kb.newest()).is_none());
}

#[test]
fn key_at_follows_added_and_removed() {
    assert!(kb().key_at("max_cache_vram_gb", &v("5.5.0")).is_none());
    let k = kb().key_at("max_cache_vram_gb", &v("5.6.0")).unwrap();
    assert_eq!(k.rev.type_text, "Optional[float]");
    assert_eq!(k.rev.constraints.ge, Some(0.0));
    assert!(!k.deprecated);
    // Removed keys: present up to the release before removed_in.
    assert!(kb().key_at("outdir", &v("3.6.2")).is_some());
    assert!(kb().key_at("outdir", &v("4.0.0")).is_none());
    assert!(kb().key_at("convert_cache", &v("4.2.5")).is_some());
    assert!(kb().key_at("convert_cache", &v("4.2.6")).is_none());
    assert!(kb().key_at("max_cache_vram_gb", &v("2.3.5")).is_none());
    assert!(kb().key_at("no_such_key", &v("5.6.0")).is_none());
}

#[test]
fn key_at_picks_the_revision_in_force() {
    let device = |s: &str| kb().key_at("device", &v(s)).unwrap().rev;
    assert_eq!(
        device("5.14.0").choices.as_deref().map(<[_]>::len),
        Some(5),
        "Literal of five devices up to 5.14"
    );
    assert_eq!(
        device("5.15.0").pattern.as_deref(),
        Some(r"^(auto|cpu|mps|cuda(:\d+)?)$")
    );
    assert!(device("6.14.0-rc2")
        .pattern
        .as_deref()
        .unwrap()
        .contains("xpu"));
    let partial = |s: &str| {
        kb().key_at("enable_partial_loading", &v(s))
            .unwrap()
            .rev
            .default
            .clone()
    };
    assert_eq!(partial("6.12.0"), Value::Bool(false));
    assert_eq!(partial("6.13.0"), Value::Bool(true));
    let precision = kb().key_at("precision", &v("3.0.0")).unwrap().rev;
    assert_eq!(precision.v3_section.as_deref(), Some("Memory/Performance"));
    let precision = kb().key_at("precision", &v("4.1.0")).unwrap().rev;
    assert!(!precision
        .choices
        .as_ref()
        .unwrap()
        .contains(&Value::from("autocast")));
}

#[test]
fn deprecation_starts_at_deprecated_in() {
    assert!(!kb().key_at("ram", &v("5.5.0")).unwrap().deprecated);
    let ram = kb().key_at("ram", &v("5.6.0")).unwrap();
    assert!(ram.deprecated);
    assert_eq!(ram.spec.replaced_by.as_deref(), Some("max_cache_ram_gb"));
    assert!(
        kb().key_at("lazy_offload", &v("6.13.8"))
            .unwrap()
            .deprecated
    );
}

#[test]
fn keys_at_counts_match_the_fact_base() {
    for (ver, count) in [
        ("3.0.0", 39),
        ("3.0.2", 35),
        ("3.6.2", 52),
        ("4.0.0", 46),
        ("4.2.6", 47),
        ("5.6.0", 54),
        ("6.13.0", 71),
        ("6.14.0-rc2", 79),
    ] {
        assert_eq!(kb().keys_at(&v(ver)).len(), count, "{ver}");
    }
    assert!(kb().keys_at(&v("2.3.5")).is_empty());
    // The table's order.
    let names: Vec<_> = kb()
        .keys_at(&v("6.13.8"))
        .iter()
        .map(|k| k.spec.name.clone())
        .collect();
    assert_eq!(&names[..2], ["host", "port"]);
}

#[test]
fn ranges_with_key_are_contiguous_release_spans() {
    let ranges = |name: &str| {
        kb().ranges_with_key(name)
            .iter()
            .map(|(a, b)| (a.version.to_string(), b.version.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        ranges("max_cache_vram_gb"),
        [("5.6.0".to_string(), "6.14.0-rc2".to_string())]
    );
    assert_eq!(
        ranges("outdir"),
        [("3.0.0".to_string(), "3.7.0".to_string())]
    );
    assert_eq!(
        ranges("base_url"),
        [("6.14.0-rc2".to_string(), "6.14.0-rc2".to_string())]
    );
    assert!(ranges("nope").is_empty());
}

#[test]
fn suggest_only_offers_keys_the_release_accepts() {
    let s = kb().suggest("max_vram_cache_gb", &v("5.9.1"));
    assert_eq!(s.first(), Some(&"max_cache_vram_gb"), "{s:?}");
    assert!(s.len() <= 3);
    // 5.5.0 has no max_cache_vram_gb, so it must not be offered there.
    assert!(!kb()
        .suggest("max_vram_cache_gb", &v("5.5.0"))
        .contains(&"max_cache_vram_gb"));
    assert!(kb()
        .suggest("completely_unrelated_words", &v("5.9.1"))
        .is_empty());
    assert!(kb().suggest("max_vram_cache_gb", &v("2.0.0")).is_empty());
    assert_eq!(
        kb().suggest("hashing_algorithim", &v("6.0.0")).first(),
        Some(&"hashing_algorithm")
    );
}

#[test]
fn schema_versions_by_release() {
    assert_eq!(kb().schema_written_by(&v("6.13.0")), Some("4.0.3"));
    assert_eq!(kb().schema_written_by(&v("6.12.0")), Some("4.0.2"));
    assert_eq!(kb().schema_written_by(&v("4.2.5")), Some("4.0.1"));
    assert_eq!(kb().schema_written_by(&v("4.0.4")), Some("4.0.0"));
    assert_eq!(kb().schema_written_by(&v("3.6.2")), None);
    let (first, last) = kb().releases_writing_schema("4.0.2").unwrap();
    assert_eq!(
        (first.version.as_str(), last.version.as_str()),
        ("4.2.6", "6.12.0")
    );
    let (first, last) = kb().releases_writing_schema("4.0.3").unwrap();
    assert_eq!(
        (first.version.as_str(), last.version.as_str()),
        ("6.13.0", "6.14.0-rc2")
    );
    assert!(kb().releases_writing_schema("9.9.9").is_none());
}

#[test]
fn v3_sections_by_release() {
    let at = |s: &str| kb().v3_sections_at(&v(s)).unwrap();
    assert!(at("3.0.0").contains_key("Memory/Performance"));
    assert!(!at("3.0.0").contains_key("Model Cache"));
    assert!(at("3.1.1")
        .get("Model Cache")
        .unwrap()
        .contains(&"ram".to_string()));
    assert!(at("3.2.0").contains_key("Queue"));
    assert!(at("4.0.0").is_empty());
    assert!(kb().v3_sections_at(&v("2.0.0")).is_none());
}

#[test]
fn migrations_are_carried_over() {
    assert_eq!(kb().migrations.len(), 4);
    assert_eq!(kb().migrations[3].from, "4.0.2");
    assert_eq!(kb().migrations[3].to_schema, "4.0.3");
}

#[test]
fn computed_defaults_are_explained_in_notes() {
    let root = kb().key("root").unwrap();
    assert!(
        root.notes
            .iter()
            .any(|n| n.starts_with("Default before 3.0.2: computed at import")),
        "{:?}",
        root.notes
    );
    // ram's own notes already say how its default is computed; no second copy.
    let ram = kb().key("ram").unwrap();
    assert_eq!(
        ram.notes.iter().filter(|n| n.contains("computed")).count(),
        1
    );
}

#[test]
fn every_type_in_the_table_is_modelled() {
    for k in &kb().keys {
        for rev in &k.history {
            assert!(
                !contains_any(&rev.ty),
                "{} at {}: {} parsed as {:?}",
                k.name,
                rev.since,
                rev.type_text,
                rev.ty
            );
            // The Literal the type spells and the table's allowed list agree.
            if let Some(choices) = &rev.choices {
                assert_eq!(rev.ty.choices(), Some(choices.as_slice()), "{}", k.name);
            }
            if let Some(p) = &rev.pattern {
                assert!(regex::Regex::new(p).is_ok(), "{p}");
            }
        }
    }
}

fn contains_any(t: &ValueType) -> bool {
    match t {
        ValueType::Any(_) => true,
        ValueType::Optional(i) | ValueType::List(i) => contains_any(i),
        ValueType::Union(m) => m.iter().any(contains_any),
        _ => false,
    }
}

#[test]
fn type_parsing() {
    use serde_json::json;
    use ValueType as T;
    assert_eq!(T::parse("Optional[float]"), T::Optional(Box::new(T::Float)));
    assert_eq!(
        T::parse(r#"Union[float, Literal["auto"]]"#),
        T::Union(vec![T::Float, T::Literal(vec![json!("auto")])])
    );
    assert_eq!(
        T::parse("Optional[list[URLRegexTokenPair]]"),
        T::Optional(Box::new(T::List(Box::new(T::UrlRegexTokenPair))))
    );
    assert_eq!(
        T::parse(r#"Union[Literal["auto"], list[str]]"#),
        T::Union(vec![
            T::Literal(vec![json!("auto")]),
            T::List(Box::new(T::Str))
        ])
    );
    assert_eq!(
        T::parse(r#"Literal["auto", "balanced", "max", 1, 2, 3]"#),
        T::Literal(vec![
            json!("auto"),
            json!("balanced"),
            json!("max"),
            json!(1),
            json!(2),
            json!(3)
        ])
    );
    assert_eq!(T::parse("Union[int, None]"), T::Optional(Box::new(T::Int)));
    assert_eq!(
        T::parse(r#"Literal["a,b", "c]"]"#),
        T::Literal(vec![json!("a,b"), json!("c]")])
    );
    assert_eq!(T::parse("dict[str, int]"), T::Any("dict[str, int]".into()));
    assert_eq!(T::parse("Optional["), T::Any("Optional[".into()));
    assert_eq!(T::parse("Literal[]"), T::Any("Literal[]".into()));
}

#[test]
fn type_descriptions_read_as_english() {
    use ValueType as T;
    assert_eq!(T::parse("float").describe(), "a number");
    assert_eq!(T::parse("int").describe(), "a whole number");
    assert_eq!(T::parse("bool").describe(), "true or false");
    assert_eq!(T::parse("Path").describe(), "a path");
    assert_eq!(T::parse("list[str]").describe(), "a list of strings");
    assert_eq!(
        T::parse("Optional[float]").describe(),
        "a number or null (empty)"
    );
    assert_eq!(
        T::parse(r#"Literal["auto", "cpu", "cuda", "cuda:1", "mps"]"#).describe(),
        "one of 'auto', 'cpu', 'cuda', 'cuda:1', 'mps'"
    );
    assert_eq!(
        T::parse(r#"Literal["auto", "max", 1, 2]"#).describe(),
        "one of 'auto', 'max', 1, 2"
    );
    assert_eq!(
        T::parse(r#"Union[Literal["auto"], list[str]]"#).describe(),
        "'auto' or a list of strings"
    );
    assert_eq!(
        T::parse("Optional[list[URLRegexTokenPair]]").describe(),
        "a list of mappings with url_regex and token or null (empty)"
    );
}

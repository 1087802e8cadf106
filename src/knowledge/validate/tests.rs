//! pydantic lax-mode answers for hand-built YAML nodes (the YAML parser is tested on its own).
//! Cases from CONFIG_FACTS.md §1.5 are marked "§1.5".

use super::*;
use crate::knowledge::pydantic::Pydantic;
use crate::knowledge::{Constraints, Knowledge, Version};
use crate::source::Span;
use crate::yaml::{Entry, Node, NodeKind, Resolved, Scalar, ScalarStyle};

fn node(kind: NodeKind) -> Node {
    Node::new(Span::default(), kind)
}

/// A plain scalar as PyYAML would have typed it.
fn plain(text: &str, resolved: Resolved) -> Node {
    node(NodeKind::Scalar(Scalar {
        value: text.into(),
        style: ScalarStyle::Plain,
        resolved,
    }))
}
fn int(i: i128) -> Node {
    plain(&i.to_string(), Resolved::Int(i))
}
fn float(text: &str) -> Node {
    let f = match text {
        ".inf" => f64::INFINITY,
        ".nan" => f64::NAN,
        t => t.parse().unwrap(),
    };
    plain(text, Resolved::Float(f))
}
fn boolean(b: bool) -> Node {
    plain(if b { "true" } else { "false" }, Resolved::Bool(b))
}
fn null() -> Node {
    plain("", Resolved::Null)
}
/// A plain scalar PyYAML leaves as a string (`1e3`, `cuda`).
fn word(text: &str) -> Node {
    plain(text, Resolved::Str)
}
fn quoted(text: &str) -> Node {
    node(NodeKind::Scalar(Scalar {
        value: text.into(),
        style: ScalarStyle::SingleQuoted,
        resolved: Resolved::Str,
    }))
}
fn date(text: &str) -> Node {
    plain(text, Resolved::Timestamp)
}
fn seq(items: Vec<Node>) -> Node {
    node(NodeKind::Sequence { items, flow: false })
}
fn map(pairs: Vec<(&str, Node)>) -> Node {
    node(NodeKind::Mapping {
        entries: pairs
            .into_iter()
            .map(|(k, value)| Entry {
                key: word(k),
                value,
            })
            .collect(),
        flow: false,
    })
}
fn alias(name: &str) -> Node {
    node(NodeKind::Alias(name.into()))
}

/// The pydantic of 6.13.8.
const P13: Pydantic = Pydantic::new(2, 13);

fn shipped(version: &str) -> Pydantic {
    Pydantic::shipped_with(&Version::parse(version).unwrap())
}

/// The key's revision at a release, from the real table.
fn rev(key: &str, version: &str) -> &'static KeyRevision {
    Knowledge::get()
        .key_at(key, &Version::parse(version).unwrap())
        .unwrap_or_else(|| panic!("{key} at {version}"))
        .rev
}

fn ok(key: &str, version: &str, n: &Node) {
    assert_eq!(
        check(rev(key, version), n, shipped(version)),
        Ok(()),
        "{key}@{version} should accept {n:?}"
    );
}

fn err(key: &str, version: &str, n: &Node) -> Invalid {
    match check(rev(key, version), n, shipped(version)) {
        Ok(()) => panic!("{key}@{version} should reject {n:?}"),
        Err(e) => e,
    }
}

const V: &str = "6.13.8";

#[test]
fn facts_1_5_accepted_values() {
    ok("port", V, &quoted("9091")); // §1.5
    ok("patchmatch", V, &quoted("yes")); // §1.5
    ok("enable_partial_loading", V, &quoted("false")); // §1.5
    ok("enable_partial_loading", V, &int(0)); // §1.5
    ok("max_cache_ram_gb", V, &word("1e3")); // §1.5: PyYAML leaves 1e3 a string
    assert_eq!(
        as_number(&rev("max_cache_ram_gb", V).ty, &word("1e3"), P13),
        Some(1000.0)
    );
    ok("max_cache_vram_gb", V, &null()); // §1.5: empty value is fine for Optional
}

#[test]
fn facts_1_5_rejected_values() {
    assert_eq!(
        err("node_cache_size", V, &float("2.5")), // §1.5
        Invalid::Type {
            expected: "a whole number".into(),
            found: "the number 2.5 (a number with a fractional part)".into()
        }
    );
    assert!(matches!(
        err("enable_partial_loading", V, &int(2)),
        Invalid::Type { .. }
    )); // §1.5
    assert_eq!(
        err("port", V, &null()), // §1.5
        Invalid::Type {
            expected: "a whole number".into(),
            found: "null (an empty value)".into()
        }
    );
    assert!(matches!(
        err("attention_slice_size", V, &quoted("4")), // §1.5
        Invalid::Choice { .. }
    ));
    assert!(matches!(
        err("allow_origins", V, &word("http://a")),
        Invalid::Type { .. }
    )); // §1.5
}

#[test]
fn bool_fields() {
    for n in [
        boolean(true),
        boolean(false),
        int(0),
        int(1),
        float("0.0"),
        float("1.0"),
        quoted("0"),
        quoted("1"),
        quoted("TRUE"),
        quoted("False"),
        quoted("yes"),
        quoted("No"),
        quoted("on"),
        quoted("OFF"),
        quoted("t"),
        quoted("F"),
        quoted("y"),
        quoted("n"),
    ] {
        ok("patchmatch", V, &n);
    }
    for n in [
        int(2),
        int(-1),
        float("0.5"),
        quoted("2"),
        quoted("maybe"),
        quoted(" yes"),
        quoted(""),
        null(),
        seq(vec![]),
        date("2024-01-01"),
    ] {
        let e = err("patchmatch", V, &n);
        assert!(
            matches!(&e, Invalid::Type { expected, .. } if expected == "true or false"),
            "{e:?}"
        );
    }
    assert_eq!(
        as_number(&rev("patchmatch", V).ty, &boolean(true), P13),
        None
    );
}

#[test]
fn int_fields() {
    for n in [
        int(9090),
        float("9091.0"),
        quoted("9091"),
        quoted(" 9091 "),
        quoted("+9091"),
        quoted("09091"),
        quoted("9_091"),
        quoted("9091.00"),
        // Lax mode takes a bool for an int (True is 1); the conversion table lists it.
        boolean(true),
        plain(
            "123456789012345678901234567890123456789012",
            Resolved::BigInt("123456789012345678901234567890123456789012".into()),
        ),
    ] {
        ok("port", V, &n);
    }
    assert_eq!(
        as_number(&rev("port", V).ty, &quoted("9091"), P13),
        Some(9091.0)
    );
    assert_eq!(
        as_number(&rev("port", V).ty, &quoted("-5"), P13),
        Some(-5.0)
    );
    for n in [
        float("2.5"),
        float(".inf"),
        float(".nan"),
        word("1e3"),
        quoted("9_"),
        quoted("9__0"),
        quoted("90.5"),
        quoted("abc"),
        quoted(""),
        quoted("0x10"),
        date("2024-01-01"),
        map(vec![]),
        seq(vec![int(1)]),
    ] {
        assert!(matches!(err("port", V, &n), Invalid::Type { .. }), "{n:?}");
    }
}

#[test]
fn float_fields_and_constraints() {
    for n in [
        float("12.5"),
        int(12),
        quoted("12.5"),
        word("1e3"),
        quoted(".5"),
        quoted("1_000.5"),
        boolean(true),
        float(".inf"),
    ] {
        ok("max_cache_ram_gb", V, &n);
    }
    let ty = &rev("max_cache_ram_gb", V).ty;
    assert_eq!(as_number(ty, &float("12.5"), P13), Some(12.5));
    assert_eq!(as_number(ty, &boolean(true), P13), Some(1.0));
    assert_eq!(as_number(ty, &null(), P13), None);
    assert_eq!(as_number(ty, &quoted("lots"), P13), None);

    // gt 0 for the RAM cache, ge 0 for the VRAM cache (0 is valid there).
    assert_eq!(
        err("max_cache_ram_gb", V, &int(0)),
        Invalid::Range {
            bound: "greater than 0".into()
        }
    );
    assert_eq!(
        err("max_cache_ram_gb", V, &boolean(false)),
        Invalid::Range {
            bound: "greater than 0".into()
        }
    );
    ok("max_cache_vram_gb", V, &int(0));
    assert_eq!(
        err("max_cache_vram_gb", V, &float("-0.5")),
        Invalid::Range {
            bound: "greater than or equal to 0".into()
        }
    );
    assert!(matches!(
        err("max_cache_vram_gb", V, &float(".nan")),
        Invalid::Range { .. }
    ));
    assert_eq!(
        err("max_queue_size", V, &int(0)),
        Invalid::Range {
            bound: "greater than 0".into()
        }
    );
    // device_working_mem_gb has no bound: negative values load.
    ok("device_working_mem_gb", V, &int(-2));

    for n in [quoted("lots"), quoted(""), date("2024-01-01"), seq(vec![])] {
        assert!(
            matches!(err("max_cache_ram_gb", V, &n), Invalid::Type { .. }),
            "{n:?}"
        );
    }
}

#[test]
fn str_fields_take_strings_only() {
    ok("host", V, &word("0.0.0.0"));
    ok("host", V, &quoted("127.0.0.1"));
    ok("pytorch_cuda_alloc_conf", V, &null());
    ok(
        "pytorch_cuda_alloc_conf",
        V,
        &quoted("backend:cudaMallocAsync"),
    );
    for n in [
        int(1),
        float("1.5"),
        boolean(true),
        date("2024-01-01"),
        null(),
        seq(vec![]),
    ] {
        let e = err("host", V, &n);
        assert!(
            matches!(&e, Invalid::Type { expected, .. } if expected == "a string"),
            "{e:?}"
        );
    }
    assert_eq!(
        err("schema_version", V, &float("4.0")),
        Invalid::Type {
            expected: "a string".into(),
            found: "the number 4.0".into()
        }
    );
    assert_eq!(
        err("pytorch_cuda_alloc_conf", V, &int(5)),
        Invalid::Type {
            expected: "a string or null (empty)".into(),
            found: "the integer 5".into()
        }
    );
}

#[test]
fn path_fields() {
    ok("models_dir", V, &word("/data/models"));
    ok("models_dir", V, &quoted(r"D:\invokeai\models"));
    ok("ssl_certfile", V, &null());
    for n in [int(5), boolean(false), null(), seq(vec![word("a")])] {
        let e = err("models_dir", V, &n);
        assert!(
            matches!(&e, Invalid::Type { expected, .. } if expected == "a path"),
            "{e:?}"
        );
    }
}

#[test]
fn literal_fields_compare_by_python_equality() {
    ok("precision", V, &word("float16"));
    ok("precision", V, &quoted("bfloat16"));
    assert_eq!(
        err("precision", V, &word("autocast")),
        Invalid::Choice {
            choices: vec![
                "'auto'".into(),
                "'float16'".into(),
                "'bfloat16'".into(),
                "'float32'".into()
            ]
        }
    );
    ok("precision", "4.0.4", &word("autocast"));
    assert!(matches!(
        err("log_level", V, &word("INFO")),
        Invalid::Choice { .. }
    ));
    assert!(matches!(
        err("log_level", V, &word("warn")),
        Invalid::Choice { .. }
    ));
    assert!(matches!(
        err("hashing_algorithm", V, &word("blake3")),
        Invalid::Choice { .. }
    ));
    assert!(matches!(
        err("precision", V, &null()),
        Invalid::Choice { .. }
    ));

    // Mixed str/int Literal: the int 4 is a choice, the string '4' is not. 4.0 and true
    // match 4 and 1 from pydantic 2.11 (6.13.8 ships 2.13), not under 2.7 (5.9.1): measured
    // with each pydantic's TypeAdapter.
    ok("attention_slice_size", V, &int(4));
    ok("attention_slice_size", V, &word("balanced"));
    ok("attention_slice_size", V, &float("4.0"));
    ok("attention_slice_size", V, &boolean(true));
    for n in [quoted("4"), int(9), int(0)] {
        assert!(
            matches!(err("attention_slice_size", V, &n), Invalid::Choice { .. }),
            "{n:?}"
        );
    }
    for n in [float("4.0"), boolean(true)] {
        assert!(
            matches!(
                err("attention_slice_size", "5.9.1", &n),
                Invalid::Choice { .. }
            ),
            "{n:?}"
        );
    }
    // device before 5.15.0: a Literal, so cuda:0 is an error.
    ok("device", "5.14.0", &word("cuda:1"));
    assert!(matches!(
        err("device", "5.14.0", &word("cuda:0")),
        Invalid::Choice { .. }
    ));
}

#[test]
fn device_pattern_from_5_15() {
    for d in ["auto", "cpu", "mps", "cuda", "cuda:0", "cuda:12"] {
        ok("device", "5.15.0", &word(d));
    }
    for d in ["CUDA", "cuda:", "cuda:x", "xpu", "cuda:0 ", "gpu", ""] {
        assert_eq!(
            err("device", "5.15.0", &quoted(d)),
            Invalid::Pattern {
                pattern: r"^(auto|cpu|mps|cuda(:\d+)?)$".into()
            },
            "{d:?}"
        );
    }
    // Python's `$` would let a trailing newline through; pydantic's Rust regex does not.
    assert!(matches!(
        err("device", "5.15.0", &quoted("cuda\n")),
        Invalid::Pattern { .. }
    ));
    ok("device", "6.14.0-rc2", &word("xpu:1"));
    // Not a string at all: a type error, not a pattern error.
    assert!(matches!(
        err("device", "5.15.0", &int(0)),
        Invalid::Type { .. }
    ));
}

#[test]
fn union_fields() {
    // ram 3.1–3.2: Union[float, Literal["auto"]] with gt 0.
    ok("ram", "3.1.0", &word("auto"));
    ok("ram", "3.1.0", &float("7.5"));
    assert!(matches!(
        err("ram", "3.1.0", &int(0)),
        Invalid::Range { .. }
    ));
    assert_eq!(
        err("ram", "3.1.0", &word("lots")),
        Invalid::Type {
            expected: "a number or 'auto'".into(),
            found: "the string 'lots'".into()
        }
    );
    assert_eq!(as_number(&rev("ram", "3.1.0").ty, &word("auto"), P13), None);
    assert_eq!(
        as_number(&rev("ram", "3.1.0").ty, &quoted("6"), P13),
        Some(6.0)
    );
    // generation_devices (6.14.0-rc2): 'auto' or a list of strings.
    ok("generation_devices", "6.14.0-rc2", &word("auto"));
    ok(
        "generation_devices",
        "6.14.0-rc2",
        &seq(vec![word("cuda:0"), word("cuda:1")]),
    );
    assert!(matches!(
        err("generation_devices", "6.14.0-rc2", &word("cuda:0")),
        Invalid::Type { .. }
    ));
}

#[test]
fn list_fields() {
    ok("allow_origins", V, &seq(vec![]));
    ok(
        "allow_origins",
        V,
        &seq(vec![word("http://a"), quoted("http://b")]),
    );
    ok("allow_nodes", V, &null());
    assert_eq!(
        err("allow_origins", V, &seq(vec![word("a"), int(5)])),
        Invalid::Type {
            expected: "a list of strings".into(),
            found: "a list whose item 2 is the integer 5".into()
        }
    );
    assert!(matches!(
        err("allow_origins", V, &null()),
        Invalid::Type { .. }
    ));
    assert!(matches!(
        err("log_handlers", V, &map(vec![("console", null())])),
        Invalid::Type { .. }
    ));
    assert!(matches!(
        err("log_handlers", V, &word("console")),
        Invalid::Type { .. }
    ));
}

#[test]
fn remote_api_tokens() {
    let pair = |re: Node, token: Node| map(vec![("url_regex", re), ("token", token)]);
    ok("remote_api_tokens", V, &null());
    ok("remote_api_tokens", V, &seq(vec![]));
    ok(
        "remote_api_tokens",
        V,
        &seq(vec![pair(word("huggingface.co"), word("hf_abc"))]),
    );
    ok(
        "remote_api_tokens",
        V,
        &seq(vec![pair(
            quoted(r"(?:civitai\.com|example\.org)/.*"),
            quoted("x"),
        )]),
    );
    // Extra fields inside an entry are ignored.
    ok(
        "remote_api_tokens",
        V,
        &seq(vec![map(vec![
            ("url_regex", word("a")),
            ("token", word("b")),
            ("note", word("c")),
        ])]),
    );
    let missing = err(
        "remote_api_tokens",
        V,
        &seq(vec![map(vec![("url_regex", word("a"))])]),
    );
    assert!(
        matches!(&missing, Invalid::Type { found, .. } if found.contains("without token")),
        "{missing:?}"
    );
    let bad_token = err("remote_api_tokens", V, &seq(vec![pair(word("a"), int(5))]));
    assert!(
        matches!(&bad_token, Invalid::Type { found, .. } if found.contains("token is the integer 5"))
    );
    for bad in ["(unclosed", "[abc", "*start", r"trailing\", "a)"] {
        let e = err(
            "remote_api_tokens",
            V,
            &seq(vec![pair(quoted(bad), word("t"))]),
        );
        assert!(
            matches!(&e, Invalid::Type { expected, .. } if expected.contains("regular expression")),
            "{bad}: {e:?}"
        );
    }
    // A single mapping where a list is expected.
    assert!(matches!(
        err("remote_api_tokens", V, &pair(word("a"), word("b"))),
        Invalid::Type { .. }
    ));
    assert!(matches!(
        err("remote_api_tokens", V, &word("hf_abc")),
        Invalid::Type { .. }
    ));
}

#[test]
fn aliases_are_not_judged() {
    ok("port", V, &alias("p"));
    ok("allow_origins", V, &seq(vec![alias("a")]));
    ok("remote_api_tokens", V, &seq(vec![alias("t")]));
    assert_eq!(as_number(&rev("port", V).ty, &alias("p"), P13), None);
}

#[test]
fn unknown_types_accept_anything() {
    let any = KeyRevision {
        since: Version::parse("6.0.0").unwrap(),
        type_text: "dict[str, int]".into(),
        ty: ValueType::parse("dict[str, int]"),
        default: serde_json::Value::Null,
        choices: None,
        constraints: Constraints::default(),
        pattern: None,
        v3_section: None,
    };
    assert_eq!(check(&any, &int(5), P13), Ok(()));
    assert_eq!(check(&any, &map(vec![]), P13), Ok(()));
}

#[test]
fn url_regex_compiles_as_python_would() {
    // The grammar itself is tested against CPython in `python_re`; here, that it is used.
    use crate::python_re::compile_error;
    for good in [
        "a",
        "a*?",
        r"\(",
        "[)]",
        "[]]",
        "(?P<x>a)|b",
        "a{2}",
        "(a|)",
    ] {
        assert_eq!(compile_error(good), None, "{good}");
    }
    for bad in ["(a", "a)", "[a", "+a", "a|*", "a\\", r"\q", "a**"] {
        assert!(compile_error(bad).is_some(), "{bad}");
    }
}

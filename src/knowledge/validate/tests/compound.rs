//! Compound and special fields: the device pattern (5.15+), unions, lists,
//! `remote_api_tokens`, aliases, types we do not model, and `url_regex`.

use super::*;

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

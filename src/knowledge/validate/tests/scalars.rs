//! Scalar fields: the values CONFIG_FACTS.md §1.5 lists, then bool, int, float (with
//! constraints), str, path and literal fields as pydantic lax mode judges them.

use super::*;

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

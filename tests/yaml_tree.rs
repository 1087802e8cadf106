//! The located tree: node spans, documents, anchors and aliases.

use invokeai_lint::yaml::{parse, Node, NodeKind, Parsed, Resolved, ScalarStyle};

fn ok(text: &str) -> Parsed {
    let p = parse(text);
    assert!(p.error.is_none(), "{text:?}: {:?}", p.error);
    p
}

fn root(p: &Parsed) -> &Node {
    &p.documents[0].root
}

fn src<'a>(text: &'a str, n: &Node) -> &'a str {
    &text[n.span.start..n.span.end]
}

/// The text under the key's span and under the value's span of `key`.
fn entry_texts<'a>(text: &'a str, map: &Node, key: &str) -> (&'a str, &'a str) {
    let e = map.get(key).unwrap_or_else(|| panic!("no key {key}"));
    (src(text, &e.key), src(text, &e.value))
}

#[test]
fn scalar_spans_cover_exactly_their_text_in_every_style() {
    let text = "plain: some words\n\
                'single': 'it''s'\n\
                \"double\": \"a\\tb\"\n\
                literal: |\n  line one\n  line two\n\n\n\
                folded: >-\n  folded\n  text\n\
                last: x\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "plain"), ("plain", "some words"));
    assert_eq!(entry_texts(text, m, "single"), ("'single'", "'it''s'"));
    assert_eq!(entry_texts(text, m, "double"), ("\"double\"", "\"a\\tb\""));
    // Block scalars: from the indicator to the end of the last line of text, without the
    // blank lines after it.
    assert_eq!(
        entry_texts(text, m, "literal").1,
        "|\n  line one\n  line two"
    );
    assert_eq!(entry_texts(text, m, "folded").1, ">-\n  folded\n  text");

    let styles: Vec<_> = m
        .entries()
        .unwrap()
        .iter()
        .map(|e| e.value.as_scalar().unwrap().style)
        .collect();
    use ScalarStyle::*;
    assert_eq!(
        styles,
        [Plain, SingleQuoted, DoubleQuoted, Literal, Folded, Plain]
    );
    assert_eq!(m.get("single").unwrap().value.as_str(), Some("it's"));
    assert_eq!(m.get("double").unwrap().value.as_str(), Some("a\tb"));
    assert_eq!(
        m.get("literal").unwrap().value.as_str(),
        Some("line one\nline two\n")
    );
    assert_eq!(m.get("folded").unwrap().value.as_str(), Some("folded text"));
}

#[test]
fn quoted_spans_end_at_the_closing_quote_not_at_the_comment() {
    // saphyr's own span runs on over the blanks and the comment after a quoted scalar.
    let text = "a: 'x'   # note\nb: \"y\"  # comment\tand tab\nc: [\"p\" , 'q'  ]\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "a").1, "'x'");
    assert_eq!(entry_texts(text, m, "b").1, "\"y\"");
    let NodeKind::Sequence { items, flow: true } = &m.get("c").unwrap().value.kind else {
        panic!()
    };
    let texts: Vec<_> = items.iter().map(|n| src(text, n)).collect();
    assert_eq!(texts, ["\"p\"", "'q'"]);
}

#[test]
fn multi_line_scalars_span_all_their_lines() {
    let text = "a: \"first\n  second\"\nb: plain\n  continued   \nc: 1\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "a").1, "\"first\n  second\"");
    assert_eq!(entry_texts(text, m, "b").1, "plain\n  continued");
    assert_eq!(m.get("b").unwrap().value.as_str(), Some("plain continued"));
}

#[test]
fn block_scalar_headers_with_indicators_and_comments() {
    let text = "a: |2- # keep\n   x\n\nb: >+\n  y\n\n\nc: |\nd: end\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "a").1, "|2- # keep\n   x");
    assert_eq!(m.get("a").unwrap().value.as_str(), Some(" x"));
    assert_eq!(entry_texts(text, m, "b").1, ">+\n  y");
    assert_eq!(m.get("b").unwrap().value.as_str(), Some("y\n\n\n"));
    // An empty block scalar is just its header.
    assert_eq!(entry_texts(text, m, "c").1, "|");
}

#[test]
fn collection_spans_block_and_flow() {
    let text = "top:\n  inner:\n    - a\n    - b: 1\n      c: 2\n  list:\n  - x\n  - y\nflow: {k: [1, 2], j: {}}\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(src(text, m), text.trim_end());
    let top = &m.get("top").unwrap().value;
    assert!(matches!(top.kind, NodeKind::Mapping { flow: false, .. }));
    assert_eq!(
        src(text, top),
        "inner:\n    - a\n    - b: 1\n      c: 2\n  list:\n  - x\n  - y"
    );
    let inner = &top.get("inner").unwrap().value;
    assert_eq!(src(text, inner), "- a\n    - b: 1\n      c: 2");
    // A list at its key's own indentation starts at its first `-` too.
    assert_eq!(entry_texts(text, top, "list").1, "- x\n  - y");
    let flow = &m.get("flow").unwrap().value;
    assert!(matches!(flow.kind, NodeKind::Mapping { flow: true, .. }));
    assert_eq!(src(text, flow), "{k: [1, 2], j: {}}");
    assert_eq!(entry_texts(text, flow, "k").1, "[1, 2]");
    assert_eq!(entry_texts(text, flow, "j").1, "{}");
}

#[test]
fn implicit_pairs_in_flow_lists_are_flow_mappings() {
    let text = "[a: b, c]";
    let p = ok(text);
    let NodeKind::Sequence { items, .. } = &root(&p).kind else {
        panic!()
    };
    assert!(matches!(
        items[0].kind,
        NodeKind::Mapping { flow: true, .. }
    ));
    assert_eq!(src(text, &items[0]), "a: b");
}

#[test]
fn spans_are_bytes_after_multi_byte_text() {
    let text = "# Ünïcödé 😀 comment\nnäme: \"wert ü\"\nliste: [ä, 'ö']\nblock: |\n  ß\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "näme"), ("näme", "\"wert ü\""));
    let list = &m.get("liste").unwrap().value;
    assert_eq!(src(text, list), "[ä, 'ö']");
    assert_eq!(entry_texts(text, m, "block").1, "|\n  ß");
}

#[test]
fn crlf_line_endings() {
    let text = "a: 1\r\nb: |\r\n  x\r\n  y\r\n\r\nc: \"q\r\n  r\"\r\nd:\r\n  - e\r\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(entry_texts(text, m, "a").1, "1");
    assert_eq!(entry_texts(text, m, "b").1, "|\r\n  x\r\n  y");
    assert_eq!(m.get("b").unwrap().value.as_str(), Some("x\ny\n"));
    assert_eq!(entry_texts(text, m, "c").1, "\"q\r\n  r\"");
    assert_eq!(entry_texts(text, m, "d").1, "- e");
}

#[test]
fn empty_values_sit_just_after_their_indicator() {
    let text = "a:\nb:   # nothing\nlist:\n- x\n-\n- z\n";
    let p = ok(text);
    let m = root(&p);
    for key in ["a", "b"] {
        let v = &m.get(key).unwrap().value;
        assert_eq!(v.as_scalar().unwrap().resolved, Resolved::Null);
        assert!(v.span.is_empty());
        assert_eq!(&text[v.span.start - 1..v.span.start], ":", "{key}");
    }
    let NodeKind::Sequence { items, .. } = &m.get("list").unwrap().value.kind else {
        panic!()
    };
    assert_eq!(items[1].describe(), "null");
    assert_eq!(&text[items[1].span.start - 1..items[1].span.start], "-");
    assert_eq!(text[items[1].span.start..].lines().next(), Some(""));
}

#[test]
fn anchors_tags_and_aliases_are_kept_and_not_expanded() {
    let text =
        "base: &base {ram: 4}\nother: *base\nn: !!int \"12\"\ns: !!str 12\nt: &t !custom x\n";
    let p = ok(text);
    let m = root(&p);
    let base = &m.get("base").unwrap().value;
    assert_eq!(base.anchor(), Some("base"));
    // The properties are not part of the node's span.
    assert_eq!(src(text, base), "{ram: 4}");
    let other = &m.get("other").unwrap().value;
    assert_eq!(other.kind, NodeKind::Alias("base".into()));
    assert_eq!(src(text, other), "*base");
    let n = &m.get("n").unwrap().value;
    assert_eq!(n.tag(), Some("!!int"));
    assert_eq!(n.as_scalar().unwrap().resolved, Resolved::Int(12));
    assert_eq!(src(text, n), "\"12\"");
    assert_eq!(
        m.get("s").unwrap().value.as_scalar().unwrap().resolved,
        Resolved::Str
    );
    let t = &m.get("t").unwrap().value;
    assert_eq!(
        (t.tag(), t.anchor(), src(text, t)),
        (Some("!custom"), Some("t"), "x")
    );
}

#[test]
fn keys_are_resolved_like_values() {
    let p = ok("yes: 1\n<<: {}\n1.5: x\n");
    let keys: Vec<_> = root(&p)
        .entries()
        .unwrap()
        .iter()
        .map(|e| e.key.as_scalar().unwrap().resolved.clone())
        .collect();
    assert_eq!(
        keys,
        [
            Resolved::Bool(true),
            Resolved::Special,
            Resolved::Float(1.5)
        ]
    );
}

#[test]
fn duplicate_keys_are_all_kept_in_order() {
    let text = "ram: 4\nvram: 2\nram: 8\n";
    let p = ok(text);
    let m = root(&p);
    let entries: Vec<_> = m
        .entries()
        .unwrap()
        .iter()
        .map(|e| (e.key.as_str().unwrap(), e.value.as_str().unwrap()))
        .collect();
    assert_eq!(entries, [("ram", "4"), ("vram", "2"), ("ram", "8")]);
    // PyYAML keeps the last one.
    assert_eq!(entry_texts(text, m, "ram").1, "8");
}

#[test]
fn every_document_of_a_stream_is_kept() {
    let text = "a: 1\n---\nb: 2\n...\n--- x\n";
    let p = ok(text);
    assert_eq!(p.documents.len(), 3);
    let spans: Vec<_> = p
        .documents
        .iter()
        .map(|d| &text[d.span.start..d.span.end])
        .collect();
    assert_eq!(spans, ["a: 1", "---\nb: 2\n...", "--- x"]);
    assert_eq!(p.documents[2].root.as_str(), Some("x"));
}

#[test]
fn empty_and_comment_only_streams_have_no_document() {
    for text in ["", "\n\n", "# only a comment\n", "# a\n\n# b", "..."] {
        let p = ok(text);
        assert!(p.documents.is_empty(), "{text:?}");
    }
}

#[test]
fn a_bare_document_marker_is_a_null_document() {
    let p = ok("---\n");
    assert_eq!(p.documents.len(), 1);
    let r = root(&p);
    assert_eq!(r.as_scalar().unwrap().resolved, Resolved::Null);
    assert!(r.span.is_empty());
    assert_eq!(p.documents[0].span.start, 0);
}

#[test]
fn a_leading_byte_order_mark_is_skipped_and_noted() {
    let text = "\u{feff}a: 1\n";
    let p = ok(text);
    assert!(p.bom);
    assert_eq!(entry_texts(text, root(&p), "a"), ("a", "1"));
    assert!(!ok("a: 1\n").bom);
}

#[test]
fn billion_laughs_parses_to_aliases() {
    let mut text = String::from("lol0: &lol0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..=9 {
        let refs = vec![format!("*lol{}", i - 1); 10].join(", ");
        text.push_str(&format!("lol{i}: &lol{i} [{refs}]\n"));
    }
    let p = ok(&text);
    let m = root(&p);
    assert_eq!(m.entries().unwrap().len(), 10);
    let NodeKind::Sequence { items, .. } = &m.get("lol9").unwrap().value.kind else {
        panic!()
    };
    assert_eq!(items.len(), 10);
    assert!(items
        .iter()
        .all(|n| n.kind == NodeKind::Alias("lol8".into())));
    // The tree holds what the text holds: 5 strings and 90 aliases, not 10^9 laughs.
    let mut count = 0;
    let mut todo = vec![m];
    while let Some(n) = todo.pop() {
        count += 1;
        match &n.kind {
            NodeKind::Mapping { entries, .. } => {
                todo.extend(entries.iter().flat_map(|e| [&e.key, &e.value]))
            }
            NodeKind::Sequence { items, .. } => todo.extend(items),
            _ => {}
        }
    }
    assert_eq!(count, 1 + 10 * 2 + 5 + 90);
}

#[test]
fn tabs_pyyaml_accepts() {
    // Inside quotes, comments and block text a tab is fine.
    let text = "a: \"x\ty\"\nb: 'x\ty' # c\td\n# all\ttabs\nc: |\n  \tindented text\n  x\ty\n";
    let p = ok(text);
    let m = root(&p);
    assert_eq!(
        m.get("c").unwrap().value.as_str(),
        Some("\tindented text\nx\ty\n")
    );
}

#[test]
fn the_slash_escape_is_fine_in_both_yaml_versions() {
    let p = ok("a: \"x\\/y\"\n");
    assert_eq!(root(&p).get("a").unwrap().value.as_str(), Some("x/y"));
}

#[test]
fn a_realistic_config() {
    let text = include_str!("../fixtures/yaml/v3-nested.yaml");
    let p = ok(text);
    let m = root(&p);
    let paths = &m.get("InvokeAI").unwrap().value.get("Paths").unwrap().value;
    assert_eq!(
        entry_texts(text, paths, "models_dir").1,
        r"C:\Users\me\invokeai\models"
    );
    let mem = &m
        .get("InvokeAI")
        .unwrap()
        .value
        .get("Memory/Performance")
        .unwrap()
        .value;
    let ram = &mem.get("ram").unwrap().value;
    assert_eq!(ram.as_scalar().unwrap().resolved, Resolved::Float(7.5));
    assert_eq!(src(text, ram), "7.5");
    let lazy = &mem.get("lazy_offload").unwrap().value;
    assert_eq!(lazy.as_scalar().unwrap().resolved, Resolved::Bool(true));
    let origins = &m
        .get("InvokeAI")
        .unwrap()
        .value
        .get("Web Server")
        .unwrap()
        .value
        .get("allow_origins")
        .unwrap()
        .value;
    assert_eq!(src(text, origins), "- '*'\n    - http://localhost:9090");
}

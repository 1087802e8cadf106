use super::*;

fn secrets(text: &str) -> Vec<&str> {
    secret_spans(text)
        .into_iter()
        .map(|s| &text[s.start..s.end])
        .collect()
}

#[test]
fn values_of_secret_keys() {
    let t = "remote_api_tokens:\n- url_regex: huggingface.co\n  token: abc123def\n\
             external_openai_api_key: 'k-1234567'\nhf_token: \"quoted\" # note\n";
    assert_eq!(secrets(t), vec!["abc123def", "k-1234567", "quoted"]);
}

#[test]
fn flags_dicts_and_connection_strings() {
    assert_eq!(secrets("--hf_token=abcd1234 --web"), vec!["abcd1234"]);
    assert_eq!(secrets("{'token': 'abcdefgh', 'x': 1}"), vec!["abcdefgh"]);
    assert_eq!(
        secrets("dsn host=db password=s3cr3tpw user=me"),
        vec!["s3cr3tpw"]
    );
}

#[test]
fn known_prefixes_anywhere_and_url_userinfo() {
    let hf = "hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345";
    assert_eq!(secrets(&format!("remote_api_tokens: {hf}")), vec![hf]);
    assert_eq!(secrets(&format!("text {hf} more")), vec![hf]);
    assert_eq!(
        secrets("Using database at postgresql://ana:pw0rd@db:5432/invoke"),
        vec!["ana:pw0rd"]
    );
    assert_eq!(
        secrets("url: https://TOKENVALUE@github.com/x"),
        vec!["TOKENVALUE"]
    );
    // Not a token: `disk-…`, `task-…` are words, and short bodies are not keys.
    assert!(secrets("disk-0123456789abcdefghij hf_short").is_empty());
}

#[test]
fn high_entropy_only_as_a_whole_value() {
    assert_eq!(
        secrets("my_key: Zx81Kq0PmW3vR7tYb2Nc9LsD"),
        vec!["Zx81Kq0PmW3vR7tYb2Nc9LsD"]
    );
    for harmless in [
        "models_dir: /home/ana/InvokeAI/Models2024/checkpoints",
        "hashing_algorithm: blake3_single",
        "device: cuda:0",
        "id: 0f8fad5b-d9cb-469f-a165-70867728950e",
        "log_tokenization: true",
        "max_tokens: 77",
        "host: 0.0.0.0",
    ] {
        assert!(secrets(harmless).is_empty(), "{harmless}");
    }
}

#[test]
fn block_scalars_under_a_secret_key() {
    let t = "token: |\n  line-one-secret\n  line-two\nnext: 1\n";
    assert_eq!(secrets(t), vec!["line-one-secret", "line-two"]);
}

#[test]
fn masking_keeps_length_and_spans() {
    let t = "token: sécret99\nx: 1\n";
    let m = mask(t, &secret_spans(t));
    assert_eq!(m.len(), t.len());
    assert!(!m.contains("sécret99"));
    assert!(m.ends_with("\nx: 1\n"));
}

#[test]
fn messages_lose_the_files_secrets() {
    let src = "hf_token: plainsecret\n";
    let spans = secret_spans(src);
    let msg = scrub("unknown key `hf_token: plainsecret`", src, &spans).unwrap();
    assert_eq!(msg, "unknown key `hf_token: ****`");
    assert_eq!(scrub("nothing here", src, &spans), None);
}

#[test]
fn a_remembered_clean_text_does_not_hide_a_secret_in_another_text() {
    let plain = "`max_cache_vram_gb: 18` is more than the GPU's 6 GB";
    assert_eq!(clean(plain), plain);
    assert_eq!(clean(plain), plain, "answered from memory the second time");
    let secret = "`token: hf_abcdefghijklmnopqrstuvwx` is not a list";
    assert!(!clean(secret).contains("hf_abc"));
    assert!(
        !clean(secret).contains("hf_abc"),
        "a text with a secret is never remembered"
    );
}

// The line-by-line scanner that `secret_spans` replaced, kept as its specification: the
// fast scanner must find exactly the same spans (see `the_fast_scan_finds_what_the_line_scan_finds`).
/// Byte spans of the secrets in `text`, sorted, not overlapping.
fn reference_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = text.as_bytes();
    // A block scalar (`token: |`) under a secret key: its more-indented lines are secret too.
    let mut block_under: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let end = start + line.trim_end_matches(['\n', '\r']).len();
        if let Some(key_indent) = block_under {
            let body = &text[start..end];
            let indent = body.len() - body.trim_start().len();
            if body.trim().is_empty() || indent > key_indent {
                out.push((start + indent)..(end));
                start += line.len();
                continue;
            }
        }
        block_under = scan_line(bytes, start, end, &mut out);
        start += line.len();
    }
    normalise(out)
}

/// Secrets in one line `[start, end)`. Returns the key's indent when the line opens a block
/// scalar under a secret key.
fn scan_line(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) -> Option<usize> {
    let mut block = None;
    // Keys: every identifier followed by `:` or `=` (after an optional closing quote).
    let mut i = start;
    let mut first_key = true;
    // `i` is never inside an identifier here: it starts the line, ends the previous
    // identifier, or follows a separator. So an identifier byte at `i` starts one.
    while i < end {
        if !is_ident_byte(b[i]) {
            i += 1;
            continue;
        }
        let id_start = i;
        while i < end && is_ident_byte(b[i]) {
            i += 1;
        }
        let ident_end = i;
        let mut j = i;
        if j < end && (b[j] == b'"' || b[j] == b'\'') {
            j += 1;
        }
        while j < end && b[j] == b' ' {
            j += 1;
        }
        let sep = j < end
            && (b[j] == b'='
                || (b[j] == b':' && (j + 1 == end || b[j + 1] == b' ' || b[j + 1] == b'\t')));
        if !sep {
            first_key = false;
            continue;
        }
        let ident = std::str::from_utf8(&b[id_start..ident_end]).unwrap_or("");
        let is_first = first_key && line_prefix_is_key_start(b, start, id_start);
        first_key = false;
        let Some(value) = value_after(b, start, j + 1, end) else {
            continue;
        };
        let text = std::str::from_utf8(&b[value.start..value.end]).unwrap_or("");
        if is_secret_key(ident) {
            if text == "|" || text.starts_with("|-") || text == ">" || text.starts_with(">-") {
                block = Some(id_start - start);
            } else if !is_harmless(text) {
                out.push(value);
            }
        } else if is_first && high_entropy(text) {
            out.push(value);
        }
        i = j + 1;
    }
    prefixed_tokens(b, start, end, out);
    url_userinfo(b, start, end, out);
    block
}

/// Tokens with a known prefix, and JWTs. Both start a run of token bytes, so the line is
/// read run by run: one pass, whatever the number of prefixes.
fn prefixed_tokens(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) {
    let line = &b[start..end];
    let mut at = 0;
    while at < line.len() {
        if !is_token_byte(line[at]) {
            at += 1;
            continue;
        }
        let run = line[at..].iter().take_while(|&&c| is_token_byte(c)).count();
        if matches!(line[at], b'h' | b's' | b'g' | b'x' | b'A' | b'r' | b'e') {
            let rest = &line[at..at + run];
            for (prefix, min_body) in PREFIXES {
                let p = prefix.as_bytes();
                if rest.starts_with(p) && run - p.len() >= min_body {
                    out.push((start + at)..(start + at + run));
                }
            }
            // A JWT: three base64url parts, the first one `eyJ` (a JSON object).
            if rest.starts_with(b"eyJ") {
                let len = line[at..]
                    .iter()
                    .take_while(|&&c| is_token_byte(c) || c == b'.')
                    .count();
                let dots = line[at..at + len].iter().filter(|&&c| c == b'.').count();
                if dots >= 2 && len >= 30 {
                    out.push((start + at)..(start + at + len));
                }
            }
        }
        at += run;
    }
}

/// `scheme://userinfo@host`: the user-info (a user and password, or a token) is masked.
fn url_userinfo(b: &[u8], start: usize, end: usize, out: &mut Vec<Span>) {
    let line = &b[start..end];
    let mut from = 0;
    // `memchr` for the colon, then a look at the two bytes after it: cheaper per line than
    // building a substring searcher for `://` each time.
    while let Some(pos) = memchr::memchr(b':', &line[from..]) {
        let colon = from + pos;
        from = colon + 1;
        if !line[colon + 1..].starts_with(b"//") {
            continue;
        }
        let auth = colon + 3;
        from = auth;
        let mut k = auth;
        let mut at = None;
        while k < line.len()
            && !matches!(
                line[k],
                b'/' | b'?' | b'#' | b' ' | b'\t' | b'"' | b'\'' | b'>' | b')'
            )
        {
            if line[k] == b'@' {
                at = Some(k);
            }
            k += 1;
        }
        if let Some(at) = at {
            if at > auth {
                out.push((start + auth)..(start + at));
            }
        }
    }
}

/// Only blanks, `- ` list markers, `--` (a command-line flag) or an opening quote before the key.
fn line_prefix_is_key_start(b: &[u8], start: usize, key: usize) -> bool {
    b[start..key]
        .iter()
        .all(|&c| matches!(c, b' ' | b'\t' | b'-' | b'"' | b'\'' | b'{' | b','))
}

/// Lines that exercise every path of the scanner: keys before `:`/`=` with quotes and blanks,
/// list items, flow mappings, block scalars, tokens, JWTs, URLs, CR line ends, non-ASCII.
fn scanner_corpus() -> Vec<String> {
    let pieces = [
        "token: abc123def",
        "- token: xyz98765",
        "  hf_token: 'k-1234567'",
        "\"token\" : \"quoted\"",
        "token: |",
        "  line-one-secret",
        "",
        "   ",
        "next: 1",
        "password=s3cr3tpw user=me",
        "--hf_token=abcd1234 --web",
        "{'token': 'abcdefgh', 'x': 1}",
        "my_key: Zx81Kq0PmW3vR7tYb2Nc9LsD",
        "- my_key: Zx81Kq0PmW3vR7tYb2Nc9LsD",
        "text hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345 more",
        "xhf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
        "sk-hf_AbCdEfGhIjKlMnOpQrStUvWxYz012345",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abcdefghij",
        "a.eyJhbGciOiJIUzI1NiJ9.eyJzdWIi.x",
        "postgresql://ana:pw0rd@db:5432/invoke",
        "https://TOKENVALUE@github.com/x",
        "http://a\r@b",
        "url: https://u@h",
        "a:b: c",
        "a \"  : x",
        "a\"\" : x",
        "token:\r",
        "token:",
        "=",
        ":",
        "api_key: true",
        "secret: ${HOME}",
        "models_dir: /home/ana/InvokeAI/Models2024/checkpoints",
        "device: cuda:0",
        "# 第 1 项：token: 秘密的值",
        "Token: ÄbcDef1234567890xyzXYZ",
        "key: >-",
        "\u{2028}token: ab\u{0085}cd",
        "ghp_0123456789abcdefghij0123",
        "xoxb-0123456789",
        "AIza123",
        "\t\ttoken:\tvalue #c",
        "[token: abcdef]",
        "x = y",
        "private_key: |-",
        "  -----BEGIN-----",
    ];
    let mut corpus: Vec<String> = pieces.iter().map(|p| p.to_string()).collect();
    // Every pair and a pseudo-random mix of lines, with `\n` and `\r\n` ends.
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..3000 {
        let mut text = String::new();
        for _ in 0..(seed % 6 + 1) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            text.push_str(pieces[(seed % pieces.len() as u64) as usize]);
            text.push_str(if seed.is_multiple_of(5) { "\r\n" } else { "\n" });
        }
        if seed.is_multiple_of(3) {
            text.pop();
        }
        corpus.push(text);
    }
    for dir in ["fixtures/secrets", "fixtures/rules", "fixtures/examples"] {
        let walk =
            ignore::WalkBuilder::new(concat!(env!("CARGO_MANIFEST_DIR"), "/").to_owned() + dir)
                .standard_filters(false)
                .build();
        for entry in walk.flatten() {
            if let Ok(text) = std::fs::read_to_string(entry.path()) {
                corpus.push(text);
            }
        }
    }
    corpus
}

#[test]
fn the_fast_scan_finds_what_the_line_scan_finds() {
    let corpus = scanner_corpus();
    assert!(corpus.len() > 3000);
    for text in &corpus {
        assert_eq!(secret_spans(text), reference_spans(text), "{text:?}");
    }
}

#[test]
fn every_secret_key_name_ends_in_a_prefilter_letter() {
    for ending in SECRET_NAME_ENDINGS {
        let last = ending.as_bytes()[ending.len() - 1].to_ascii_lowercase();
        assert!(SECRET_NAME_LAST.contains(&last), "{ending}");
        assert!(is_secret_key(&ending.to_ascii_uppercase()), "{ending}");
    }
}

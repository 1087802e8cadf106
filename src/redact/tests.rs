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

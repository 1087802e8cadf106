//! The language server driven over stdio with real JSON-RPC messages, as an editor would:
//! initialize, open, change (incremental and full), diagnostics, code actions whose edits
//! fix the finding, hover, completion, a non-ASCII file checked in UTF-16 units, shutdown.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Long enough for a loaded CI machine; a healthy server answers in milliseconds.
const WAIT: Duration = Duration::from_secs(30);

struct Client {
    child: Child,
    stdin: ChildStdin,
    messages: Receiver<Value>,
    next_id: i64,
    /// Notifications read while waiting for something else.
    backlog: Vec<Value>,
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(n) = line.strip_prefix("Content-Length: ") {
            length = n.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Client {
    fn start(root: &Path, options: Value) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
            .arg("server")
            .current_dir(root)
            .env_remove("PYTORCH_CUDA_ALLOC_CONF")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start the server");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        let mut c = Client {
            child,
            stdin,
            messages: rx,
            next_id: 0,
            backlog: Vec::new(),
        };
        let result = c.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {
                    "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
                    "textDocument": { "publishDiagnostics": { "relatedInformation": true } }
                },
                "initializationOptions": options,
            }),
        );
        assert_eq!(result["serverInfo"]["name"], "invokeai-lint");
        let sync = &result["capabilities"]["textDocumentSync"];
        assert_eq!(sync, &json!(2), "incremental sync");
        c.notify("initialized", json!({}));
        c
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        self.messages
            .recv_timeout(left)
            .expect("the server answers in time")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + WAIT;
        loop {
            let m = self.next(deadline);
            if m["id"] == json!(id) && m.get("method").is_none() {
                assert!(m.get("error").is_none(), "{method} failed: {m}");
                return m["result"].clone();
            }
            self.keep(m);
        }
    }

    /// Replace the document's whole text, then ask for completions at (line, character).
    fn completion_after(&mut self, uri: &str, version: u32, text: &str, at: (u32, u32)) -> Value {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
        self.request(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": at.0, "character": at.1 } }),
        )
    }

    /// A message that is not what we wait for: answer the server's own requests (it asks
    /// to watch files), keep notifications.
    fn keep(&mut self, m: Value) {
        if m.get("method").is_some() && m.get("id").is_some() {
            assert_eq!(m["method"], "client/registerCapability");
            let watched = m["params"]["registrations"][0]["registerOptions"]["watchers"].clone();
            assert!(watched.to_string().contains("invokeai-lint.toml"), "{m}");
            let id = m["id"].clone();
            self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
        } else {
            self.backlog.push(m);
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let is_ours = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        };
        if let Some(i) = self.backlog.iter().position(is_ours) {
            let m = self.backlog.remove(i);
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        let deadline = Instant::now() + WAIT;
        loop {
            let m = self.next(deadline);
            if is_ours(&m) {
                return m["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.keep(m);
        }
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "yaml", "version": 1, "text": text } }),
        );
    }

    fn shutdown(mut self) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + WAIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "server exit: {status}");
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn uri(path: &Path) -> String {
    let mut s = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

/// The labels of a completion answer's items.
fn item_labels(items: &Value) -> Vec<&str> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect()
}

fn codes(diags: &[Value]) -> Vec<String> {
    let mut c: Vec<String> = diags
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    c.sort();
    c
}

fn find<'a>(diags: &'a [Value], code: &str) -> &'a Value {
    diags
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diags:#?}"))
}

/// Apply LSP text edits (UTF-16 positions) to `text`, the way a client does.
fn apply_edits(text: &str, edits: &[Value]) -> String {
    let offset = |pos: &Value| -> usize {
        let (line, ch) = (
            pos["line"].as_u64().unwrap() as usize,
            pos["character"].as_u64().unwrap() as usize,
        );
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= ch || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

const CONFIG: &str = "\
# Internal metadata - do not edit:
schema_version: 4.0.2
max_cache_vram_gb: 9
log_level: INFO
";

#[test]
fn an_editor_session() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/examples/invokeai.log");
    std::fs::copy(example, root.join("invokeai.log")).unwrap();
    std::fs::write(root.join("invokeai.yaml"), CONFIG).unwrap();
    let config_uri = uri(&root.join("invokeai.yaml"));
    let log_uri = uri(&root.join("invokeai.log"));

    let mut c = Client::start(&root, json!({}));
    c.open(&config_uri, CONFIG);
    let diags = c.diagnostics(&config_uri);
    assert_eq!(codes(&diags), ["IL101", "IL104"], "{diags:#?}");

    // The unknown key: exact range, severity, link to the rule's doc, and the log line
    // that says which release runs.
    let unknown = find(&diags, "IL101");
    assert_eq!(
        unknown["range"],
        json!({"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 17}})
    );
    assert_eq!(unknown["severity"], 1);
    assert_eq!(unknown["source"], "invokeai-lint");
    assert!(unknown["codeDescription"]["href"]
        .as_str()
        .unwrap()
        .ends_with("rules/unknown-key.md"));
    assert!(
        unknown["message"].as_str().unwrap().contains("5.5.0"),
        "{unknown}"
    );
    let related = &unknown["relatedInformation"][0]["location"];
    assert_eq!(related["uri"], log_uri.as_str());
    assert_eq!(
        related["range"]["start"]["line"], 6,
        "line 7 of the log: 'InvokeAI version 5.5.0'"
    );
    let choice = find(&diags, "IL104");
    assert_eq!(
        choice["range"],
        json!({"start": {"line": 3, "character": 11}, "end": {"line": 3, "character": 15}})
    );

    // The out-of-memory event is a finding in the log: shown on the log's URI.
    let in_log = c.diagnostics(&log_uri);
    assert_eq!(codes(&in_log), ["IL404"], "{in_log:#?}");

    // Hover on a key the release does not have, and on one it has.
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": config_uri }, "position": { "line": 2, "character": 4 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("max_cache_vram_gb") && text.contains("not in InvokeAI 5.5.0"),
        "{text}"
    );
    let hover = c.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": config_uri }, "position": { "line": 3, "character": 2 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("allowed:") && text.contains("`info`"),
        "{text}"
    );

    // Code actions on the bad choice: its fix, and a suppression.
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": config_uri },
            "range": choice["range"],
            "context": { "diagnostics": [choice] },
        }),
    );
    let actions = actions.as_array().unwrap();
    let titles: Vec<&str> = actions
        .iter()
        .map(|a| a["title"].as_str().unwrap())
        .collect();
    assert!(
        titles
            .iter()
            .any(|t| t.starts_with("Suppress invalid-choice (IL104)")),
        "{titles:?}"
    );
    let fix = actions
        .iter()
        .find(|a| {
            a["diagnostics"][0]["code"] == "IL104"
                && !a["title"].as_str().unwrap().starts_with("Suppress")
        })
        .unwrap_or_else(|| panic!("no fix among {titles:?}"));
    let edits = fix["edit"]["changes"][config_uri.as_str()]
        .as_array()
        .unwrap();
    let fixed = apply_edits(CONFIG, edits);
    assert!(fixed.contains("log_level: info"), "{fixed}");

    // The same change typed as an incremental edit: the finding goes (after the debounce).
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": config_uri, "version": 2 },
            "contentChanges": [{ "range": choice["range"], "text": "info" }],
        }),
    );
    let diags = c.diagnostics(&config_uri);
    assert_eq!(codes(&diags), ["IL101"], "{diags:#?}");

    // The suppression action's edit silences the unknown key (full-text change).
    let unknown = find(&diags, "IL101").clone();
    let actions = c.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": config_uri }, "range": unknown["range"], "context": { "diagnostics": [unknown] } }),
    );
    let suppress = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| {
            a["title"]
                .as_str()
                .unwrap()
                .starts_with("Suppress unknown-key")
        })
        .expect("a suppression");
    let current = CONFIG.replace("INFO", "info");
    let suppressed = apply_edits(
        &current,
        suppress["edit"]["changes"][config_uri.as_str()]
            .as_array()
            .unwrap(),
    );
    assert!(
        suppressed.contains("# invokeai-lint: disable=unknown-key -- <reason>\nmax_cache_vram_gb"),
        "{suppressed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": config_uri, "version": 3 }, "contentChanges": [{ "text": suppressed }] }),
    );
    let diags = c.diagnostics(&config_uri);
    assert_eq!(codes(&diags), Vec::<String>::new(), "{diags:#?}");

    // Completion: keys 5.5.0 has that the file does not set; values of a choice.
    let with_line = format!("{suppressed}d");
    let last = with_line.lines().count() as u32 - 1;
    let items = c.completion_after(&config_uri, 4, &with_line, (last, 1));
    let labels = item_labels(&items);
    assert!(
        labels.contains(&"device") && labels.contains(&"precision"),
        "{labels:?}"
    );
    assert!(!labels.contains(&"log_level"), "already set: {labels:?}");
    assert!(
        !labels.contains(&"enable_partial_loading"),
        "not in 5.5.0: {labels:?}"
    );
    let with_value = format!("{suppressed}precision: ");
    let items = c.completion_after(&config_uri, 5, &with_value, (last, 11));
    let labels = item_labels(&items);
    assert!(
        labels.contains(&"float16") && labels.contains(&"auto"),
        "{labels:?}"
    );

    // Closing the file clears what it showed, here and on the log.
    c.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": config_uri } }),
    );
    let mut cleared = [c.diagnostics(&log_uri), c.diagnostics(&config_uri)];
    for d in &mut cleared {
        assert!(d.is_empty(), "{d:#?}");
    }
    c.shutdown();
}

#[test]
fn positions_are_utf16_units() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    // An emoji is two UTF-16 units and four bytes; a Chinese character one unit, three bytes.
    let text = "{schema_version: 4.0.2, outputs_dir: \"输出😀\", log_level: INFO}\n# 低显存设置\n";
    let config_uri = uri(&root.join("invokeai.yaml"));
    let mut c = Client::start(&root, json!({ "invokeaiVersion": "5.9.1", "log": "off" }));
    c.open(&config_uri, text);
    let diags = c.diagnostics(&config_uri);
    let choice = find(&diags, "IL104");
    let byte = text.find("INFO").unwrap();
    let units = text[..byte].encode_utf16().count() as u64;
    assert_eq!(
        units as usize,
        text[..byte].chars().count() + 1,
        "one surrogate pair before"
    );
    assert_eq!(
        choice["range"]["start"],
        json!({ "line": 0, "character": units })
    );
    assert_eq!(
        choice["range"]["end"],
        json!({ "line": 0, "character": units + 4 })
    );

    // An incremental edit addressed in UTF-16 lands on the right bytes.
    c.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": config_uri, "version": 2 },
            "contentChanges": [{ "range": choice["range"], "text": "debug" }],
        }),
    );
    let diags = c.diagnostics(&config_uri);
    assert!(diags.iter().all(|d| d["code"] != "IL104"), "{diags:#?}");

    // Fix all (the kind editors run on save): schema_version is missing in this one.
    let bare = "# 低显存\nlog_level: debug\n";
    let other = uri(&root.join("invokeai-lowvram.yaml"));
    c.open(&other, bare);
    let diags = c.diagnostics(&other);
    assert!(codes(&diags).contains(&"IL106".to_string()), "{diags:#?}");
    let actions = c.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": other },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] },
        }),
    );
    let all = &actions[0];
    assert_eq!(all["kind"], "source.fixAll.invokeai-lint");
    let fixed = apply_edits(
        bare,
        all["edit"]["changes"][other.as_str()].as_array().unwrap(),
    );
    assert!(
        fixed.contains("schema_version: 4.0.2") && fixed.contains("# 低显存"),
        "{fixed}"
    );
    c.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": other, "version": 2 }, "contentChanges": [{ "text": fixed }] }),
    );
    let diags = c.diagnostics(&other);
    assert!(!codes(&diags).contains(&"IL106".to_string()), "{diags:#?}");
    c.shutdown();
}

#[test]
fn files_that_are_not_configs_get_no_findings() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let mut c = Client::start(&root, json!({ "invokeaiVersion": "5.9.1" }));
    let compose = uri(&root.join("docker-compose.yaml"));
    c.open(&compose, "services:\n  invokeai:\n    image: x\n");
    assert!(c.diagnostics(&compose).is_empty());
    c.shutdown();
}

/// A real editor as the client: headless Neovim opens the example config through the
/// server (`scripts/editor_smoke.sh`) and prints the diagnostics it received. Skips where
/// Neovim is missing, unless `.ci/run` said it installed it (`INVOKEAI_LINT_NVIM`).
#[test]
fn neovim_shows_the_diagnostics() {
    let have = std::process::Command::new("nvim")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !have {
        assert!(
            std::env::var_os("INVOKEAI_LINT_NVIM").is_none(),
            "INVOKEAI_LINT_NVIM is set but nvim does not run"
        );
        eprintln!("skipped: nvim is missing (.ci/run installs it)");
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new("bash")
        .arg(root.join("scripts/editor_smoke.sh"))
        .arg(env!("CARGO_BIN_EXE_invokeai-lint"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The example's unknown key (line 9) and bad choices, as Neovim shows them.
    assert!(
        text.contains("9:0 IL101 error unknown key `max_cache_vram_gb`"),
        "{text}"
    );
    assert!(
        text.contains("11:11 IL104 error `log_level: INFO`"),
        "{text}"
    );
}

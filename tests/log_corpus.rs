//! Every real log in the shared corpus goes through without error. Skipped (with a
//! message) where the corpus is not present.

use std::path::Path;

use invokeai_lint::log::read_log;

const CORPUS: &str = "/work/shared/corpus";

#[test]
fn corpus_logs_parse_and_versions_match_the_index() {
    let logs = Path::new(CORPUS).join("logs");
    let Ok(entries) = std::fs::read_dir(&logs) else {
        println!("skipped: {} not found", logs.display());
        return;
    };
    let index: serde_json::Value = std::fs::read_to_string(Path::new(CORPUS).join("index.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(serde_json::Value::Null);
    let mut seen = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let facts = read_log(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        seen += 1;
        let name = format!("logs/{}", entry.file_name().to_string_lossy());
        let claimed = index
            .as_array()
            .and_then(|a| a.iter().find(|e| e["file"] == name.as_str()))
            .and_then(|e| e["invokeai_version"].as_str());
        let text = std::fs::read(&path).unwrap();
        let states_version = memchr::memmem::find(&text, b"InvokeAI version ").is_some()
            || memchr::memmem::find(&text, b"InvokeAI, version ").is_some();
        if let (true, Some(claimed)) = (states_version, claimed) {
            let found = facts
                .newest_version()
                .unwrap_or_else(|| panic!("{name}: no version found"));
            assert!(
                claimed.starts_with(&found.value),
                "{name}: read {:?}, index says {claimed:?}",
                found.value
            );
        }
    }
    assert!(seen > 0);
}

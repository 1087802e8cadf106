//! What the log reader promises, stated as assertions: line numbers, sessions, wrapping,
//! duplicates, derived facts, the JSON contract.

use invokeai_lint::log::{parse_bytes, parse_reader, read_log, render::render_facts, LogFacts};

fn fixture(name: &str) -> LogFacts {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/logs")
        .join(name);
    read_log(&path).expect("fixture readable")
}

fn rec(ts: &str, logger: &str, msg: &str) -> String {
    format!("[2025-01-25 10:15:{ts},123]::[{logger}]::INFO --> {msg}\n")
}

#[test]
fn two_startups_in_one_file_are_two_sessions() {
    let f = fixture("two-sessions.log");
    assert_eq!(f.sessions.len(), 2);
    let (a, b) = (&f.sessions[0], &f.sessions[1]);
    assert_eq!((a.start_line, b.start_line), (1, 13));
    assert_eq!(a.url.as_ref().unwrap().value, "http://127.0.0.1:9090");
    assert_eq!(b.url.as_ref().unwrap().value, "http://127.0.0.1:9091");
    assert!(a.port_moved.is_none());
    assert_eq!(b.port_moved.as_ref().unwrap().value, (9090, 9091));
    assert!(!a.ram_cache.as_ref().unwrap().value.user_defined);
    assert!(b.ram_cache.as_ref().unwrap().value.user_defined);
    assert_eq!(f.newest_version().unwrap().line, 17);
}

#[test]
fn syslog_pid_change_starts_a_session_even_without_a_repeated_fact() {
    // The first run died before its URL; the second starts with a fact the first lacks.
    let log = "InvokeAI [100] <INFO> Patchmatch initialized\n\
               InvokeAI [100] <INFO> InvokeAI version 6.13.8\n\
               InvokeAI [200] <INFO> PyTorch CUDA memory allocator: native\n\
               InvokeAI [200] <INFO> Using torch device: CPU\n";
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.sessions.len(), 2);
    assert_eq!(f.sessions[1].start_line, 3);
    assert!(f.sessions[1].version.is_none());
}

#[test]
fn pre_server_fact_after_server_facts_opens_a_session_at_the_earliest_hint() {
    let mut log = String::new();
    log += &rec("01", "InvokeAI", "InvokeAI version 4.2.9");
    log += &rec("02", "InvokeAI", "Root directory = /a");
    log += ">> patchmatch.patch_match: INFO - Compiling and loading c extensions from \"/x\".\n";
    log += &rec("03", "InvokeAI", "Patchmatch not loaded (nonfatal)");
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.sessions.len(), 2);
    assert_eq!(f.sessions[1].start_line, 3);
    assert_eq!(f.sessions[1].patchmatch.as_ref().unwrap().line, 4);
}

#[test]
fn duplicated_handlers_do_not_split_sessions() {
    let mut log = String::new();
    for _ in 0..2 {
        log += &rec("01", "InvokeAI", "InvokeAI version 5.4.3");
    }
    log += "INFO:InvokeAI:InvokeAI version 5.4.3\n";
    log += &rec("02", "InvokeAI", "Root directory = /a");
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.sessions.len(), 1);
    assert_eq!(f.sessions[0].version.as_ref().unwrap().line, 1);
}

#[test]
fn line_numbers_count_newlines_not_carriage_returns() {
    let mut log = String::from("first\r\n");
    log +=
        "\r  0%|          | 0/2 [00:00<?, ?it/s]\r 50%|#####     | 1/2\r100%|##########| 2/2\r\n";
    log += &rec("01", "InvokeAI", "InvokeAI version 5.0.2").replace('\n', "\r\n");
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.sessions[0].version.as_ref().unwrap().line, 3);
    assert_eq!(f.lines, 3);
}

#[test]
fn a_record_glued_after_tqdm_frames_is_read_on_its_line() {
    let mut log = String::from("one\ntwo\n");
    log += "\r 10%|#         | 1/10\r 20%|##        | 2/10";
    log += &rec(
        "01",
        "ModelManagerService",
        "[MODEL CACHE] Insufficient GPU memory to load model. Aborting",
    );
    log += "\r 30%|###       | 3/10\r\n";
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.oom.len(), 1);
    assert_eq!(f.oom[0].line, 3);
    assert_eq!(f.oom[0].backend, "InvokeAI");
    // Text before the record is gone (frames overwritten), the record's own text is cited.
    assert!(f.oom[0].text.contains("Insufficient GPU memory"));
}

#[test]
fn a_frame_that_overwrites_a_record_hides_it() {
    // The last `\r` segment is what a terminal showed; an earlier one was overwritten.
    let log = "InvokeAI version 5.0.0\r 10%|#         | 1/10\n";
    let f = parse_bytes(log.as_bytes(), "t");
    assert!(f.sessions.is_empty());
}

#[test]
fn wrapped_lines_are_joined_and_cite_their_first_line() {
    let f = fixture("wrapped-103-columns.log");
    let s = &f.sessions[0];
    let rc = s.ram_cache.as_ref().unwrap();
    assert_eq!(rc.line, 16);
    assert_eq!(rc.value.mb, 21390.56);
    assert_eq!(rc.value.heuristics, vec![1, 2]);
    assert!(
        rc.text.ends_with("Heuristics applied: [1, 2]."),
        "{}",
        rc.text
    );
    assert_eq!(
        s.database.as_ref().unwrap().value,
        r"C:\Users\renata\Documents\Invoke Community Edition\invokeai\databases\invokeai.db"
    );
    assert_eq!(
        s.root.as_ref().unwrap().value,
        r"C:\Users\renata\Documents\Invoke Community Edition\invokeai"
    );
    assert_eq!(s.url.as_ref().unwrap().value, "http://127.0.0.1:9090");
    assert_eq!(
        s.node_packs.as_ref().unwrap().value,
        vec!["upscale_helpers", "mask_tools", "prompt_sets"]
    );
    // The OOM text is wrapped over three lines in the error record and again in the
    // traceback: one event, complete.
    assert_eq!(f.oom.len(), 1);
    assert_eq!(f.oom[0].capacity_gib, Some(23.89));
    assert_eq!(f.oom[0].free_gib, Some(1.06));
}

#[test]
fn a_long_root_line_is_not_joined_to_an_unrelated_next_line() {
    let root = format!("/home/someone/{}", "x".repeat(60));
    let mut log = rec("01", "InvokeAI", &format!("Root directory = {root}"));
    log += "Some other tool printed this line\n";
    let f = parse_bytes(log.as_bytes(), "t");
    assert_eq!(f.sessions[0].root.as_ref().unwrap().value, root);
}

#[test]
fn docker_timestamps_and_ansi_codes_are_removed_from_cited_text() {
    let f = fixture("docker-timestamps.log");
    assert_eq!(f.sessions[0].version.as_ref().unwrap().value, "5.1.1");
    let f = fixture("v3.3-color-oom-torch20.log");
    let v = f.sessions[0].version.as_ref().unwrap();
    assert_eq!(
        v.text,
        "[2023-11-02 20:14:07,522]::[InvokeAI]::INFO --> InvokeAI version 3.3.0post3"
    );
}

#[test]
fn an_oom_reported_twice_is_one_event() {
    let f = fixture("v4.1-plain-insufficient-oom-torch22.log");
    let kinds: Vec<_> = f.oom.iter().map(|e| (e.line, e.backend.as_str())).collect();
    assert_eq!(kinds, vec![(16, "InvokeAI"), (17, "CUDA")]);
    assert_eq!(f.oom[1].session, Some(0));
}

#[test]
fn derived_vram_and_ram() {
    let f = fixture("v5.7-partial-loads-negative-vram.log");
    let v = f.vram_total_gib.unwrap();
    assert_eq!((v.value, v.line, v.derived_from), (11.76, 10, "ram_cache"));
    let f = fixture("v6.12-syslog.log");
    let r = f.ram_total_gib.unwrap();
    assert_eq!((r.value, r.derived_from), (31.25, "ram_cache"));
    assert!(
        f.vram_total_gib.is_none(),
        "heuristic [1] says nothing about VRAM"
    );
    let f = fixture("no-startup-hip-oom.log");
    let v = f.vram_total_gib.unwrap();
    assert_eq!((v.value, v.line, v.derived_from), (15.98, 7, "oom"));
}

#[test]
fn partial_loads_and_negative_vram_belong_to_their_session() {
    let f = fixture("v5.7-partial-loads-negative-vram.log");
    assert_eq!(
        f.partial_loads.len(),
        1,
        "tokenizers at 0.0% are not partial loads"
    );
    let p = &f.partial_loads[0];
    assert_eq!(
        (p.line, p.value.percent, p.value.session),
        (20, 26.5, Some(0))
    );
    assert_eq!(f.negative_vram[0].value.requested_mb, -112.25);
}

#[test]
fn reader_and_slice_agree() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/logs/v6.14-multi-gpu.log");
    let bytes = std::fs::read(&path).unwrap();
    let a = parse_bytes(&bytes, "x");
    let b = parse_reader(&bytes[..], "x").unwrap();
    assert_eq!(a, b);
}

#[test]
fn json_contract_shape() {
    let one = render_facts(&[fixture("no-startup-hip-oom.log")], true);
    let v: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert!(v.is_object());
    assert!(v["sessions"].as_array().unwrap().is_empty());
    assert!(v["ram_total_gib"].is_null());
    assert_eq!(v["oom"][0]["capacity_gib"], 15.98);
    assert_eq!(v["vram_total_gib"]["derived_from"], "oom");

    let two = render_facts(
        &[fixture("two-sessions.log"), fixture("v6.12-syslog.log")],
        true,
    );
    let v: serde_json::Value = serde_json::from_str(&two).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(2));
    let s = &v[0]["sessions"][0];
    assert_eq!(s["version"]["value"], "5.10.1");
    assert_eq!(s["version"]["line"], 4);
    assert_eq!(
        s["ram_cache"]["value"]["heuristics"],
        serde_json::json!([1, 2])
    );
    assert!(s["cuda_allocator"].is_null());
}

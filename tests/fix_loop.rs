//! `--fix` settles in one run and keeps the file: over every fixture and corpus config at
//! several releases, and over generated configs of every shape (comments, blank lines,
//! CRLF, a BOM, quoting styles, non-ASCII, flow style, indented roots, several documents).
//!
//! Checked each time: the fixed text is read as YAML the same way as before except for
//! the settings a fix names (compared with our PyYAML-compatible reader); a second `--fix`
//! changes nothing; a fix leaves no byte outside its own lines changed; linting the result
//! shows none of the fixed findings again.

use std::path::{Path, PathBuf};

use invokeai_lint::fix::FixMode;
use invokeai_lint::lint::{self, LintInput};

const TARGETS: [&str; 4] = ["4.0.2", "5.9.1", "6.10.0", "6.13.8"];

/// Lint `text` as stdin named invokeai.yaml, fixing with `mode` when given; the fixed text
/// and the findings left.
fn run(text: &[u8], version: &str, mode: Option<FixMode>) -> (String, Vec<(String, bool)>) {
    let dir = std::env::temp_dir();
    let input = LintInput {
        paths: vec![PathBuf::from("-")],
        stdin: Some(text.to_vec()),
        stdin_filename: Some(PathBuf::from("invokeai.yaml")),
        invokeai_version: Some(version.into()),
        vram_gb: Some(8.0),
        ram_gb: Some(8.0),
        device: Some("cuda".into()),
        isolated: true,
        cwd: Some(dir),
        fix: mode,
        ..Default::default()
    };
    let outcome = lint::run(&input).expect("lint runs");
    let fixed = outcome
        .fixed
        .first()
        .map(|f| f.text.clone())
        .unwrap_or_else(|| String::from_utf8_lossy(text).into_owned());
    let left = outcome
        .report
        .diagnostics
        .iter()
        .map(|d| {
            (
                format!("{}:{}", d.code, d.key.clone().unwrap_or_default()),
                d.fix.is_some(),
            )
        })
        .collect();
    (fixed, left)
}

use invokeai_lint::fuzzing::settings;

/// Keys a fix may touch: the ones its findings name, the names renames give, and the
/// settings fixes insert.
fn touchable(before: &[(String, bool)], fixed: &str, original: &str) -> Vec<String> {
    let mut keys: Vec<String> = before
        .iter()
        .filter(|(_, fix)| *fix)
        .map(|(k, _)| {
            k.split_once(':')
                .map(|(_, k)| k.to_string())
                .unwrap_or_default()
        })
        .collect();
    // Renamed-to keys: present after, absent before.
    if let (Some(a), Some(b)) = (settings(original), settings(fixed)) {
        for k in b.keys() {
            if !a.contains_key(k) {
                keys.push(k.clone());
            }
        }
    }
    keys
}

fn check_one(name: &str, bytes: &[u8], version: &str) {
    let Ok(original) = std::str::from_utf8(bytes) else {
        return;
    };
    let (_, before) = run(bytes, version, None);
    let (fixed, after) = run(bytes, version, Some(FixMode::All));
    let (again, _) = run(fixed.as_bytes(), version, Some(FixMode::All));
    assert_eq!(
        again, fixed,
        "{name} @ {version}: a second --fix changed the file\n--- first ---\n{fixed}"
    );
    assert!(
        !after.iter().any(|(_, fix)| *fix),
        "{name} @ {version}: fixable findings left after --fix: {after:?}"
    );
    if fixed == original {
        return;
    }
    let (Some(a), Some(b)) = (settings(original), settings(&fixed)) else {
        assert!(
            settings(original).is_none(),
            "{name} @ {version}: the fix broke the YAML\n{fixed}"
        );
        return;
    };
    let allowed = touchable(&before, &fixed, original);
    for k in a.keys().chain(b.keys()) {
        if a.get(k) != b.get(k) && k != "InvokeAI" {
            assert!(
                allowed.iter().any(|x| x == k),
                "{name} @ {version}: `{k}` changed ({:?} → {:?}) but no fix names it ({allowed:?})\n{fixed}",
                a.get(k),
                b.get(k)
            );
        }
    }
}

fn configs_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            configs_under(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

#[test]
fn every_fixture_and_corpus_config_settles_in_one_run() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    configs_under(&root.join("fixtures"), &mut files);
    configs_under(&root.join("../../shared/corpus/configs"), &mut files);
    configs_under(Path::new("/work/shared/corpus/configs"), &mut files);
    files.sort();
    files.dedup();
    assert!(files.len() > 150, "fixtures found: {}", files.len());
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        for v in TARGETS {
            check_one(&f.display().to_string(), &bytes, v);
        }
    }
}

/// A small deterministic generator (xorshift): the same cases every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[(self.next() % xs.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// One generated config: settings in many spellings, some of them fixable.
fn generate(rng: &mut Rng) -> String {
    let eol = if rng.chance(30) { "\r\n" } else { "\n" };
    let indent = if rng.chance(15) { "  " } else { "" };
    let mut entries: Vec<(String, String)> = Vec::new();
    if rng.chance(50) {
        entries.push((
            "schema_version".into(),
            rng.pick(&["4.0.2", "'4.0.2'", "\"4.0.2\""]).to_string(),
        ));
    }
    let pool: &[(&str, &[&str])] = &[
        ("device", &["cuda", "'cuda'", "\"cuda\"", "cpu", "cuda:0"]),
        (
            "precision",
            &["float16", "'float16'", "bfloat16", "auto", "fp16"],
        ),
        (
            "enable_partial_loading",
            &["true", "false", "yes", "'true'"],
        ),
        ("keep_ram_copy_of_weights", &["true", "false"]),
        ("max_cache_vram_gb", &["6", "7.5", "12", "'4'"]),
        ("device_working_mem_gb", &["3", "4", "2.5"]),
        (
            "models_dir",
            &[
                "'C:\\models'",
                "/data/模型",
                "\"D:/stable diffusion/models\"",
            ],
        ),
        ("outputs_dir", &["/home/用户/outputs", "'E:\\out'"]),
        ("host", &["0.0.0.0", "127.0.0.1"]),
        ("port", &["9090", "'9090'"]),
        (
            "attention_type",
            &["auto", "sliced", "torch-sdp", "xformers"],
        ),
        ("xformers_enabled", &["false", "true"]),
        ("ram", &["7", "12.5"]),
        ("lazy_offload", &["true"]),
        (
            "pytorch_cuda_alloc_conf",
            &["\"backend:cudaMallocAsync\"", "'expandable_segments:True'"],
        ),
    ];
    let n = 1 + rng.next() % 7;
    for _ in 0..n {
        let (k, vals) = rng.pick(pool);
        entries.push((k.to_string(), rng.pick(vals).to_string()));
    }
    if rng.chance(15) {
        // A duplicate, as people paste from guides.
        if let Some(e) = entries.last().cloned() {
            entries.push(e);
        }
    }
    let mut out = String::new();
    if rng.chance(10) {
        out.push('\u{feff}');
    }
    if rng.chance(40) {
        let comment: &&str = rng.pick(&["# 低显存设置", "# my config  ", "# ÄÖÜ notes"]);
        out.push_str(comment);
        out.push_str(eol);
    }
    if rng.chance(10) {
        out.push_str("---");
        out.push_str(eol);
    }
    if rng.chance(12) {
        let inner: Vec<String> = entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        out.push_str(&format!("{{{}}}", inner.join(", ")));
        out.push_str(eol);
        return out;
    }
    for (k, v) in &entries {
        if rng.chance(20) {
            out.push_str(eol);
        }
        if rng.chance(20) {
            out.push_str(&format!("{indent}# 说明 {k}{eol}"));
        }
        out.push_str(&format!("{indent}{k}: {v}"));
        if rng.chance(20) {
            out.push_str("   # trailing 注释");
        }
        out.push_str(eol);
    }
    if rng.chance(8) {
        out.push_str(&format!("---{eol}host: 0.0.0.0{eol}"));
    }
    if rng.chance(15) {
        // No final line break.
        while out.ends_with('\n') || out.ends_with('\r') {
            out.pop();
        }
    }
    out
}

/// Lines of `before` that are not in `after`, in order (a line-level LCS).
fn removed_lines<'a>(before: &'a str, after: &str) -> Vec<&'a str> {
    // A last line without a line break gets one when a line is added after it.
    // The BOM stays first (checked on its own), before whichever line is first.
    let a: Vec<&str> = before.trim_start_matches('\u{feff}').lines().collect();
    let b: Vec<&str> = after.trim_start_matches('\u{feff}').lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() {
        if j < b.len() && a[i] == b[j] {
            i += 1;
            j += 1;
        } else if j < b.len() && lcs[i][j + 1] >= lcs[i + 1][j] {
            j += 1;
        } else {
            out.push(a[i]);
            i += 1;
        }
    }
    out
}

#[test]
fn generated_configs_keep_every_byte_outside_the_fixes() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for case in 0..400 {
        let text = generate(&mut rng);
        let version = *rng.pick(&TARGETS);
        check_one(
            &format!("generated #{case}:\n{text}\n"),
            text.as_bytes(),
            version,
        );
        let (fixed, _) = run(text.as_bytes(), version, Some(FixMode::All));
        let allowed = touchable(&run(text.as_bytes(), version, None).1, &fixed, &text);
        for line in removed_lines(&text, &fixed) {
            let flow = line
                .trim_start_matches('\u{feff}')
                .trim_start()
                .starts_with('{');
            let names_a_fixed_key = allowed
                .iter()
                .any(|k| !k.is_empty() && line.contains(k.as_str()));
            // A Windows path fix rewrites its own line.
            let path_line = line.contains('\\');
            assert!(
                flow || names_a_fixed_key || path_line,
                "generated #{case} @ {version}: line {line:?} changed, but no fix names it\n--- before ---\n{text}\n--- after ---\n{fixed}"
            );
        }
        // Our inserted lines use the file's line ending.
        if text.contains("\r\n") {
            let lone = fixed
                .match_indices('\n')
                .filter(|(i, _)| *i == 0 || fixed.as_bytes()[i - 1] != b'\r')
                .count();
            let lone_before = text
                .match_indices('\n')
                .filter(|(i, _)| *i == 0 || text.as_bytes()[i - 1] != b'\r')
                .count();
            assert!(
                lone <= lone_before,
                "generated #{case}: a bare LF in a CRLF file\n{fixed:?}"
            );
        }
        if text.starts_with('\u{feff}') {
            assert!(
                fixed.starts_with('\u{feff}'),
                "generated #{case}: the BOM moved\n{fixed:?}"
            );
        }
    }
}

//! `--fix` changes only the bytes a fix names: line endings, BOM, comments and everything
//! else in the file come through untouched.

use std::process::Command;

fn lint_fix(path: &std::path::Path, extra: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .env("NO_COLOR", "1")
        .args([
            "lint",
            "--invokeai-version",
            "5.9.1",
            "--format",
            "concise",
            "--fix",
        ])
        .args(extra)
        .arg(path)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&out.stdout).to_string();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

const BEFORE: &str = "\u{feff}# keep this comment  \r\nschema_version: 4.0.2\r\nmodels_dir: \"E:\\Softwares\\models\"   # trailing\r\n";

#[test]
fn a_safe_fix_changes_only_its_span() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    std::fs::write(&path, BEFORE).unwrap();
    let (code, out) = lint_fix(&path, &[]);
    let after = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        after,
        "\u{feff}# keep this comment  \r\nschema_version: 4.0.2\r\nmodels_dir: 'E:\\Softwares\\models'   # trailing\r\n"
    );
    assert!(out.contains("fixed 1 finding in 1 file"), "{out}");
    assert_eq!(code, 0, "nothing is left after the fix: {out}");
}

#[test]
fn unsafe_fixes_wait_for_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    let text = "schema_version: 4.0.2\nlog_level: INFO # loud\n";
    std::fs::write(&path, text).unwrap();
    let (code, out) = lint_fix(&path, &[]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        text,
        "no safe fix here"
    );
    assert_eq!(code, 1, "{out}");
    let (code, out) = lint_fix(&path, &["--unsafe-fixes"]);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "schema_version: 4.0.2\nlog_level: info # loud\n"
    );
    assert_eq!(code, 0, "{out}");
}

#[test]
fn a_file_that_is_not_utf8_is_never_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    let bytes = b"# caf\xe9\nschema_version: 4.0.2\nlog_level: INFO\n".to_vec();
    std::fs::write(&path, &bytes).unwrap();
    let (_, out) = lint_fix(&path, &["--unsafe-fixes"]);
    assert_eq!(std::fs::read(&path).unwrap(), bytes);
    assert!(out.contains("not fixed"), "{out}");
}

fn cli(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    use std::io::Write as _;
    let mut child = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .args(["lint", "--isolated", "--format", "concise"])
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn diff_shows_what_fix_would_write_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    std::fs::write(&path, "host: 127.0.0.1\n").unwrap();
    let (code, out, err) = cli(
        dir.path(),
        &["--invokeai-version", "5.9.1", "--diff", "invokeai.yaml"],
        None,
    );
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        out,
        "--- invokeai.yaml\n+++ invokeai.yaml\n@@ -1 +1,2 @@\n+schema_version: 4.0.2\n host: 127.0.0.1\n"
    );
    assert!(err.contains("would fix 1 finding in 1 file"), "{err}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "host: 127.0.0.1\n");
    // Only safe fixes without --unsafe-fixes; nothing to do is exit 0.
    std::fs::write(&path, "schema_version: 4.0.2\nram: 7\n").unwrap();
    let (code, out, _) = cli(
        dir.path(),
        &["--invokeai-version", "5.9.1", "--diff", "invokeai.yaml"],
        None,
    );
    assert_eq!((code, out.as_str()), (0, ""));
    let (code, out, _) = cli(
        dir.path(),
        &[
            "--invokeai-version",
            "5.9.1",
            "--diff",
            "--unsafe-fixes",
            "invokeai.yaml",
        ],
        None,
    );
    assert_eq!(code, 1);
    assert!(out.contains("+max_cache_ram_gb: 7"), "{out}");
}

#[test]
fn stdin_fix_prints_the_text_and_never_writes_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let named = dir.path().join("invokeai.yaml");
    std::fs::write(&named, "device: cpu\n").unwrap();
    let (code, out, err) = cli(
        dir.path(),
        &[
            "--invokeai-version",
            "5.9.1",
            "--fix",
            "--stdin-filename",
            "invokeai.yaml",
            "-",
        ],
        Some("host: 127.0.0.1\n"),
    );
    assert_eq!(out, "schema_version: 4.0.2\nhost: 127.0.0.1\n", "{err}");
    assert!(!err.contains("empty"), "{err}");
    assert!(
        err.contains("1 file clean"),
        "the report goes to stderr: {err}"
    );
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&named).unwrap(), "device: cpu\n");
}

#[test]
fn one_run_settles_and_a_second_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    // Two bad Windows paths, a missing schema_version, a second document: one run.
    let text = "models_dir: \"E:\\Softwares\\models\"\noutputs_dir: \"E:\\Softwares\\outputs\"\n---\nhost: 127.0.0.1\n";
    std::fs::write(&path, text).unwrap();
    let args = [
        "--invokeai-version",
        "5.10.0",
        "--vram-gb",
        "8",
        "--fix",
        "--unsafe-fixes",
        "invokeai.yaml",
    ];
    let (_, out, err) = cli(dir.path(), &args, None);
    let first = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        first,
        "schema_version: 4.0.2\nmodels_dir: 'E:\\Softwares\\models'\noutputs_dir: 'E:\\Softwares\\outputs'\n# 8 GB VRAM < 16 GB: load a model in part when it does not fit (off by default before 6.13.0)\nenable_partial_loading: true\n---\nhost: 127.0.0.1\n",
        "{out}{err}"
    );
    let (_, out, err) = cli(dir.path(), &args, None);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), first, "{out}{err}");
    assert!(!err.contains("fixed"), "{err}");
}

#[test]
fn a_rename_is_offered_only_to_a_key_that_takes_the_value() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    std::fs::write(
        &path,
        "schema_version: 4.0.2\nxformers_enabled: false\nembeddings: true\n",
    )
    .unwrap();
    let (_, out, _) = cli(
        dir.path(),
        &[
            "--invokeai-version",
            "5.9.1",
            "--diff",
            "--unsafe-fixes",
            "invokeai.yaml",
        ],
        None,
    );
    assert!(!out.contains("attention_type: false"), "{out}");
    assert!(!out.contains("embedding_dir: true"), "{out}");
}

/// The guide's own example block on its own machine (RTX 3060 12 GB, InvokeAI 5.9.1, 16 GB
/// of RAM): one `--fix --unsafe-fixes` brings it to what the guide recommends, with the
/// arithmetic next to each changed value; the README shows the same before/after.
const GUIDE_BEFORE: &str = "schema_version: 4.0.2\n# Low-VRAM settings as the guide shows them\nenable_partial_loading: true\npytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"\ndevice_working_mem_gb: 3\nmax_cache_ram_gb: 28\nmax_cache_vram_gb: 16\nkeep_ram_copy_of_weights: false\n";
const GUIDE_AFTER: &str = "schema_version: 4.0.2\n# Low-VRAM settings as the guide shows them\nenable_partial_loading: true\npytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"\nmax_cache_ram_gb: 12  # 16 - 4 = 12 GB (RAM - what the system needs)\nmax_cache_vram_gb: 9  # 12 - 3 = 9 GB (VRAM - device_working_mem_gb)\nkeep_ram_copy_of_weights: false\n";

#[test]
fn the_guides_scenario_is_fixed_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("invokeai.yaml");
    std::fs::write(&path, GUIDE_BEFORE).unwrap();
    let args = [
        "--invokeai-version",
        "5.9.1",
        "--vram-gb",
        "12",
        "--ram-gb",
        "16",
        "--device",
        "cuda",
        "--fix",
        "--unsafe-fixes",
        "invokeai.yaml",
    ];
    let (_, out, err) = cli(dir.path(), &args, None);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        GUIDE_AFTER,
        "{out}{err}"
    );
    assert!(err.contains("fixed 3 findings"), "{err}");
    let (_, _, err) = cli(dir.path(), &args, None);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), GUIDE_AFTER);
    assert!(!err.contains("fixed"), "{err}");
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(GUIDE_BEFORE) && readme.contains(GUIDE_AFTER),
        "README's before/after is stale"
    );
}

#[test]
fn the_guide_command_prints_the_block_with_its_arithmetic() {
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .args([
            "guide",
            "--vram-gb",
            "12",
            "--ram-gb",
            "8",
            "--invokeai-version",
            "5.9.1",
            "--device",
            "cuda",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("# 12 GB VRAM < 16 GB: load a model in part"),
        "{text}"
    );
    assert!(text.contains("\nenable_partial_loading: true\n"), "{text}");
    assert!(
        text.contains("\npytorch_cuda_alloc_conf: \"backend:cudaMallocAsync\"\n"),
        "{text}"
    );
    assert!(text.contains("at most 12 - 3 = 9 GB"), "{text}");
    assert!(
        text.contains("\nkeep_ram_copy_of_weights: false\n"),
        "{text}"
    );
    // The block is a valid config for that release: lint finds no error in it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("invokeai.yaml"), &text).unwrap();
    let (code, out, err) = cli(
        dir.path(),
        &[
            "--invokeai-version",
            "5.9.1",
            "--vram-gb",
            "12",
            "--ram-gb",
            "8",
            "--device",
            "cuda",
            "invokeai.yaml",
        ],
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    // Before 5.6.0 there is no low-VRAM mode to recommend.
    let out = Command::new(env!("CARGO_BIN_EXE_invokeai-lint"))
        .args(["guide", "--vram-gb", "8", "--invokeai-version", "5.5.0"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(!text.contains("\nenable_partial_loading"), "{text}");
}

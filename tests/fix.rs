//! `--fix` changes only the bytes a fix names: line endings, BOM, comments and everything
//! else in the file come through untouched.

mod common;

use std::path::Path;

use common::{root, run, run_stdin};

/// `lint --fix` of one file at 5.9.1: the exit code, and stdout and stderr together.
fn lint_fix(path: &Path, extra: &[&str]) -> (i32, String) {
    let path = path.to_str().expect("a UTF-8 temporary path");
    let fix = [
        "lint",
        "--invokeai-version",
        "5.9.1",
        "--format",
        "concise",
        "--fix",
    ];
    let r = run(&root(), &[&fix[..], extra, &[path]].concat());
    (r.code, r.stdout + &r.stderr)
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

/// `lint --isolated --format concise ARGS` in `dir` with `stdin` on its standard input.
fn cli(dir: &Path, args: &[&str], stdin: Option<&str>) -> (i32, String, String) {
    let lint = ["lint", "--isolated", "--format", "concise"];
    let r = run_stdin(dir, &[&lint[..], args].concat(), stdin.unwrap_or(""));
    (r.code, r.stdout, r.stderr)
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
    let text = run(
        &root(),
        &[
            "guide",
            "--vram-gb",
            "12",
            "--ram-gb",
            "8",
            "--invokeai-version",
            "5.9.1",
            "--device",
            "cuda",
        ],
    )
    .stdout;
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
    let text = run(
        &root(),
        &["guide", "--vram-gb", "8", "--invokeai-version", "5.5.0"],
    )
    .stdout;
    assert!(!text.contains("\nenable_partial_loading"), "{text}");
}

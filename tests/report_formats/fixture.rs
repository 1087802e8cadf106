//! The set of findings every format is rendered from (see `report_formats.rs`): the
//! rules they cite, the files they are in, and the report that holds them.

use std::sync::Arc;

use invokeai_lint::diagnostic::{
    Applicability, Diagnostic, Edit, Fix, Location, Severity, Summary,
};
use invokeai_lint::report::Report;
use invokeai_lint::rules::{Category, RuleMeta};
use invokeai_lint::source::{SourceFile, Span};

const fn meta(
    code: &'static str,
    name: &'static str,
    category: Category,
    default_severity: Severity,
    fixable: bool,
    summary: &'static str,
) -> RuleMeta {
    RuleMeta {
        code,
        name,
        category,
        default_severity,
        fixable,
        summary,
        doc: "",
    }
}

static DUPLICATE_KEY: RuleMeta = meta(
    "TS003",
    "duplicate-key",
    Category::Syntax,
    Severity::Error,
    false,
    "A key is set twice",
);
pub static YAML_SYNTAX: RuleMeta = meta(
    "TS001",
    "yaml-syntax",
    Category::Syntax,
    Severity::Error,
    false,
    "The file is not valid YAML",
);
static PATH_ESCAPE: RuleMeta = meta(
    "TS010",
    "windows-path-escape",
    Category::Syntax,
    Severity::Warning,
    true,
    "A Windows path in double quotes holds backslash escapes",
);
pub static DEPRECATED_KEY: RuleMeta = meta(
    "TS102",
    "deprecated-key",
    Category::Schema,
    Severity::Warning,
    false,
    "A key InvokeAI no longer reads",
);
static KEY_TOO_NEW: RuleMeta = meta(
    "TS103",
    "key-too-new",
    Category::Schema,
    Severity::Error,
    false,
    "A key the running release does not know yet",
);
static OPEN_HOST: RuleMeta = meta(
    "TS401",
    "open-host",
    Category::Device,
    Severity::Info,
    false,
    "The web UI listens on every interface",
);

pub const BAD: &str = "\
# InvokeAI config for the 12 GB card
schema_version: 4.0.2
host: 0.0.0.0
max_cache_vram_gb: 8
enable_partial_loading: true
ram: 7.5
max_cache_vram_gb: 10
";

const BROKEN: &str = "\
schema_version: 4.0.2
precision: [float16
device: cuda
";

const LOGGED: &str = "\
schema_version: 4.0.2
enable_partial_loading: true
";

const LOG_LINE: &str = "[2024-11-20 10:02:11,448]::[InvokeAI]::INFO --> InvokeAI version 5.4.2\n";

const UNICODE: &str = "\
# 显存 12 GB — 低显存设置
outputs_dir: \"D:输出\\images\"
";

/// The `nth` occurrence of `needle` as a whole word (`ram` does not match inside `vram`).
pub fn at(source: &Arc<SourceFile>, needle: &str, nth: usize) -> Location {
    let text = source.text();
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    let start = text
        .match_indices(needle)
        .map(|(i, _)| i)
        .filter(|&i| {
            let before = text[..i].chars().next_back();
            let after = text[i + needle.len()..].chars().next();
            let glued_before = word(needle.chars().next()) && word(before);
            let glued_after = word(needle.chars().next_back()) && word(after);
            !glued_before && !glued_after
        })
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in {}", source.name()));
    Location::new(source, Span::new(start, start + needle.len()))
}

/// The findings in the order the pipeline sorts them: by file, then position.
pub fn diagnostics(bad: &Arc<SourceFile>) -> Vec<Diagnostic> {
    let broken = SourceFile::new("configs/broken.yaml", BROKEN);
    let logged = SourceFile::new("configs/logged.yaml", LOGGED);
    let unicode = SourceFile::new("configs/unicode.yaml", UNICODE);
    let log = SourceFile::snippet("invokeai.log", LOG_LINE, 23);
    let log_line = Location::new(&log, log.line_span(23).expect("line 23"));

    let escape = {
        let backslash = at(&unicode, "\\images", 0).span.start;
        Location::new(&unicode, Span::new(backslash, backslash + 2))
    };
    let value = at(&unicode, "\"D:输出\\images\"", 0);
    let quote_fix = Fix {
        description: "Quote the path with single quotes, which keep backslashes".into(),
        applicability: Applicability::Safe,
        edits: vec![
            Edit {
                span: Span::new(value.span.start, value.span.start + 1),
                replacement: "'".into(),
            },
            Edit {
                span: Span::new(value.span.end - 1, value.span.end),
                replacement: "'".into(),
            },
        ],
    };

    vec![
        Diagnostic::new(
            &OPEN_HOST,
            at(bad, "0.0.0.0", 0),
            "the web UI listens on every network interface",
        )
        .key("host")
        .label("reachable from the whole network")
        .help("set `host: 127.0.0.1` unless other machines should reach InvokeAI"),
        Diagnostic::new(
            &DEPRECATED_KEY,
            at(bad, "ram", 0),
            "`ram` is not read by InvokeAI 5.9.1",
        )
        .key("ram")
        .help("InvokeAI 5.10.0 renamed it to `max_cache_ram_gb`"),
        Diagnostic::new(
            &DUPLICATE_KEY,
            at(bad, "max_cache_vram_gb", 1),
            "`max_cache_vram_gb` is set twice",
        )
        .key("max_cache_vram_gb")
        .label("set again here; this value wins")
        .help("InvokeAI keeps the last value (10); delete the line you do not mean")
        .related(at(bad, "max_cache_vram_gb", 0), "first set here"),
        Diagnostic::new(
            &YAML_SYNTAX,
            at(&broken, "[", 0),
            "flow sequence `[` is never closed",
        )
        .label("opened here"),
        Diagnostic::new(
            &KEY_TOO_NEW,
            at(&logged, "enable_partial_loading", 0),
            "`enable_partial_loading` is new in InvokeAI 5.6.0, and this install runs 5.4.2",
        )
        .key("enable_partial_loading")
        .help("upgrade InvokeAI, or delete the key: 5.4.2 ignores it")
        .related(log_line, "the log says InvokeAI 5.4.2 runs here"),
        Diagnostic::new(
            &PATH_ESCAPE,
            escape,
            "`\\i` in a double-quoted string is not a valid YAML escape",
        )
        .key("outputs_dir")
        .label("YAML reads this as an escape")
        .help("use single quotes or forward slashes for Windows paths")
        .fix(quote_fix),
    ]
}

pub fn report() -> Report {
    let bad = SourceFile::new("configs/bad.yaml", BAD);
    report_with(diagnostics(&bad))
}

pub fn report_with(diagnostics: Vec<Diagnostic>) -> Report {
    let files: Vec<String> = [
        "configs/bad.yaml",
        "configs/broken.yaml",
        "configs/clean.yaml",
        "configs/logged.yaml",
        "configs/unicode.yaml",
    ]
    .map(String::from)
    .to_vec();
    let summary = Summary::count(files.len(), &diagnostics);
    Report {
        invokeai_version: "5.9.1".into(),
        target_source: "flag",
        files,
        diagnostics,
        skipped: vec![("configs/missing.yaml".into(), "no such file".into())],
        summary,
        fail_on: Severity::Error,
    }
}

//! The targets of the smaller readers: the log, the linter config, baselines, suppression
//! comments, Python regular expressions, and secret finding.

use std::collections::HashSet;
use std::io::Read;
use std::path::PathBuf;

use crate::baseline::{self, Baseline};
use crate::config::ConfigFile;
use crate::facts::{Facts, Origin, Target};
use crate::knowledge::Knowledge;
use crate::linter_config::LinterConfig;
use crate::log::{self, pipeline, LogFacts};
use crate::source::SourceFile;

/// The log reader as `facts` and `--log` use it. Oracles: the facts do not depend on how
/// the bytes arrive (all at once on one worker, or in pieces of the input's choosing on
/// two); every line number is within the log; no more OOM events are kept than counted;
/// the `facts` output (human and JSON) shows no secret; linting a config with the log's
/// facts does not panic.
pub fn log(data: &[u8]) {
    let whole = scan(data, 1, usize::MAX);
    let piece = 1 + usize::from(data.first().copied().unwrap_or(0) % 7);
    let pieces = scan(data, 2, piece);
    assert_eq!(whole, pieces, "the facts depend on how the log was read");
    check_lines(&whole);
    let text = super::text(data);
    let secrets = super::unique_secrets(&text);
    let logs = [whole];
    for json in [false, true] {
        let shown = crate::redact::clean(&log::render::render_facts(&logs, json)).into_owned();
        super::assert_no_secret("facts", &shown, &secrets);
    }
    let [facts_of_log] = logs;
    let mut facts = Facts::default();
    facts.apply_log(std::sync::Arc::new(facts_of_log));
    let kb = Knowledge::get();
    let release = facts
        .log_version
        .as_ref()
        .and_then(|v| kb.release_for(&v.value))
        .unwrap_or_else(|| kb.newest_final());
    let target = Target {
        version: release.version.clone(),
        release,
        origin: Some(Origin::Flag("--invokeai-version".into())),
    };
    let rules = crate::selection::RuleSet::defaults();
    let config = ConfigFile::parse(SourceFile::new("invokeai.yaml", "schema_version: 4.0.2\n"));
    let found = crate::lint::lint_config(&config, &rules, &facts, &target, true);
    for d in &found.diagnostics {
        let shown = format!("{} {:?}", d.message, d.help);
        super::assert_no_secret("a log finding", &shown, &secrets);
    }
}

/// Read `data` as a log on `workers` threads, `piece` bytes per read at most.
fn scan(data: &[u8], workers: usize, piece: usize) -> LogFacts {
    struct Pieces<'a>(&'a [u8], usize);
    impl Read for Pieces<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.1).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let (scanner, stats) =
        pipeline::scan(Pieces(data, piece), workers).expect("reading from memory cannot fail");
    scanner.finish("fuzz.log", stats)
}

fn check_lines(log: &LogFacts) {
    let within = |what: &str, line: u64| {
        assert!(
            (1..=log.lines.max(1)).contains(&line),
            "{what} at line {line} of a log of {} lines",
            log.lines
        );
    };
    for s in &log.sessions {
        within("a session", s.start_line);
        for fact in [&s.version, &s.root, &s.torch_device].into_iter().flatten() {
            within("a session fact", fact.line);
        }
    }
    for e in &log.oom {
        within("an OOM", e.line);
    }
    for p in &log.partial_loads {
        within("a partial load", p.line);
    }
    assert!(
        log.oom.len() as u64 <= log.oom_total,
        "{} OOM events kept, {} counted",
        log.oom.len(),
        log.oom_total
    );
}

/// `invokeai-lint.toml`. Oracles: a mistake is named with the file, line and column
/// (`invokeai-lint.toml:L:C: …`, L and C within the text); a config read matches paths
/// without panicking.
pub fn linter_config(data: &[u8]) {
    let text = super::text(data);
    const NAME: &str = "invokeai-lint.toml";
    match LinterConfig::parse(&text, NAME, PathBuf::from("/fuzz")) {
        Ok(config) => {
            for rel in ["invokeai.yaml", "a/b/invokeai.yaml", "fleet/12gb/x.yaml"] {
                let _ = config.includes(rel);
                let _ = config.excludes(rel);
                let _ = config.matching_overrides(Some(rel));
            }
            let _ = config.matching_overrides(None);
        }
        Err(message) => {
            assert!(!message.is_empty(), "an error without a message");
            let lines = SourceFile::new(NAME, text.as_ref())
                .line_col(text.len())
                .line;
            for m in message.lines().filter(|m| m.starts_with(NAME)) {
                let mut parts = m[NAME.len()..].splitn(4, ':');
                let (_, l, c) = (parts.next(), parts.next(), parts.next());
                let (Some(Ok(l)), Some(Ok(c))) =
                    (l.map(str::parse::<u64>), c.map(str::parse::<u32>))
                else {
                    panic!("a mistake without line and column: {m:?}");
                };
                assert!(
                    (1..=lines).contains(&l) && c >= 1,
                    "{m:?} points outside the text ({lines} lines)"
                );
            }
            assert!(
                message.starts_with(NAME),
                "the first mistake does not name the file: {message:?}"
            );
        }
    }
}

/// Baseline files. Oracles: a baseline read is written back to the same baseline;
/// comparing findings with it accounts for each finding once.
pub fn baseline(data: &[u8]) {
    let text = super::text(data);
    let Ok(b) = Baseline::parse(&text, "baseline.json") else {
        return;
    };
    let again = Baseline::parse(&b.to_json(), "baseline.json")
        .unwrap_or_else(|e| panic!("a baseline read does not read back: {e}"));
    assert_eq!(b, again, "a baseline changed through writing and reading");
    let diags = sample_findings();
    let total = diags.len();
    let scope: HashSet<String> = b.findings.iter().map(|e| e.key.file.clone()).collect();
    let compared = baseline::compare(&b, diags, &scope);
    assert_eq!(
        compared.new.len() + compared.known,
        total,
        "findings lost or counted twice"
    );
    assert!(compared.fixed <= b.total());
}

/// Findings of a small config with many of them, for the baseline target.
fn sample_findings() -> Vec<crate::diagnostic::Diagnostic> {
    let kb = Knowledge::get();
    let release = kb.newest_final();
    let target = Target {
        version: release.version.clone(),
        release,
        origin: None,
    };
    let text = "schema_version: 4.0.2\nprecision: fp16\ndevice: cuda\nram: 7\nxformers_enabled: true\nhost: 0.0.0.0\nbogus: 1\n";
    crate::lint::lint_text(
        "invokeai.yaml",
        text,
        &crate::selection::RuleSet::defaults(),
        &Facts::default(),
        &target,
    )
}

/// `# invokeai-lint:` comments. Oracles: every rule named is named where its span says;
/// directives are on lines of the text; applying them to the text's findings keeps or
/// silences each finding exactly once, and reports only unused-suppression findings.
pub fn suppress(data: &[u8]) {
    let text = super::text(data);
    let sup = crate::suppress::parse(&text);
    let source = SourceFile::new("invokeai.yaml", text.as_ref());
    let lines = source.line_col(text.len()).line;
    for d in &sup.directives {
        assert!(
            (1..=lines).contains(&u64::from(d.line)),
            "directive on line {} of {lines}",
            d.line
        );
        for r in &d.rules {
            assert_eq!(
                text.get(r.span.start..r.span.end),
                Some(r.text.as_str()),
                "a rule's span does not hold its name"
            );
        }
    }
    for m in &sup.malformed {
        assert!(
            text.get(m.span.start..m.span.end).is_some(),
            "a malformed directive's span {:?} is not in the text",
            m.span
        );
    }
    let kb = Knowledge::get();
    let release = kb.newest_final();
    let target = Target {
        version: release.version.clone(),
        release,
        origin: None,
    };
    let config = ConfigFile::parse(std::sync::Arc::clone(&source));
    let diags = crate::lint::check_config(&config, &Facts::default(), &target);
    let total = diags.len();
    let applied = crate::suppress::apply(&sup, &source, diags);
    assert_eq!(
        applied.kept.len() + applied.suppressed,
        total,
        "findings lost or counted twice"
    );
    let unused = crate::rules::unused_suppression::META.code;
    for d in &applied.unused {
        assert_eq!(d.code, unused, "apply reported {}: {}", d.code, d.message);
    }
}

/// Python `re` patterns. Oracles: an error says where (`at position N`, N within the
/// pattern); a pattern accepted is also accepted inside a non-capturing group (unless it
/// starts with global flags, which must stay first).
pub fn python_re(data: &[u8]) {
    let pattern = super::text(data);
    let chars = pattern.chars().count();
    match crate::python_re::compile_error(&pattern) {
        Some(message) => {
            if let Some((_, at)) = message.rsplit_once(" at position ") {
                let at: usize = at
                    .parse()
                    .unwrap_or_else(|_| panic!("a position that is not a number: {message}"));
                assert!(at <= chars, "{message} (pattern of {chars} characters)");
            }
        }
        None if !pattern.starts_with("(?") => {
            let grouped = format!("(?:{pattern})");
            if let Some(e) = crate::python_re::compile_error(&grouped) {
                panic!("{pattern:?} is accepted but {grouped:?} is not: {e}");
            }
        }
        None => {}
    }
}

/// Secret finding. Oracles: spans are sorted, not empty, do not overlap or touch, lie in
/// the text on character boundaries; masking keeps the length, puts `*` on every byte of
/// a span and nothing else changes; `clean` puts [`crate::redact::MASK`] in each span's place.
pub fn redact(data: &[u8]) {
    let text = super::text(data);
    let spans = crate::redact::secret_spans(&text);
    let mut end = None;
    for s in &spans {
        assert!(s.start < s.end, "empty span {s:?}");
        assert!(s.end <= text.len(), "span {s:?} past the text");
        assert!(
            text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
            "span {s:?} cuts a character"
        );
        if let Some(e) = end {
            assert!(s.start > e, "spans overlap or touch: {spans:?}");
        }
        end = Some(s.end);
    }
    let masked = crate::redact::mask(&text, &spans);
    assert_eq!(masked.len(), text.len(), "masking changed the length");
    let (m, t) = (masked.as_bytes(), text.as_bytes());
    let mut at = 0;
    for s in &spans {
        assert_eq!(
            &m[at..s.start],
            &t[at..s.start],
            "bytes outside a secret changed"
        );
        assert!(
            m[s.clone()].iter().all(|&b| b == b'*'),
            "a secret byte kept"
        );
        at = s.end;
    }
    assert_eq!(&m[at..], &t[at..], "bytes outside a secret changed");
    let mut cleaned = String::new();
    let mut at = 0;
    for s in &spans {
        cleaned.push_str(&text[at..s.start]);
        cleaned.push_str(crate::redact::MASK);
        at = s.end;
    }
    cleaned.push_str(&text[at..]);
    assert_eq!(
        crate::redact::clean(&text),
        cleaned,
        "clean differs from the text with each secret replaced by the mask"
    );
}

//! The one diagnostic model every reporter renders.

use std::sync::Arc;

use serde::Serialize;

use crate::source::{LineCol, SourceFile, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "info" | "hint" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A place in a file: the file (whole, or a snippet of a log) and a byte span in it.
#[derive(Clone, Debug)]
pub struct Location {
    pub source: Arc<SourceFile>,
    pub span: Span,
}

impl Location {
    pub fn new(source: &Arc<SourceFile>, span: Span) -> Self {
        Location {
            source: Arc::clone(source),
            span,
        }
    }
    pub fn file(&self) -> &str {
        self.source.name()
    }
    /// The text under the span (empty when the span is off the text).
    pub fn text(&self) -> &str {
        self.source
            .text()
            .get(self.span.start..self.span.end)
            .unwrap_or("")
    }
    /// The text under the span as output may show it: secrets masked (see [`crate::redact`]).
    /// Use this, never [`Location::text`], for anything printed, stored or hashed.
    pub fn shown_text(&self) -> &str {
        self.source
            .shown_text()
            .get(self.span.start..self.span.end)
            .unwrap_or("")
    }
    pub fn start(&self) -> LineCol {
        self.source.line_col(self.span.start)
    }
    pub fn end(&self) -> LineCol {
        self.source.line_col(self.span.end)
    }
}

/// A second place that matters to a finding: the other copy of a duplicate key,
/// or the log line a fact came from.
#[derive(Clone, Debug)]
pub struct Related {
    pub location: Location,
    pub message: String,
}

/// How safe an automatic fix is (ruff's terms).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps InvokeAI's meaning of the file: applied by `--fix`.
    Safe,
    /// Changes behaviour: applied only with `--unsafe-fixes`.
    Unsafe,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Clone, Debug)]
pub struct Fix {
    pub description: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix made of one prepared edit.
    pub fn one(applicability: Applicability, description: impl Into<String>, edit: Edit) -> Self {
        Fix {
            description: description.into(),
            applicability,
            edits: vec![edit],
        }
    }

    /// A fix that replaces one span (an empty span inserts).
    pub fn replace(
        applicability: Applicability,
        description: impl Into<String>,
        span: Span,
        replacement: impl Into<String>,
    ) -> Self {
        Fix {
            description: description.into(),
            applicability,
            edits: vec![Edit {
                span,
                replacement: replacement.into(),
            }],
        }
    }
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Rule code, e.g. `IL101`.
    pub code: &'static str,
    /// Rule name, kebab-case, e.g. `unknown-key`.
    pub name: &'static str,
    pub severity: Severity,
    pub location: Location,
    /// Dotted key path (`max_cache_vram_gb`, `InvokeAI.Model Cache.ram`), when the finding is about a key.
    pub key: Option<String>,
    pub message: String,
    /// Short text shown under the primary label; defaults to the message.
    pub label: Option<String>,
    pub help: Option<String>,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// Start and end of the location, worked out on the thread that linted the file (see
    /// [`Diagnostic::remember_bounds`]) so the report, written by one thread, need not.
    bounds: Option<(LineCol, LineCol)>,
}

impl Diagnostic {
    pub fn new(meta: &'static RuleMeta, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            code: meta.code,
            name: meta.name,
            severity: meta.default_severity,
            location,
            key: None,
            message: message.into(),
            label: None,
            help: None,
            related: Vec::new(),
            fix: None,
            bounds: None,
        }
    }
    pub fn severity(mut self, s: Severity) -> Self {
        self.severity = s;
        self
    }
    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.key = Some(k.into());
        self
    }
    pub fn label(mut self, l: impl Into<String>) -> Self {
        self.label = Some(l.into());
        self
    }
    pub fn help(mut self, h: impl Into<String>) -> Self {
        self.help = Some(h.into());
        self
    }
    pub fn related(mut self, location: Location, message: impl Into<String>) -> Self {
        self.related.push(Related {
            location,
            message: message.into(),
        });
        self
    }
    pub fn fix(mut self, f: Fix) -> Self {
        self.fix = Some(f);
        self
    }

    /// Attach a fix when there is one (edit helpers offer none where a file's shape
    /// leaves no safe place for the change).
    pub fn fix_opt(mut self, f: Option<Fix>) -> Self {
        if f.is_some() {
            self.fix = f;
        }
        self
    }

    /// Line and column where the location starts and ends.
    pub fn bounds(&self) -> (LineCol, LineCol) {
        self.bounds
            .unwrap_or_else(|| self.location.source.span_bounds(self.location.span))
    }

    /// Work out [`Diagnostic::bounds`] now, once the location is final: a tree's report is
    /// written by one thread after the workers end, and looking lines and columns up there,
    /// in ten thousand texts no longer in the cache, was half of its time.
    pub fn remember_bounds(&mut self) {
        self.bounds = Some(self.location.source.span_bounds(self.location.span));
    }

    /// Mask every secret value of the finding's files in its texts: message, label, help,
    /// related messages and fix descriptions. Rules quote values freely; this is the one
    /// place that makes sure no secret among them reaches any output.
    pub fn redact_secrets(&mut self) {
        let source = std::sync::Arc::clone(&self.location.source);
        let spans = source.secret_spans();
        let text = source.text();
        let scrub = |s: &mut String| {
            if let Some(clean) = crate::redact::scrub(s, text, spans) {
                *s = clean;
            }
        };
        scrub(&mut self.message);
        // A key path is printed and stored (JSON, SARIF, baselines): a token pasted as a key
        // name is as secret as one pasted as a value.
        if let Some(k) = &mut self.key {
            scrub(k);
        }
        if let Some(l) = &mut self.label {
            scrub(l);
        }
        if let Some(h) = &mut self.help {
            scrub(h);
        }
        if let Some(f) = &mut self.fix {
            scrub(&mut f.description);
        }
        for r in &mut self.related {
            let own = std::sync::Arc::clone(&r.location.source);
            scrub(&mut r.message);
            if let Some(clean) = crate::redact::scrub(&r.message, own.text(), own.secret_spans()) {
                r.message = clean;
            }
        }
    }

    /// Stable sort key: file, position, code.
    pub fn sort_key(&self) -> (String, usize, &'static str) {
        (
            self.location.file().to_string(),
            self.location.span.start,
            self.code,
        )
    }
}

/// Counts for the summary line and the JSON `summary` object.
#[derive(Clone, Copy, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Summary {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    /// Findings a baseline (`--baseline`) listed as known and so left out.
    #[serde(skip_serializing_if = "is_zero")]
    pub baseline_hidden: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Summary {
    pub fn count(files: usize, diags: &[Diagnostic]) -> Self {
        let mut s = Summary {
            files,
            ..Default::default()
        };
        for d in diags {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Info => s.infos += 1,
            }
        }
        s
    }
}

/// What a rule is: the registry (`crate::rules`) holds one per rule. Kept here, with the
/// findings it describes, so the diagnostic model depends on no rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// The file as YAML: syntax, duplicates, encoding, shape.
    Syntax,
    /// Keys and values against the release's settings table.
    Schema,
    /// Memory and cache sizing (the low-VRAM settings).
    Memory,
    /// Torch device, precision, attention, allocator.
    Device,
    /// Findings that come from a log.
    Log,
    /// Exposure, secrets, risky switches, paths and values that break later (IL5xx).
    Hygiene,
    /// About the lint run itself (a fact the rules needed but did not have).
    Meta,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Syntax => "syntax",
            Category::Schema => "schema",
            Category::Memory => "memory",
            Category::Device => "device",
            Category::Log => "log",
            Category::Hygiene => "hygiene",
            Category::Meta => "meta",
        }
    }
}

#[derive(Debug, Serialize)]
pub struct RuleMeta {
    pub code: &'static str,
    pub name: &'static str,
    pub category: Category,
    pub default_severity: Severity,
    pub fixable: bool,
    pub summary: &'static str,
    /// The rule's doc, `rules/<name>.md`, compiled in so `explain` works anywhere.
    #[serde(skip)]
    pub doc: &'static str,
}

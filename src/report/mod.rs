//! Renderers for the one diagnostic model.

use std::io::{self, Write};

use crate::diagnostic::{Diagnostic, Summary};

/// What was linted and what was found, ready to render.
pub struct Report {
    /// The InvokeAI version linted against and where it came from (`flag`, `log`, `config`, `default`).
    pub invokeai_version: String,
    pub target_source: &'static str,
    pub diagnostics: Vec<Diagnostic>,
    /// Inputs that could not be linted: (path, why).
    pub skipped: Vec<(String, String)>,
    pub summary: Summary,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Concise,
    Json,
    Sarif,
    Github,
    Gitlab,
    Junit,
}

/// Render a report. `color` only matters for `human`.
pub fn render(
    _report: &Report,
    _format: Format,
    _color: bool,
    _out: &mut dyn Write,
) -> io::Result<()> {
    todo!()
}

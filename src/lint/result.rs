//! What linting one file gives: its findings and what the run needs to know about them.

use std::sync::Arc;

use super::input::UsageError;
use crate::diagnostic::Diagnostic;
use crate::linter_config::FileSettings;

/// One file's result, boxed where it is made: a tree's results are then sorted and
/// gathered as pointers, and the main thread needs no large fresh block for them.
pub(super) type Linted = Box<FileResult>;

/// One file's findings and the release it was linted against.
pub(super) struct FileResult {
    /// The file as shown; a file reached twice (same display) is linted once.
    pub(super) display: String,
    pub(super) diagnostics: Vec<Diagnostic>,
    pub(super) skipped: Option<String>,
    pub(super) suppressed: usize,
    pub(super) target: Option<(Arc<str>, &'static str)>,
    pub(super) error: Option<UsageError>,
    /// The log linted with it, for the baseline's scope.
    pub(super) log_file: Option<String>,
    /// `missing-fact` findings dropped here because an earlier file has the same one.
    pub(super) missing_dropped: [usize; 3],
    /// Some `missing-fact` finding is still here: the final pass over the files need not
    /// look through the findings of the others.
    pub(super) missing_kept: bool,
    /// Some finding is in another file (a log): the run's findings then need a final sort.
    pub(super) elsewhere: bool,
    /// The settings it was linted with: its linter config's `fail-on` and `max-warnings`
    /// judge it.
    pub(super) settings: Arc<FileSettings>,
    /// With `--fix` / `--diff`: the text the fixes make, when they change anything.
    pub(super) fixed: Option<Box<crate::fix::FixedFile>>,
}

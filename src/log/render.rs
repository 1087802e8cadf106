//! Output of `invokeai-lint facts`.

use super::LogFacts;

/// JSON (one object per log, in an array when several) or a human table.
pub fn render_facts(_logs: &[LogFacts], _json: bool) -> String {
    todo!()
}

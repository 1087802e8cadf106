//! Stage 4, target: the InvokeAI release a file is linted against, and where that came
//! from.

use super::input::UsageError;
use crate::facts::{Fact, Facts, Origin, Target};
use crate::knowledge::{Knowledge, Version};

/// The release to lint against: the flag, else the newest log session, else the newest release.
pub fn choose_target(flag: Option<&str>, facts: &Facts) -> Result<Target, UsageError> {
    choose_target_for(flag, None, facts)
}

/// The release to lint against: the flag, else the linter config's `invokeai_version` for
/// this path, else the newest log session, else the newest release.
pub fn choose_target_for(
    flag: Option<&str>,
    config: Option<&Fact<String>>,
    facts: &Facts,
) -> Result<Target, UsageError> {
    let kb = Knowledge::get();
    let (version, origin) = match (flag, config) {
        (Some(text), _) => (
            Version::parse_cached(text)
                .map_err(|e| UsageError(format!("--invokeai-version: {e}")))?,
            Some(Origin::Flag("--invokeai-version".into())),
        ),
        (None, Some(f)) => (
            Version::parse_cached(&f.value)
                .map_err(|e| UsageError(format!("{}: {e}", f.origin.describe())))?,
            Some(f.origin.clone()),
        ),
        (None, None) => match &facts.log_version {
            Some(f) => (f.value.clone(), Some(f.origin.clone())),
            // The newest final release: a pre-release is what few run, and advice for it
            // (defaults that changed in it) would mislead everyone else.
            None => (kb.newest_final().version.clone(), None),
        },
    };
    let release = kb.release_for(&version).ok_or_else(|| {
        let from = origin
            .as_ref()
            .map(|o| format!(" ({})", o.describe()))
            .unwrap_or_default();
        UsageError(format!(
            "InvokeAI {version}{from} is older than 3.0.0, the oldest release invokeai-lint knows (2.x used invokeai.init, not invokeai.yaml)"
        ))
    })?;
    Ok(Target {
        version,
        release,
        origin,
    })
}

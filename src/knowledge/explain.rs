//! Text for `explain KEY` and `keys`.

use crate::knowledge::Version;

/// `invokeai-lint explain max_cache_vram_gb`: type, default, allowed values, the releases
/// that have it, what replaced it.
pub fn explain_key(_name: &str) -> Result<String, String> {
    todo!()
}

/// `invokeai-lint keys --invokeai-version V [--format json]`.
pub fn keys_listing(_v: &Version, _json: bool) -> Result<String, String> {
    todo!()
}

//! The commands about a machine rather than a config: `facts` (from logs, or `--host`)
//! and `guide` (the low-VRAM guide's settings for a release and machine).

use std::path::PathBuf;

use super::args::{FactArgs, ListFormat};
use super::lint::apply_facts;
use super::output::print_out;
use crate::lint::{self, LintInput};

pub(super) fn facts(logs: &[PathBuf], format: ListFormat) -> Result<i32, String> {
    no_huge_pages();
    let mut failed = false;
    let mut all = Vec::new();
    for path in logs {
        match crate::log::read_log(path) {
            Ok(f) => all.push(f),
            Err(e) => {
                eprintln!("invokeai-lint: skipped {}: {e}", path.display());
                failed = true;
            }
        }
    }
    let text = crate::log::render::render_facts(&all, format == ListFormat::Json);
    // Logs hold database passwords and `user:pass@` URLs; their facts quote the lines.
    print_out(&crate::redact::clean(&text))?;
    Ok(if failed { 2 } else { 0 })
}

/// `facts --host`: what `--detect` sees on this machine.
pub(super) fn host(format: ListFormat) -> Result<i32, String> {
    let h = crate::host::detect();
    print_out(&crate::host::render(&h, format == ListFormat::Json))?;
    Ok(0)
}

/// `guide`: the low-VRAM guide's settings for the release and machine the facts describe.
pub(super) fn guide(facts: FactArgs, working_mem_gb: Option<f64>) -> Result<i32, String> {
    let mut input = LintInput::default();
    apply_facts(&mut input, facts);
    let f = lint::base_facts(&input).map_err(|e| e.0)?;
    let target = lint::choose_target(input.invokeai_version.as_deref(), &f).map_err(|e| e.0)?;
    print_out(&crate::guide::render(&crate::guide::recommend(
        &target,
        &f,
        working_mem_gb,
    )))?;
    Ok(0)
}

/// Reading a log holds a few 320 KiB buffers per worker; with transparent huge pages the
/// allocator's arenas are backed by 2 MiB pages, which more than doubled the peak memory
/// of `facts` on a large log (42.7 MiB vs 18 MiB measured with `MIMALLOC_ALLOW_THP=0`).
/// `facts` does nothing else, so it turns them off for itself (Linux; failure ignored).
fn no_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE only sets a flag on this process; the result is ignored.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

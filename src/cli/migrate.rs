//! The `migrate` command: read one config, migrate it for a release, and print the result,
//! a diff, or write it back.

use std::io::Write;
use std::path::PathBuf;

use crate::knowledge::{Knowledge, Version};

#[derive(clap::Args, Debug)]
pub struct MigrateArgs {
    /// The invokeai.yaml to migrate.
    pub config: PathBuf,
    /// The InvokeAI release to migrate for (default: the newest release known).
    #[arg(long, value_name = "VERSION")]
    pub to: Option<String>,
    /// Print a unified diff instead of the migrated file; exit 1 when it would change.
    #[arg(long, conflicts_with = "write")]
    pub diff: bool,
    /// Write the migrated file back in place (only when its bytes are still those read).
    #[arg(long)]
    pub write: bool,
}

/// Exit 0: migrated (or nothing to change); 1: InvokeAI's own migration would fail on the
/// file (nothing written), or `--diff` shows changes; 2: the file or the flags are wrong.
pub fn run(args: &MigrateArgs) -> Result<i32, String> {
    let kb = Knowledge::get();
    let release = match &args.to {
        Some(v) => {
            let v = Version::parse(v)?;
            kb.release_for(&v)
                .ok_or_else(|| format!("InvokeAI {v} is not a release invokeai-lint knows"))?
        }
        None => kb.newest_final(),
    };
    let display = crate::discover::display(&args.config);
    let bytes = crate::lint::read_config_bytes(&args.config, true)
        .map_err(|why| format!("cannot read {display}: {why}"))?;
    let Ok(text) = String::from_utf8(bytes.clone()) else {
        return Err(format!(
            "{display} is not valid UTF-8; it is never rewritten"
        ));
    };
    let config = crate::config::ConfigFile::parse(crate::source::SourceFile::new(
        display.as_str(),
        text.as_str(),
    ));
    let done = match crate::migrate::migrate(&config, release) {
        Ok(d) => d,
        Err(why) => {
            eprintln!(
                "invokeai-lint: {display}: not migrated for InvokeAI {}: {why}",
                release.version
            );
            return Ok(1);
        }
    };
    for d in &done.dropped {
        eprintln!("invokeai-lint: dropped {d}");
    }
    for c in &done.changed {
        eprintln!("invokeai-lint: changed {c}");
    }
    let mut out = std::io::stdout().lock();
    let code = if args.diff {
        let diff = crate::fix_output::unified_diff(&display, &text, &done.text);
        out.write_all(diff.as_bytes()).map_err(|e| e.to_string())?;
        i32::from(!diff.is_empty())
    } else if args.write {
        if done.text != text {
            let now = std::fs::read(&args.config).map_err(|e| e.to_string())?;
            if now != bytes {
                return Err(format!(
                    "{display} changed while it was migrated; not written"
                ));
            }
            crate::fix::write_atomic(&args.config, &done.text)
                .map_err(|e| format!("cannot write {display}: {e}"))?;
            eprintln!(
                "invokeai-lint: wrote {display} for InvokeAI {}",
                release.version
            );
        }
        0
    } else {
        out.write_all(done.text.as_bytes())
            .map_err(|e| e.to_string())?;
        0
    };
    out.flush().map_err(|e| e.to_string())?;
    Ok(code)
}

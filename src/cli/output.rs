//! Where the commands' text goes: stdout and stderr with write errors turned into exit 2
//! rather than panics, report files written whole, and the colour decision.

use std::io::{IsTerminal, Write};
use std::path::Path;

use super::args::ColorChoice;

/// Colour on only when asked, or when stdout is a terminal and NO_COLOR is unset.
pub fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

/// A line on stderr, wrapped to the terminal's width when stderr is one.
pub(super) fn say(text: &str) {
    let width = if std::io::stderr().is_terminal() {
        crate::table::terminal_width()
    } else {
        None
    };
    eprintln!("{}", crate::table::fit_text(text, width));
}

/// Write a report or baseline (see [`crate::write::write_output`]): a device or FIFO
/// directly, a regular file whole through a temporary file, never more open than the
/// configs it describes.
pub(super) fn write_file(path: &Path, bytes: &[u8], files: &[String]) -> Result<(), String> {
    let cap = crate::write::cap_of(files.iter().map(String::as_str));
    crate::write::write_output(path, bytes, cap)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Write a listing to stdout. A write error (a full disk, `> /dev/full`) is an error
/// like any other: a message and exit 2, never a panic as from `print!`. (A closed pipe
/// ends the process quietly: SIGPIPE has its default action, see `main.rs`.)
pub(super) fn print_out(text: &str) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(stdout_error)
}

pub(super) fn print_line(text: &str) -> Result<(), String> {
    print_out(&format!("{text}\n"))
}

pub(super) fn stdout_error(e: std::io::Error) -> String {
    format!("cannot write to stdout: {e}")
}

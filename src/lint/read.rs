//! Stage 1, inputs: reading one config's bytes (bounded, one `read` when it fits) and
//! decoding them into the parsed config the rules see.

use std::io::Read;
use std::path::Path;

use crate::config::{ConfigFile, MAX_CONFIG_BYTES};
use crate::source::SourceFile;

/// Read and parse one config file. Errors are reasons to skip it.
pub fn load_config(path: &Path, display: &str) -> Result<ConfigFile, String> {
    let bytes = read_config_bytes(path, false)?;
    let absolute = std::fs::canonicalize(path).ok();
    Ok(config_from_bytes(display, bytes).with_path(absolute))
}

/// A config's bytes: open and read, no stat (this runs once per file of a tree; a config
/// is a few KB, so one read usually takes it whole).
///
/// `regular`: the caller knows this is a regular file (the walk saw its type). POSIX lets
/// `read` on a regular file return less than asked only at the end of the file or when a
/// signal interrupts it, and this program handles no signals; so a read that does not
/// fill the buffer has reached the end, and the second `read` that would return 0 is
/// skipped (about a sixth of the time the kernel spends per file). Anything else (a named
/// path may be a pipe) is read until `read` returns 0.
pub fn read_config_bytes(path: &Path, regular: bool) -> Result<Vec<u8>, String> {
    /// The per-thread buffer's size: a config is a few KB.
    const ROOM: usize = 16 * 1024;
    thread_local! {
        // Read into one buffer per thread and copy out exactly what was read: the text
        // lives as long as its findings, so a roomy buffer per file would stay allocated.
        static SCRATCH: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    let file = crate::open::open(path).map_err(io_reason)?;
    // Reading at most one byte past the limit tells a too-large file without a stat, and
    // stops one that grows while it is read.
    let mut limited = file.take(MAX_CONFIG_BYTES + 1);
    let bytes: std::io::Result<Vec<u8>> = SCRATCH.with(|scratch| {
        let mut buf = scratch.borrow_mut();
        if regular {
            // Zeroed once per thread, then read into as it is.
            if buf.len() < ROOM {
                buf.resize(ROOM, 0);
            }
            let n = read_some(&mut limited, &mut buf)?;
            if n < buf.len() {
                return Ok(buf[..n].to_vec());
            }
            let mut all = buf[..n].to_vec();
            limited.read_to_end(&mut all)?;
            Ok(all)
        } else {
            buf.clear();
            buf.reserve(ROOM);
            limited.read_to_end(&mut buf)?;
            Ok(buf.to_vec())
        }
    });
    let bytes = match bytes {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => {
            return Err("is a directory".into())
        }
        Err(e) => return Err(io_reason(e)),
    };
    if bytes.len() as u64 > MAX_CONFIG_BYTES {
        // Do not keep a multi-megabyte buffer around for the next small file.
        SCRATCH.with(|scratch| *scratch.borrow_mut() = Vec::new());
        return Err(too_big(limited.get_ref().metadata().ok().map(|m| m.len())));
    }
    Ok(bytes)
}

/// One `read`, retried if a signal interrupts it before any byte arrives.
fn read_some(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    loop {
        match file.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Why a file over the limit is not read. Reading stops one byte past the limit, so the
/// size said is the file's own (from its metadata) when it has one, not what was read.
pub(super) fn too_big(size: Option<u64>) -> String {
    let size = match size.filter(|&n| n > MAX_CONFIG_BYTES) {
        Some(n) => format!("{n} bytes"),
        None => format!("more than {MAX_CONFIG_BYTES} bytes"),
    };
    format!(
        "is {size}; an invokeai.yaml is a few KB, so this is not one (limit {MAX_CONFIG_BYTES})"
    )
}

/// Parse config bytes (a file's, or stdin's).
pub fn config_from_bytes(display: &str, bytes: Vec<u8>) -> ConfigFile {
    if let Some(what) = crate::encoding::sniff(&bytes) {
        return ConfigFile::not_text(display, what);
    }
    let (text, invalid_at) = decode(bytes);
    ConfigFile::parse(SourceFile::new(display, text)).with_invalid_utf8_at(invalid_at)
}

/// Decode as UTF-8; invalid bytes become U+FFFD so the file can still be shown, and the
/// offset of the first one is returned for the `invalid-encoding` rule.
pub fn decode(bytes: Vec<u8>) -> (String, Option<usize>) {
    match String::from_utf8(bytes) {
        Ok(s) => (s, None),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), Some(at))
        }
    }
}

fn io_reason(e: std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_refuses_directories_and_missing_files_with_a_reason() {
        let t = tempfile::tempdir().unwrap();
        assert_eq!(
            read_config_bytes(t.path(), false).unwrap_err(),
            "is a directory"
        );
        assert_eq!(
            read_config_bytes(&t.path().join("nope.yaml"), false).unwrap_err(),
            "no such file"
        );
        let f = t.path().join("invokeai.yaml");
        std::fs::write(&f, "a: 1\n").unwrap();
        assert_eq!(read_config_bytes(&f, false).unwrap(), b"a: 1\n");
    }

    #[test]
    fn regular_files_read_whole_at_every_size_around_the_buffer_and_the_limit() {
        // One read when the file fits the per-thread buffer; on to the end when it fills
        // it; refused past the limit. The same bytes as the read-to-the-end path.
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("invokeai.yaml");
        let limit = usize::try_from(MAX_CONFIG_BYTES).unwrap();
        for len in [
            0,
            1,
            5,
            16 * 1024 - 1,
            16 * 1024,
            16 * 1024 + 1,
            100_000,
            limit,
        ] {
            let text: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
            std::fs::write(&f, &text).unwrap();
            for regular in [true, false] {
                let got = read_config_bytes(&f, regular).unwrap();
                assert_eq!(got.len(), len, "regular={regular}");
                assert!(got == text, "regular={regular} len={len}");
            }
        }
        std::fs::write(&f, vec![b'x'; limit + 1]).unwrap();
        for regular in [true, false] {
            let err = read_config_bytes(&f, regular).unwrap_err();
            assert!(err.contains("an invokeai.yaml is a few KB"), "{err}");
        }
        // The buffer is back to small reads after a too-large file.
        std::fs::write(&f, "a: 1\n").unwrap();
        assert_eq!(read_config_bytes(&f, true).unwrap(), b"a: 1\n");
        assert_eq!(
            read_config_bytes(t.path(), true).unwrap_err(),
            "is a directory"
        );
    }
}

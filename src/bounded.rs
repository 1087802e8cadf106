//! Reading an input whole, bounded by the bytes actually read.
//!
//! A size from `metadata()` says nothing about `/dev/zero`, a FIFO, `/proc` files or a
//! file that grows while it is read, so every input read whole (config, linter config,
//! baseline, stdin) goes through [`read_to_end`]: it reads at most one byte past the limit
//! and fails with [`TooLarge`] when that byte arrives. The log is streamed, not read
//! whole; its bounds are in [`crate::log::reader`].

use std::io::{self, Read};
use std::path::Path;

/// An input was longer than its limit.
#[derive(Debug)]
pub struct TooLarge {
    pub limit: u64,
}

/// Why a bounded read failed.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    TooLarge(TooLarge),
}

impl ReadError {
    /// `what` names the input ("linter config x.toml"); `kind` says what it should be ("a
    /// linter config is a few KB").
    pub fn describe(&self, what: &str, expected: &str) -> String {
        match self {
            ReadError::Io(e) if e.kind() == io::ErrorKind::IsADirectory => {
                format!("cannot read {what}: is a directory")
            }
            ReadError::Io(e) => format!("cannot read {what}: {e}"),
            ReadError::TooLarge(t) => format!(
                "{what} is larger than {}; {expected}, so this is not one",
                size(t.limit)
            ),
        }
    }
}

/// `8 MiB`, `1000 bytes`.
fn size(n: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n.is_multiple_of(MIB) {
        format!("{} MiB", n / MIB)
    } else {
        format!("{n} bytes")
    }
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        ReadError::Io(e)
    }
}

/// Read `r` to its end, or fail once more than `limit` bytes have arrived. Never holds
/// more than `limit + 1` bytes, whatever `r` is.
pub fn read_to_end(r: impl Read, limit: u64) -> Result<Vec<u8>, ReadError> {
    let mut buf = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > limit {
        return Err(ReadError::TooLarge(TooLarge { limit }));
    }
    Ok(buf)
}

/// Open `path` and read it whole, bounded by `limit`.
pub fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    let file = std::fs::File::open(path)?;
    read_to_end(file, limit)
}

/// [`read_file`], then UTF-8 (an input that is not UTF-8 is an I/O error of kind
/// `InvalidData`, as `std::fs::read_to_string` reports it).
pub fn read_file_to_string(path: &Path, limit: u64) -> Result<String, ReadError> {
    let bytes = read_file(path, limit)?;
    String::from_utf8(bytes).map_err(|_| {
        ReadError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })
}

/// What a file that is not a regular file is, for messages ("a FIFO (named pipe)").
pub fn kind_of(meta: &std::fs::Metadata) -> &'static str {
    let t = meta.file_type();
    if t.is_dir() {
        return "a directory";
    }
    if t.is_symlink() {
        return "a symbolic link";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if t.is_char_device() {
            return "a character device";
        }
        if t.is_block_device() {
            return "a block device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if t.is_file() {
        "a regular file"
    } else {
        "not a regular file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_input_stops_one_byte_past_the_limit() {
        let err = read_to_end(io::repeat(0), 1000).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge(TooLarge { limit: 1000 })));
        assert!(err
            .describe("baseline x", "a baseline is a few MB")
            .contains("larger than 1000 bytes"));
    }

    #[test]
    fn an_input_at_the_limit_is_read() {
        let data = vec![b'a'; 1000];
        assert_eq!(read_to_end(&data[..], 1000).unwrap().len(), 1000);
        assert!(read_to_end(&data[..], 999).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn dev_zero_is_refused_without_growing() {
        let err = read_file(Path::new("/dev/zero"), 4096).unwrap_err();
        assert!(matches!(err, ReadError::TooLarge(_)));
    }
}

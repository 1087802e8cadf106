//! Writing files without losing bytes, widening permissions, or following a planted link.
//!
//! Two kinds of writes:
//! - [`replace`] (`--fix`): a config is rewritten through a temporary file and a rename.
//! - [`write_output`] (`-o FILE`, `baseline create FILE`): a report; a device, FIFO or
//!   socket is written directly, a regular file is replaced as above.
//!
//! What replacing a regular file does (docs/writing-files.md has the why and the limits):
//! - A symbolic link is followed to its final target; the target is replaced and the link
//!   stays a link.
//! - The temporary file is made in the target's folder with an unpredictable name,
//!   exclusively (`O_CREAT|O_EXCL`: a name planted beforehand, a symlink included, makes
//!   the creation fail instead of being followed), with the final mode from the start
//!   (the original's, narrowed by the umask until the rename), then given the original's
//!   exact mode and, where the kernel permits, its owner and group.
//! - A file with more than one hard link is refused: a rename would split the links, and
//!   writing in place could leave a torn file; the message says so.
//! - For `--fix`, the file is read back and compared with the text that was linted right
//!   before the rename; an edit that lands between that comparison and the rename (a few
//!   system calls) is the window that remains.

use std::fs::{File, Metadata};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Why a write was not done.
#[derive(Debug)]
pub enum WriteError {
    Io(io::Error),
    /// The file is not what it was when it was linted.
    Changed,
    /// Refused on purpose; the text says why.
    Refused(String),
}

impl std::fmt::Display for WriteError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WriteError::Io(e) => write!(f, "{e}"),
            WriteError::Changed => f.write_str("the file changed since it was read"),
            WriteError::Refused(why) => f.write_str(why),
        }
    }
}

impl From<io::Error> for WriteError {
    fn from(e: io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Most links followed before giving up (as the kernel's `ELOOP` limit).
const MAX_LINKS: usize = 40;

/// The file a path finally names: symbolic links followed one by one (a link's relative
/// target is relative to the link's folder). The last target need not exist.
pub fn resolve(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// Replace the config at `path` (through its symbolic links) with `text`, provided the
/// file still holds exactly `expected` right before the rename.
pub fn replace(path: &Path, text: &[u8], expected: &[u8]) -> Result<(), WriteError> {
    let target = resolve(path)?;
    let meta = std::fs::metadata(&target)?;
    if !meta.is_file() {
        return Err(WriteError::Refused(format!(
            "it is {}, not a regular file",
            crate::bounded::kind_of(&meta)
        )));
    }
    refuse_hard_links(&meta)?;
    replace_regular(&target, text, Some(&meta), None, Some(expected))
}

/// Write a report to `path`: devices, FIFOs and sockets directly; a regular file (new or
/// not) through a temporary file and a rename. `cap`: permission bits the report must not
/// exceed (the linted configs' own), on top of the umask for a new file and the old mode
/// for an existing one.
pub fn write_output(path: &Path, bytes: &[u8], cap: Option<u32>) -> Result<(), WriteError> {
    let target = resolve(path)?;
    match std::fs::metadata(&target) {
        Ok(meta) if meta.is_dir() => Err(WriteError::Refused("it is a directory".into())),
        Ok(meta) if !meta.is_file() => {
            // Never renamed over: `-o /dev/null` must stay the device.
            let mut f = std::fs::OpenOptions::new().write(true).open(&target)?;
            f.write_all(bytes)?;
            f.flush()?;
            Ok(())
        }
        Ok(meta) => {
            refuse_hard_links(&meta)?;
            replace_regular(&target, bytes, Some(&meta), cap, None)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            replace_regular(&target, bytes, None, cap, None)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(unix)]
fn refuse_hard_links(meta: &Metadata) -> Result<(), WriteError> {
    use std::os::unix::fs::MetadataExt;
    if meta.nlink() > 1 {
        return Err(WriteError::Refused(format!(
            "it has {} hard links; replacing it would split them and writing in place could leave it half written (remove the other links, or write elsewhere)",
            meta.nlink()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_hard_links(_: &Metadata) -> Result<(), WriteError> {
    Ok(())
}

/// The temporary file, rename and checks for a regular `target` (`old`: its metadata when
/// it exists).
fn replace_regular(
    target: &Path,
    bytes: &[u8],
    old: Option<&Metadata>,
    cap: Option<u32>,
    expected: Option<&[u8]>,
) -> Result<(), WriteError> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .ok_or_else(|| WriteError::Refused("it is not a file name".into()))?
        .to_string_lossy();
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".invokeai-lint");
    let mode = final_mode(old, cap);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode.unwrap_or(0o666)));
    }
    let mut tmp = builder.tempfile_in(dir)?;
    keep_owner_and_mode(tmp.as_file(), old, mode)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    if let Some(expected) = expected {
        // The last look before the rename: what is on disk must still be what was linted.
        if std::fs::read(target)? != expected {
            return Err(WriteError::Changed);
        }
    }
    tmp.persist(target).map_err(|e| WriteError::Io(e.error))?;
    sync_dir(dir);
    Ok(())
}

/// The mode the new file gets: an existing file's own (narrowed by `cap`); a new file the
/// umask's default (0666 minus the umask, which the kernel applies), narrowed by `cap`.
fn final_mode(old: Option<&Metadata>, cap: Option<u32>) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let base = old.map_or(0o666, |m| m.permissions().mode() & 0o7777);
        Some(cap.map_or(base, |c| base & c))
    }
    #[cfg(not(unix))]
    {
        let _ = (old, cap);
        None
    }
}

#[cfg(unix)]
fn keep_owner_and_mode(file: &File, old: Option<&Metadata>, mode: Option<u32>) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let Some(old) = old else {
        // A new file: the kernel already applied the umask to the mode asked for.
        return Ok(());
    };
    let fd = file.as_raw_fd();
    // SAFETY: `fd` is an open descriptor owned by `file` for the whole call.
    unsafe {
        // Owner and group where permitted (root, or a group the user is in); a refusal
        // leaves the new file the user's own, as any editor's save would.
        if libc::fchown(fd, old.uid(), old.gid()) != 0 {
            libc::fchown(fd, u32::MAX, old.gid());
        }
        // After the chown, which may clear set-id bits; the umask narrowed the creation
        // mode, so this only restores bits the original had.
        if let Some(mode) = mode {
            if libc::fchmod(fd, mode as libc::mode_t) != 0 {
                return Err(io::Error::last_os_error());
            }
        }
    }
    Ok(())
}

#[cfg(not(unix))]
fn keep_owner_and_mode(file: &File, old: Option<&Metadata>, _: Option<u32>) -> io::Result<()> {
    if let Some(old) = old {
        file.set_permissions(old.permissions())?;
    }
    Ok(())
}

/// Make the rename durable (best effort: some file systems refuse `fsync` on a folder).
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// The permission bits a report may have: those every named config on disk has (a report
/// quotes the configs it describes). None when no config is on disk (stdin).
pub fn cap_of<'a>(files: impl IntoIterator<Item = &'a str>) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mut cap: Option<u32> = None;
        for f in files {
            if let Ok(m) = std::fs::metadata(f) {
                let mode = m.permissions().mode() & 0o666;
                cap = Some(cap.map_or(mode, |c| c & mode));
            }
        }
        // The owner can always read and write the report made for them.
        cap.map(|c| c | 0o600)
    }
    #[cfg(not(unix))]
    {
        let _ = files.into_iter().count();
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn replacing_keeps_mode_and_the_link() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().join("real.yaml");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).unwrap();
        let link = t.path().join("invokeai.yaml");
        std::os::unix::fs::symlink("real.yaml", &link).unwrap();
        replace(&link, b"new", b"old").unwrap();
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(mode(&real), 0o600);
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 2);
    }

    #[test]
    fn a_changed_file_is_not_replaced() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("invokeai.yaml");
        std::fs::write(&p, "edited meanwhile").unwrap();
        assert!(matches!(
            replace(&p, b"new", b"old"),
            Err(WriteError::Changed)
        ));
        assert_eq!(std::fs::read(&p).unwrap(), b"edited meanwhile");
        assert_eq!(std::fs::read_dir(t.path()).unwrap().count(), 1);
    }

    #[test]
    fn hard_links_are_refused() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("invokeai.yaml");
        std::fs::write(&p, "old").unwrap();
        std::fs::hard_link(&p, t.path().join("other.yaml")).unwrap();
        let e = replace(&p, b"new", b"old").unwrap_err();
        assert!(e.to_string().contains("2 hard links"), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"old");
    }

    #[test]
    fn reports_are_capped_and_devices_written_directly() {
        let t = tempfile::tempdir().unwrap();
        let p = t.path().join("report.json");
        write_output(&p, b"{}", Some(0o600)).unwrap();
        assert_eq!(mode(&p), 0o600);
        write_output(Path::new("/dev/null"), b"x", None).unwrap();
        assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    }
}

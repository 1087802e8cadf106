//! Opening the files of a tree relative to their directory.
//!
//! `open("a/b/c/x.yaml")` makes the kernel look up every directory of the path again for
//! each file. The workers of a tree mostly take files from the folder they took the last
//! one from, so each keeps that folder open and opens the next file with `openat` on it:
//! one name to look up instead of the whole path (about a tenth of the cost of an
//! open + read + close on the benchmark tree).

use std::fs::File;
use std::io;
use std::path::Path;

/// Open `path` for reading, like `File::open`.
pub fn open(path: &Path) -> io::Result<File> {
    imp::open(path)
}

/// Give the calling thread a descriptor table of its own (Linux; elsewhere nothing).
///
/// Every open and close takes the lock of the process's descriptor table, and two workers
/// opening ten thousand files between them wait on each other for it (about 2 % of a
/// 10 000-file run on two cores). A worker only ever uses the descriptors it opens itself,
/// so it can have a private copy of the table. If the kernel refuses (a sandbox may block
/// `unshare`), the thread goes on with the shared one.
pub fn private_fd_table() {
    #[cfg(target_os = "linux")]
    // SAFETY: unshare(CLONE_FILES) only affects the calling thread's own descriptor table;
    // its result is deliberately ignored (failure leaves the table shared, as before).
    unsafe {
        libc::unshare(libc::CLONE_FILES);
    }
}

/// Close the folder this thread keeps open. A run calls this when it ends: the folder is
/// known by its path, and a folder renamed away and made anew between two runs in one
/// process (a test, an editor integration) must not be read through the old handle.
pub fn forget() {
    imp::forget();
}

#[cfg(unix)]
mod imp {
    use std::cell::RefCell;
    use std::ffi::CString;
    use std::fs::File;
    use std::io;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    use std::path::{Path, PathBuf};

    thread_local! {
        /// The folder this thread opened its last file in, kept open.
        static LAST_DIR: RefCell<Option<(PathBuf, OwnedFd)>> = const { RefCell::new(None) };
    }

    pub fn forget() {
        LAST_DIR.with(|last| last.borrow_mut().take());
    }

    pub fn open(path: &Path) -> io::Result<File> {
        // Split at the last `/` by bytes (`Path::parent` parses every component, per file).
        // A bare name is already one lookup from the working directory; a path ending in
        // `/`, `.` or `..` is left to the plain open.
        let bytes = path.as_os_str().as_bytes();
        let Some(slash) = memchr::memrchr(b'/', bytes) else {
            return File::open(path);
        };
        let (dir, name) = (&bytes[..slash], &bytes[slash + 1..]);
        if dir.is_empty() || matches!(name, b"" | b"." | b"..") {
            return File::open(path);
        }
        let dir = Path::new(std::ffi::OsStr::from_bytes(dir));
        let Ok(name) = CString::new(name) else {
            return File::open(path);
        };
        LAST_DIR.with(|last| {
            let mut last = last.borrow_mut();
            if last
                .as_ref()
                .is_none_or(|(d, _)| d.as_os_str().as_bytes() != dir.as_os_str().as_bytes())
            {
                *last = open_dir(dir).map(|fd| (dir.to_path_buf(), fd));
            }
            match last.as_ref() {
                Some((_, fd)) => openat(fd, &name),
                // The folder cannot be opened on its own (no read permission, say): the
                // plain open gives the file's own answer.
                None => File::open(path),
            }
        })
    }

    // O_PATH: only a handle to resolve names from, so a folder without read permission
    // (but with search permission) works as it does for a plain open.
    #[cfg(any(target_os = "linux", target_os = "android"))]
    const DIR_FLAGS: libc::c_int = libc::O_PATH | libc::O_DIRECTORY | libc::O_CLOEXEC;
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    const DIR_FLAGS: libc::c_int = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC;

    fn open_dir(dir: &Path) -> Option<OwnedFd> {
        let c = CString::new(dir.as_os_str().as_bytes()).ok()?;
        // SAFETY: `c` is a valid NUL-terminated string; the result is checked.
        let fd = unsafe { libc::open(c.as_ptr(), DIR_FLAGS) };
        // SAFETY: a non-negative return is a new descriptor that nothing else owns.
        (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd) })
    }

    fn openat(dir: &OwnedFd, name: &CString) -> io::Result<File> {
        // SAFETY: `dir` is an open descriptor and `name` a valid NUL-terminated string;
        // the result is checked.
        let fd = unsafe {
            libc::openat(
                dir.as_raw_fd(),
                name.as_ptr(),
                libc::O_RDONLY | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: a non-negative return is a new descriptor that nothing else owns.
        Ok(File::from(unsafe { OwnedFd::from_raw_fd(fd) }))
    }
}

#[cfg(not(unix))]
mod imp {
    use std::fs::File;
    use std::io;
    use std::path::Path;

    pub fn open(path: &Path) -> io::Result<File> {
        File::open(path)
    }

    pub fn forget() {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn read(p: &Path) -> io::Result<String> {
        let mut s = String::new();
        open(p)?.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn opens_files_across_folders_like_file_open() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        let b = t.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(a.join("x.yaml"), "ax").unwrap();
        std::fs::write(a.join("y.yaml"), "ay").unwrap();
        std::fs::write(b.join("x.yaml"), "bx").unwrap();
        // Same folder twice, then another, then back: the kept folder must follow.
        assert_eq!(read(&a.join("x.yaml")).unwrap(), "ax");
        assert_eq!(read(&a.join("y.yaml")).unwrap(), "ay");
        assert_eq!(read(&b.join("x.yaml")).unwrap(), "bx");
        assert_eq!(read(&a.join("x.yaml")).unwrap(), "ax");
        // Dot parts and `..` resolve as a plain open resolves them.
        assert_eq!(read(&t.path().join("a/./y.yaml")).unwrap(), "ay");
        assert_eq!(read(&t.path().join("b/../a/x.yaml")).unwrap(), "ax");
        assert!(
            open(&a.join(".")).is_ok(),
            "a folder opens as with File::open"
        );
        let missing = open(&a.join("nope.yaml")).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
        let no_dir = open(&t.path().join("gone/x.yaml")).unwrap_err();
        assert_eq!(no_dir.kind(), io::ErrorKind::NotFound);
    }

    #[test]
    fn after_forget_a_folder_made_anew_under_the_same_name_is_read() {
        let t = tempfile::tempdir().unwrap();
        let a = t.path().join("a");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::write(a.join("x.yaml"), "old").unwrap();
        assert_eq!(read(&a.join("x.yaml")).unwrap(), "old");
        std::fs::rename(&a, t.path().join("a-old")).unwrap();
        std::fs::create_dir_all(&a).unwrap();
        std::fs::write(a.join("x.yaml"), "new").unwrap();
        forget();
        assert_eq!(read(&a.join("x.yaml")).unwrap(), "new");
    }
}

// Linting a tree makes many small, short-lived allocations on every core; mimalloc's
// per-thread heaps avoid glibc's arena locks and the page faults of its heap growth.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    restore_sigpipe();
    std::process::exit(invokeai_lint::cli::main());
}

/// Rust ignores SIGPIPE, so `invokeai-lint rules | head` would fail on a closed pipe with a
/// panic from `println!`. Restore the default so it ends quietly, like grep or cat.
#[cfg(unix)]
fn restore_sigpipe() {
    // SAFETY: called once at start-up before any thread exists; SIG_DFL is a valid handler.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

#[cfg(not(unix))]
fn restore_sigpipe() {}

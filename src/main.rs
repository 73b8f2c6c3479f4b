//! The `seenty-keys` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    // Before anything is read: an argument or the first line of input may be a key.
    seenty_keys::forbid_core_dumps();
    std::process::ExitCode::from(seenty_keys::run(std::env::args_os()))
}

//! The `seenty-keys` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(seenty_keys::run(std::env::args_os()))
}

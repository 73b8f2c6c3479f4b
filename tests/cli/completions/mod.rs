//! The shipped completion scripts (`completions/`) in real shells. Each shell has its own
//! way of asking what Tab would offer (a module per shell); what the tests do with the
//! answer is here, once: a [`Shell`] completes a line, and asserts on what it offered.

mod bash;
mod fish;
mod zsh;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The committed file `completions/<name>`, or the directory with `""`.
fn shipped(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(name)
}

/// Runs a shell to completion, failing the test (with `what` and the shell's stderr)
/// unless it exits 0; its stdout.
fn run(shell: &mut Command, what: &str) -> String {
    let out = shell.output().expect("the shell runs");
    assert!(
        out.status.success(),
        "{what} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A shell, by what `LINE<Tab>` offers in it with the shipped script loaded.
struct Shell {
    name: &'static str,
    complete: fn(&str) -> Vec<String>,
}

impl Shell {
    fn complete(&self, line: &str) -> Vec<String> {
        (self.complete)(line)
    }

    #[track_caller]
    fn assert_offers(&self, line: &str, expected: &[&str]) {
        let offered = self.complete(line);
        for word in expected {
            assert!(
                offered.iter().any(|o| o == word),
                "`{line}<Tab>` should offer {word:?}; {} offered {offered:?}",
                self.name
            );
        }
    }

    /// `seenty-keys <Tab>` offers `visible`, and no hidden command.
    #[track_caller]
    fn assert_hidden_commands_not_offered(&self, visible: &str) {
        let offered = self.complete("seenty-keys ");
        assert!(offered.iter().any(|o| o == visible), "{offered:?}");
        assert!(
            !offered.iter().any(|o| o.contains("assets")),
            "a hidden command is offered: {offered:?}"
        );
    }
}

//! The shipped bash script in a real bash, as bash-completion runs it: source the script,
//! set COMP_WORDS and COMP_CWORD, call the function `complete -p seenty-keys` names, and
//! read COMPREPLY. This is where clap's hyphenated-name trap (issues 6421, 6529) shows.

use std::path::{Path, PathBuf};
use std::process::Command;

use seenty_keys::assets;

use super::{Shell, run, shipped};
use crate::common::skip_or_fail;

const BASH: Shell = Shell {
    name: "bash",
    complete,
};

const BASH_COMPLETION: &str = "/usr/share/bash-completion/bash_completion";

/// Completes the words given after the script path, the last one being the word under
/// the cursor, and prints COMPREPLY one per line. `$LOAD` says how the completion gets
/// defined: `source` the script, or let bash-completion's loader find it by name.
const DRIVER: &str = r#"
if [ -r "$BASH_COMPLETION" ]; then . "$BASH_COMPLETION"; fi
script=$1; shift
case $LOAD in
  source) . "$script" ;;
  loader) __load_completion seenty-keys || exit 5 ;;
esac
spec=$(complete -p seenty-keys) || exit 4
fn=${spec#*-F }; fn=${fn%% *}
COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 ))
COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
prev=""
if (( COMP_CWORD > 0 )); then prev=${COMP_WORDS[COMP_CWORD-1]}; fi
"$fn" "${COMP_WORDS[0]}" "${COMP_WORDS[COMP_CWORD]}" "$prev"
printf '%s\n' "${COMPREPLY[@]}"
"#;

fn shipped_script() -> PathBuf {
    shipped("seenty-keys.bash")
}

/// The words of `line`; a trailing space starts a new, empty word, as at a real prompt.
fn words(line: &str) -> Vec<String> {
    let mut words: Vec<String> = line.split_whitespace().map(str::to_owned).collect();
    if line.ends_with(' ') {
        words.push(String::new());
    }
    words
}

fn run_driver(script: &Path, line: &str, load: &str, xdg_data_home: Option<&Path>) -> Vec<String> {
    let mut bash = Command::new("bash");
    bash.arg("--norc")
        .arg("-c")
        .arg(DRIVER)
        .arg("bash")
        .arg(script)
        .args(words(line))
        .env("LOAD", load)
        .env("BASH_COMPLETION", BASH_COMPLETION)
        .env_remove("BASH_ENV")
        .env_remove("BASH_COMPLETION_USER_DIR");
    if let Some(dir) = xdg_data_home {
        bash.env("XDG_DATA_HOME", dir);
    }
    run(&mut bash, &format!("completing {line:?}"))
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn complete(line: &str) -> Vec<String> {
    run_driver(&shipped_script(), line, "source", None)
}

#[test]
fn subcommand_names_complete() {
    assert_eq!(complete("seenty-keys ge"), ["generate"]);
    assert_eq!(complete("seenty-keys rev"), ["revoke"]);
}

#[test]
fn options_complete_after_a_subcommand() {
    BASH.assert_offers("seenty-keys revoke --", &["--yes", "--reason", "--db"]);
    BASH.assert_offers(
        "seenty-keys generate --",
        &["--expires", "--name", "--json"],
    );
    assert_eq!(complete("seenty-keys generate --exp"), ["--expires"]);
}

#[test]
fn values_complete() {
    BASH.assert_offers(
        "seenty-keys completions ",
        &["bash", "zsh", "fish", "elvish", "powershell"],
    );
    BASH.assert_offers("seenty-keys --color ", &["auto", "always", "never"]);
    BASH.assert_offers(
        "seenty-keys list --status ",
        &["active", "revoked", "expired"],
    );
}

#[test]
fn nested_and_hyphenated_subcommands_complete() {
    BASH.assert_offers("seenty-keys org ", &["create", "list", "set-plan", "use"]);
    BASH.assert_offers(
        "seenty-keys org set-plan ",
        &["starter", "pro", "enterprise"],
    );
    assert_eq!(complete("seenty-keys org set-plan --y"), ["--yes"]);
    BASH.assert_offers("seenty-keys org create acme --plan ", &["hobby", "ultra"]);
}

#[test]
fn hidden_commands_are_not_offered() {
    BASH.assert_hidden_commands_not_offered("generate");
}

/// Installed as the README says, bash-completion's on-demand loader finds the script by
/// the command's name and it completes the same.
#[test]
fn bash_completion_loads_the_installed_script() {
    if !Path::new(BASH_COMPLETION).exists() {
        skip_or_fail("bash-completion");
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let dir = data.path().join("bash-completion/completions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(shipped_script(), dir.join("seenty-keys")).unwrap();
    let offered = run_driver(
        &shipped_script(),
        "seenty-keys revoke --",
        "loader",
        Some(data.path()),
    );
    assert!(offered.iter().any(|o| o == "--yes"), "{offered:?}");
}

/// The trap is real: clap_complete's own script for this binary completes nothing after
/// a subcommand. If this fails, clap fixed it and `bash_completion` in src/assets.rs can
/// go back to plain generation.
#[test]
fn clap_complete_alone_falls_into_the_hyphen_trap() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.bash");
    let mut script = Vec::new();
    clap_complete::generate(
        clap_complete::Shell::Bash,
        &mut assets::completion_command(),
        assets::BIN_NAME,
        &mut script,
    );
    std::fs::write(&raw, script).unwrap();
    assert_eq!(
        run_driver(&raw, "seenty-keys ge", "source", None),
        ["generate"]
    );
    assert_eq!(
        run_driver(&raw, "seenty-keys generate --", "source", None),
        Vec::<String>::new(),
        "clap_complete no longer has the hyphen bug: drop the workaround in src/assets.rs"
    );
}

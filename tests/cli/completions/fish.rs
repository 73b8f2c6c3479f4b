//! The shipped fish script in a real fish: `complete -C "LINE"` prints what Tab would
//! offer, one candidate per line, a tab before its description.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{Shell, run, shipped};
use crate::common;

const FISH: Shell = Shell {
    name: "fish",
    complete,
};

fn shipped_script() -> PathBuf {
    shipped("seenty-keys.fish")
}

/// Runs `fish -c COMMAND` with its config and data directories in `home`, so neither
/// the user's config nor a universal variable gets in the way.
fn fish(home: &Path, command: &str, args: &[&str], path_prefix: Option<&Path>) -> Vec<String> {
    let mut fish = Command::new("fish");
    fish.arg("-c")
        .arg(command)
        .args(args)
        .current_dir(home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CACHE_HOME", home.join("cache"));
    if let Some(dir) = path_prefix {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let paths = std::iter::once(dir.to_owned()).chain(std::env::split_paths(&path));
        fish.env("PATH", std::env::join_paths(paths).unwrap());
    }
    run(&mut fish, &format!("fish -c {command:?}"))
        .lines()
        .map(|line| line.split('\t').next().unwrap_or_default().to_owned())
        .collect()
}

/// What `LINE<Tab>` offers with the shipped script sourced.
fn complete(line: &str) -> Vec<String> {
    let home = tempfile::tempdir().unwrap();
    let script = shipped_script();
    let command = "source $argv[1]; complete -C $argv[2]";
    fish(
        home.path(),
        command,
        &[script.to_str().unwrap(), line],
        None,
    )
}

#[test]
fn subcommands_options_and_values_complete() {
    if !common::tool_available("fish") {
        return;
    }
    assert_eq!(complete("seenty-keys ge"), ["generate"]);
    FISH.assert_offers("seenty-keys revoke --", &["--yes", "--reason"]);
    FISH.assert_offers("seenty-keys generate --", &["--expires", "--name"]);
    FISH.assert_offers("seenty-keys org ", &["create", "set-plan", "use"]);
    FISH.assert_offers(
        "seenty-keys list --status ",
        &["active", "revoked", "expired"],
    );
    FISH.assert_offers("seenty-keys org set-plan --", &["--yes"]);
}

/// clap_complete's fish script completes no positional values and loses a top-level
/// option's values; src/assets.rs adds them back.
#[test]
fn positional_and_top_level_values_complete() {
    if !common::tool_available("fish") {
        return;
    }
    let shells = ["bash", "elvish", "fish", "powershell", "zsh"];
    assert_eq!(complete("seenty-keys completions "), shells);
    FISH.assert_offers("seenty-keys org set-plan ", &["hobby", "starter", "pro"]);
    FISH.assert_offers("seenty-keys --color ", &["auto", "always", "never"]);
    FISH.assert_offers("seenty-keys --color never ge", &["generate"]);
}

#[test]
fn hidden_commands_are_not_offered() {
    if !common::tool_available("fish") {
        return;
    }
    FISH.assert_hidden_commands_not_offered("generate");
}

/// Installed as the README says, fish autoloads the script when the command is on PATH.
#[test]
fn fish_autoloads_the_installed_script() {
    if !common::tool_available("fish") {
        return;
    }
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("config/fish/completions");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(shipped_script(), dir.join("seenty-keys.fish")).unwrap();
    let bin_dir = Path::new(common::BIN).parent().unwrap();
    let offered = fish(
        home.path(),
        "complete -C $argv[1]",
        &["seenty-keys revoke --"],
        Some(bin_dir),
    );
    assert!(offered.iter().any(|o| o == "--yes"), "{offered:?}");
}

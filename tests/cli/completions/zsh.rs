//! The shipped zsh script in a real, interactive zsh: a driver zsh starts it on a
//! pseudo-terminal (zpty), installs `completions/` in `fpath` as the README says, runs
//! compinit, types a line and a Tab, and records every match the completion system adds.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use super::{Shell, run, shipped};
use crate::common;

const ZSH: Shell = Shell {
    name: "zsh",
    complete,
};

fn completions_dir() -> PathBuf {
    shipped("")
}

/// Sourced by the interactive zsh. `compadd` is wrapped to append each match it is
/// given (after zsh's own matching against the word) to $OUT; a marker line follows
/// once completion is over. `$READY` appears when the line editor waits for input.
const SETUP: &str = r#"
PS1='> '
fpath=("$COMPLETIONS" $fpath)
autoload -Uz compinit && compinit -C -d "$DUMP"
compadd() {
  # Calls that only collect or describe (-O, -A, -D) are not matches yet.
  if [[ " ${@[1,(i)(-|--)]} " == *' '-[OAD]* ]]; then
    builtin compadd "$@"; return
  fi
  local -a __matches
  builtin compadd -O __matches "$@"
  (( $#__matches )) && print -rl -- $__matches >> "$OUT"
  builtin compadd "$@"
}
_capture_done() { print -r -- '--done--' >> "$OUT" }
comppostfuncs=(_capture_done)
zle-line-init() { [[ -e "$READY" ]] || : > "$READY" }
zle -N zle-line-init
"#;

/// Runs in a non-interactive zsh: starts the interactive one, waits (5 s at most) for
/// its prompt, types the line and a Tab, and waits for the completion to finish.
const DRIVER: &str = r#"
zmodload zsh/zpty zsh/zselect || exit 3
zpty shell env COMPLETIONS="$COMPLETIONS" DUMP="$DUMP" OUT="$OUT" READY="$READY" zsh -f -i
zpty -w shell ". ${(q)WORK}/setup.zsh"
for i in {1..250}; do [[ -e $READY ]] && break; zselect -t 2; done
zpty -w -n shell "$1"$'\t'
for i in {1..250}; do grep -qx -- --done-- $OUT 2>/dev/null && break; zselect -t 2; done
zpty -d shell
grep -qx -- --done-- $OUT || { print -u2 "no completion finished within 5 s"; exit 4 }
"#;

/// compinit's dump of the completion functions, `completions/` included, made once:
/// building it takes most of a second, loading it with `compinit -C` a few milliseconds.
fn compinit_dump() -> &'static Path {
    static DUMP: OnceLock<PathBuf> = OnceLock::new();
    DUMP.get_or_init(|| {
        let dump = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("zcompdump-{}", std::process::id()));
        let made = Command::new("zsh")
            .arg("-f")
            .arg("-c")
            .arg(
                r#"fpath=("$COMPLETIONS" $fpath); autoload -Uz compinit && compinit -u -d "$DUMP""#,
            )
            .env("COMPLETIONS", completions_dir())
            .env("DUMP", &dump)
            .status()
            .expect("zsh runs");
        assert!(made.success() && dump.exists(), "compinit made no dump");
        dump
    })
}

/// What `LINE<Tab>` offers, in the order zsh was given them, without repeats.
fn complete(line: &str) -> Vec<String> {
    let dump = compinit_dump();
    let work = tempfile::tempdir().unwrap();
    std::fs::write(work.path().join("setup.zsh"), SETUP).unwrap();
    let out = work.path().join("matches");
    run(
        Command::new("zsh")
            .arg("-f")
            .arg("-c")
            .arg(DRIVER)
            .arg("zsh")
            .arg(line)
            .env("COMPLETIONS", completions_dir())
            .env("WORK", work.path())
            .env("DUMP", dump)
            .env("OUT", &out)
            .env("READY", work.path().join("ready")),
        &format!("completing {line:?} in zsh"),
    );
    let mut matches: Vec<String> = Vec::new();
    for m in std::fs::read_to_string(&out).unwrap().lines() {
        if m != "--done--" && !matches.iter().any(|seen| seen == m) {
            matches.push(m.to_owned());
        }
    }
    matches
}

#[test]
fn subcommand_names_complete() {
    if !common::tool_available("zsh") {
        return;
    }
    assert_eq!(complete("seenty-keys ge"), ["generate"]);
    ZSH.assert_hidden_commands_not_offered("org");
}

#[test]
fn options_complete_after_a_subcommand() {
    if !common::tool_available("zsh") {
        return;
    }
    ZSH.assert_offers("seenty-keys revoke --", &["--yes", "--reason"]);
    ZSH.assert_offers("seenty-keys generate --", &["--expires", "--name"]);
}

#[test]
fn values_and_nested_subcommands_complete() {
    if !common::tool_available("zsh") {
        return;
    }
    assert_eq!(
        complete("seenty-keys completions "),
        ["bash", "elvish", "fish", "powershell", "zsh"]
    );
    ZSH.assert_offers("seenty-keys org ", &["create", "set-plan", "use"]);
    ZSH.assert_offers(
        "seenty-keys org set-plan ",
        &["hobby", "starter", "enterprise"],
    );
}

/// `zsh -n` parses the script, and it is a compsys function for the right command.
#[test]
fn script_parses_and_defines_the_completion_function() {
    if !common::tool_available("zsh") {
        return;
    }
    let script = completions_dir().join("_seenty-keys");
    let check = Command::new("zsh").arg("-n").arg(&script).output().unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let text = std::fs::read_to_string(&script).unwrap();
    assert!(
        text.starts_with("#compdef seenty-keys\n"),
        "{}",
        &text[..40]
    );
    assert!(text.contains("_seenty-keys() {"));
    assert!(text.contains("_seenty-keys_commands() {"));
}

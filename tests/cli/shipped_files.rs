//! The committed `completions/` and `man/` are exactly what the clap definition
//! generates now, and the commands that print or write them agree with the library.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::CommandFactory;
use seenty_keys::assets::{self, Asset};
use seenty_keys::cli::{Opts, full_command};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn bin() -> Command {
    let mut cmd = Command::new(crate::common::BIN);
    cmd.env_remove("SEENTY_KEYS_DB").env_remove("SEENTY_ORG");
    cmd
}

/// What is wrong with `dir` against `expected`: files that differ, are missing, or are
/// no longer generated.
fn differences(dir: &Path, expected: &[Asset]) -> Vec<String> {
    let mut problems = Vec::new();
    for asset in expected {
        match std::fs::read(dir.join(&asset.path)) {
            Ok(found) if found == asset.contents => {}
            Ok(found) => problems.push(format!(
                "{} differs{}",
                asset.path.display(),
                first_difference(&found, &asset.contents)
            )),
            Err(e) => problems.push(format!("{} is missing ({e})", asset.path.display())),
        }
    }
    for sub in [assets::COMPLETIONS_DIR, assets::MAN_DIR] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = Path::new(sub).join(entry.unwrap().file_name());
            if !expected.iter().any(|a| a.path == path) {
                problems.push(format!("{} is no longer generated", path.display()));
            }
        }
    }
    problems
}

fn first_difference(found: &[u8], wanted: &[u8]) -> String {
    let found = String::from_utf8_lossy(found);
    let wanted = String::from_utf8_lossy(wanted);
    let mut lines = found.lines().zip(wanted.lines()).enumerate();
    match lines.find(|(_, (f, w))| f != w) {
        Some((n, (f, w))) => format!(
            " at line {}:\n      committed: {f}\n      generated: {w}",
            n + 1
        ),
        None => " in length".to_owned(),
    }
}

#[test]
fn committed_completions_and_man_pages_are_current() {
    let problems = differences(repo(), &assets::all());
    assert!(
        problems.is_empty(),
        "completions/ and man/ do not match the clap definition:\n  - {}\n\
         Regenerate them with: {}",
        problems.join("\n  - "),
        assets::REGENERATE
    );
}

#[test]
fn generation_is_reproducible() {
    assert_eq!(assets::all(), assets::all());
    let page = String::from_utf8(assets::all().pop().unwrap().contents).unwrap();
    assert!(page.contains(assets::MAN_DATE), "{page}");
}

#[test]
fn completions_command_prints_the_shipped_scripts() {
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let name = clap_complete::Generator::file_name(
            &shell.parse::<clap_complete::Shell>().unwrap(),
            assets::BIN_NAME,
        );
        let shipped = std::fs::read(repo().join("completions").join(&name)).unwrap();
        assert!(
            out.stdout == shipped,
            "`completions {shell}` differs from completions/{name}"
        );
    }
    let bad = bin().args(["completions", "tcsh"]).output().unwrap();
    assert_eq!(
        bad.status.code(),
        Some(2),
        "an unknown shell is a usage error"
    );
}

/// The hidden command writes exactly the generated set, removes a page of a command
/// that is gone, and leaves other files alone.
#[test]
fn generate_assets_writes_the_whole_set() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("man")).unwrap();
    std::fs::write(dir.path().join("man/seenty-keys-gone.1"), "old").unwrap();
    std::fs::write(dir.path().join("man/notes.txt"), "mine").unwrap();
    let out = bin()
        .args(["generate-assets", "--out-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!dir.path().join("man/seenty-keys-gone.1").exists());
    std::fs::remove_file(dir.path().join("man/notes.txt")).unwrap();
    assert_eq!(
        differences(dir.path(), &assets::all()),
        Vec::<String>::new()
    );
    let listed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(listed.lines().count(), assets::all().len());
}

#[test]
fn the_maintainer_command_is_hidden() {
    let help = bin().arg("--help").output().unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(help.contains("completions"), "{help}");
    assert!(!help.contains("generate-assets"), "{help}");
    for asset in assets::all() {
        let text = String::from_utf8_lossy(&asset.contents);
        assert!(
            !text.contains("generate-assets"),
            "{} mentions it",
            asset.path.display()
        );
    }
}

/// The root that completions are generated from (hidden subcommands left out) must
/// otherwise be the real one: same help for it and for every command under it.
#[test]
fn completion_root_matches_the_real_command_line() {
    fn helps(cmd: &mut clap::Command, path: PathBuf, out: &mut Vec<(PathBuf, String)>) {
        out.push((path.clone(), cmd.render_long_help().to_string()));
        let names: Vec<String> = cmd
            .get_subcommands()
            .filter(|sub| !sub.is_hide_set())
            .map(|sub| sub.get_name().to_owned())
            .collect();
        for name in names {
            let sub = cmd.find_subcommand_mut(&name).unwrap();
            helps(sub, path.join(&name), out);
        }
    }
    let (mut real, mut completed) = (Vec::new(), Vec::new());
    let mut full = full_command().term_width(100);
    full.build();
    helps(&mut full, PathBuf::new(), &mut real);
    let mut root = assets::completion_command().term_width(100);
    root.build();
    helps(&mut root, PathBuf::new(), &mut completed);
    assert_eq!(real.len(), completed.len());
    for ((path, want), (_, got)) in real.iter().zip(&completed) {
        assert_eq!(got, want, "help of {path:?} differs");
    }
}

/// The command line as parsed adds each subcommand's arguments only when it runs
/// (`cli::Deferred`): `-h` and `--help` at every path print what the full tree prints.
#[test]
fn deferred_arguments_leave_every_help_unchanged() {
    fn paths(cmd: &clap::Command, path: &[String], out: &mut Vec<Vec<String>>) {
        out.push(path.to_vec());
        for sub in cmd.get_subcommands() {
            let mut longer = path.to_vec();
            longer.push(sub.get_name().to_owned());
            paths(sub, &longer, out);
        }
    }
    fn shown(cmd: clap::Command, path: &[String], flag: &str) -> String {
        let args = std::iter::once("seenty-keys")
            .chain(path.iter().map(String::as_str))
            .chain([flag]);
        let stop = cmd
            .term_width(100)
            .try_get_matches_from(args)
            .expect_err("help stops the parse");
        assert_eq!(stop.kind(), clap::error::ErrorKind::DisplayHelp);
        stop.render().to_string()
    }
    let mut all = Vec::new();
    paths(&full_command(), &[], &mut all);
    assert!(all.len() > 15, "{all:?}");
    for path in &all {
        for flag in ["-h", "--help"] {
            assert_eq!(
                shown(Opts::command(), path, flag),
                shown(full_command(), path, flag),
                "{flag} of {path:?} differs"
            );
        }
    }
}

/// Elvish and PowerShell are not run here; at least each script registers itself for
/// the real command name (the hyphen is where generators go wrong).
#[test]
fn every_script_registers_for_the_command_name() {
    for (file, registration) in [
        (
            "seenty-keys.bash",
            "complete -F _seenty_keys -o nosort -o bashdefault -o default seenty-keys\n",
        ),
        ("_seenty-keys", "#compdef seenty-keys\n"),
        ("seenty-keys.fish", "complete -c seenty-keys -n "),
        (
            "seenty-keys.elv",
            "set edit:completion:arg-completer[seenty-keys] = ",
        ),
        (
            "_seenty-keys.ps1",
            "Register-ArgumentCompleter -Native -CommandName 'seenty-keys' ",
        ),
    ] {
        let text = std::fs::read_to_string(repo().join("completions").join(file)).unwrap();
        assert!(text.contains(registration), "{file} lacks {registration:?}");
    }
}

//! The shipped files: shell completion scripts and man pages, generated from
//! the clap definition in [`crate::cli`].
//!
//! The program generates them (`seenty-keys generate-assets`), not build.rs, so they are
//! committed, reviewed as diffs, and checked by a test that regenerates them in memory.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap_complete::{Generator, Shell};
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, italic, roman};

use crate::cli::full_command;
use crate::error::{Error, Result};

pub const BIN_NAME: &str = "seenty-keys";

/// The command that refreshes `completions/` and `man/` after the clap definition changes.
pub const REGENERATE: &str = "cargo run -- generate-assets --out-dir .";

/// The date on every page, fixed so that regenerating is reproducible byte for byte.
/// Move it when the pages change in substance.
pub const MAN_DATE: &str = "2026-11-26";

pub const SHELLS: [Shell; 5] = [
    Shell::Bash,
    Shell::Zsh,
    Shell::Fish,
    Shell::Elvish,
    Shell::PowerShell,
];

pub const COMPLETIONS_DIR: &str = "completions";
pub const MAN_DIR: &str = "man";

/// One generated file: its path under the output directory, and its contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    pub path: PathBuf,
    pub contents: Vec<u8>,
}

/// Every shipped file, completions first, in a stable order.
pub fn all() -> Vec<Asset> {
    let scripts = SHELLS.into_iter().map(|shell| Asset {
        path: Path::new(COMPLETIONS_DIR).join(shell.file_name(BIN_NAME)),
        contents: completion(shell),
    });
    scripts.chain(man_pages()).collect()
}

/// Writes [`all`] under `dir`, and removes pages of commands that no longer exist, so
/// that `dir` ends up exactly as generated. Returns the paths written.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>> {
    let io_error = |path: &Path| {
        let what = format!("writing {}", path.display());
        move |source| Error::Io { what, source }
    };
    let assets = all();
    for sub in [COMPLETIONS_DIR, MAN_DIR] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
    }
    let man_dir = dir.join(MAN_DIR);
    for stale in stale_pages(&man_dir, &assets).map_err(io_error(&man_dir))? {
        std::fs::remove_file(&stale).map_err(io_error(&stale))?;
    }
    let mut written = Vec::with_capacity(assets.len());
    for asset in assets {
        let path = dir.join(&asset.path);
        std::fs::write(&path, &asset.contents).map_err(io_error(&path))?;
        written.push(path);
    }
    Ok(written)
}

/// Our own pages in `man_dir` that [`all`] no longer produces; nothing else is touched.
fn stale_pages(man_dir: &Path, assets: &[Asset]) -> io::Result<Vec<PathBuf>> {
    let mut stale = Vec::new();
    for entry in std::fs::read_dir(man_dir)? {
        let path = entry?.path();
        let ours = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|name| name.starts_with(BIN_NAME) && name.ends_with(".1"));
        let current = assets.iter().any(|a| path.ends_with(&a.path));
        if ours && !current {
            stale.push(path);
        }
    }
    Ok(stale)
}

/// The completion script for `shell`, as `seenty-keys completions SHELL` prints it.
pub fn completion(shell: Shell) -> Vec<u8> {
    if shell == Shell::Bash {
        return bash_completion();
    }
    if shell == Shell::Fish {
        return fish_completion();
    }
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut completion_command(), BIN_NAME, &mut script);
    script
}

/// clap_complete's bash script spells a hyphenated binary's state two ways (the loop
/// that reads the words says `seenty__keys__subcmd__generate`, the `case` arms
/// `seenty__subcmd__keys__subcmd__generate`), so nothing completes after a subcommand
/// (clap issues 6421, 6529). Generating for a hyphen-free stand-in keeps both spellings
/// equal; only the `complete` lines then register the function for the real name.
fn bash_completion() -> Vec<u8> {
    const STAND_IN: &str = "seenty_keys";
    let mut raw = Vec::new();
    clap_complete::generate(Shell::Bash, &mut completion_command(), STAND_IN, &mut raw);
    let script = String::from_utf8_lossy(&raw);
    let stand_in_word = format!(" {STAND_IN}");
    let mut fixed = String::with_capacity(script.len());
    for line in script.lines() {
        match line.strip_suffix(&stand_in_word) {
            Some(head) if line.trim_start().starts_with("complete ") => {
                fixed.push_str(head);
                fixed.push(' ');
                fixed.push_str(BIN_NAME);
            }
            _ => fixed.push_str(line),
        }
        fixed.push('\n');
    }
    fixed.into_bytes()
}

/// clap_complete's fish script has two gaps (clap issue 6295 and its neighbour):
/// - it completes no positional values (`completions SHELL`, `org set-plan PLAN`), so a
///   line is added for each, under the conditions the generated lines use;
/// - its "needs a subcommand" guard fails while a top-level option still waits for its
///   value (`seenty-keys --color <Tab>`), which hides that option's values; an unparsable
///   line now counts as "no subcommand yet".
fn fish_completion() -> Vec<u8> {
    let mut raw = Vec::new();
    clap_complete::generate(Shell::Fish, &mut completion_command(), BIN_NAME, &mut raw);
    let guard = "2>/dev/null\n    or return\n";
    let mut script =
        String::from_utf8_lossy(&raw).replacen(guard, "2>/dev/null\n    or return 0\n", 1);
    fish_positional_values(&completion_command(), &mut Vec::new(), &mut script);
    script.into_bytes()
}

/// Appends a `complete` line for each positional argument with a fixed set of values.
fn fish_positional_values(cmd: &clap::Command, path: &mut Vec<String>, out: &mut String) {
    let using = format!("__fish_{}_using_subcommand", BIN_NAME.replace('-', "_"));
    for sub in cmd.get_subcommands() {
        for name in sub.get_name_and_visible_aliases() {
            path.push(name.to_owned());
            let condition = match path.as_slice() {
                [command] => Some(format!("{using} {command}")),
                [command, sub] => Some(format!(
                    "{using} {command}; and __fish_seen_subcommand_from {sub}"
                )),
                _ => None,
            };
            if let Some(condition) = condition {
                for positional in sub.get_positionals() {
                    let values: Vec<String> = positional
                        .get_possible_values()
                        .iter()
                        .filter(|value| !value.is_hide_set())
                        .map(|value| value.get_name().to_owned())
                        .collect();
                    if !values.is_empty() {
                        out.push_str(&format!(
                            "complete -c {BIN_NAME} -n \"{condition}\" -f -a \"{}\"\n",
                            values.join(" ")
                        ));
                    }
                }
                fish_positional_values(sub, path, out);
            }
            path.pop();
        }
    }
}

/// The command line as completions offer it: clap_complete includes hidden subcommands,
/// so the root is rebuilt without them (a test checks it matches the real one otherwise).
pub fn completion_command() -> clap::Command {
    let full = full_command();
    let visible: Vec<clap::Command> = full
        .get_subcommands()
        .filter(|sub| !sub.is_hide_set())
        .cloned()
        .collect();
    let mut root = clap::Command::new(BIN_NAME)
        .version(env!("CARGO_PKG_VERSION"))
        .subcommand_required(full.is_subcommand_required_set())
        .arg_required_else_help(full.is_arg_required_else_help_set())
        .args(full.get_arguments().cloned())
        .subcommands(visible);
    if let Some(about) = full.get_about() {
        root = root.about(about.clone());
    }
    if let Some(about) = full.get_long_about() {
        root = root.long_about(about.clone());
    }
    if let Some(help) = full.get_after_help() {
        root = root.after_help(help.clone());
    }
    root
}

/// A page per command (`seenty-keys.1`, `seenty-keys-org-create.1`, …), hidden ones
/// and `help` left out.
pub fn man_pages() -> Vec<Asset> {
    let mut root = full_command().disable_help_subcommand(true);
    root.build();
    let mut pages = vec![page(&root, root_page(&root))];
    let mut parents = vec![root.clone()];
    collect_sub_pages(&root, &mut parents, &mut pages);
    pages
}

fn collect_sub_pages(cmd: &clap::Command, parents: &mut Vec<clap::Command>, out: &mut Vec<Asset>) {
    for sub in cmd.get_subcommands().filter(|sub| !sub.is_hide_set()) {
        out.push(page(sub, sub_page(sub, parents)));
        parents.push(sub.clone());
        collect_sub_pages(sub, parents, out);
        parents.pop();
    }
}

fn page(cmd: &clap::Command, contents: Vec<u8>) -> Asset {
    Asset {
        path: Path::new(MAN_DIR).join(man(cmd).get_filename()),
        contents,
    }
}

fn man(cmd: &clap::Command) -> Man {
    let name = display_name(cmd);
    Man::new(cmd.clone())
        // mandoc wants the title in capitals.
        .title(name.to_uppercase())
        .date(MAN_DATE)
        .source(format!("{BIN_NAME} {}", env!("CARGO_PKG_VERSION")))
        .manual("User Commands")
}

fn display_name(cmd: &clap::Command) -> String {
    cmd.get_display_name()
        .unwrap_or_else(|| cmd.get_name())
        .to_owned()
}

/// The main page: clap_mangen's sections, with the after-help text ("Exit status: …")
/// replaced by the sections a reader of a man page looks for.
fn root_page(root: &clap::Command) -> Vec<u8> {
    type Section = fn(&Man, &mut dyn Write) -> io::Result<()>;
    let sections: [Section; 6] = [
        Man::render_title,
        Man::render_name_section,
        Man::render_synopsis_section,
        Man::render_description_section,
        Man::render_options_section,
        Man::render_subcommands_section,
    ];
    let man = man(root);
    let mut out = preamble().into_bytes();
    for section in sections {
        out.extend_from_slice(rendered(|w| section(&man, w)).as_bytes());
    }
    out.extend_from_slice(body(&root_extra_sections()).as_bytes());
    out.extend_from_slice(rendered(|w| man.render_version_section(w)).as_bytes());
    out
}

fn sub_page(cmd: &clap::Command, parents: &[clap::Command]) -> Vec<u8> {
    let mut out = preamble().into_bytes();
    out.extend_from_slice(rendered(|w| man(cmd).render(w)).as_bytes());
    let mut see_also = Roff::new();
    see_also.control("SH", ["SEE ALSO"]);
    let refs: Vec<String> = parents
        .iter()
        .map(|p| format!("{}(1)", display_name(p)))
        .collect();
    see_also.text([roman(refs.join(", "))]);
    out.extend_from_slice(body(&see_also).as_bytes());
    out
}

/// What every rendering starts with: roff definitions, wanted once per page.
fn preamble() -> String {
    Roff::new().render()
}

/// A rendering without its preamble, tidied. Writing to a Vec cannot fail.
fn rendered(render: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> String {
    let mut buffer = Vec::new();
    let _ = render(&mut buffer);
    let text = String::from_utf8_lossy(&buffer);
    tidy(text.strip_prefix(&preamble()).unwrap_or(&text))
}

/// clap_mangen separates an option's help from its "Possible values:" with a break, a
/// blank line and a break, and leaves a blank line where an option has no help; mandoc
/// warns about both. One `.sp`, or nothing, says the same.
fn tidy(roff: &str) -> String {
    roff.replace("\n.br\n\n.br\n", "\n.sp\n")
        .replace("\n\n.br\n", "\n")
}

fn body(roff: &Roff) -> String {
    rendered(|w| roff.to_writer(w))
}

/// EXIT STATUS, ENVIRONMENT, FILES, SECURITY and EXAMPLES of the main page.
fn root_extra_sections() -> Roff {
    let mut r = Roff::new();
    r.control("SH", ["EXIT STATUS"]);
    terms(&mut r, EXIT_STATUS);
    r.control("SH", ["ENVIRONMENT"]);
    terms(&mut r, ENVIRONMENT);
    r.control("SH", ["FILES"]);
    r.control("TP", [])
        .text([italic("$XDG_DATA_HOME/seenty-keys/keys.db")]);
    r.text([roman(FILES)]);
    r.control("SH", ["SECURITY"]);
    for (index, paragraph) in SECURITY.iter().enumerate() {
        paragraph_break(&mut r, index);
        r.text([roman(*paragraph)]);
    }
    r.control("SH", ["EXAMPLES"]);
    for (index, (what, command)) in EXAMPLES.iter().enumerate() {
        paragraph_break(&mut r, index);
        r.text([roman(*what)]);
        r.control("RS", ["4"]).control("EX", []);
        r.text([roman(*command)])
            .control("EE", [])
            .control("RE", []);
    }
    r
}

fn terms(r: &mut Roff, list: &[(&str, &str)]) {
    for (tag, text) in list {
        r.control("TP", []).text([bold(*tag)]).text([roman(*text)]);
    }
}

/// A section heading already starts a paragraph; mandoc warns about a second one.
fn paragraph_break(r: &mut Roff, index: usize) {
    if index > 0 {
        r.control("PP", []);
    }
}

const EXIT_STATUS: &[(&str, &str)] = &[
    ("0", "Success; for verify, the key is valid."),
    (
        "1",
        "Refused: a key rejected, a plan limit reached, no such key or organization, an \
        active key (or, without a store, an unverified one) found by scan, or a \
        confirmation answered no.",
    ),
    (
        "2",
        "Usage: a bad flag, argument or value, or a confirmation needed where there is no \
        terminal to ask at (pass --yes).",
    ),
    (
        "3",
        "Could not run: the store is missing, unreadable, corrupt, locked past the timeout \
        or of a newer schema, or an I/O error.",
    ),
];

const ENVIRONMENT: &[(&str, &str)] = &[
    ("SEENTY_KEYS_DB", "The store, as --db."),
    ("SEENTY_ORG", "The organization to act on, as --org."),
    (
        "SEENTY_TOKEN",
        "The key that verify checks when no KEY argument is given. Safer than an argument, \
        which other users can read in the process list.",
    ),
    (
        "NO_COLOR",
        "When set and not empty, no colors (unless --color always).",
    ),
    (
        "XDG_DATA_HOME",
        "Where the default store lives; ~/.local/share when unset.",
    ),
];

const FILES: &str = "The default store, a SQLite database \
    (~/.local/share/seenty-keys/keys.db when XDG_DATA_HOME is unset), created with mode \
    0600 in a directory of mode 0700.";

const SECURITY: &[&str] = &[
    "Only the SHA-256 hash of a key is stored. The key itself is printed once, on standard \
    output, when it is generated or rotated, and can never be shown again: put it in a password \
    manager or your CI's secret store at once.",
    "Give verify the key through SEENTY_TOKEN or standard input rather than as an \
    argument: arguments are visible to other users in the process list and end up in \
    shell history.",
    "The store file is created with mode 0600 in a directory of mode 0700; keep it that \
    way. Text read from the store is printed with control characters escaped.",
];

const EXAMPLES: &[(&str, &str)] = &[
    (
        "Create a store with a first organization:",
        "seenty-keys init --org acme --plan pro",
    ),
    (
        "Create a key that expires in 90 days; it is shown once:",
        "seenty-keys generate --name \"GitHub Actions CI\" --expires 90d",
    ),
    (
        "Capture a new key in a script:",
        "KEY=$(seenty-keys generate --name \"Deploy bot\")",
    ),
    ("List the active keys:", "seenty-keys list --status active"),
    (
        "Revoke a key without a prompt, saying why:",
        "seenty-keys revoke \"GitHub Actions CI\" --reason \"leaked in a log\" --yes",
    ),
    (
        "Replace a key in a CI job, the old one working for one more hour:",
        "NEW=$(seenty-keys rotate \"GitHub Actions CI\" --grace 1h --yes)",
    ),
    (
        "Fail a pre-commit hook or CI step when a live key is in the tree:",
        "seenty-keys scan .",
    ),
    (
        "Fail a pull request whose commits add a key, with findings for code scanning:",
        "seenty-keys scan --git origin/main..HEAD --format sarif > scan.sarif",
    ),
    (
        "Gate a deployment on a valid key, read from SEENTY_TOKEN:",
        "seenty-keys verify --quiet && ./deploy",
    ),
    (
        "Revoke a leaked key known only by its secret:",
        "seenty-keys revoke - --yes < leaked.txt",
    ),
    (
        "Install the bash completions:",
        "seenty-keys completions bash > ~/.local/share/bash-completion/completions/seenty-keys",
    ),
];

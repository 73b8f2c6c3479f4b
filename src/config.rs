//! The runtime configuration: the parsed command line and environment, validated once.

use std::io::IsTerminal;
use std::path::PathBuf;

use crate::cli::{ColorChoice, Opts};
use crate::error::{Error, Result};
use crate::store::Location;

/// Which standard streams are terminals, read once at start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Terminals {
    pub(crate) stdin: bool,
    pub(crate) stdout: bool,
    pub(crate) stderr: bool,
}

impl Terminals {
    pub(crate) fn detect() -> Self {
        Self {
            stdin: std::io::stdin().is_terminal(),
            stdout: std::io::stdout().is_terminal(),
            stderr: std::io::stderr().is_terminal(),
        }
    }

    /// Prompts need someone to read them (stderr) and to answer them (stdin).
    pub(crate) fn can_prompt(self) -> bool {
        self.stdin && self.stderr
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) location: Location,
    /// `--org` / `SEENTY_ORG`, if given.
    pub(crate) org: Option<String>,
    pub(crate) json: bool,
    pub(crate) color_stdout: bool,
    pub(crate) color_stderr: bool,
    pub(crate) terminals: Terminals,
}

impl Config {
    pub(crate) fn new(opts: &Opts, terminals: Terminals) -> Result<Self> {
        let db = match &opts.db {
            Some(db) => Some(db.clone()),
            None => env("SEENTY_KEYS_DB")?,
        };
        let org = match &opts.org {
            Some(org) => Some(org.clone()),
            None => env("SEENTY_ORG")?,
        };
        let location = match db {
            Some(text) => Location::parse(&text)?,
            None => Location::Sqlite(default_db_path()?),
        };
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = |is_tty: bool| match opts.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => is_tty && !no_color,
        };
        Ok(Self {
            location,
            org: org.filter(|s| !s.is_empty()),
            json: opts.json,
            color_stdout: color(terminals.stdout),
            color_stderr: color(terminals.stderr),
            terminals,
        })
    }
}

/// An environment variable that stands for a flag (`SEENTY_KEYS_DB` for `--db`), unless
/// it is empty.
fn env(name: &'static str) -> Result<Option<String>> {
    match std::env::var(name) {
        Ok(value) => Ok(Some(value).filter(|v| !v.is_empty())),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => Err(Error::NotUnicodeEnv(name)),
    }
}

/// `$XDG_DATA_HOME/seenty-keys/keys.db`, falling back to `~/.local/share` as the XDG
/// base directory specification says.
fn default_db_path() -> Result<PathBuf> {
    let absolute = |var: &str| {
        std::env::var_os(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data_home = absolute("XDG_DATA_HOME")
        .or_else(|| absolute("HOME").map(|home| home.join(".local/share")))
        .ok_or(Error::NoDefaultStore)?;
    Ok(data_home.join("seenty-keys").join("keys.db"))
}

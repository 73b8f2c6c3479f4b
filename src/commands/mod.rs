//! One module per command, and what they share: the context each runs in, the choice of
//! organization, and the resolution of a KEYREF.

pub(crate) mod completions;
mod export;
mod generate;
mod import;
mod init;
mod list;
mod log;
mod org;
mod plans;
mod policy;
mod report;
mod revoke;
mod rotate;
mod scan;
mod secret;
mod show;
mod verify;

use std::io::{self, Read, Write};

use std::cell::Cell;
use zeroize::Zeroizing;

use crate::cli::Command;
use crate::config::Config;
use crate::domain::Timestamp;
use crate::domain::key::Key;
use crate::error::{Error, Exit, Result};
use crate::lifecycle::{Actor, Session};
use crate::store;
use crate::term;

/// The most a KEYREF or `verify` reads from standard input; a key is 36 bytes.
const STDIN_LIMIT: u64 = 64 * 1024;

/// What every command runs with: the configuration, the terminal, and one clock reading.
pub(crate) struct Ctx {
    pub(crate) config: Config,
    /// The session's clock once one is open ([`Ctx::session`]); this machine's clock
    /// before that, for the commands that need no store.
    now: Cell<Timestamp>,
}

impl Ctx {
    pub(crate) fn new(config: Config) -> Self {
        Self {
            config,
            now: Cell::new(store::system_now()),
        }
    }

    /// The time every decision of this command uses.
    pub(crate) fn now(&self) -> Timestamp {
        self.now.get()
    }

    /// The clock a flag naming a time may be judged by before the store is open, so a
    /// mistake fails before any work: the store's own, where it is this machine's. On
    /// PostgreSQL only the server's clock judges, once the store is open.
    pub(crate) fn local_clock(&self) -> Option<Timestamp> {
        self.config.location.clock_is_local().then(|| self.now())
    }

    /// Opens the store for this command, with `--org` as the organization asked for.
    pub(crate) fn session(&self) -> Result<Session> {
        self.session_on(store::open(&self.config.location)?)
    }

    /// What every command does once its store is open: start a session on it and warn
    /// about the store's files.
    pub(crate) fn session_on(&self, store: Box<dyn store::Store + Send>) -> Result<Session> {
        let session = Session::on(store, Actor::Process)?.with_org(self.config.org.clone());
        self.now.set(session.now());
        for warning in store::warnings(&self.config.location) {
            self.warn(&warning.to_string());
        }
        Ok(session)
    }

    /// Reads the session's clock again, for a command that runs long (`verify --batch`).
    pub(crate) fn tick(&self, session: &mut Session) -> Result<Timestamp> {
        self.now.set(session.tick()?);
        Ok(self.now())
    }

    pub(crate) fn warn(&self, message: &str) {
        term::print_warning(message, self.config.color_stderr);
    }

    /// Finds the key a KEYREF names: an id, a name, or `-` for the secret on stdin.
    pub(crate) fn resolve_key(&self, session: &mut Session, reference: &str) -> Result<Key> {
        if reference == "-" {
            session.key_by_secret(&read_stdin()?)
        } else {
            session.resolve_key(reference)
        }
    }

    /// Asks before a destructive change: `--yes`, else a prompt at a terminal, else a
    /// usage error, never a silent default.
    pub(crate) fn confirm(&self, yes: bool, action: &'static str, question: &str) -> Result<()> {
        if yes {
            return Ok(());
        }
        if !self.config.terminals.can_prompt() {
            return Err(Error::ConfirmationNeeded { action });
        }
        if term::confirm(question)? {
            Ok(())
        } else {
            Err(Error::Declined)
        }
    }
}

/// The error as its reader needs it: a store that is not one named by its location, and
/// a fix that names the organization when the command acted on one other than the
/// default (the fix would otherwise act on the default).
pub(crate) fn explain(ctx: &Ctx, error: Error) -> Error {
    let error = error.at(&ctx.config.location.to_string());
    match &ctx.config.org {
        Some(org) if error.fix_acts_on_org() && !is_default_org(ctx, org) => error.in_org(org),
        _ => error,
    }
}

/// Whether `org` is the store's default; when the store cannot say, it is not.
fn is_default_org(ctx: &Ctx, org: &str) -> bool {
    store::open(&ctx.config.location)
        .and_then(|mut store| store.default_org())
        .is_ok_and(|default| default.as_deref() == Some(org))
}

pub(crate) fn dispatch(ctx: &Ctx, command: Command) -> Result<Exit> {
    match command {
        Command::Init(args) => init::run(ctx, &args),
        Command::Org(command) => org::run(ctx, command.0),
        Command::Plans => plans::run(ctx),
        Command::Generate(args) => generate::run(ctx, &args),
        Command::List(args) => list::run(ctx, &args),
        Command::Show(args) => show::run(ctx, &args),
        Command::Revoke(args) => revoke::run(ctx, &args),
        Command::Verify(args) => verify::run(ctx, &args),
        Command::Rotate(args) => rotate::run(ctx, &args),
        Command::Report(args) => report::run(ctx, &args),
        Command::Scan(args) => scan::run(ctx, &args),
        Command::Log(args) => log::run(ctx, &args),
        Command::Export => export::run(ctx),
        Command::Import(args) => import::run(ctx, &args),
        Command::Completions(args) => completions::run(args.shell),
    }
}

/// Standard input, bounded: anything longer than a key is rejected, not buffered whole.
/// The buffer is wiped when dropped, since it may hold a secret.
fn read_stdin() -> Result<Zeroizing<Vec<u8>>> {
    let mut buffer = Zeroizing::new(Vec::with_capacity(64));
    read_stdin_into(&mut buffer, STDIN_LIMIT)?;
    Ok(buffer)
}

/// Reads standard input into `buffer`, at most `limit` bytes.
fn read_stdin_into(buffer: &mut Vec<u8>, limit: u64) -> Result<()> {
    io::stdin()
        .lock()
        .take(limit)
        .read_to_end(buffer)
        .map_err(|source| Error::Io {
            what: "reading standard input".to_owned(),
            source,
        })?;
    Ok(())
}

/// Writes a serializable value as one JSON document and a newline.
fn print_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = io::stdout().lock();
    crate::render::write_json(&mut out, value).map_err(io::Error::from)?;
    writeln!(out)?;
    Ok(())
}

/// A table on stdout: `gh`'s form at a terminal, fitted to its width; plain columns
/// otherwise.
fn print_grid(ctx: &Ctx, grid: &crate::render::Grid<'_>) -> Result<()> {
    let width = ctx.config.terminals.stdout.then(term::stdout_width);
    print_line(&grid.render(width, ctx.config.color_stdout))
}

fn print_line(text: &str) -> Result<()> {
    writeln!(io::stdout().lock(), "{text}")?;
    Ok(())
}

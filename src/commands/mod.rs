//! One module per command, and what they share: the context each runs in, the choice of
//! organization, and the resolution of a KEYREF.

pub mod completions;
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
mod serve;
mod show;
mod verify;

use std::io::{self, Read, Write};

use std::cell::{Cell, OnceCell};
use zeroize::Zeroizing;

use crate::cli::Command;
use crate::config::Config;
use crate::domain::Timestamp;
use crate::domain::key::{self, Key, Status};
use crate::error::{Error, Exit, Result};
use crate::store::{self, Stamp, Store};
use crate::term;

/// The most a KEYREF or `verify` reads from standard input; a key is 36 bytes.
const STDIN_LIMIT: u64 = 64 * 1024;

/// What every command runs with: the configuration and one clock reading.
pub struct Ctx {
    pub config: Config,
    /// Whole seconds, the store's resolution, so what is stored is what is compared. Read
    /// from the store once it is open ([`Store::clock`]: the server's clock on
    /// PostgreSQL); this machine's clock before that.
    now: Cell<Timestamp>,
    /// The database role the store was opened as ([`Ctx::opened`]), for the actor.
    role: OnceCell<Option<String>>,
    /// Who acts, for the audit log: found out at the first [`Ctx::stamp`], as a
    /// command that records nothing need not read /proc and /etc/passwd.
    actor: OnceCell<String>,
}

impl Ctx {
    pub fn new(config: Config) -> Self {
        Self {
            config,
            now: Cell::new(store::system_now()),
            role: OnceCell::new(),
            actor: OnceCell::new(),
        }
    }

    /// The time every decision of this command uses.
    pub fn now(&self) -> Timestamp {
        self.now.get()
    }

    /// Reads the store's clock again, for a command that runs long (`verify --batch`).
    pub fn tick(&self, store: &mut dyn Store) -> Result<Timestamp> {
        self.now.set(store.clock()?);
        Ok(self.now())
    }

    pub fn open_store(&self) -> Result<Box<dyn Store>> {
        let mut store = store::open(&self.config.location)?;
        self.opened(store.as_mut())?;
        Ok(store)
    }

    /// What every command does once its store is open: read the store's clock, learn
    /// the database role it acts as, and warn about the store's files.
    pub fn opened(&self, store: &mut dyn Store) -> Result<()> {
        self.tick(store)?;
        let _ = self.role.set(store.role()?);
        self.print_store_warnings();
        Ok(())
    }

    fn print_store_warnings(&self) {
        for warning in store::warnings(&self.config.location) {
            self.warn(&warning);
        }
    }

    pub fn warn(&self, message: &str) {
        term::print_warning(message, self.config.color_stderr);
    }

    pub fn stamp(&self) -> Stamp {
        Stamp {
            now: self.now(),
            actor: self
                .actor
                .get_or_init(|| {
                    let role = self.role.get().and_then(Option::as_deref);
                    actor(&crate::os::account(), role)
                })
                .clone(),
        }
    }

    /// The stamp for `verify`'s record of `uses`: last-used times name no actor, and
    /// finding out who acts costs a read of /proc (40 µs, 2% of a `verify`), so only use
    /// attempts of a revoked or expired key, which are audit events, pay for it.
    pub fn stamp_for(&self, uses: &store::Uses) -> Stamp {
        if uses.attempts.is_empty() {
            Stamp {
                now: self.now(),
                actor: String::new(),
            }
        } else {
            self.stamp()
        }
    }

    /// The organization to act on: `--org`, else the default set by `org use`, else the
    /// only one in the store.
    pub fn org(&self, store: &mut dyn Store) -> Result<String> {
        if let Some(slug) = &self.config.org {
            if key::contains_key(slug) {
                return Err(crate::domain::org::BadSlug(slug.clone()).into());
            }
            return if store.has_org(slug)? {
                Ok(slug.clone())
            } else {
                Err(Error::NoSuchOrg { slug: slug.clone() })
            };
        }
        if let Some(slug) = store.default_org()?
            && store.has_org(&slug)?
        {
            return Ok(slug);
        }
        let mut orgs = store.org_slugs()?;
        match orgs.len() {
            0 => Err(Error::NoOrg),
            1 => Ok(orgs.remove(0)),
            count => Err(Error::OrgNotChosen { count }),
        }
    }

    /// Finds the key a KEYREF names: an id, a name, or `-` for the secret on stdin.
    pub fn resolve_key(&self, store: &mut dyn Store, reference: &str) -> Result<Key> {
        if reference == "-" {
            return self.key_from_stdin(store);
        }
        let org = self.org(store)?;
        let reference = reference.trim();
        // A secret pasted where a KEYREF goes is never echoed: errors end up in CI logs.
        let shown = if reference.starts_with(key::PREFIX) {
            key::Hint::of(reference.as_bytes()).to_string()
        } else {
            reference.to_owned()
        };
        if key::looks_like_id(reference)
            && let Some(key) = store.key_by_id(&org, reference)?
        {
            return Ok(key);
        }
        let mut named = store.keys_named(&org, reference)?;
        if let Some(active) = named
            .iter()
            .position(|k| k.status(self.now()) == Status::Active)
        {
            return Ok(named.swap_remove(active));
        }
        match named.len() {
            0 => Err(Error::NoSuchKey {
                reference: shown,
                org,
            }),
            1 => Ok(named.remove(0)),
            count => Err(Error::AmbiguousName { name: shown, count }),
        }
    }

    /// A leaked secret names its own organization; `--org` still narrows the search.
    fn key_from_stdin(&self, store: &mut dyn Store) -> Result<Key> {
        let input = read_stdin()?;
        let hash = key::check(input.trim_ascii()).map_err(Error::MalformedKey)?;
        let not_found = || Error::UnknownSecret {
            org: self.config.org.clone().unwrap_or_default(),
        };
        let found = store.key_by_hash(&hash)?.ok_or_else(not_found)?;
        if self
            .config
            .org
            .as_ref()
            .is_some_and(|org| *org != found.org)
        {
            return Err(not_found());
        }
        store
            .key_by_id(&found.org, &found.id)?
            .ok_or_else(not_found)
    }

    /// Asks before a destructive change: `--yes`, else a prompt at a terminal, else a
    /// usage error, never a silent default.
    pub fn confirm(&self, yes: bool, action: &'static str, question: &str) -> Result<()> {
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
pub fn explain(ctx: &Ctx, error: Error) -> Error {
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

pub fn dispatch(ctx: &Ctx, command: Command) -> Result<Exit> {
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
        Command::Serve(args) => serve::run(ctx, &args),
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

/// The acting user for the audit log (SPEC 4): the account of the process's real uid
/// (not `$USER`, which anyone sets), and on PostgreSQL the database role the store was
/// opened as: `alice (db: ci_runner)`. Both are bounded: an account name by
/// [`crate::os::account`], a role by PostgreSQL (63 bytes).
fn actor(account: &str, role: Option<&str>) -> String {
    match role {
        Some(role) => format!("{account} (db: {role})"),
        None => account.to_owned(),
    }
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

//! Every way a command can fail, and the one place that turns an outcome into an exit
//! code: 0 success, 1 refused, 2 usage, 3 could not run.

use std::io;

use crate::domain::expires::{BadDuration, BadExpiry};
use crate::domain::key::{Malformed, RandomError, Status, Unrotatable};
use crate::domain::org::BadSlug;
use crate::domain::plan::PlanId;
use crate::domain::policy::{Outside, duration_label};
use crate::domain::text::BadText;
use crate::render::count;

/// "organization "acme"", or "this store" when `org` is empty (every organization).
fn in_org(org: &str) -> String {
    if org.is_empty() {
        "this store".to_owned()
    } else {
        format!("organization {org:?}")
    }
}

/// Where to look once the store can be reached again, when a write's outcome was lost
/// with the connection: what the write changed, named without the command line's words,
/// which [`Error::hint`] supplies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// The organization (`org show`).
    Org { slug: String },
    /// The organizations and which is the default (`org list`).
    Orgs,
    /// The organization's key policy.
    Policy { org: String },
    /// One key (`show`).
    Key { org: String, id: String },
    /// The organization's revoked keys.
    Revoked { org: String },
    /// The organization's keys.
    Keys { org: String },
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Org { slug } => write!(f, "seenty-keys org show {slug}"),
            Self::Orgs => write!(f, "seenty-keys org list"),
            Self::Policy { org } => write!(f, "seenty-keys --org {org} org policy"),
            Self::Key { org, id } => write!(f, "seenty-keys --org {org} show {id}"),
            Self::Revoked { org } => write!(f, "seenty-keys --org {org} list --status revoked"),
            Self::Keys { org } => write!(f, "seenty-keys --org {org} list"),
        }
    }
}

/// What makes an untrusted store file usable again; worded by its `Display`, as the
/// store names no command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsafeFix {
    /// The store's path is not a regular file.
    PointAtAFile,
    /// Another user owns the file.
    OwnIt,
    /// A companion file (-wal, -shm) is not a regular file.
    RemoveCompanion,
}

impl std::fmt::Display for UnsafeFix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::PointAtAFile => {
                "point --db at a file, or at a path where seenty-keys may create one"
            }
            Self::OwnIt => {
                "run seenty-keys as the file's owner, or make it yours (chown) once you have checked what it holds"
            }
            Self::RemoveCompanion => "remove it; seenty-keys creates it again",
        })
    }
}

/// A fact about the store that does not stop a command, for the caller to print with
/// its fix (the store names no command).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreWarning {
    /// The store file is open to other users; `files` are it and its companions.
    OpenToOthers {
        path: std::path::PathBuf,
        mode: u32,
        files: Vec<std::path::PathBuf>,
    },
}

impl std::fmt::Display for StoreWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::os::unix::ffi::OsStrExt;
        match self {
            Self::OpenToOthers { path, mode, files } => {
                let files: Vec<String> = files
                    .iter()
                    .map(|file| crate::render::shell_word(file.as_os_str().as_bytes()))
                    .collect();
                write!(
                    f,
                    "the store {} is accessible to other users (mode {mode:o}); fix it: chmod 600 {}",
                    path.display(),
                    files.join(" ")
                )
            }
        }
    }
}

/// The process exit codes (the README's table). Nothing else decides an exit status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Success = 0,
    Refused = 1,
    Usage = 2,
    Failure = 3,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong inside a store, without the backend's own types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreFault {
    /// Another process held the lock past the busy timeout.
    Locked,
    /// Not a database, or damaged.
    Corrupt,
    ReadOnly,
    Full,
    Io,
    /// The database server could not be reached, or went away.
    Connect,
    /// The database server refused the credentials.
    Auth,
    Other,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    // ---- usage (exit 2)
    #[error(transparent)]
    BadText(#[from] BadText),
    #[error(transparent)]
    BadExpiry(#[from] BadExpiry),
    #[error(transparent)]
    BadDuration(#[from] BadDuration),
    #[error(transparent)]
    BadSlug(#[from] BadSlug),
    #[error("{action} needs a confirmation, and there is no terminal to ask at")]
    ConfirmationNeeded { action: &'static str },
    #[error(
        "- (the key on standard input) cannot be combined with --never-used, --unused-for or --expiring-within"
    )]
    StdinWithSelectors,
    #[error("{flag} is required when not running at a terminal")]
    MissingValue { flag: &'static str },
    #[error("{0} is not valid UTF-8")]
    NotUnicodeEnv(&'static str),
    #[error("no store location: neither XDG_DATA_HOME nor HOME is set")]
    NoDefaultStore,
    #[error(
        "unsupported store location {0:?}: use a file path, sqlite:PATH or postgres://USER@HOST:PORT/DATABASE"
    )]
    UnsupportedDb(String),
    #[error("no such file or directory: {path}")]
    NoSuchPath { path: String },
    #[error("git: {0}")]
    Git(String),

    // ---- refused (exit 1)
    #[error("organization {org:?} is on the Hobby plan, which has no API access")]
    NoApiAccess { org: String },
    #[error(
        "organization {org:?} has {} and its {} plan allows {limit}",
        count(*active, "active key"),
        plan.name()
    )]
    PlanLimit {
        org: String,
        plan: PlanId,
        limit: u32,
        active: u64,
        upgrade: Option<PlanId>,
    },
    #[error("the key is outside organization {org:?}'s key policy: {why}")]
    OutsidePolicy { org: String, why: Outside },
    #[error("an active key named {name:?} already exists ({id})")]
    DuplicateName { name: String, id: String },
    /// `org` is empty when the store looked in every organization.
    #[error("no key matches {reference:?} in {}", in_org(org))]
    NoSuchKey { reference: String, org: String },
    #[error("no key in {} matches the key read from standard input", in_org(org))]
    UnknownSecret { org: String },
    #[error("{count} keys are named {name:?}, none of them active")]
    AmbiguousName { name: String, count: usize },
    #[error("no organization {slug:?} in this store")]
    NoSuchOrg { slug: String },
    #[error("this store has no organization yet")]
    NoOrg,
    #[error("this store has {count} organizations; say which one")]
    OrgNotChosen { count: usize },
    #[error("organization {slug:?} already exists")]
    OrgExists { slug: String },
    #[error("a store with organizations already exists at {location}")]
    AlreadyInitialized { location: String },
    #[error("cancelled")]
    Declined,
    #[error("key {id} is {} and cannot be rotated", status.as_str().to_lowercase())]
    NotRotatable { id: String, status: Status },
    #[error("key {id} was already rotated to {to}")]
    AlreadyRotated { id: String, to: String },
    #[error("key {id} is being rotated by another seenty-keys process right now")]
    RotationUnderWay { id: String },
    #[error("--grace {0} is longer than the 7 days a rotation may overlap")]
    GraceTooLong(String),
    #[error(
        "invalid grace period {0:?}: --grace is how long the old key keeps working, a duration such as 30m, 1h or 2d"
    )]
    BadGrace(String),
    #[error("{0}; the key printed above was NOT stored and will not work")]
    ShownButNotStored(Box<Error>),
    #[error("not a valid Seenty key: {0}")]
    MalformedKey(Malformed),
    #[error(
        "the store already holds {}; import adds to a store only with --merge",
        count(*orgs, "organization")
    )]
    ImportTargetNotEmpty { orgs: u64 },
    #[error("cannot import: {0}; nothing was imported")]
    ImportConflict(String),

    // ---- could not run (exit 3)
    #[error("no store at {location}")]
    StoreMissing { location: String },
    #[error("the store at {location} is not initialized")]
    StoreUninitialized { location: String },
    #[error("the store has schema version {found}; this seenty-keys understands up to {supported}")]
    StoreNewer { found: i64, supported: i64 },
    #[error("store: {message}")]
    Store { fault: StoreFault, message: String },
    /// A [`Error::Store`] of [`StoreFault::Corrupt`], with the location it came from.
    #[error("store: {location}: {message}")]
    BadStore { location: String, message: String },
    /// A store file this process must not trust or write through (SPEC 8).
    #[error("refusing the store {location}: {why}")]
    UnsafeStore {
        location: String,
        why: String,
        fix: UnsafeFix,
    },
    /// The connection went away while the commit's answer was on its way: the change
    /// may or may not be there. Resolved by the store's write (a second connection
    /// finds out) before it reaches the user.
    #[error("{0}; the connection was lost during the commit")]
    CommitLost(Box<Error>),
    #[error("{0}; the connection was lost during the commit, and the change was NOT stored")]
    NotCommitted(Box<Error>),
    #[error(
        "{cause}; the connection was lost during the commit and the store cannot be reached again: whether the change was stored is unknown"
    )]
    OutcomeUnknown { cause: Box<Error>, check: Check },
    #[error("{what}: {source}")]
    Io { what: String, source: io::Error },
    #[error("the key could not be written to standard output ({0}); nothing was stored")]
    SecretNotDelivered(io::Error),
    #[error("--exec's command exited with {status}; nothing was stored")]
    ExecFailed { status: String },
    #[error("--exec needs a command")]
    EmptyExec,
    #[error("standard output is closed or /dev/null, so the key would be lost; nothing was stored")]
    NowhereToShowSecret,
    #[error(transparent)]
    Random(#[from] RandomError),
    /// Another error, from a command that acted on `org` (not the default organization):
    /// its fix names the organization.
    #[error("{inner}")]
    InOrg { org: String, inner: Box<Error> },
    #[error("import reads an export from standard input, and standard input is a terminal")]
    ImportFromTerminal,
    #[error("line {line} of the input: {message}; nothing was imported")]
    BadImport { line: usize, message: String },
    #[error("cannot read {0}")]
    Unreadable(String),
    #[error("{count} path(s) could not be read; the scan is incomplete")]
    ScanIncomplete { count: usize },
    #[error("the prompt failed: {0}")]
    Prompt(String),
    /// Writing ordinary output failed; a closed pipe (`| head`) ends quietly.
    #[error("writing output: {0}")]
    Output(#[from] io::Error),
}

/// The fix for a key typed where text goes.
const PASTED_KEY: &str = "a key typed into a command is in the shell's history; if it is real, revoke it: seenty-keys revoke - --yes (reads the key from standard input)";

impl Error {
    /// A stored value this version cannot read: the store is damaged.
    pub fn corrupt(message: String) -> Self {
        Error::Store {
            fault: StoreFault::Corrupt,
            message,
        }
    }

    pub fn unrotatable(id: &str, why: Unrotatable) -> Self {
        let id = id.to_owned();
        match why {
            Unrotatable::NotActive(status) => Error::NotRotatable { id, status },
            Unrotatable::AlreadyRotated { to } => Error::AlreadyRotated { id, to },
        }
    }

    /// The single mapping from failure to exit code.
    pub fn exit(&self) -> Exit {
        use Error as E;
        match self {
            E::BadText(_)
            | E::BadExpiry(_)
            | E::BadDuration(_)
            | E::BadSlug(_)
            | E::ConfirmationNeeded { .. }
            | E::MissingValue { .. }
            | E::StdinWithSelectors
            | E::UnsupportedDb(_)
            | E::NoDefaultStore
            | E::NotUnicodeEnv(_)
            | E::NoSuchPath { .. }
            | E::Git(_)
            | E::GraceTooLong(_)
            | E::BadGrace(_)
            | E::BadImport { .. }
            | E::EmptyExec
            | E::ImportFromTerminal => Exit::Usage,
            E::NoApiAccess { .. }
            | E::PlanLimit { .. }
            | E::OutsidePolicy { .. }
            | E::DuplicateName { .. }
            | E::NoSuchKey { .. }
            | E::UnknownSecret { .. }
            | E::AmbiguousName { .. }
            | E::NoSuchOrg { .. }
            | E::NoOrg
            | E::OrgNotChosen { .. }
            | E::OrgExists { .. }
            | E::AlreadyInitialized { .. }
            | E::Declined
            | E::NotRotatable { .. }
            | E::AlreadyRotated { .. }
            | E::RotationUnderWay { .. }
            | E::ExecFailed { .. }
            | E::MalformedKey(_)
            | E::ImportTargetNotEmpty { .. }
            | E::ImportConflict(_) => Exit::Refused,
            E::Output(e) if e.kind() == io::ErrorKind::BrokenPipe => Exit::Success,
            E::InOrg { inner, .. } => inner.exit(),
            E::StoreMissing { .. }
            | E::StoreUninitialized { .. }
            | E::StoreNewer { .. }
            | E::Store { .. }
            | E::BadStore { .. }
            | E::UnsafeStore { .. }
            | E::CommitLost(_)
            | E::NotCommitted(_)
            | E::OutcomeUnknown { .. }
            | E::Io { .. }
            | E::SecretNotDelivered(_)
            | E::NowhereToShowSecret
            | E::ShownButNotStored(_)
            | E::Random(_)
            | E::Unreadable(_)
            | E::ScanIncomplete { .. }
            | E::Prompt(_)
            | E::Output(_) => Exit::Failure,
        }
    }

    /// Whether to say anything at all: a reader that went away wants silence.
    pub fn is_silent(&self) -> bool {
        matches!(self, Error::Output(e) if e.kind() == io::ErrorKind::BrokenPipe)
    }

    /// Whether the fix of this error is a command on one organization, which must then
    /// be named when it is not the default.
    pub fn fix_acts_on_org(&self) -> bool {
        matches!(
            self,
            Error::PlanLimit { .. }
                | Error::NoSuchKey { .. }
                | Error::AmbiguousName { .. }
                | Error::NotRotatable { .. }
                | Error::AlreadyRotated { .. }
        )
    }

    /// This error, from a command that acted on `org`, not the default organization.
    #[must_use]
    pub fn in_org(self, org: &str) -> Self {
        if self.fix_acts_on_org() {
            Error::InOrg {
                org: org.to_owned(),
                inner: Box::new(self),
            }
        } else {
            self
        }
    }

    /// This error, with the store's location when the store turned out not to be one.
    #[must_use]
    pub fn at(self, location: &str) -> Self {
        match self {
            Error::Store {
                fault: StoreFault::Corrupt,
                message,
            } => Error::BadStore {
                location: location.to_owned(),
                message,
            },
            other => other,
        }
    }

    /// The second line of the message: the command that fixes it, where one does.
    pub fn hint(&self) -> Option<String> {
        self.hint_in(None)
    }

    /// [`Self::hint`], its commands run with `--org ORG` when `org` is given.
    fn hint_in(&self, org: Option<&str>) -> Option<String> {
        use Error as E;
        let cmd = |rest: &str| match org {
            Some(org) => format!("seenty-keys --org {org} {rest}"),
            None => format!("seenty-keys {rest}"),
        };
        Some(match self {
            E::InOrg { org, inner } => return inner.hint_in(Some(org)),
            E::ConfirmationNeeded { .. } => "pass --yes to go ahead without a prompt".into(),
            E::BadText(BadText::LooksLikeKey { .. }) => PASTED_KEY.into(),
            E::BadSlug(slug) if crate::domain::key::contains_key(&slug.0) => PASTED_KEY.into(),
            E::UnsafeStore { fix, .. } => fix.to_string(),
            E::MissingValue { flag } => format!("pass {flag}"),
            E::StdinWithSelectors => {
                "revoke the leaked key on its own first: seenty-keys revoke - --yes".into()
            }
            E::NoDefaultStore => "pass --db PATH or set SEENTY_KEYS_DB".into(),
            E::NoSuchPath { .. } => "check the path; with no path, scan searches the current directory".into(),
            E::Git(_) => "run it inside a git repository (git on the PATH); RANGE is what git log takes, e.g. origin/main..HEAD".into(),
            E::NoApiAccess { org } => {
                format!("API keys need the Starter plan or higher: seenty-keys --org {org} org set-plan starter")
            }
            E::PlanLimit { upgrade: Some(plan), .. } => format!(
                "revoke a key ({}) or upgrade: {}",
                cmd("revoke KEYREF"),
                cmd(&format!("org set-plan {plan}"))
            ),
            E::PlanLimit { upgrade: None, .. } => format!("revoke a key: {}", cmd("revoke KEYREF")),
            E::OutsidePolicy { why, .. } => match why {
                Outside::NoExpiry { max_lifetime: None } => {
                    "give it an expiration: pass --expires, e.g. --expires 90d".into()
                }
                Outside::NoExpiry { max_lifetime: Some(max) } | Outside::TooLong { max_lifetime: max } => {
                    let max = duration_label(*max);
                    format!("the policy allows at most {max}: pass --expires {max} or less (see seenty-keys org policy)")
                }
            },
            E::DuplicateName { .. } => "choose another name, or rotate or revoke the existing key".into(),
            E::NoSuchKey { .. } | E::AmbiguousName { .. } => {
                format!("see the keys and their ids: {}", cmd("list"))
            }
            E::UnknownSecret { .. } => {
                "check that it is a key of this store (--db PATH or SEENTY_KEYS_DB)".into()
            }
            E::NotRotatable { .. } => {
                format!("generate a new key instead: {}", cmd("generate --name NAME"))
            }
            E::AlreadyRotated { to, .. } => {
                format!("rotate its replacement instead: {}", cmd(&format!("rotate {to}")))
            }
            E::RotationUnderWay { id } => {
                format!("wait for it to finish, then see: {}", cmd(&format!("show {id}")))
            }
            E::GraceTooLong(_) => "use at most 7d (or 168h)".into(),
            E::BadGrace(_) => "leave --grace out to stop the old key now".into(),
            E::MalformedKey(_) => "check that the whole key was copied, with its sk_live_ prefix".into(),
            E::NoSuchOrg { .. } => "see the organizations: seenty-keys org list".into(),
            E::ImportTargetNotEmpty { .. } => {
                "pass --merge to add to it, or import into an empty store (a new file or database)".into()
            }
            E::BadImport { .. } => "import reads what seenty-keys export writes, unchanged".into(),
            E::ImportFromTerminal => "redirect it: seenty-keys import < backup.jsonl".into(),
            E::NoOrg => "create one: seenty-keys org create SLUG --plan PLAN".into(),
            E::OrgNotChosen { .. } => {
                "pass --org SLUG, set SEENTY_ORG, or pick a default: seenty-keys org use SLUG".into()
            }
            E::OrgExists { slug } => {
                format!("use it: seenty-keys org use {slug} (or see it: seenty-keys org show {slug})")
            }
            E::AlreadyInitialized { .. } => {
                "add an organization: seenty-keys org create SLUG --plan PLAN".into()
            }
            E::StoreMissing { .. } | E::StoreUninitialized { .. } => {
                "create it: seenty-keys init --org SLUG --plan PLAN (or point --db / SEENTY_KEYS_DB at an existing store)".into()
            }
            E::StoreNewer { .. } => "upgrade seenty-keys to a version that knows this schema".into(),
            E::Store { fault: StoreFault::Locked, .. } => {
                "another seenty-keys process is holding the store; try again".into()
            }
            E::Store { fault: StoreFault::Full, .. } => "free some disk space and try again".into(),
            E::Store { fault: StoreFault::Connect, .. } => {
                "check that the database server is running and that --db / SEENTY_KEYS_DB names it (the database must exist)".into()
            }
            E::Store { fault: StoreFault::Auth, .. } => {
                "check the user, and the password in PGPASSWORD or ~/.pgpass".into()
            }
            E::Store { fault: StoreFault::ReadOnly, .. } => {
                "check that the store file and its directory are writable".into()
            }
            E::Store { fault: StoreFault::Corrupt, .. } | E::BadStore { .. } => {
                "check the path given with --db or SEENTY_KEYS_DB; if it is the right file, the store is damaged: restore it from a backup".into()
            }
            E::ShownButNotStored(inner) | E::CommitLost(inner) => return inner.hint_in(org),
            E::NotCommitted(_) => "nothing changed; run the command again".into(),
            E::OutcomeUnknown { check, .. } => format!("once the store can be reached, see what it holds: {check}"),
            E::ExecFailed { .. } => "check the command on its own; it gets the key on its standard input".into(),
            E::EmptyExec => "pass the command that stores the key, e.g. --exec 'gh secret set SEENTY_TOKEN'".into(),
            E::SecretNotDelivered(_) | E::NowhereToShowSecret => {
                "run it with standard output going to a terminal, a pipe or a file".into()
            }
            _ => return None,
        })
    }
}

//! The command line as clap parses it: flag values already typed and validated
//! ([`values`]), one request per command.
//!
//! [`crate::config::Config`] adds the environment to the global flags. Completions and man
//! pages are generated from this definition, so help texts here are the documentation.

use std::ffi::OsString;

use chrono::TimeDelta;
use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand, ValueEnum};

use crate::domain::expires::Expiry;
use crate::domain::plan::PlanId;
use crate::leak::act::OnLeak;
use crate::leak::source::KeySource;

mod values;

pub use values::MaxLifetime;

#[derive(Debug, Parser)]
#[command(
    name = "seenty-keys",
    version,
    about = "Manage Seenty API keys: generate, list, revoke and verify organization keys",
    long_about = "Manage Seenty API keys in a local store.\n\n\
        Keys belong to an organization, are shown once at creation, and only their SHA-256 \
        is stored. Plans cap the number of active keys.",
    after_help = "Exit status: 0 success or key valid; 1 refused (key rejected, plan limit, no such key \
        or organization, a prompt answered no); 2 usage error; 3 could not run (store missing, corrupt, locked, I/O)."
)]
pub struct Opts {
    // SEENTY_KEYS_DB and SEENTY_ORG are read by `Config`, not by clap: clap writes an
    // option taken from the environment into every usage line as if it were required.
    /// The store: a file path, sqlite:PATH, or postgres://USER@HOST:PORT/DATABASE
    /// [default: $XDG_DATA_HOME/seenty-keys/keys.db] [env: SEENTY_KEYS_DB]
    #[arg(long, global = true, value_name = "PATH|URL")]
    pub db: Option<String>,

    /// The organization to act on [default: the one set by 'org use', or the only one]
    /// [env: SEENTY_ORG]
    #[arg(long, global = true, value_name = "SLUG")]
    pub org: Option<String>,

    /// Print machine-readable JSON instead of text
    #[arg(long, global = true)]
    pub json: bool,

    /// When to use colors (NO_COLOR also turns them off)
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Each subcommand's arguments are [`Deferred`]: clap builds only those of the one that runs.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the store and its first organization
    Init(Deferred<InitArgs>),
    /// Manage organizations and their plans
    #[command(subcommand)]
    Org(Deferred<OrgCommand>),
    /// Show the plans and their limits on active keys
    Plans,
    /// Create a new key and print it once
    Generate(Deferred<GenerateArgs>),
    /// List the organization's keys
    #[command(
        visible_alias = "ls",
        long_about = "List the organization's keys: ID, Name, Key (its hint), Created, \
        Expiration, Last used and Status, times in UTC. A key in the grace period of a rotation \
        expires when the grace period ends.\n\n\
        At a terminal, one line per key: at 80 columns or more a long name is cut with …, and \
        when the columns do not fit, Created and then Key are left out; ids and times are never \
        cut. To a pipe or a file, plain aligned columns with every cell whole; --json for scripts."
    )]
    List(Deferred<ListArgs>),
    /// Show one key's properties
    Show(Deferred<ShowArgs>),
    /// Revoke keys, immediately: named ones, or those unused, never used or expiring
    #[command(long_about = "Revoke keys, immediately; their history is kept.\n\n\
        Name keys by id or name (or - for the key itself on standard input), or select them \
        by the rules of seenty-keys report: --never-used, --unused-for DURATION, \
        --expiring-within DURATION (several of these add up). --dry-run lists what would be \
        revoked and changes nothing. Otherwise one confirmation covers them all (--yes without \
        a terminal), and they are revoked in one transaction: all of them, or none. Each \
        revocation is an audit event carrying its reason.")]
    Revoke(Deferred<RevokeArgs>),
    /// Replace a key with a new one of the same name, printed once
    Rotate(Deferred<RotateArgs>),
    /// Check a key: exit 0 when valid, 1 when rejected
    #[command(long_about = "Check a key: exit 0 when valid, 1 when rejected.\n\n\
        The key comes from the KEY argument (- for standard input), else SEENTY_TOKEN, else \
        standard input; at a terminal, with neither, it is asked for without echo.")]
    Verify(Deferred<VerifyArgs>),
    /// List what needs attention: unused, unexpiring, expiring, unrotated, leaked keys (exit 1 if any)
    #[command(
        long_about = "List, for the organization (or every organization when --org is not \
        given and there are several), each active key that needs attention, one finding per line: \
        never-used (created more than 7 days ago, never used), unused (last used longer ago than \
        --unused-for), no-expiry, expiring (within --expiring-within), rotation-due (older than \
        the policy's rotate-every, 90d unless set), outside-policy (made before the key policy it \
        breaks), generic-name, and over-limit (more keys in use than the plan allows, after a \
        downgrade).\n\n\
        One finding is about keys that are no longer active: leaked, for each key that a leak \
        report (seenty-keys serve --leak-keys) revoked, or recorded with --on-leak record, in the \
        last 30 days, with where it leaked; the integration that used it needs a new key.\n\n\
        Exit status 0 when nothing needs attention and 1 otherwise, so a scheduled job can alert: \
        seenty-keys report || notify-the-admins. Keys replaced by a rotation and still in their \
        grace period are not reported."
    )]
    Report(Deferred<ReportArgs>),
    /// Find sk_live_ keys in files or git and say which are live (exit 1 if one may work)
    #[command(
        long_about = "Find sk_live_ tokens in files, standard input (-), the git index \
        (--staged) or git history (--git), and say which are Seenty keys and, from the store, \
        whether they are Active, Revoked, Expired or Unknown. Without a store every Seenty \
        key is Unverified.\n\n\
        Hidden files are searched and .gitignore is honoured (--no-ignore to search ignored \
        files too); only .git/ is skipped. Files named explicitly are always searched. \
        UTF-16 files with a byte-order mark are decoded, and base64 is searched for encoded \
        keys, also when wrapped into lines (76 or 64 columns, CRLF, an indented YAML block \
        scalar); such findings say (base64).\n\n\
        Keys whose SHA-256 is listed in .seenty-keys-allow at the repository's root are \
        Allowed, unless the store says they are Active: the store has the last word, so \
        such a key stays Active (its line says allow-listed), fails the scan and --revoke \
        revokes it. The list is read from HEAD for --staged, from the range's base for \
        --git RANGE (from HEAD for --git without a range), from the working tree for a \
        plain scan; a symbolic link of that name is not followed.\n\n\
        With --git, commit messages (COMMIT:(message):LINE:COLUMN), symbolic links' targets \
        and, without a range, annotated tags' messages (tag NAME:(message):...) and blobs \
        and trees that tags point at are searched too. Scanning a repository runs nothing it \
        names: its fsmonitor, signature programs, diff and textconv drivers, pagers and \
        hooks are switched off, git replace objects are ignored, and a RANGE beginning with \
        - is refused.\n\n\
        Exit status: 0 nothing that may work was found; 1 an Active or Unverified key was \
        found; 2 a path does not exist, or a bad flag or range; 3 a file or directory could \
        not be read (after reporting what was found), or the store is unusable."
    )]
    Scan(Deferred<ScanArgs>),
    /// Show the audit trail, newest first
    Log(Deferred<LogArgs>),
    /// Write the whole store (organizations, keys as hashes, history) as JSON lines
    #[command(
        long_about = "Write the whole store on standard output as JSON lines: \
        organizations, settings, keys (their SHA-256 in hex, never a secret), last-used times \
        and the audit trail.\n\n\
        For backups, and to move a store between SQLite and PostgreSQL:\n\
        seenty-keys --db keys.db export | seenty-keys --db postgres://ci@db/keys import"
    )]
    Export,
    /// Load what export wrote, from standard input, into this store
    #[command(
        long_about = "Load what 'seenty-keys export' wrote, read from standard input, \
        into this store (created when missing; a PostgreSQL database must exist), in one \
        transaction.\n\n\
        A store that already holds organizations is refused unless --merge is given. \
        Importing is idempotent: what the store already holds is kept and not added twice."
    )]
    Import(Deferred<ImportArgs>),
    /// Answer API servers and gateways over HTTP: is this key valid right now?
    #[command(
        long_about = "Answer API servers and gateways over HTTP: is this key valid right \
        now? Serves the store given by --db until SIGTERM or SIGINT; many processes may share \
        one PostgreSQL store.\n\n\
        GET|POST|… /v1/check: for gateways; the key from Authorization: Bearer KEY or X-Api-Key. \
        204 with X-Seenty-Key-Id, X-Seenty-Org and X-Seenty-Key-Name (percent-encoded) when \
        valid; 401 with X-Seenty-Code (MALFORMED, NOT_FOUND, REVOKED, EXPIRED, MISSING); 403 \
        for PLAN; 503 UNAVAILABLE when the answer cannot be trusted.\n\n\
        POST /v1/verify with {\"key\": \"…\"}: for applications; 200 with verify --json's \
        object. GET /healthz: 200 ok, or 503. GET /metrics: Prometheus text.\n\n\
        A revoked key is rejected within a second on every process; a process that cannot \
        confirm it has seen every change of the store for longer than --freshness answers 503 \
        until it can. --org limits the service to one organization's keys. Last-used times \
        are written in batches, at least every few seconds and before exiting.\n\n\
        POST /v1/leaks/github, with --leak-keys: GitHub's secret scanning reports keys found in \
        public code here. A report signed by one of GitHub's public keys revokes each active key \
        of the store it names at once (--on-leak record keeps them working and only records the \
        report) and is answered with a label per token: true_positive or false_positive. \
        --gitlab-leak-keys enables the same for GitLab at /v1/leaks/gitlab."
    )]
    Serve(Deferred<ServeArgs>),
    /// Print a shell completion script
    #[command(long_about = "Print a shell completion script on standard output.\n\n\
        bash: seenty-keys completions bash > ~/.local/share/bash-completion/completions/seenty-keys\n\n\
        zsh: seenty-keys completions zsh > ~/.zfunc/_seenty-keys, with fpath+=(~/.zfunc) before compinit in ~/.zshrc\n\n\
        fish: seenty-keys completions fish > ~/.config/fish/completions/seenty-keys.fish\n\n\
        elvish: add eval (seenty-keys completions elvish | slurp) to ~/.config/elvish/rc.elv\n\n\
        powershell: add seenty-keys completions powershell | Out-String | Invoke-Expression to $PROFILE")]
    Completions(Deferred<CompletionsArgs>),
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The first organization's plan (prompted for at a terminal)
    #[arg(long, value_name = "PLAN")]
    pub plan: Option<PlanId>,
    /// The first organization's display name [default: its slug]
    #[arg(long, value_name = "TEXT")]
    pub name: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Create an organization
    Create {
        /// Lowercase letters, digits and hyphens
        slug: String,
        /// The plan, which caps the active keys
        #[arg(long, value_name = "PLAN")]
        plan: PlanId,
        /// A display name [default: the slug]
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
    },
    /// List organizations with their keys in use against each limit
    #[command(visible_alias = "ls")]
    List,
    /// Show one organization [default: the current one]
    Show {
        /// The organization [default: the current one]
        slug: Option<String>,
    },
    /// Change the current organization's plan (a downgrade below the active keys asks first)
    SetPlan {
        /// The new plan
        plan: PlanId,
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Show the current organization's key policy, or change it
    #[command(
        long_about = "Show the current organization's key policy, or change it.\n\n\
        The policy applies to new keys: generate and rotate refuse a key outside it (exit 1). \
        With a maximum lifetime, generate without --expires gives the key exactly that lifetime. \
        Keys that exist are not changed; seenty-keys report lists those outside the policy. \
        Each change is recorded in the audit log."
    )]
    Policy(PolicyArgs),
    /// Release the places of keys being delivered (a generate or rotate whose process died)
    #[command(long_about = "Release the places of keys being delivered.\n\n\
        generate and rotate reserve a key's place under the plan and its name before they \
        hand the secret over, and store the key once it was delivered. A key being delivered \
        counts against the plan (org show says \"3 / 5 (+1 being delivered)\"); a reservation \
        whose process died is released after 10 minutes, or at once by this command. A \
        delivery still under way then stores its key only if the plan and the name still \
        allow it. Asks first at a terminal; recorded in the audit log.")]
    ReleasePending {
        /// Do not ask for confirmation
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Make an organization the default for this store
    Use {
        /// The organization to use when --org is not given
        slug: String,
    },
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// A key last used longer ago than this is unused
    #[arg(long, value_name = "DURATION", default_value = "30d", value_parser = values::unused_for)]
    pub unused_for: TimeDelta,
    /// A key that stops working within this is expiring
    #[arg(long, value_name = "DURATION", default_value = "14d", value_parser = values::expiring_within)]
    pub expiring_within: TimeDelta,
}

#[derive(Debug, Args)]
pub struct PolicyArgs {
    /// New keys must expire within this long (90d, 12h, 30m), or none for no maximum;
    /// generate without --expires then gives exactly this lifetime
    #[arg(long, value_name = "DURATION|none", value_parser = values::max_lifetime)]
    pub max_lifetime: Option<MaxLifetime>,
    /// New keys must have an expiration (generate --expires never is refused)
    #[arg(long, overrides_with = "no_require_expiry")]
    pub require_expiry: bool,
    /// New keys may never expire (unless a maximum lifetime is set)
    #[arg(long, overrides_with = "require_expiry")]
    pub no_require_expiry: bool,
    /// The age after which report says a key is due for rotation [default: 90d]
    #[arg(long, value_name = "DURATION", value_parser = values::rotate_every)]
    pub rotate_every: Option<TimeDelta>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// What the key is for, e.g. "GitHub Actions CI" (prompted for at a terminal)
    #[arg(long, short = 'n', value_name = "NAME", value_parser = values::name)]
    pub name: Option<String>,
    /// never, a duration (90d, 12h, 2w, 30m), a date YYYY-MM-DD, or an RFC 3339 time; at
    /// most 10 years ahead [default: the organization's maximum lifetime (org policy),
    /// else never]
    #[arg(
        long,
        short = 'e',
        value_name = "WHEN",
        allow_hyphen_values = true,
        value_parser = values::expires
    )]
    pub expires: Option<Expiry>,
    /// Hand the key to `sh -c CMD` on its standard input instead of printing it; the key
    /// is stored only if CMD exits 0 (e.g. 'gh secret set SEENTY_TOKEN')
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only keys with this status
    #[arg(long, value_name = "STATUS")]
    pub status: Option<StatusFilter>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusFilter {
    Active,
    Revoked,
    Expired,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A key id, a key name, or - to read the key itself from standard input. A name shared
    /// by a rotation's two keys during its grace period is ambiguous: give the id
    #[arg(value_name = "KEYREF")]
    pub key: String,
}

#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// Key ids, key names, or - to read the key itself from standard input. A name shared
    /// by a rotation's two keys during its grace period is ambiguous: give the id
    #[arg(
        value_name = "KEYREF",
        required_unless_present_any = ["never_used", "unused_for", "expiring_within"]
    )]
    pub keys: Vec<String>,
    /// Also revoke every active key created more than 7 days ago and never used
    #[arg(long)]
    pub never_used: bool,
    /// Also revoke every active key last used longer ago than this (30d, 12h)
    #[arg(long, value_name = "DURATION", value_parser = values::unused_for)]
    pub unused_for: Option<TimeDelta>,
    /// Also revoke every active key that expires within this (14d, 12h)
    #[arg(long, value_name = "DURATION", value_parser = values::expiring_within)]
    pub expiring_within: Option<TimeDelta>,
    /// List what would be revoked, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Why, kept in each key's history [default with a selector: what selected the key]
    #[arg(long, value_name = "TEXT", value_parser = values::reason)]
    pub reason: Option<String>,
    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The key, or - for standard input [default: SEENTY_TOKEN, else standard input]
    #[arg(value_name = "KEY", conflicts_with = "batch")]
    pub key: Option<OsString>,
    /// Read one key per line from standard input; print one result per line
    #[arg(long)]
    pub batch: bool,
    /// Do not record the use as "last used"
    #[arg(long)]
    pub no_touch: bool,
    /// Print nothing on standard output; the exit status tells
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Where to listen, repeatable: HOST:PORT (port 0 picks a free one) or unix:PATH (a
    /// socket of mode 0660)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8787")]
    pub listen: Vec<String>,
    /// Answer 503 when the store's changes have not been confirmed for this long: 1s,
    /// 500ms, 1m (at most 60s)
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub freshness: String,
    /// GitHub's secret-scanning public keys, as GitHub publishes them: a file, or an
    /// http(s):// URL such as https://api.github.com/meta/public_keys/secret_scanning.
    /// Enables POST /v1/leaks/github
    #[arg(long, value_name = "SOURCE", value_parser = KeySource::parse)]
    pub(crate) leak_keys: Option<KeySource>,
    /// GitLab's secret-detection public keys (same format), enabling POST /v1/leaks/gitlab
    #[arg(long, value_name = "SOURCE", value_parser = KeySource::parse)]
    pub(crate) gitlab_leak_keys: Option<KeySource>,
    /// What a leak report does to an active key of the store: revoke it at once, or record
    /// the report in the audit log and keep the key working
    #[arg(long, value_name = "ACTION", value_enum, default_value_t = OnLeak::Revoke)]
    pub(crate) on_leak: OnLeak,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_name = "SHELL")]
    pub shell: clap_complete::Shell,
}

/// `seenty-keys generate-assets`: writes the shipped completions/ and man/ files, for
/// maintainers. Parsed on its own, outside [`Opts`]: in the tree, even hidden, clap
/// offered it first for a typo of `generate`.
#[derive(Debug, Parser)]
#[command(name = "seenty-keys generate-assets")]
pub struct GenerateAssetsArgs {
    /// The directory that receives completions/ and man/ (the repository root)
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub out_dir: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// A key id, a key name (during a grace period: the replacement), or - to read the key
    /// itself from standard input
    #[arg(value_name = "KEYREF")]
    pub key: String,
    /// Keep the old key working this long (at most 7d): 30m, 1h, 2d
    #[arg(
        long,
        value_name = "DURATION",
        allow_hyphen_values = true,
        value_parser = values::grace
    )]
    pub grace: Option<TimeDelta>,
    /// The new key's expiration, as generate's --expires [default: the old key's lifetime,
    /// counted from now, at most the organization's maximum lifetime]
    #[arg(
        long,
        short = 'e',
        value_name = "WHEN",
        allow_hyphen_values = true,
        value_parser = values::expires
    )]
    pub expires: Option<Expiry>,
    /// Hand the new key to `sh -c CMD` on its standard input instead of printing it; the
    /// rotation happens only if CMD exits 0 (e.g. 'gh secret set SEENTY_TOKEN')
    #[arg(long, value_name = "CMD")]
    pub exec: Option<String>,
    /// Do not ask for confirmation (required without a terminal)
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or directories to search; - reads standard input [default: .]
    #[arg(value_name = "PATH")]
    pub paths: Vec<std::path::PathBuf>,
    /// Search files that .gitignore and .ignore exclude too
    #[arg(long)]
    pub no_ignore: bool,
    /// Search what is staged in the git index (what git commit would record), for a
    /// pre-commit hook
    #[arg(long, conflicts_with_all = ["paths", "git"])]
    pub staged: bool,
    /// Search git history: every blob and message reachable from all refs, or from the
    /// commits of RANGE (e.g. origin/main..HEAD); findings are COMMIT:PATH:LINE:COLUMN
    #[arg(long, value_name = "RANGE", num_args = 0..=1, conflicts_with = "paths")]
    pub git: Option<Option<String>>,
    /// Output format (--json is --format json)
    #[arg(long, value_name = "FORMAT")]
    pub format: Option<ScanFormat>,
    /// Revoke the active keys found (asks first; --yes to skip)
    #[arg(long)]
    pub revoke: bool,
    /// Do not ask before revoking
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// How `scan` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// One line per finding
    Text,
    /// A JSON array of findings
    Json,
    /// SARIF 2.1.0, for code-scanning tools
    Sarif,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Add to a store that already holds organizations (what it holds is kept)
    #[arg(long)]
    pub merge: bool,
}

#[derive(Debug, Args)]
pub struct LogArgs {
    /// Only the events of this key (an id, a name, or - for the key on standard input)
    #[arg(long, value_name = "KEYREF")]
    pub key: Option<String>,
    /// How many events to show, newest first
    #[arg(
        long,
        short = 'n',
        value_name = "N",
        default_value_t = 50,
        allow_negative_numbers = true,
        value_parser = clap::value_parser!(u32).range(1..)
    )]
    pub limit: u32,
}

/// A plan on the command line is its slug (`--plan pro`); the domain knows nothing of clap.
impl ValueEnum for PlanId {
    fn value_variants<'a>() -> &'a [Self] {
        &Self::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.slug()))
    }
}

/// A subcommand's arguments (or nested subcommands), added to clap's definition only when
/// that subcommand is the one being run, or when help, completions and man pages are built.
///
/// Building every subcommand's arguments up front (allocating and moving clap's large
/// `Arg` and `Command` values) was the largest part of parsing a `verify` command line
/// (BENCHMARKS.md).
/// clap's derive cannot defer yet (clap issue 4959); this wrapper asks for it through
/// [`clap::Command::defer`]. The generated files (completions, man pages) are made from
/// [`full_command`], which defers nothing: completion generators walk the whole tree,
/// in the order it was declared.
#[derive(Debug)]
pub struct Deferred<T>(pub T);

thread_local! {
    static DEFER: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

/// The whole command line definition, every subcommand's arguments in place.
pub fn full_command() -> clap::Command {
    DEFER.set(false);
    let cmd = <Opts as clap::CommandFactory>::command();
    DEFER.set(true);
    cmd
}

/// `augment` applied to `cmd` now, or when clap builds `cmd`.
fn defer(cmd: clap::Command, augment: fn(clap::Command) -> clap::Command) -> clap::Command {
    if DEFER.get() {
        cmd.defer(augment)
    } else {
        augment(cmd)
    }
}

impl<T> std::ops::Deref for Deferred<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: FromArgMatches> FromArgMatches for Deferred<T> {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches(matches).map(Self)
    }

    fn from_arg_matches_mut(matches: &mut ArgMatches) -> Result<Self, clap::Error> {
        T::from_arg_matches_mut(matches).map(Self)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        self.0.update_from_arg_matches(matches)
    }
}

impl<T: Args> Args for Deferred<T> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        defer(cmd, T::augment_args)
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        defer(cmd, T::augment_args_for_update)
    }

    fn group_id() -> Option<clap::Id> {
        T::group_id()
    }
}

impl<T: Subcommand> Subcommand for Deferred<T> {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        defer(cmd, T::augment_subcommands)
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        defer(cmd, T::augment_subcommands_for_update)
    }

    fn has_subcommand(name: &str) -> bool {
        T::has_subcommand(name)
    }
}

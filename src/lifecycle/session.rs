//! A session with the store: what every change and every decision about a key needs
//! besides the store itself — one clock reading (the store's, so runners with skewed
//! clocks agree), the database role, who acts, and which organization a command means.
//! Both front doors hold one: the command line for one command, a long-lived service
//! for as long as it runs; neither needs a terminal for it.

use std::cell::OnceCell;

use crate::domain::Timestamp;
use crate::domain::key::{self, Key, Status};
use crate::error::{Error, Result};
use crate::store::{self, Location, Stamp, Store, Uses};

/// Who acts, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The account of this process's real uid, and the database role on PostgreSQL:
    /// `alice (db: ci_runner)`. Found out at the first stamp that needs it, as a command
    /// that records nothing need not read /proc and /etc/passwd.
    Process,
    /// A name the caller chose (a service names itself).
    Named(String),
}

/// What a name shared by the two active keys of a rotation's grace period refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InGrace {
    /// The replacement: `rotate NAME` (the old key is already rotated).
    Replacement,
    /// Neither: `revoke NAME` and `show NAME` must not act on the wrong key, so the name
    /// is refused with both ids.
    Ambiguous,
}

/// An open store with its clock, role and actor. `Send`, so a service can hand it to the
/// thread that serves a request.
pub struct Session {
    pub(super) store: Box<dyn Store + Send>,
    /// Whole seconds, the store's resolution, so what is stored is what is compared.
    now: Timestamp,
    role: Option<String>,
    actor: Actor,
    /// [`Actor::Process`]'s name, once found out.
    name: OnceCell<String>,
    /// The organization asked for (`--org`), if any; see [`Session::org`].
    chosen: Option<String>,
}

impl Session {
    /// Opens an existing store and reads its clock and role.
    pub fn open(location: &Location, actor: Actor) -> Result<Self> {
        Self::on(store::open(location)?, actor)
    }

    /// A session on a store already open (`init` and `import` create theirs).
    pub fn on(mut store: Box<dyn Store + Send>, actor: Actor) -> Result<Self> {
        let now = store.clock()?;
        let role = store.role()?;
        Ok(Self {
            store,
            now,
            role,
            actor,
            name: OnceCell::new(),
            chosen: None,
        })
    }

    /// The organization every organization-scoped step acts on when one is asked for.
    #[must_use]
    pub fn with_org(mut self, chosen: Option<String>) -> Self {
        self.chosen = chosen;
        self
    }

    /// The organization asked for, if any.
    pub fn chosen_org(&self) -> Option<&str> {
        self.chosen.as_deref()
    }

    /// The store, for reads.
    pub fn store(&mut self) -> &mut dyn Store {
        self.store.as_mut()
    }

    /// The time every decision of this session uses, until [`Self::tick`].
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// Reads the store's clock again, for work that runs long (a batch, a service).
    pub fn tick(&mut self) -> Result<Timestamp> {
        self.now = self.store.clock()?;
        Ok(self.now)
    }

    /// Who acts, and now.
    pub fn stamp(&self) -> Stamp {
        let actor = match &self.actor {
            Actor::Named(name) => name.clone(),
            Actor::Process => self
                .name
                .get_or_init(|| actor(&crate::os::account(), self.role.as_deref()))
                .clone(),
        };
        Stamp {
            now: self.now,
            actor,
        }
    }

    /// The stamp for a record of uses: last-used times name no actor, and finding out who
    /// acts takes a read of /proc, so only attempts to use a revoked or expired key,
    /// which are audit events, pay for it.
    pub fn stamp_for(&self, uses: &Uses) -> Stamp {
        if uses.attempts.is_empty() {
            Stamp {
                now: self.now,
                actor: String::new(),
            }
        } else {
            self.stamp()
        }
    }

    /// Records what a verification saw (see [`Store::record_uses`]).
    pub fn record_uses(&mut self, uses: &Uses) -> Result<()> {
        let stamp = self.stamp_for(uses);
        self.store.record_uses(uses, &stamp)
    }

    /// The organization to act on: the one asked for, else the default set by `org use`,
    /// else the only one in the store.
    pub fn acting_org(&mut self) -> Result<String> {
        let store = self.store.as_mut();
        if let Some(slug) = &self.chosen {
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

    /// Finds the key a KEYREF names: an id or a name (an active key first). During a
    /// rotation's grace period two active keys share the name: it is ambiguous, unless
    /// `in_grace` says it names the replacement ([`InGrace`]).
    pub fn resolve_key(&mut self, reference: &str, in_grace: InGrace) -> Result<Key> {
        let org = self.acting_org()?;
        let reference = reference.trim();
        // A secret pasted where a KEYREF goes is never echoed: errors end up in CI logs.
        let shown = if reference.starts_with(key::PREFIX) {
            key::Hint::of(reference.as_bytes()).to_string()
        } else {
            reference.to_owned()
        };
        if key::looks_like_id(reference)
            && let Some(key) = self.store.key_by_id(&org, reference)?
        {
            return Ok(key);
        }
        let mut named = self.store.keys_named(&org, reference)?;
        let now = self.now;
        named.sort_by_key(|k| k.status(now) != Status::Active);
        let active = named
            .iter()
            .take_while(|k| k.status(now) == Status::Active)
            .count();
        if active > 1 {
            if in_grace == InGrace::Replacement
                && let Some(new) = named[..active].iter().position(|k| k.rotated_to.is_none())
            {
                return Ok(named.swap_remove(new));
            }
            return Err(Error::NameInGrace {
                name: shown,
                ids: named.drain(..active).map(|k| k.id).collect(),
            });
        }
        if active == 1 {
            return Ok(named.swap_remove(0));
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

    /// The key whose secret this is: a leaked secret names its own organization; the
    /// organization asked for still narrows the search.
    pub fn key_by_secret(&mut self, secret: &[u8]) -> Result<Key> {
        let hash = key::check(secret.trim_ascii()).map_err(Error::MalformedKey)?;
        let not_found = || Error::UnknownSecret {
            org: self.chosen.clone().unwrap_or_default(),
        };
        let found = self.store.key_by_hash(&hash)?.ok_or_else(not_found)?;
        if self.chosen.as_ref().is_some_and(|org| *org != found.org) {
            return Err(not_found());
        }
        self.store
            .key_by_id(&found.org, &found.id)?
            .ok_or_else(not_found)
    }
}

/// The acting user for the audit log: the account of the process's real uid (not
/// `$USER`, which anyone sets), and on PostgreSQL the database role the store was opened
/// as. Both are bounded: an account name by [`crate::os::account`], a role by
/// PostgreSQL (63 bytes).
fn actor(account: &str, role: Option<&str>) -> String {
    match role {
        Some(role) => format!("{account} (db: {role})"),
        None => account.to_owned(),
    }
}

/// A service hands its session from thread to thread: this fails to build if a part of
/// it stops being `Send`.
const _: fn() = || {
    fn send<T: Send>() {}
    send::<Session>();
};

/// A session reads through its store.
impl std::ops::Deref for Session {
    type Target = dyn Store + Send;

    fn deref(&self) -> &Self::Target {
        self.store.as_ref()
    }
}

impl std::ops::DerefMut for Session {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.store.as_mut()
    }
}

//! Reading rows, once for both backends: a [`Columns`] trait over `rusqlite::Row` and
//! `postgres::Row`, the mappings from columns to domain types, and the status rules as
//! SQL text. Each backend's queries select the columns in the orders written here.

use crate::domain::Timestamp;
use crate::domain::dump::{EventRecord, KeyRecord, OrgRecord};
use crate::domain::event::{Event, EventKind};
use crate::domain::hygiene::{KeyFacts, OrgFacts};
use crate::domain::key::{Hint, Key, KeyHash};
use crate::domain::org::Org;
use crate::domain::plan::{Plan, PlanId};
use crate::domain::policy::Policy;
use crate::error::{Error, Result};
use crate::store::KeyMatch;

/// One result row, whatever the database: typed reads by position.
pub trait Columns {
    fn text(&self, i: usize) -> Result<String>;
    fn opt_text(&self, i: usize) -> Result<Option<String>>;
    fn int(&self, i: usize) -> Result<i64>;
    fn opt_int(&self, i: usize) -> Result<Option<i64>>;
    fn flag(&self, i: usize) -> Result<bool>;
    fn bytes(&self, i: usize) -> Result<Vec<u8>>;

    fn time(&self, i: usize) -> Result<Timestamp> {
        timestamp(self.int(i)?)
    }
    fn opt_time(&self, i: usize) -> Result<Option<Timestamp>> {
        self.opt_int(i)?.map(timestamp).transpose()
    }
}

/// Implements [`Columns`] for a database crate's row type through its typed getter
/// (`get`, `try_get`), whose errors convert into the tool's.
macro_rules! columns_via {
    ($row:ty, $get:ident) => {
        impl $crate::store::rows::Columns for $row {
            fn text(&self, i: usize) -> $crate::error::Result<String> {
                Ok(self.$get(i)?)
            }
            fn opt_text(&self, i: usize) -> $crate::error::Result<Option<String>> {
                Ok(self.$get(i)?)
            }
            fn int(&self, i: usize) -> $crate::error::Result<i64> {
                Ok(self.$get(i)?)
            }
            fn opt_int(&self, i: usize) -> $crate::error::Result<Option<i64>> {
                Ok(self.$get(i)?)
            }
            fn flag(&self, i: usize) -> $crate::error::Result<bool> {
                Ok(self.$get(i)?)
            }
            fn bytes(&self, i: usize) -> $crate::error::Result<Vec<u8>> {
                Ok(self.$get(i)?)
            }
        }
    };
}
pub(crate) use columns_via;

/// How many columns [`key`] reads: a query's extra columns follow from this index.
pub const KEY_WIDTH: usize = 11;
pub const KEY_FROM: &str = "keys k JOIN orgs o ON o.id = k.org_id";
pub const ORG_FROM: &str = "orgs o JOIN plans p ON p.id = o.plan";

/// Status predicates on `k` at the time in placeholder `now` (`:now`, `$2`), the SQL
/// twin of [`crate::domain::key::status_at`]: the same text for both dialects.
pub fn is_revoked(now: &str) -> String {
    format!("(k.revoked_at IS NOT NULL AND k.revoked_at <= {now})")
}
pub fn is_expired(now: &str) -> String {
    format!("(k.expires_at IS NOT NULL AND k.expires_at <= {now})")
}
pub fn is_active(now: &str) -> String {
    format!("(NOT {} AND NOT {})", is_revoked(now), is_expired(now))
}
/// Whether `k` counts against its plan's limit (SPEC 3): active and not replaced. A
/// revocation time in the future is a rotation's grace period, which does not count.
pub fn counts_against_plan(now: &str) -> String {
    format!("(k.revoked_at IS NULL AND NOT {})", is_expired(now))
}

/// The columns [`org`] reads, with the time in placeholder `now`.
pub fn org_columns(now: &str) -> String {
    format!(
        "o.slug, o.name, o.created_at, p.id, p.name, p.key_limit, p.api_access, \
         (SELECT count(*) FROM keys k WHERE k.org_id = o.id AND {}), {POLICY_COLUMNS}, \
         (SELECT count(*) FROM reservations r WHERE r.org_id = o.id AND r.until > {now})",
        counts_against_plan(now)
    )
}

/// The columns [`policy`] reads, of organization `o`.
pub const POLICY_COLUMNS: &str = "o.max_lifetime, o.require_expiry, o.rotate_every";

pub fn timestamp(secs: i64) -> Result<Timestamp> {
    chrono::DateTime::from_timestamp(secs, 0)
        .ok_or_else(|| Error::corrupt(format!("time {secs} out of range")))
}

pub fn plan_id(text: &str) -> Result<PlanId> {
    PlanId::from_slug(text).ok_or_else(|| Error::corrupt(format!("unknown plan {text:?}")))
}

pub fn hash(bytes: &[u8]) -> Result<KeyHash> {
    <[u8; 32]>::try_from(bytes)
        .map(KeyHash)
        .map_err(|_| Error::corrupt(format!("a key hash of {} bytes", bytes.len())))
}

pub fn event_kind(name: &str) -> Result<EventKind> {
    EventKind::from_name(name).ok_or_else(|| Error::corrupt(format!("unknown event kind {name:?}")))
}

/// A key from the columns: id, org slug, name, hint, created, expires, last used,
/// revoked, reason, rotated from (id), rotated to (id).
pub fn key(row: &dyn Columns) -> Result<Key> {
    Ok(Key {
        id: row.text(0)?,
        org: row.text(1)?,
        name: row.text(2)?,
        hint: Hint(row.text(3)?),
        created_at: row.time(4)?,
        expires_at: row.opt_time(5)?,
        last_used_at: row.opt_time(6)?,
        revoked_at: row.opt_time(7)?,
        revoke_reason: row.opt_text(8)?,
        rotated_from: row.opt_text(9)?,
        rotated_to: row.opt_text(10)?,
    })
}

/// What `verify` needs from columns: row, id, (column 2 is the caller's), name,
/// expires, revoked; the organization and its API access are given.
pub fn key_match(row: &dyn Columns, org: String, api_access: bool) -> Result<KeyMatch> {
    Ok(KeyMatch {
        handle: row.int(0)?,
        id: row.text(1)?,
        org,
        name: row.text(3)?,
        expires_at: row.opt_time(4)?,
        revoked_at: row.opt_time(5)?,
        api_access,
    })
}

/// The positions of a many-hash lookup that found a key: SQL numbers them from 1
/// (`rarray`, `WITH ORDINALITY`), the caller from 0.
pub struct Positions(Vec<bool>);

impl Positions {
    pub fn new(count: usize) -> Self {
        Self(vec![false; count])
    }

    /// The index of SQL position `position`, once; None when out of range.
    pub fn take(&mut self, position: i64) -> Option<usize> {
        let i = usize::try_from(position.checked_sub(1)?).ok()?;
        let slot = self.0.get_mut(i)?;
        *slot = true;
        Some(i)
    }

    /// The indexes no row matched.
    pub fn missing(&self) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, s)| !**s)
            .map(|(i, _)| i)
    }
}

/// A plan from four columns starting at `at`: id, name, key_limit, api_access.
pub fn plan(row: &dyn Columns, at: usize) -> Result<Plan> {
    Ok(Plan {
        id: plan_id(&row.text(at)?)?,
        name: row.text(at + 1)?,
        key_limit: row
            .opt_int(at + 2)?
            .map(|l| u32::try_from(l).map_err(|_| Error::corrupt(format!("plan limit {l}"))))
            .transpose()?,
        api_access: row.flag(at + 3)?,
    })
}

/// An organization from [`org_columns`].
pub fn org(row: &dyn Columns) -> Result<Org> {
    Ok(Org {
        slug: row.text(0)?,
        name: row.text(1)?,
        created_at: row.time(2)?,
        plan: plan(row, 3)?,
        active_keys: row.int(7)?.unsigned_abs(),
        policy: policy(row, 8)?,
        being_delivered: row.int(11)?.unsigned_abs(),
    })
}

/// A policy from [`POLICY_COLUMNS`] starting at `at`.
pub fn policy(row: &dyn Columns, at: usize) -> Result<Policy> {
    let seconds = |secs: i64| {
        chrono::TimeDelta::try_seconds(secs)
            .filter(|d| *d > chrono::TimeDelta::zero())
            .ok_or_else(|| Error::corrupt(format!("a policy duration of {secs} s")))
    };
    Ok(Policy {
        max_lifetime: row.opt_int(at)?.map(seconds).transpose()?,
        require_expiry: row.flag(at + 1)?,
        rotate_every: seconds(row.int(at + 2)?)?,
    })
}

/// The columns of an organization for `report`, with [`hygiene_org`]'s mapping.
pub const HYGIENE_ORG_COLUMNS: &str = "o.id, o.slug, p.id, p.name, p.key_limit, p.api_access, o.max_lifetime, o.require_expiry, \
     o.rotate_every";

/// What `report` reads, in one snapshot: the organizations first, then their keys that
/// count against the plan at the time, each naming its organization by its place in
/// the first list.
#[derive(Debug, Clone)]
pub enum Hygiene {
    Org(OrgFacts),
    Key { org: usize, key: KeyFacts },
}

/// Maps `report`'s rows for the caller's `visit`, numbering organizations as they come.
#[derive(Default)]
pub struct HygieneRows(std::collections::HashMap<i64, usize>);

impl HygieneRows {
    /// An organization from [`HYGIENE_ORG_COLUMNS`].
    pub fn org(
        &mut self,
        row: &dyn Columns,
        visit: &mut dyn FnMut(Hygiene) -> Result<()>,
    ) -> Result<()> {
        let next = self.0.len();
        self.0.insert(row.int(0)?, next);
        visit(Hygiene::Org(OrgFacts {
            slug: row.text(1)?,
            plan: plan(row, 2)?,
            policy: policy(row, 6)?,
        }))
    }

    /// A key from: org row id, id, name, created, expires, last used. Keys of other
    /// organizations than those read are skipped.
    pub fn key(
        &self,
        row: &dyn Columns,
        visit: &mut dyn FnMut(Hygiene) -> Result<()>,
    ) -> Result<()> {
        let Some(&org) = self.0.get(&row.int(0)?) else {
            return Ok(());
        };
        visit(Hygiene::Key {
            org,
            key: KeyFacts {
                id: row.text(1)?,
                name: row.text(2)?,
                created_at: row.time(3)?,
                expires_at: row.opt_time(4)?,
                last_used_at: row.opt_time(5)?,
            },
        })
    }
}

/// An audit event from: at, actor, org slug, kind, key id, key name, detail, and how
/// many attempts it stands for (said in the detail when more than one).
pub fn event(row: &dyn Columns) -> Result<Event> {
    let attempts = row.int(7)?;
    let detail = row.opt_text(6)?;
    Ok(Event {
        at: row.time(0)?,
        actor: row.text(1)?,
        org: row.text(2)?,
        kind: event_kind(&row.text(3)?)?,
        key_id: row.opt_text(4)?,
        key_name: row.opt_text(5)?,
        detail: match (attempts, detail) {
            (1, detail) => detail,
            (n, None) => Some(format!("{n} attempts in a minute")),
            (n, Some(detail)) => Some(format!("{detail} ({n} attempts in a minute)")),
        },
    })
}

/// The query of [`crate::store::Store::leaks`]: the events leak reports recorded on keys
/// (revocations, or reports only recorded) at `since` or later, newest first, with the
/// columns [`event`] reads. `key_id` is the backend's expression of a key's id; `p` its
/// placeholders for the time, the organization (or NULL) and the two kinds' actors.
pub fn leaks_sql(key_id: &str, p: [&str; 4]) -> String {
    let [since, org, github, gitlab] = p;
    format!(
        "SELECT e.at, e.actor, o.slug, e.kind, {key_id}, k.name, e.detail, CAST(1 AS BIGINT) \
         FROM events e JOIN orgs o ON o.id = e.org_id JOIN keys k ON k.id = e.key_id \
         WHERE e.at >= {since} AND ({org} IS NULL OR o.slug = {org}) \
         AND e.kind IN ('key_revoked', 'leak_reported') AND e.actor IN ({github}, {gitlab}) \
         ORDER BY e.id DESC"
    )
}

/// The queries of an export, in replay order, each in its backend's SQL and with the
/// columns the mapping below reads.
pub struct ExportSql {
    /// slug, name, plan, created_at, then [`POLICY_COLUMNS`]
    pub orgs: &'static str,
    /// name, value
    pub settings: &'static str,
    /// id, org slug, name, hash, hint, created, expires, revoked, reason, rotated from
    pub keys: &'static str,
    /// key id, last used
    pub usage: &'static str,
    /// org slug, key id, at, actor, kind, detail, attempts
    pub events: &'static str,
}

/// Runs a query and hands each row to `visit`, inside the caller's read snapshot.
pub trait Query {
    fn each(&mut self, sql: &str, visit: &mut dyn FnMut(&dyn Columns) -> Result<()>) -> Result<()>;
}

/// Every row of the store, as export records, through the backend's `sql`.
pub fn export(
    query: &mut dyn Query,
    sql: &ExportSql,
    visit: &mut dyn FnMut(crate::domain::dump::Record) -> Result<()>,
) -> Result<()> {
    use crate::domain::dump::Record;
    query.each(sql.orgs, &mut |row| {
        visit(Record::Org(OrgRecord {
            slug: row.text(0)?,
            name: row.text(1)?,
            plan: plan_id(&row.text(2)?)?,
            created_at: row.time(3)?,
            policy: policy(row, 4)?,
        }))
    })?;
    query.each(sql.settings, &mut |row| {
        visit(Record::Setting {
            name: row.text(0)?,
            value: row.text(1)?,
        })
    })?;
    query.each(sql.keys, &mut |row| {
        visit(Record::Key(KeyRecord {
            id: row.text(0)?,
            org: row.text(1)?,
            name: row.text(2)?,
            hash: hash(&row.bytes(3)?)?,
            hint: Hint(row.text(4)?),
            created_at: row.time(5)?,
            expires_at: row.opt_time(6)?,
            revoked_at: row.opt_time(7)?,
            revoke_reason: row.opt_text(8)?,
            rotated_from: row.opt_text(9)?,
        }))
    })?;
    query.each(sql.usage, &mut |row| {
        visit(Record::Usage {
            key: row.text(0)?,
            last_used_at: row.time(1)?,
        })
    })?;
    query.each(sql.events, &mut |row| {
        visit(Record::Event(EventRecord {
            org: row.text(0)?,
            key: row.opt_text(1)?,
            at: row.time(2)?,
            actor: row.text(3)?,
            kind: event_kind(&row.text(4)?)?,
            detail: row.opt_text(5)?,
            attempts: row.int(6)?.unsigned_abs(),
        }))
    })
}

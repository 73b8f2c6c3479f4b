//! Organizations: the owners of keys. Keys belong to an organization, never to a person.

use super::Timestamp;
use super::plan::Plan;
use super::policy::Policy;

/// An organization with its plan, its key policy and how many of its keys are active now,
/// and how many are being delivered (reserved, not yet stored), which count too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Org {
    pub slug: String,
    pub name: String,
    pub plan: Plan,
    pub created_at: Timestamp,
    pub active_keys: u64,
    pub being_delivered: u64,
    pub policy: Policy,
}

/// A key being delivered (reserved under the plan, not yet stored), as a refusal or
/// `org release-pending` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub id: String,
    pub name: String,
}

impl Pending {
    /// `key_… "CI", key_… "Deploy"`: the keys by id and name.
    pub fn list(pending: &[Self]) -> String {
        let keys: Vec<String> = pending
            .iter()
            .map(|p| format!("{} {:?}", p.id, p.name))
            .collect();
        keys.join(", ")
    }
}

/// Why a slug was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", describe(&self.0))]
pub struct BadSlug(pub String);

fn describe(slug: &str) -> String {
    if super::key::contains_key(slug) {
        return "the organization slug looks like an API key: it contains a Seenty key, and a key is never stored as text".to_owned();
    }
    format!(
        "invalid organization slug {slug:?}: use 1 to 39 lowercase letters, digits and hyphens, starting with a letter or digit"
    )
}

/// Slugs follow GitHub's rules for organization logins, lowercased: they appear in
/// `verify` output and in `--org`, so they stay shell- and URL-safe.
pub fn validate_slug(slug: &str) -> Result<&str, BadSlug> {
    let ok = (1..=39).contains(&slug.len())
        && slug
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !slug.starts_with('-')
        && !slug.ends_with('-');
    if ok {
        Ok(slug)
    } else {
        Err(BadSlug(slug.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(validate_slug("acme").is_ok());
        assert!(validate_slug("acme-2").is_ok());
        for bad in [
            "",
            "-acme",
            "acme-",
            "Acme",
            "ac me",
            "a_b",
            &"a".repeat(40),
        ] {
            assert!(validate_slug(bad).is_err(), "{bad:?}");
        }
    }
}

//! Plans and the rule they impose: how many active keys an organization may hold.
//!
//! The limits themselves are data, seeded into the store by its first migration; this
//! module names the plans (for flags and completions) and applies a limit to a count.

use std::fmt;

/// A plan, as named on the command line and in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PlanId {
    Hobby,
    Starter,
    Pro,
    Ultra,
    Enterprise,
}

impl PlanId {
    pub const ALL: [Self; 5] = [
        Self::Hobby,
        Self::Starter,
        Self::Pro,
        Self::Ultra,
        Self::Enterprise,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Self::Hobby => "hobby",
            Self::Starter => "starter",
            Self::Pro => "pro",
            Self::Ultra => "ultra",
            Self::Enterprise => "enterprise",
        }
    }

    /// The plan's name as tables and messages spell it: `Starter`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Hobby => "Hobby",
            Self::Starter => "Starter",
            Self::Pro => "Pro",
            Self::Ultra => "Ultra",
            Self::Enterprise => "Enterprise",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.slug() == slug)
    }
}

impl fmt::Display for PlanId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.slug())
    }
}

/// A plan with its terms, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub id: PlanId,
    pub name: String,
    /// `None` is unlimited.
    pub key_limit: Option<u32>,
    pub api_access: bool,
}

/// Why a plan refuses one more active key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NoApiAccess,
    LimitReached { limit: u32, active: u64 },
}

impl Plan {
    /// Whether an organization on this plan, holding `active` active keys, may add one.
    pub fn admit_new_key(&self, active: u64) -> Result<(), Refusal> {
        if !self.api_access {
            return Err(Refusal::NoApiAccess);
        }
        match self.key_limit {
            Some(limit) if active >= u64::from(limit) => {
                Err(Refusal::LimitReached { limit, active })
            }
            _ => Ok(()),
        }
    }

    /// Whether moving an organization with `active` keys onto this plan strands some of
    /// them: over the limit, or without API access. Such a change needs a confirmation.
    pub fn strands(&self, active: u64) -> bool {
        let over = self
            .key_limit
            .is_some_and(|limit| active > u64::from(limit));
        over || (!self.api_access && active > 0)
    }

    /// The limit as shown to people: a number or "Unlimited".
    pub fn limit_label(&self) -> String {
        self.key_limit
            .map_or_else(|| "Unlimited".to_owned(), |n| n.to_string())
    }

    /// The next plan up that would admit `active + 1` keys, for upgrade hints.
    pub fn upgrade_for(plans: &[Plan], active: u64) -> Option<&Plan> {
        plans
            .iter()
            .filter(|p| p.api_access && p.key_limit.is_none_or(|l| u64::from(l) > active))
            .min_by_key(|p| p.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: PlanId, limit: Option<u32>, api: bool) -> Plan {
        Plan {
            id,
            name: id.slug().into(),
            key_limit: limit,
            api_access: api,
        }
    }

    #[test]
    fn limits_are_enforced() {
        let pro = plan(PlanId::Pro, Some(5), true);
        assert_eq!(pro.admit_new_key(4), Ok(()));
        assert_eq!(
            pro.admit_new_key(5),
            Err(Refusal::LimitReached {
                limit: 5,
                active: 5
            })
        );
        let hobby = plan(PlanId::Hobby, Some(0), false);
        assert_eq!(hobby.admit_new_key(0), Err(Refusal::NoApiAccess));
        let ent = plan(PlanId::Enterprise, None, true);
        assert_eq!(ent.admit_new_key(1_000_000), Ok(()));
    }

    #[test]
    fn upgrade_hint_picks_the_smallest_plan_that_fits() {
        let plans = [
            plan(PlanId::Hobby, Some(0), false),
            plan(PlanId::Starter, Some(1), true),
            plan(PlanId::Pro, Some(5), true),
            plan(PlanId::Enterprise, None, true),
        ];
        assert_eq!(
            Plan::upgrade_for(&plans, 0).map(|p| p.id),
            Some(PlanId::Starter)
        );
        assert_eq!(
            Plan::upgrade_for(&plans, 1).map(|p| p.id),
            Some(PlanId::Pro)
        );
        assert_eq!(
            Plan::upgrade_for(&plans, 5).map(|p| p.id),
            Some(PlanId::Enterprise)
        );
    }
}

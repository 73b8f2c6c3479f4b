//! `org policy`: shows the organization's key policy, or changes it (each changed setting
//! an audit event). The rules themselves live in [`crate::domain::policy`].

use crate::cli::PolicyArgs;
use crate::domain::policy::{Policy, PolicyChange};
use crate::error::{Error, Result};
use crate::render::{Column, Fit, Grid, GridCell, OrgPolicyJson, PolicyJson, col, policy_rows};

use super::{Ctx, print_grid, print_json, print_line};

pub(crate) fn run(ctx: &Ctx, args: &PolicyArgs) -> Result<()> {
    let change = change(args);
    let mut session = ctx.session()?;
    let slug = session.acting_org()?;
    let policy = if change.is_empty() {
        session
            .org(&slug, ctx.now())?
            .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?
            .policy
    } else {
        let (old, new) = session.set_policy(&slug, &change)?;
        if !ctx.config.json {
            let (_, changed) = old.apply(&change);
            for (setting, from, to) in &changed {
                print_line(&format!("{slug}: {setting} {from} -> {to}"))?;
            }
            if changed.is_empty() {
                print_line(&format!("{slug}: the key policy is unchanged"))?;
            }
            return Ok(());
        }
        new
    };
    if ctx.config.json {
        return print_json(&OrgPolicyJson {
            org: &slug,
            policy: PolicyJson::new(&policy),
        });
    }
    show(ctx, &policy)
}

/// The policy's table: a setting and its value a row.
const POLICY_COLUMNS: [Column; 2] = [col("Setting", Fit::Whole), col("Value", Fit::Cut)];

fn show(ctx: &Ctx, policy: &Policy) -> Result<()> {
    let mut grid = Grid::new(&POLICY_COLUMNS);
    for (label, value) in policy_rows(policy) {
        grid.push(vec![GridCell::new(label), GridCell::new(value)]);
    }
    print_grid(ctx, &grid)
}

/// The flags as a change; none given means "show".
fn change(args: &PolicyArgs) -> PolicyChange {
    let max_lifetime = args.max_lifetime.map(|max| max.0);
    let require_expiry = match (args.require_expiry, args.no_require_expiry) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    };
    PolicyChange {
        max_lifetime,
        require_expiry,
        rotate_every: args.rotate_every,
    }
}

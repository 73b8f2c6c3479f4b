//! `org create|list|show|set-plan|policy|release-pending|use`: organizations, their plans and their key
//! policies.

use crate::cli::OrgCommand;
use crate::domain::org::{Org, Pending, validate_slug};
use crate::domain::plan::PlanId;
use crate::domain::text::validate_text;
use crate::error::{Error, Exit, Result};
use crate::render::{
    Column, Fit, Grid, GridCell, OrgJson, PROPERTY_COLUMNS, col, count, escape, policy_rows,
    property, table_time, usage, usage_sentence,
};

use super::{Ctx, print_grid, print_json, print_line};

const COLUMNS: [Column; 5] = [
    col("Slug", Fit::Whole),
    col("Name", Fit::Cut),
    col("Plan", Fit::Whole),
    col("Keys in use", Fit::Whole),
    col("Default", Fit::Whole),
];

pub(crate) fn run(ctx: &Ctx, command: OrgCommand) -> Result<Exit> {
    match command {
        OrgCommand::Create { slug, plan, name } => create(ctx, &slug, plan, name.as_deref()),
        OrgCommand::List => list(ctx),
        OrgCommand::Show { slug } => show(ctx, slug),
        OrgCommand::SetPlan { plan, yes } => set_plan(ctx, plan, yes),
        OrgCommand::Policy(args) => super::policy::run(ctx, &args),
        OrgCommand::ReleasePending { yes } => release_pending(ctx, yes),
        OrgCommand::Use { slug } => use_org(ctx, &slug),
    }?;
    Ok(Exit::Success)
}

fn create(ctx: &Ctx, slug: &str, plan: PlanId, name: Option<&str>) -> Result<()> {
    let slug = validate_slug(slug)?;
    let name = name
        .map(|n| validate_text("the organization name", n))
        .transpose()?;
    let mut session = ctx.session()?;
    let org = session.create_org(slug, name.as_deref().unwrap_or(slug), plan)?;
    if ctx.config.json {
        let default = session.default_org()?.as_deref() == Some(slug);
        return print_json(&OrgJson::new(&org, default));
    }
    print_line(&format!(
        "Created organization {} on the {} plan.",
        org.slug, org.plan.name
    ))
}

fn list(ctx: &Ctx) -> Result<()> {
    let mut session = ctx.session()?;
    let orgs = session.orgs(ctx.now())?;
    let default = session.default_org()?;
    let is_default = |org: &Org| default.as_deref() == Some(org.slug.as_str());
    if ctx.config.json {
        let json: Vec<_> = orgs
            .iter()
            .map(|org| OrgJson::new(org, is_default(org)))
            .collect();
        return print_json(&json);
    }
    let mut grid = Grid::new(&COLUMNS);
    for org in &orgs {
        grid.push(vec![
            GridCell::new(org.slug.clone()),
            GridCell::new(escape(&org.name)),
            GridCell::new(org.plan.name.clone()),
            GridCell::new(usage(org)),
            GridCell::new(if is_default(org) { "*" } else { "" }),
        ]);
    }
    print_grid(ctx, &grid)
}

fn show(ctx: &Ctx, slug: Option<String>) -> Result<()> {
    let mut session = ctx.session()?;
    let slug = match slug {
        Some(slug) => slug,
        None => session.acting_org()?,
    };
    let org = session
        .org(&slug, ctx.now())?
        .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?;
    let default = session.default_org()?.as_deref() == Some(org.slug.as_str());
    if ctx.config.json {
        return print_json(&OrgJson::new(&org, default));
    }
    let mut grid = Grid::new(&PROPERTY_COLUMNS);
    let rows: [(&str, String); 5] = [
        ("Slug", org.slug.clone()),
        ("Name", escape(&org.name).into_owned()),
        ("Plan", org.plan.name.clone()),
        ("Keys in use", usage(&org)),
        ("Created (UTC)", table_time(Some(org.created_at))),
    ];
    for (label, value) in rows {
        grid.push(property(label, value));
    }
    for (label, value) in policy_rows(&org.policy) {
        grid.push(property(label, value));
    }
    print_grid(ctx, &grid)
}

/// A downgrade below the number of active keys is allowed after a confirmation: the keys
/// keep working, and `generate` is refused until the count is under the new limit.
fn set_plan(ctx: &Ctx, plan: PlanId, yes: bool) -> Result<()> {
    let mut session = ctx.session()?;
    let slug = session.acting_org()?;
    let org = session
        .org(&slug, ctx.now())?
        .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?;
    let new_plan = session
        .plans()?
        .into_iter()
        .find(|p| p.id == plan)
        .ok_or_else(|| Error::Store {
            fault: crate::error::StoreFault::Corrupt,
            message: format!("plan {plan} missing"),
        })?;
    let confirmed = yes || new_plan.strands(org.active_keys);
    if new_plan.strands(org.active_keys) {
        let consequence = if new_plan.api_access {
            format!(
                "{} has {} and {} allows {}: they keep working, but no new key can be generated until fewer are active.",
                org.slug,
                count(org.active_keys, "active key"),
                new_plan.name,
                new_plan.limit_label()
            )
        } else {
            format!(
                "{} has no API access: its {} will be rejected.",
                new_plan.name,
                count(org.active_keys, "active key")
            )
        };
        if !ctx.config.json {
            ctx.warn(&consequence);
        }
        ctx.confirm(
            yes,
            "a downgrade below the active keys",
            &format!("Move {} to {}?", org.slug, new_plan.name),
        )?;
    }
    let old = session.set_plan(&slug, plan, confirmed)?;
    let org = session
        .org(&slug, ctx.now())?
        .ok_or(Error::NoSuchOrg { slug })?;
    if ctx.config.json {
        let default = session.default_org()?.as_deref() == Some(org.slug.as_str());
        return print_json(&OrgJson::new(&org, default));
    }
    print_line(&format!(
        "{}: {} -> {} ({}).",
        org.slug,
        old.name(),
        plan.name(),
        usage_sentence(&org)
    ))
}

/// Gives back the places of the organization's keys being delivered, after a
/// confirmation: a delivery that died holds its place for 10 minutes otherwise.
fn release_pending(ctx: &Ctx, yes: bool) -> Result<()> {
    let mut session = ctx.session()?;
    let slug = session.acting_org()?;
    let org = session
        .org(&slug, ctx.now())?
        .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?;
    let released = if org.being_delivered == 0 {
        Vec::new()
    } else {
        ctx.confirm(
            yes,
            "releasing keys being delivered",
            &format!(
                "Release {} in {slug}? (one still under way then stores its key only if there is room)",
                count(org.being_delivered, "key being delivered")
            ),
        )?;
        session.release_pending(&slug)?
    };
    if ctx.config.json {
        let keys: Vec<_> = released
            .iter()
            .map(|p| serde_json::json!({"id": p.id, "name": p.name}))
            .collect();
        return print_json(&serde_json::json!({"org": slug, "released": keys}));
    }
    if released.is_empty() {
        return print_line(&format!("No keys are being delivered in {slug}."));
    }
    print_line(&format!(
        "Released {} in {slug}: {}.",
        count(released.len() as u64, "key being delivered"),
        escape(&Pending::list(&released))
    ))
}

fn use_org(ctx: &Ctx, slug: &str) -> Result<()> {
    let mut session = ctx.session()?;
    if !session.has_org(slug)? {
        return Err(Error::NoSuchOrg {
            slug: slug.to_owned(),
        });
    }
    session.set_default_org(slug)?;
    if ctx.config.json {
        return print_json(&serde_json::json!({ "default_org": slug }));
    }
    print_line(&format!("Now using organization {slug}."))
}

//! `org create|list|show|set-plan|policy|use`: organizations, their plans and their key
//! policies.

use std::borrow::Cow;

use comfy_table::Cell;

use crate::cli::OrgCommand;
use crate::domain::org::{Org, validate_slug};
use crate::domain::plan::PlanId;
use crate::domain::text::validate_text;
use crate::error::{Error, Exit, Result};
use crate::render::{OrgJson, escape, new_table, policy_rows, table_time, usage};

use super::{Ctx, print_json, print_line};

pub fn run(ctx: &Ctx, command: OrgCommand) -> Result<Exit> {
    match command {
        OrgCommand::Create { slug, plan, name } => create(ctx, &slug, plan, name.as_deref()),
        OrgCommand::List => list(ctx),
        OrgCommand::Show { slug } => show(ctx, slug),
        OrgCommand::SetPlan { plan, yes } => set_plan(ctx, plan, yes),
        OrgCommand::Policy(args) => super::policy::run(ctx, &args),
        OrgCommand::Use { slug } => use_org(ctx, &slug),
    }?;
    Ok(Exit::Success)
}

fn create(ctx: &Ctx, slug: &str, plan: PlanId, name: Option<&str>) -> Result<()> {
    let slug = validate_slug(slug)?;
    let name = name
        .map(|n| validate_text("the organization name", n))
        .transpose()?;
    let mut store = ctx.open_store()?;
    let org = store.create_org(slug, name.as_deref().unwrap_or(slug), plan, &ctx.stamp())?;
    if ctx.config.json {
        let default = store.default_org()?.as_deref() == Some(slug);
        return print_json(&OrgJson::new(&org, default));
    }
    print_line(&format!(
        "Created organization {} on the {} plan.",
        org.slug, org.plan.name
    ))
}

fn list(ctx: &Ctx) -> Result<()> {
    let mut store = ctx.open_store()?;
    let orgs = store.orgs(ctx.now())?;
    let default = store.default_org()?;
    let is_default = |org: &Org| default.as_deref() == Some(org.slug.as_str());
    if ctx.config.json {
        let json: Vec<_> = orgs
            .iter()
            .map(|org| OrgJson::new(org, is_default(org)))
            .collect();
        return print_json(&json);
    }
    let mut table = new_table(
        ctx.config.terminals.stdout,
        &["Slug", "Name", "Plan", "Keys in use", "Default"],
    );
    for org in &orgs {
        table.add_row(vec![
            Cell::new(&org.slug),
            Cell::new(escape(&org.name)),
            Cell::new(&org.plan.name),
            Cell::new(usage(org)),
            Cell::new(if is_default(org) { "*" } else { "" }),
        ]);
    }
    print_line(&table.to_string())
}

fn show(ctx: &Ctx, slug: Option<String>) -> Result<()> {
    let mut store = ctx.open_store()?;
    let slug = match slug {
        Some(slug) => slug,
        None => ctx.org(store.as_mut())?,
    };
    let org = store
        .org(&slug, ctx.now())?
        .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?;
    let default = store.default_org()?.as_deref() == Some(org.slug.as_str());
    if ctx.config.json {
        return print_json(&OrgJson::new(&org, default));
    }
    let mut table = new_table(ctx.config.terminals.stdout, &["Property", "Value"]);
    let rows: [(&str, Cow<'_, str>); 5] = [
        ("Slug", Cow::Borrowed(&org.slug)),
        ("Name", escape(&org.name)),
        ("Plan", Cow::Borrowed(&org.plan.name)),
        ("Keys in use", Cow::Owned(usage(&org))),
        ("Created", Cow::Owned(table_time(Some(org.created_at)))),
    ];
    for (label, value) in rows {
        table.add_row(vec![label, &value]);
    }
    for (label, value) in policy_rows(&org.policy) {
        table.add_row(vec![label, &value]);
    }
    print_line(&table.to_string())
}

/// A downgrade below the number of active keys is allowed after a confirmation: the keys
/// keep working, and `generate` is refused until the count is under the new limit.
fn set_plan(ctx: &Ctx, plan: PlanId, yes: bool) -> Result<()> {
    let mut store = ctx.open_store()?;
    let slug = ctx.org(store.as_mut())?;
    let org = store
        .org(&slug, ctx.now())?
        .ok_or_else(|| Error::NoSuchOrg { slug: slug.clone() })?;
    let new_plan = store
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
                "{} has {} active keys and {} allows {}: they keep working, but no new key can be generated until fewer are active.",
                org.slug,
                org.active_keys,
                new_plan.name,
                new_plan.limit_label()
            )
        } else {
            format!(
                "{} has no API access: its {} active keys will be rejected.",
                new_plan.name, org.active_keys
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
    let old = store.set_plan(&slug, plan, &ctx.stamp(), confirmed)?;
    let org = store
        .org(&slug, ctx.now())?
        .ok_or(Error::NoSuchOrg { slug })?;
    if ctx.config.json {
        let default = store.default_org()?.as_deref() == Some(org.slug.as_str());
        return print_json(&OrgJson::new(&org, default));
    }
    print_line(&format!(
        "{}: {} -> {} ({} keys in use).",
        org.slug,
        old,
        plan,
        usage(&org)
    ))
}

fn use_org(ctx: &Ctx, slug: &str) -> Result<()> {
    let mut store = ctx.open_store()?;
    if !store.has_org(slug)? {
        return Err(Error::NoSuchOrg {
            slug: slug.to_owned(),
        });
    }
    store.set_default_org(slug)?;
    if ctx.config.json {
        return print_json(&serde_json::json!({ "default_org": slug }));
    }
    print_line(&format!("Now using organization {slug}."))
}

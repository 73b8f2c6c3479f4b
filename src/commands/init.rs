//! `init`: create the store and its first organization, asking for what is missing at a
//! terminal.

use crate::cli::InitArgs;
use crate::domain::org::validate_slug;
use crate::domain::text::validate_text;
use crate::error::{Error, Exit, Result};
use crate::render::{OrgJson, escape, message, plan_terms};
use crate::{store, term};

use super::{Ctx, print_json, print_line};

pub(crate) fn run(ctx: &Ctx, args: &InitArgs) -> Result<Exit> {
    let can_prompt = ctx.config.terminals.can_prompt();
    let slug = match &ctx.config.org {
        Some(slug) => validate_slug(slug)?.to_owned(),
        None if can_prompt => term::ask_text("Organization slug (e.g. acme)", |text| {
            validate_slug(text.trim())
                .map(str::to_owned)
                .map_err(|e| e.to_string())
        })?,
        None => return Err(Error::MissingValue { flag: "--org" }),
    };
    let name = args
        .name
        .as_deref()
        .map(|n| validate_text("the organization name", n))
        .transpose()?;
    if args.plan.is_none() && !can_prompt {
        return Err(Error::MissingValue { flag: "--plan" });
    }

    let (store, _created) = store::create(&ctx.config.location)?;
    let mut session = ctx.session_on(store)?;
    if !session.org_slugs()?.is_empty() {
        return Err(Error::AlreadyInitialized {
            location: ctx.config.location.to_string(),
        });
    }
    let plan = match args.plan {
        Some(plan) => plan,
        None => term::choose_plan(&session.plans()?)?.id,
    };
    let org = session.create_org(&slug, name.as_deref().unwrap_or(&slug), plan)?;
    session.set_default_org(&org.slug)?;

    if ctx.config.json {
        return print_json(&OrgJson::new(&org, true)).map(|()| Exit::Success);
    }
    print_line(&format!(
        "Created the store at {} with organization {} ({}: {}).",
        message(&ctx.config.location.to_string()),
        escape(&org.slug),
        org.plan.name,
        plan_terms(&org.plan)
    ))?;
    if org.plan.api_access {
        print_line("Next: seenty-keys generate --name \"GitHub Actions CI\" --expires 90d")?;
    }
    Ok(Exit::Success)
}

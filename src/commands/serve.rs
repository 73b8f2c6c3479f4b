//! `serve`: the verification service (the [`crate::serve`] module), started with what
//! the command line chose: the store, the organization, and who acts in the audit trail.

use crate::cli::ServeArgs;
use crate::error::{Error, Exit, Result};

use super::Ctx;

pub(crate) fn run(ctx: &Ctx, args: &ServeArgs) -> Result<Exit> {
    // The store is opened here first: one that cannot be opened is exit 3 before
    // anything listens, and the actor of audit events is known.
    let mut session = ctx.session()?;
    if let Some(org) = &ctx.config.org
        && !session.store().has_org(org)?
    {
        return Err(Error::NoSuchOrg { slug: org.clone() });
    }
    let actor = session.stamp().actor;
    drop(session);
    crate::serve::run(crate::serve::Options {
        location: ctx.config.location.clone(),
        org: ctx.config.org.clone(),
        listen: args.listen.clone(),
        freshness: crate::serve::parse_freshness(&args.freshness)?,
        actor,
        leaks: crate::serve::LeakOptions {
            github: args.leak_keys.clone(),
            gitlab: args.gitlab_leak_keys.clone(),
            on_leak: args.on_leak,
        },
    })
}

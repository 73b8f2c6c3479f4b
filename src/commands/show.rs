//! `show KEYREF`: one key's properties.

use crate::cli::ShowArgs;
use crate::error::{Exit, Result};
use crate::render::{KeyJson, key_properties};

use super::{Ctx, print_grid, print_json};
use crate::lifecycle::InGrace;

pub(crate) fn run(ctx: &Ctx, args: &ShowArgs) -> Result<Exit> {
    let mut session = ctx.session()?;
    let key = ctx.resolve_key(&mut session, &args.key, InGrace::Ambiguous)?;
    if ctx.config.json {
        print_json(&KeyJson::new(&key, ctx.now()))?;
    } else {
        print_grid(ctx, &key_properties(&key, ctx.now()))?;
    }
    Ok(Exit::Success)
}

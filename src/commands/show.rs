//! `show KEYREF`: one key's properties.

use crate::cli::ShowArgs;
use crate::error::{Exit, Result};
use crate::render::{KeyJson, key_properties};

use super::{Ctx, InGrace, print_grid, print_json};

pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let key = ctx.resolve_key(store.as_mut(), &args.key, InGrace::Ambiguous)?;
    if ctx.config.json {
        print_json(&KeyJson::new(&key, ctx.now()))?;
    } else {
        print_grid(ctx, &key_properties(&key, ctx.now()))?;
    }
    Ok(Exit::Success)
}

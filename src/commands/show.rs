//! `show KEYREF`: one key's properties.

use crate::cli::ShowArgs;
use crate::error::{Exit, Result};
use crate::render::{KeyJson, key_properties};

use super::{Ctx, print_json, print_line};

pub fn run(ctx: &Ctx, args: &ShowArgs) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let key = ctx.resolve_key(store.as_mut(), &args.key)?;
    if ctx.config.json {
        print_json(&KeyJson::new(&key, ctx.now()))?;
    } else {
        let table = key_properties(
            &key,
            ctx.now(),
            ctx.config.terminals.stdout,
            ctx.config.color_stdout,
        );
        print_line(&table.to_string())?;
    }
    Ok(Exit::Success)
}

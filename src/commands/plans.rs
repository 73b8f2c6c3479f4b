//! `plans`: the plans and their limits on active keys, as seeded in the store.

use crate::error::{Exit, Result};
use crate::render::{PlanJson, new_table};

use super::{Ctx, print_json, print_line};

pub fn run(ctx: &Ctx) -> Result<Exit> {
    let plans = ctx.open_store()?.plans()?;
    if ctx.config.json {
        let json: Vec<_> = plans.iter().map(PlanJson::new).collect();
        print_json(&json)?;
        return Ok(Exit::Success);
    }
    let mut table = new_table(
        ctx.config.terminals.stdout,
        &["Plan", "Active keys", "API access"],
    );
    for plan in &plans {
        table.add_row(vec![
            plan.name.clone(),
            plan.limit_label(),
            (if plan.api_access { "Yes" } else { "No" }).to_owned(),
        ]);
    }
    print_line(&table.to_string())?;
    Ok(Exit::Success)
}

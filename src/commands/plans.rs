//! `plans`: the plans and their limits on active keys, as seeded in the session.

use crate::error::{Exit, Result};
use crate::render::{Fit, Grid, GridCell, PlanJson, col};

use super::{Ctx, print_grid, print_json};

const COLUMNS: [crate::render::Column; 3] = [
    col("Plan", Fit::Whole),
    col("Active keys", Fit::Whole),
    col("API access", Fit::Whole),
];

pub(crate) fn run(ctx: &Ctx) -> Result<Exit> {
    let plans = ctx.session()?.plans()?;
    if ctx.config.json {
        let json: Vec<_> = plans.iter().map(PlanJson::new).collect();
        print_json(&json)?;
        return Ok(Exit::Success);
    }
    let mut grid = Grid::new(&COLUMNS);
    for plan in &plans {
        grid.push(vec![
            GridCell::new(plan.name.clone()),
            GridCell::new(plan.limit_label()),
            GridCell::new(if plan.api_access { "Yes" } else { "No" }),
        ]);
    }
    print_grid(ctx, &grid)?;
    Ok(Exit::Success)
}

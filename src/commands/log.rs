//! `log`: the audit trail, newest first: organizations created, plans changed, keys
//! created, revoked and rotated, and attempts to use revoked or expired keys.

use std::io::{self, BufWriter, Write};

use crate::cli::LogArgs;
use crate::error::{Exit, Result};
use crate::render::{Column, EventJson, Fit, Grid, GridCell, col, escape, table_time};

use super::{Ctx, print_grid};

/// At a narrow terminal the free text gives way: names, actors, details.
const COLUMNS: [Column; 6] = [
    col("Time (UTC)", Fit::Whole),
    col("Event", Fit::Whole),
    col("Key", Fit::Whole),
    col("Name", Fit::Cut),
    col("Actor", Fit::Cut),
    col("Detail", Fit::Cut),
];

pub(crate) fn run(ctx: &Ctx, args: &LogArgs) -> Result<Exit> {
    let mut session = ctx.session()?;
    let org = session.acting_org()?;
    let key = args
        .key
        .as_deref()
        .map(|r| ctx.resolve_key(&mut session, r))
        .transpose()?;
    let mut events = Vec::new();
    session.events(
        &org,
        key.as_ref().map(|k| k.id.as_str()),
        args.limit,
        &mut |event| {
            events.push(event);
            Ok(())
        },
    )?;
    if ctx.config.json {
        let mut out = BufWriter::new(io::stdout().lock());
        let json: Vec<_> = events.iter().map(EventJson::new).collect();
        crate::render::write_json(&mut out, &json).map_err(io::Error::from)?;
        writeln!(out)?;
        out.flush()?;
        return Ok(Exit::Success);
    }
    let mut grid = Grid::new(&COLUMNS);
    for event in &events {
        let text = |t: Option<&str>| GridCell::new(escape(t.unwrap_or("")));
        grid.push(vec![
            GridCell::new(table_time(Some(event.at))),
            GridCell::new(event.kind.label()),
            text(event.key_id.as_deref()),
            text(event.key_name.as_deref()),
            text(Some(&event.actor)),
            text(event.detail.as_deref()),
        ]);
    }
    print_grid(ctx, &grid)?;
    Ok(Exit::Success)
}

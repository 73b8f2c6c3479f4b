//! `log`: the audit trail, newest first: organizations created, plans changed, keys
//! created, revoked and rotated, and attempts to use revoked or expired keys.

use std::io::{self, BufWriter, Write};

use comfy_table::Cell;
use serde::Serialize;

use crate::cli::LogArgs;
use crate::domain::event::Event;
use crate::error::{Exit, Result};
use crate::render::{escape, json_time, new_table, table_time};

use super::Ctx;

#[derive(Serialize)]
struct EventJson<'a> {
    at: String,
    kind: &'static str,
    org: &'a str,
    key_id: Option<&'a str>,
    key_name: Option<&'a str>,
    actor: &'a str,
    detail: Option<&'a str>,
}

pub fn run(ctx: &Ctx, args: &LogArgs) -> Result<Exit> {
    let mut store = ctx.open_store()?;
    let org = ctx.org(store.as_mut())?;
    let key = args
        .key
        .as_deref()
        .map(|r| ctx.resolve_key(store.as_mut(), r))
        .transpose()?;
    let mut events = Vec::new();
    store.events(
        &org,
        key.as_ref().map(|k| k.id.as_str()),
        args.limit,
        &mut |event| {
            events.push(event);
            Ok(())
        },
    )?;
    let mut out = BufWriter::new(io::stdout().lock());
    if ctx.config.json {
        let json: Vec<_> = events.iter().map(event_json).collect();
        crate::render::write_json(&mut out, &json).map_err(io::Error::from)?;
        writeln!(out)?;
    } else {
        let mut table = new_table(
            ctx.config.terminals.stdout,
            &["Time (UTC)", "Event", "Key", "Name", "Actor", "Detail"],
        );
        for event in &events {
            table.add_row(vec![
                Cell::new(table_time(Some(event.at))),
                Cell::new(event.kind.label()),
                Cell::new(event.key_id.as_deref().unwrap_or("")),
                Cell::new(escape(event.key_name.as_deref().unwrap_or(""))),
                Cell::new(escape(&event.actor)),
                Cell::new(escape(event.detail.as_deref().unwrap_or(""))),
            ]);
        }
        writeln!(out, "{table}")?;
    }
    out.flush()?;
    Ok(Exit::Success)
}

fn event_json(event: &Event) -> EventJson<'_> {
    EventJson {
        at: json_time(event.at),
        kind: event.kind.name(),
        org: &event.org,
        key_id: event.key_id.as_deref(),
        key_name: event.key_name.as_deref(),
        actor: &event.actor,
        detail: event.detail.as_deref(),
    }
}

//! `list` (`ls`): the organization's keys as a table, or as a JSON array streamed row by row.

use std::io::{self, BufWriter, Write};

use crate::cli::{ListArgs, StatusFilter};
use crate::domain::key::Status;
use crate::error::{Exit, Result};
use crate::render::{KEY_HEADER, KeyJson, key_row, new_table};

use super::Ctx;

pub fn run(ctx: &Ctx, args: &ListArgs) -> Result<Exit> {
    let status = args.status.map(|s| match s {
        StatusFilter::Active => Status::Active,
        StatusFilter::Revoked => Status::Revoked,
        StatusFilter::Expired => Status::Expired,
    });
    let mut store = ctx.open_store()?;
    let org = ctx.org(store.as_mut())?;
    let mut out = BufWriter::new(io::stdout().lock());
    let now = ctx.now;

    if ctx.config.json {
        // Streamed, so memory stays flat however many keys there are.
        let mut first = true;
        out.write_all(b"[")?;
        store.keys(&org, status, now, &mut |key| {
            out.write_all(if first { b"\n" } else { b",\n" })?;
            first = false;
            crate::render::write_json(&mut out, &KeyJson::new(&key, now))
                .map_err(io::Error::from)?;
            Ok(())
        })?;
        out.write_all(b"\n]\n")?;
        out.flush()?;
        return Ok(Exit::Success);
    }

    let mut table = new_table(ctx.config.terminals.stdout, &KEY_HEADER);
    if ctx.config.color_stdout {
        table.enforce_styling();
    }
    let mut count = 0usize;
    store.keys(&org, status, now, &mut |key| {
        table.add_row(key_row(&key, now, ctx.config.color_stdout));
        count += 1;
        Ok(())
    })?;
    writeln!(out, "{table}")?;
    out.flush()?;
    if count == 0 && ctx.config.terminals.stderr {
        ctx.warn(&format!("{org} has no keys to list; create one: seenty-keys generate --name \"GitHub Actions CI\""));
    }
    Ok(Exit::Success)
}

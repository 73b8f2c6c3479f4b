//! `list` (`ls`): the organization's keys as a table, or as a JSON array streamed row by row.

use std::io::{self, BufWriter, Write};

use comfy_table::{ColumnConstraint, Table, Width};

use crate::cli::{ListArgs, StatusFilter};
use crate::domain::key::Status;
use crate::error::{Exit, Result};
use crate::render::{
    KEY_HEADER, KeyJson, headless_table, key_row, key_texts, new_table, text_width,
};
use crate::store::Store;

use super::Ctx;

/// Rows per table when the list goes to a pipe or a file.
const CHUNK: usize = 4096;

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

    let count = if ctx.config.terminals.stdout {
        // At a terminal the table fits its width, which takes every row at once.
        let mut table = new_table(true, &KEY_HEADER);
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
        count
    } else {
        plain(ctx, store.as_mut(), &org, status, &mut out)?
    };
    out.flush()?;
    if count == 0 && ctx.config.terminals.stderr {
        ctx.warn(&format!("{org} has no keys to list; create one: seenty-keys generate --name \"GitHub Actions CI\""));
    }
    Ok(Exit::Success)
}

/// Plain aligned columns for a pipe or a file, in constant memory: a table holding every
/// row took 2.5 GB for a million keys. A first pass measures each column (the cells'
/// texts only, no table); the second prints the rows a chunk at a time, each chunk's
/// columns padded to those widths, so the chunks line up as one table (a key added
/// between the passes with a longer name than any other would widen its own chunk
/// only). Returns how many keys were listed.
fn plain(
    ctx: &Ctx,
    store: &mut dyn Store,
    org: &str,
    status: Option<Status>,
    out: &mut impl Write,
) -> Result<usize> {
    let now = ctx.now;
    let color = ctx.config.color_stdout;
    let mut widths = KEY_HEADER.map(text_width);
    store.keys(org, status, now, &mut |key| {
        for (width, text) in widths.iter_mut().zip(key_texts(&key, now)) {
            *width = (*width).max(text_width(&text));
        }
        Ok(())
    })?;

    // A column is at least as wide as the widest cell plus its padding (one space a side).
    let constraints: Vec<_> = widths
        .iter()
        .map(|w| ColumnConstraint::LowerBoundary(Width::Fixed(w.saturating_add(2))))
        .collect();
    let start = |header: bool| {
        let mut table = if header {
            new_table(false, &KEY_HEADER)
        } else {
            headless_table(false)
        };
        if color {
            table.enforce_styling();
        }
        table
    };
    // Constraints apply to the columns a table has, which rows create: set them last.
    let mut print = |mut chunk: Table| {
        chunk.set_constraints(constraints.clone());
        writeln!(out, "{chunk}")
    };
    let mut count = 0usize;
    let mut chunk = start(true);
    store.keys(org, status, now, &mut |key| {
        chunk.add_row(key_row(&key, now, color));
        count += 1;
        if chunk.row_count() == CHUNK {
            print(std::mem::replace(&mut chunk, start(false)))?;
        }
        Ok(())
    })?;
    if count == 0 || chunk.row_count() > 0 {
        print(chunk)?;
    }
    Ok(count)
}

//! `list` (`ls`): the organization's keys as a table, or as a JSON array streamed row by row.

use std::io::{self, BufWriter, Write};

use crate::cli::{ListArgs, StatusFilter};
use crate::domain::key::Status;
use crate::error::{Exit, Result};
use crate::render::{
    Grid, KEY_COLUMNS, KEY_HEADER, KeyJson, key_row, key_texts, text_width, write_plain_row,
};
use crate::store::Store;

use super::Ctx;

pub(crate) fn run(ctx: &Ctx, args: &ListArgs) -> Result<Exit> {
    let status = args.status.map(|s| match s {
        StatusFilter::Active => Status::Active,
        StatusFilter::Revoked => Status::Revoked,
        StatusFilter::Expired => Status::Expired,
    });
    let mut session = ctx.session()?;
    let org = session.acting_org()?;
    let mut out = BufWriter::new(io::stdout().lock());
    let now = ctx.now();

    if ctx.config.json {
        // Streamed, so memory stays flat however many keys there are.
        let mut first = true;
        out.write_all(b"[")?;
        session.keys(&org, status, now, &mut |key| {
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
        let mut grid = Grid::new(&KEY_COLUMNS);
        let mut count = 0usize;
        session.keys(&org, status, now, &mut |key| {
            grid.push(key_row(&key, now));
            count += 1;
            Ok(())
        })?;
        let width = crate::term::stdout_width();
        writeln!(out, "{}", grid.render(Some(width), ctx.config.color_stdout))?;
        count
    } else {
        plain(ctx, &mut *session, &org, status, &mut out)?
    };
    out.flush()?;
    if count == 0 && ctx.config.terminals.stderr {
        ctx.warn(&format!("{org} has no keys to list; create one: seenty-keys generate --name \"GitHub Actions CI\""));
    }
    Ok(Exit::Success)
}

/// Plain aligned columns for a pipe or a file, in constant memory: a table holding every
/// row took 2.5 GB for a million keys. A first pass measures each column (the cells'
/// texts only, no table); the second writes each row padded to those widths, as
/// comfy-table would (a key added between the passes with a longer name than any other
/// would misalign its own line only). Returns how many keys were listed.
fn plain(
    ctx: &Ctx,
    store: &mut dyn Store,
    org: &str,
    status: Option<Status>,
    out: &mut impl Write,
) -> Result<usize> {
    let now = ctx.now();
    let color = ctx.config.color_stdout;
    let mut widths = KEY_HEADER.map(text_width);
    store.keys(org, status, now, &mut |key| {
        for (width, text) in widths.iter_mut().zip(key_texts(&key, now)) {
            *width = (*width).max(text_width(&text));
        }
        Ok(())
    })?;

    write_plain_row(out, &KEY_HEADER, &widths, None)?;
    let mut count = 0usize;
    store.keys(org, status, now, &mut |key| {
        let texts = key_texts(&key, now);
        write_plain_row(out, &texts, &widths, color.then(|| key.status(now)))?;
        count += 1;
        Ok(())
    })?;
    Ok(count)
}

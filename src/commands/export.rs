//! `export`: the whole store as JSON lines on standard output (see
//! [`crate::domain::dump`]): backups, and moving a store between backends.

use std::io::{self, BufWriter, Write};

use crate::domain::dump;
use crate::error::{Exit, Result};

use super::Ctx;

pub(crate) fn run(ctx: &Ctx) -> Result<Exit> {
    let mut session = ctx.session()?;
    let mut out = BufWriter::new(io::stdout().lock());
    writeln!(out, "{}", dump::header())?;
    session.export(&mut |record| {
        writeln!(out, "{}", dump::to_line(&record))?;
        Ok(())
    })?;
    out.flush()?;
    Ok(Exit::Success)
}

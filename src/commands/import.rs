//! `import [--merge]`: loads what `export` wrote, from standard input, into this store
//! (SQLite or PostgreSQL). The whole input is read and checked before the store is
//! opened, so a bad line changes nothing; the load itself is one transaction.

use std::io::IsTerminal;

use crate::cli::ImportArgs;
use crate::domain::dump::{self, Record};
use crate::error::{Error, Exit, Result};
use crate::lifecycle::import::{Imported, import};
use crate::render::count;
use crate::store;

use super::{Ctx, print_json, print_line, read_stdin_into};

pub(crate) fn run(ctx: &Ctx, args: &ImportArgs) -> Result<Exit> {
    if std::io::stdin().is_terminal() {
        return Err(Error::ImportFromTerminal);
    }
    let mut input = Vec::new();
    read_stdin_into(&mut input, u64::MAX)?;
    let records = parse(&input)?;
    let (store, _created) = store::create(&ctx.config.location)?;
    let mut session = ctx.session_on(store)?;
    let imported = import(&mut *session, &records, args.merge, ctx.now())?;
    if ctx.config.json {
        print_json(&imported)?;
    } else {
        print_line(&summary(&imported))?;
    }
    Ok(Exit::Success)
}

/// Every line checked: the header first, then records; blank lines are skipped.
fn parse(input: &[u8]) -> Result<Vec<Record>> {
    let text = std::str::from_utf8(input).map_err(|e| Error::BadImport {
        line: 1 + input[..e.valid_up_to()]
            .iter()
            .filter(|b| **b == b'\n')
            .count(),
        message: "not UTF-8".to_owned(),
    })?;
    let mut lines = text
        .lines()
        .enumerate()
        .map(|(i, line)| (i + 1, line.trim()))
        .filter(|(_, line)| !line.is_empty());
    let Some((line, header)) = lines.next() else {
        return Err(Error::BadImport {
            line: 1,
            message: "the input is empty".to_owned(),
        });
    };
    dump::check_header(header).map_err(|message| Error::BadImport { line, message })?;
    lines
        .map(|(line, text)| {
            dump::parse_line(text).map_err(|message| Error::BadImport { line, message })
        })
        .collect()
}

fn summary(done: &Imported) -> String {
    if !done.changed() {
        return format!(
            "Nothing to import: the store already holds all {}.",
            count(done.unchanged, "record")
        );
    }
    let already = match done.unchanged {
        1 => "1 record was already there".to_owned(),
        n => format!("{n} records were already there"),
    };
    format!(
        "Imported {}, {}, {}, {}, {} and {} ({already}).",
        count(done.orgs, "organization"),
        count(done.settings, "setting"),
        count(done.keys, "key"),
        count(done.revocations, "revocation"),
        count(done.usage, "last-used time"),
        count(done.events, "event"),
    )
}

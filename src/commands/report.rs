//! `report`: key hygiene, every finding about every active key from one read of the
//! store, for an admin at a terminal or a scheduled job (`seenty-keys report || alert`).
//!
//! Findings stream out as they are found (plain lines or JSON lines), so memory stays
//! flat however many keys there are; only the table at a terminal holds its rows.

use std::io::{self, BufWriter, Write};

use crate::cli::ReportArgs;
use crate::domain::hygiene::{Finding, KeyFacts, OrgFacts, Thresholds, key_findings, over_limit};
use crate::error::{Error, Exit, Result};
use crate::render::{Column, Fit, Grid, GridCell, ReportFindingJson, col, escape, write_json};
use crate::store::rows::Hygiene;

use super::Ctx;

pub(crate) fn run(ctx: &Ctx, args: &ReportArgs) -> Result<Exit> {
    let thresholds = Thresholds {
        unused_for: args.unused_for,
        expiring_within: args.expiring_within,
    };
    let mut session = ctx.session()?;
    // --org (or SEENTY_ORG) names one; without it, every organization.
    let only = ctx.config.org.as_deref();
    if let Some(slug) = only
        && !session.has_org(slug)?
    {
        return Err(Error::NoSuchOrg {
            slug: slug.to_owned(),
        });
    }
    let now = ctx.now();
    let mut orgs: Vec<(OrgFacts, u64)> = Vec::new();
    let mut sink = Sink::new(ctx);
    let mut found = Vec::new();
    session.hygiene(only, now, &mut |row| match row {
        Hygiene::Org(org) => {
            orgs.push((org, 0));
            sink.several_orgs = orgs.len() > 1;
            Ok(())
        }
        Hygiene::Key { org, key } => {
            let Some((facts, counted)) = orgs.get_mut(org) else {
                return Ok(());
            };
            *counted += 1;
            key_findings(
                &key,
                &facts.policy,
                &thresholds,
                now,
                &mut |finding, detail| {
                    found.push((finding, detail));
                },
            );
            for (finding, detail) in found.drain(..) {
                sink.add(&facts.slug, Some(&key), finding, &detail)?;
            }
            Ok(())
        }
    })?;
    if orgs.is_empty() {
        return Err(Error::NoOrg);
    }
    for (org, counted) in &orgs {
        if let Some(detail) = over_limit(&org.plan, *counted) {
            sink.add(&org.slug, None, Finding::OverLimit, &detail)?;
        }
    }
    let count = sink.finish()?;
    if count == 0 {
        if ctx.config.terminals.stdout && !ctx.config.json {
            let _ = writeln!(io::stderr(), "No key needs attention.");
        }
        return Ok(Exit::Success);
    }
    Ok(Exit::Refused)
}

/// The columns of `report`'s table at a terminal; the first only when several
/// organizations are reported.
static REPORT_COLUMNS: [Column; 5] = [
    col("Org", Fit::Whole),
    col("Key", Fit::Whole),
    col("Name", Fit::Cut),
    col("Finding", Fit::Whole),
    col("Detail", Fit::Cut),
];

/// Where findings go: a table at a terminal, JSON lines with `--json`, else one line
/// per finding, its fields separated by tabs.
struct Sink {
    out: BufWriter<io::StdoutLock<'static>>,
    to_terminal: bool,
    /// The table at a terminal, made with the first finding: the organizations, which
    /// decide its columns, are all known by then.
    table: Option<Grid<'static>>,
    /// The terminal's width and whether to colour, for the table.
    width: usize,
    color: bool,
    json: bool,
    /// Whether findings name their organization (several are reported).
    several_orgs: bool,
    count: u64,
}

impl Sink {
    fn new(ctx: &Ctx) -> Self {
        Self {
            out: BufWriter::new(io::stdout().lock()),
            to_terminal: ctx.config.terminals.stdout,
            table: None,
            // Only a table needs it, and only at a terminal is there one.
            width: if ctx.config.terminals.stdout {
                crate::term::stdout_width()
            } else {
                0
            },
            color: ctx.config.color_stdout,
            json: ctx.config.json,
            several_orgs: false,
            count: 0,
        }
    }

    fn add(
        &mut self,
        org: &str,
        key: Option<&KeyFacts>,
        finding: Finding,
        detail: &str,
    ) -> Result<()> {
        self.count += 1;
        if self.json {
            let line = ReportFindingJson {
                org,
                key_id: key.map(|k| k.id.as_str()),
                name: key.map(|k| k.name.as_str()),
                finding: finding.name(),
                detail,
            };
            write_json(&mut self.out, &line).map_err(io::Error::from)?;
            self.out.write_all(b"\n")?;
            return Ok(());
        }
        let id = key.map_or("-", |k| k.id.as_str());
        let name = key.map_or("-".into(), |k| escape(&k.name));
        let mut cells = Vec::with_capacity(5);
        if self.several_orgs {
            cells.push(org);
        }
        cells.extend([id, &name, finding.name(), detail]);
        if !self.to_terminal {
            writeln!(self.out, "{}", cells.join("\t"))?;
            return Ok(());
        }
        let several = self.several_orgs;
        let table = self
            .table
            .get_or_insert_with(|| Grid::new(&REPORT_COLUMNS[usize::from(!several)..]));
        table.push(cells.into_iter().map(GridCell::new).collect());
        Ok(())
    }

    /// Writes the table, if there is one; returns how many findings there were.
    fn finish(mut self) -> Result<u64> {
        if let Some(table) = &self.table {
            writeln!(self.out, "{}", table.render(Some(self.width), self.color))?;
        }
        self.out.flush()?;
        Ok(self.count)
    }
}

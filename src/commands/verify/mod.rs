//! `verify [KEY]` and `verify --batch`: is this key good right now?
//!
//! One key: exit 0 and `valid <id> <org> <name>`, or exit 1 and `authentication error: …`
//! with one of the codes the README lists. A batch: one result line per input line, in order.
//! The format and checksum are checked before the store is opened, so a typo costs no
//! database read; a valid key costs one indexed lookup by hash, and the last-used writes
//! of a batch are grouped into one transaction per chunk.

use std::ffi::OsString;
use std::io::{self, Write};
use std::os::unix::ffi::OsStringExt;

use zeroize::Zeroizing;

use crate::cli::VerifyArgs;
use crate::domain::key;
use crate::error::{Exit, Result};
use crate::lifecycle::Session;
use crate::lifecycle::verify::{Code, Verdict, Verification};
use crate::render::{VerifyJson, escape, table_time};
use crate::term;

use super::{Ctx, print_json, read_stdin};

mod batch;

/// Checks keys against one session, opened at the first key that passes its checksum.
struct Verifier<'a> {
    ctx: &'a Ctx,
    session: Option<Session>,
    verification: Verification,
}

impl Verifier<'_> {
    /// The session, opened at the first key that passes its checksum.
    fn session(&mut self) -> Result<&mut Session> {
        open(self.ctx, &mut self.session)
    }

    /// One key: the checksum offline, then one lookup.
    fn check(&mut self, input: &[u8]) -> Result<Verdict> {
        match key::check(input) {
            Ok(hash) => {
                let session = open(self.ctx, &mut self.session)?;
                self.verification.lookup(session, &hash)
            }
            Err(why) => Ok(Verdict::malformed(why)),
        }
    }

    /// Writes what was collected, in one transaction.
    ///
    /// Best effort: the verdict stands whether or not the store took the record (a lock
    /// held past the timeout, a read-only store), so a failure is a warning, not exit 3.
    fn record(&mut self) {
        if let Some(session) = &mut self.session
            && let Err(e) = self.verification.record(session)
        {
            self.ctx
                .warn(&format!("the use of the key was not recorded: {e}"));
        }
    }
}

/// The session in `slot`, opened on first use.
fn open<'s>(ctx: &Ctx, slot: &'s mut Option<Session>) -> Result<&'s mut Session> {
    let session = match slot.take() {
        Some(session) => session,
        None => ctx.session()?,
    };
    Ok(slot.insert(session))
}

pub(crate) fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<Exit> {
    let mut verifier = Verifier {
        ctx,
        session: None,
        verification: Verification::new(ctx.config.org.clone(), args.no_touch),
    };
    if args.batch {
        return batch::run(&mut verifier, args.quiet);
    }
    let input = read_key(ctx, args.key.clone())?;
    let outcome = verifier.check(input.trim_ascii())?;
    verifier.record();
    if let Some(code) = outcome.code {
        let _ = writeln!(
            io::stderr().lock(),
            "authentication error: {} ({})",
            reason(&outcome),
            code.name()
        );
    }
    if ctx.config.json && !args.quiet {
        print_json(&VerifyJson::new(&outcome))?;
    } else if let (Some(key), None, false) = (&outcome.key, outcome.code, args.quiet) {
        writeln!(
            io::stdout().lock(),
            "valid {} {} {}",
            key.id,
            key.org,
            escape(&key.name)
        )?;
    }
    Ok(if outcome.code.is_none() {
        Exit::Success
    } else {
        Exit::Refused
    })
}

/// The key from the argument (`-` = stdin), else `SEENTY_TOKEN`, else stdin: at a
/// terminal, a prompt that does not echo what is typed.
fn read_key(ctx: &Ctx, argument: Option<OsString>) -> Result<Zeroizing<Vec<u8>>> {
    match argument {
        Some(arg) if arg == "-" => read_stdin(),
        Some(arg) => Ok(Zeroizing::new(arg.into_vec())),
        None => match std::env::var_os("SEENTY_TOKEN") {
            Some(token) => Ok(Zeroizing::new(token.into_vec())),
            None if ctx.config.terminals.can_prompt() => term::ask_secret("Key to verify"),
            None => read_stdin(),
        },
    }
}

fn reason(outcome: &Verdict) -> String {
    let key = outcome.key.as_ref();
    let id = key.map_or("", |k| k.id.as_str());
    match outcome.code {
        Some(Code::Malformed) => match outcome.malformed {
            Some(why) => format!("malformed key: {why}"),
            None => "malformed key".to_owned(),
        },
        Some(Code::NotFound) => "no such key".to_owned(),
        Some(Code::Revoked) => format!(
            "key {id} was revoked on {} UTC",
            table_time(key.and_then(|k| k.revoked_at))
        ),
        Some(Code::Expired) => format!(
            "key {id} expired on {} UTC",
            table_time(key.and_then(|k| k.expires_at))
        ),
        Some(Code::Plan) => format!(
            "organization {}'s plan has no API access",
            key.map_or("", |k| k.org.as_str())
        ),
        None => "valid".to_owned(),
    }
}

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
use crate::render::{escape, table_time};
use crate::store::{KeyMatch, Store, Uses};
use crate::term;
use crate::verdict::{self, Code, Outcome, VerifyJson};

use super::{Ctx, print_json, read_stdin};

mod batch;

/// Checks keys against one store, opened at the first key that passes its checksum, and
/// collects the uses to record.
struct Verifier<'a> {
    ctx: &'a Ctx,
    store: Option<Box<dyn Store>>,
    no_touch: bool,
    uses: Uses,
}

impl Verifier<'_> {
    /// The store, opened at the first key that passes its checksum.
    fn store(&mut self) -> Result<&mut dyn Store> {
        let store = match self.store.take() {
            Some(store) => store,
            None => self.ctx.open_store()?,
        };
        Ok(self.store.insert(store).as_mut())
    }

    /// One key: the checksum offline, then one lookup.
    fn check(&mut self, input: &[u8]) -> Result<Outcome> {
        match key::check(input) {
            Ok(hash) => {
                let found = self.store()?.key_by_hash(&hash)?;
                Ok(self.judge(found))
            }
            Err(why) => Ok(Outcome::malformed(why)),
        }
    }

    /// The verdict on what the lookup found, noting the use to record.
    fn judge(&mut self, found: Option<KeyMatch>) -> Outcome {
        // One clock reading decides, and is the `expires_at` reported with the decision.
        let now = self.ctx.now();
        let outcome = verdict::judge(found, self.ctx.config.org.as_deref(), now);
        match outcome.usage() {
            Some((handle, None)) if !self.no_touch => self.uses.touch(handle, now),
            Some((handle, Some(attempt))) => self.uses.attempts.push((handle, attempt)),
            _ => {}
        }
        outcome
    }

    /// Writes what was collected, in one transaction.
    ///
    /// Best effort: the verdict stands whether or not the store took the record (a lock
    /// held past the timeout, a read-only store), so a failure is a warning, not exit 3.
    fn record(&mut self) {
        if let Some(store) = &mut self.store
            && !self.uses.is_empty()
            && let Err(e) = store.record_uses(&self.uses, &self.ctx.stamp_for(&self.uses))
        {
            self.ctx
                .warn(&format!("the use of the key was not recorded: {e}"));
        }
        self.uses.clear();
    }
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<Exit> {
    let mut verifier = Verifier {
        ctx,
        store: None,
        no_touch: args.no_touch,
        uses: Uses::default(),
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

fn reason(outcome: &Outcome) -> String {
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

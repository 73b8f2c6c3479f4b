//! `verify [KEY]`: is this key good right now? Exit 0 and `valid <id> <org> <name>`, or
//! exit 1 and `authentication error: …` with one of the codes of SPEC 5.
//!
//! The format and checksum are checked before the store is opened, so a typo costs no
//! database read; a valid key costs one indexed lookup by hash and one small write.

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;

use serde::Serialize;
use zeroize::Zeroizing;

use crate::cli::VerifyArgs;
use crate::domain::key::{self, Key, Status};
use crate::error::{Exit, Result};
use crate::render::{escape, json_time, table_time};

use super::{Ctx, print_json, read_stdin, trim};

/// Why a key was rejected; the codes are part of the contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Code {
    Malformed,
    NotFound,
    Revoked,
    Expired,
    Plan,
}

enum Outcome {
    Valid(Key),
    Rejected { code: Code, reason: String, key: Option<Key> },
}

#[derive(Serialize)]
struct VerifyJson<'a> {
    valid: bool,
    code: Option<Code>,
    id: Option<&'a str>,
    org: Option<&'a str>,
    name: Option<&'a str>,
    expires_at: Option<String>,
}

pub fn run(ctx: &Ctx, args: &VerifyArgs) -> Result<Exit> {
    let input = read_key(args.key.clone())?;
    let outcome = check(ctx, trim(&input), args.no_touch)?;
    report(ctx, &outcome, args.quiet)
}

/// The key from the argument (`-` = stdin), else `SEENTY_TOKEN`, else stdin.
fn read_key(argument: Option<OsString>) -> Result<Zeroizing<Vec<u8>>> {
    match argument {
        Some(arg) if arg == "-" => read_stdin(),
        Some(arg) => Ok(Zeroizing::new(arg.into_vec())),
        None => match std::env::var_os("SEENTY_TOKEN") {
            Some(token) => Ok(Zeroizing::new(token.into_vec())),
            None => read_stdin(),
        },
    }
}

fn check(ctx: &Ctx, input: &[u8], no_touch: bool) -> Result<Outcome> {
    let hash = match key::check(input) {
        Ok(hash) => hash,
        Err(why) => {
            return Ok(Outcome::Rejected { code: Code::Malformed, reason: format!("malformed key: {why}"), key: None });
        }
    };
    let mut store = ctx.open_store()?;
    let not_found = || Outcome::Rejected { code: Code::NotFound, reason: "no such key".to_owned(), key: None };
    let Some(found) = store.key_by_hash(&hash)? else { return Ok(not_found()) };
    if ctx.config.org.as_ref().is_some_and(|org| *org != found.key.org) {
        return Ok(not_found());
    }
    let key = found.key;
    let rejection = match key.status(ctx.now) {
        Status::Revoked => Some((Code::Revoked, format!("key {} was revoked on {} UTC", key.id, table_time(key.revoked_at)))),
        Status::Expired => Some((Code::Expired, format!("key {} expired on {} UTC", key.id, table_time(key.expires_at)))),
        Status::Active if !found.api_access => {
            Some((Code::Plan, format!("organization {}'s plan has no API access", key.org)))
        }
        Status::Active => None,
    };
    if let Some((code, reason)) = rejection {
        return Ok(Outcome::Rejected { code, reason, key: Some(key) });
    }
    if !no_touch {
        store.touch(&key.id, ctx.now)?;
    }
    Ok(Outcome::Valid(key))
}

fn report(ctx: &Ctx, outcome: &Outcome, quiet: bool) -> Result<Exit> {
    let (key, code) = match outcome {
        Outcome::Valid(key) => (Some(key), None),
        Outcome::Rejected { code, reason, key } => {
            let _ = writeln!(std::io::stderr().lock(), "authentication error: {reason} ({})", code_name(*code));
            (key.as_ref(), Some(*code))
        }
    };
    if ctx.config.json && !quiet {
        print_json(&VerifyJson {
            valid: code.is_none(),
            code,
            id: key.map(|k| k.id.as_str()),
            org: key.map(|k| k.org.as_str()),
            name: key.map(|k| k.name.as_str()),
            expires_at: key.and_then(|k| k.expires_at).map(json_time),
        })?;
    } else if let (Some(key), None, false) = (key, code, quiet) {
        writeln!(std::io::stdout().lock(), "valid {} {} {}", key.id, key.org, escape(&key.name))?;
    }
    Ok(if code.is_none() { Exit::Success } else { Exit::Refused })
}

fn code_name(code: Code) -> &'static str {
    match code {
        Code::Malformed => "MALFORMED",
        Code::NotFound => "NOT_FOUND",
        Code::Revoked => "REVOKED",
        Code::Expired => "EXPIRED",
        Code::Plan => "PLAN",
    }
}

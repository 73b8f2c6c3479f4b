//! Flag values parsed into typed values as clap reads the command line, so a command
//! receives a validated request and a mistake fails before any work.
//!
//! Each parser fails with the library's own [`Error`], which clap carries as the source of
//! its error; `crate::run` prints that error, with its fix line and exit status, as if a
//! command had returned it.

use chrono::TimeDelta;

use crate::domain::expires::{Expiry, MAX_GRACE, parse_duration, parse_span};
use crate::domain::text::{validate_name, validate_text};
use crate::error::Error;

/// `--max-lifetime`: a duration, or `none` for no maximum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxLifetime(pub Option<TimeDelta>);

pub(crate) fn max_lifetime(text: &str) -> Result<MaxLifetime, Error> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("none") {
        return Ok(MaxLifetime(None));
    }
    Ok(MaxLifetime(Some(parse_span("--max-lifetime", text)?)))
}

pub(crate) fn rotate_every(text: &str) -> Result<TimeDelta, Error> {
    Ok(parse_span("--rotate-every", text)?)
}

pub(crate) fn unused_for(text: &str) -> Result<TimeDelta, Error> {
    Ok(parse_span("--unused-for", text)?)
}

pub(crate) fn expiring_within(text: &str) -> Result<TimeDelta, Error> {
    Ok(parse_span("--expiring-within", text)?)
}

/// `rotate --grace`: a duration of at most [`MAX_GRACE`]. Its errors talk about a grace
/// period, not about expirations.
pub(crate) fn grace(text: &str) -> Result<TimeDelta, Error> {
    match parse_duration(text.trim()) {
        Ok(Some(grace)) if grace <= MAX_GRACE => Ok(grace),
        Ok(Some(_)) | Err(_) => Err(Error::GraceTooLong(text.to_owned())),
        Ok(None) => Err(Error::BadGrace(text.to_owned())),
    }
}

/// `--expires`, as written: only the store's clock judges it, once the store is open.
pub(crate) fn expires(text: &str) -> Result<Expiry, Error> {
    Ok(Expiry::parse(text)?)
}

/// `generate --name`.
pub(crate) fn name(text: &str) -> Result<String, Error> {
    Ok(validate_name(text)?)
}

/// `revoke --reason`.
pub(crate) fn reason(text: &str) -> Result<String, Error> {
    Ok(validate_text("the reason", text)?)
}

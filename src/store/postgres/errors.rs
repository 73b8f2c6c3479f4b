//! PostgreSQL failures as the tool's typed errors: connection and authentication
//! failures, lock timeouts and the rest become [`Error::Store`] with the right
//! [`StoreFault`] (exit 3), in words, and never with the password.

use postgres::error::SqlState;

use super::LOCK_TIMEOUT_MS;
use super::url::PgUrl;
use crate::error::{Error, StoreFault};

/// A failure to connect, naming the server (without the password).
pub(crate) fn connect_error(e: &postgres::Error, url: &PgUrl) -> Error {
    match Error::from(e) {
        Error::Store {
            fault: StoreFault::Other | StoreFault::Connect,
            message,
        } => Error::Store {
            fault: StoreFault::Connect,
            message: format!("could not connect to {url}: {message}"),
        },
        Error::Store { fault, message } => Error::Store {
            fault,
            message: format!("{url}: {message}"),
        },
        other => other,
    }
}

/// Whether the connection itself failed (closed, reset, an I/O error), rather than the
/// server answering with an error: then a commit's outcome is not known.
pub(crate) fn is_connection_lost(e: &postgres::Error) -> bool {
    e.is_closed() || std::error::Error::source(e).is_some_and(|s| s.is::<std::io::Error>())
}

impl From<&postgres::Error> for Error {
    fn from(e: &postgres::Error) -> Self {
        let Some(db) = e.as_db_error() else {
            // No answer from the server: refused, unreachable, timed out, TLS failed,
            // or the connection dropped.
            let fault = if is_connection_lost(e) {
                StoreFault::Connect
            } else {
                StoreFault::Other
            };
            let mut message = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(inner) = cause {
                message = format!("{message}: {inner}");
                cause = inner.source();
            }
            return Error::Store { fault, message };
        };
        let code = db.code();
        let fault = if *code == SqlState::LOCK_NOT_AVAILABLE
            || *code == SqlState::T_R_DEADLOCK_DETECTED
            || *code == SqlState::T_R_SERIALIZATION_FAILURE
        {
            StoreFault::Locked
        } else if *code == SqlState::INVALID_PASSWORD
            || *code == SqlState::INVALID_AUTHORIZATION_SPECIFICATION
        {
            StoreFault::Auth
        } else if *code == SqlState::INVALID_CATALOG_NAME
            || *code == SqlState::TOO_MANY_CONNECTIONS
            || *code == SqlState::CANNOT_CONNECT_NOW
            || *code == SqlState::ADMIN_SHUTDOWN
            || *code == SqlState::CRASH_SHUTDOWN
        {
            StoreFault::Connect
        } else if *code == SqlState::DISK_FULL || *code == SqlState::OUT_OF_MEMORY {
            StoreFault::Full
        } else if *code == SqlState::UNDEFINED_TABLE
            || *code == SqlState::UNDEFINED_COLUMN
            || *code == SqlState::DATA_CORRUPTED
        {
            StoreFault::Corrupt
        } else {
            StoreFault::Other
        };
        let message = match fault {
            StoreFault::Locked => format!(
                "the store stayed locked by another process for more than {} s",
                LOCK_TIMEOUT_MS / 1000
            ),
            StoreFault::Corrupt => format!(
                "the database does not hold a complete seenty-keys schema ({})",
                db.message()
            ),
            _ => db.message().to_owned(),
        };
        Error::Store { fault, message }
    }
}

impl From<postgres::Error> for Error {
    fn from(e: postgres::Error) -> Self {
        Error::from(&e)
    }
}

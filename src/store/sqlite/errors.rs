//! rusqlite's errors in the tool's terms: a locked, damaged, read-only or full store is a
//! [`StoreFault`], whatever SQLite called it.

use rusqlite::ErrorCode;

use super::BUSY_TIMEOUT;
use crate::error::{Error, StoreFault};

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ffi;
        // A row SQLite can read but this version cannot decode: the store is damaged.
        if matches!(
            e,
            rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::IntegralValueOutOfRange(..)
                | rusqlite::Error::Utf8Error(..)
                | rusqlite::Error::InvalidColumnType(..)
        ) {
            return Error::Store {
                fault: StoreFault::Corrupt,
                message: format!("the store is damaged: a stored value cannot be read ({e})"),
            };
        }
        let extended = match &e {
            rusqlite::Error::SqliteFailure(f, _) => f.extended_code,
            _ => 0,
        };
        // Growing the -shm or writing the -wal on a full file system.
        if matches!(
            extended,
            ffi::SQLITE_IOERR_SHMSIZE | ffi::SQLITE_IOERR_WRITE
        ) {
            return Error::Store {
                fault: StoreFault::Full,
                message: format!("the disk is full, or the store's files cannot grow ({e})"),
            };
        }
        if e.sqlite_error_code() == Some(ErrorCode::CannotOpen) {
            return Error::Store {
                fault: StoreFault::ReadOnly,
                message: format!(
                    "cannot open the store read-write, or create its -wal and -shm files beside it ({e})"
                ),
            };
        }
        let fault = match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => StoreFault::Locked,
            Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreFault::Corrupt,
            Some(ErrorCode::ReadOnly) => StoreFault::ReadOnly,
            Some(ErrorCode::DiskFull) => StoreFault::Full,
            Some(
                ErrorCode::SystemIoFailure | ErrorCode::CannotOpen | ErrorCode::PermissionDenied,
            ) => StoreFault::Io,
            _ => StoreFault::Other,
        };
        let message = match fault {
            StoreFault::Locked => format!(
                "the store stayed locked by another process for more than {} s",
                BUSY_TIMEOUT.as_secs()
            ),
            StoreFault::Corrupt => "not a seenty-keys store (or a damaged one)".to_owned(),
            StoreFault::Full => "the disk is full".to_owned(),
            _ => e.to_string(),
        };
        Error::Store { fault, message }
    }
}

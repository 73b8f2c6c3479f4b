//! The `--expires` parser: never panics, and what it accepts is a whole second strictly
//! after now that JSON can still show as RFC 3339 (a four-digit year).

#![no_main]

use chrono::{DateTime, Datelike};
use libfuzzer_sys::fuzz_target;
use seenty_keys::domain::expires::{parse_duration, parse_expiry};

/// 9999-12-31T23:59:59Z, the last moment RFC 3339 can write.
const LATEST: i64 = 253_402_300_799;

fuzz_target!(|input: (u64, &str)| {
    let (secs, text) = input;
    let _ = parse_duration(text);
    // Any moment from 1970 to the end of year 9999, not only today.
    let Some(now) = DateTime::from_timestamp((secs % LATEST as u64) as i64, 0) else {
        return;
    };
    if let Ok(Some(at)) = parse_expiry(text, now) {
        assert!(at > now, "{text:?} at {now}: {at}");
        assert_eq!(at.timestamp_subsec_nanos(), 0, "{text:?}");
        assert!(at.year() <= 9999, "{text:?} at {now}: {at} has no RFC 3339 form");
    }
});

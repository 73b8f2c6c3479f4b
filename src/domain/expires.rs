//! The `--expires WHEN` parser: `never`, a duration (`90d`, `12h`, `2w`, `30m`), a date
//! (`YYYY-MM-DD`, the key stops working at 00:00 UTC that day) or an RFC 3339 time.

use chrono::{DateTime, Months, NaiveDate, TimeDelta, Utc};

use super::Timestamp;

/// Why a `--expires` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadExpiry {
    #[error(
        "invalid expiration {0:?}: use never, a duration such as 90d, 12h, 2w or 30m, a date YYYY-MM-DD, or an RFC 3339 time"
    )]
    Unrecognized(String),
    #[error("expiration {0:?} is not in the future")]
    NotInFuture(String),
    #[error(
        "expiration {0:?} is in the past: a duration counts forward from now, e.g. {forward}",
        forward = .0.trim().trim_start_matches('-').trim_start()
    )]
    Negative(String),
    #[error(
        "expiration {0:?} is more than {MAX_YEARS} years away: a key expires within {MAX_YEARS} years, or never"
    )]
    OutOfRange(String),
}

/// The furthest ahead an expiration may be: a key meant to outlive this is a key that
/// never expires, and should say so (`never`).
pub const MAX_YEARS: u32 = 10;

/// Parses `when` relative to `now`. `Ok(None)` means the key never expires.
pub fn parse_expiry(when: &str, now: Timestamp) -> Result<Option<Timestamp>, BadExpiry> {
    Expiry::parse(when)?.at(now)
}

/// A `--expires` value as written, before any clock judges it: a flag is parsed once,
/// before any work, and a relative or past time is decided only against the store's
/// clock (the server's on PostgreSQL), never this machine's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiry {
    /// The value as given, for the messages.
    text: String,
    when: When,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum When {
    Never,
    After(TimeDelta),
    At(Timestamp),
}

impl Expiry {
    /// Checks the value's form: everything that needs no clock.
    /// `never`: what `generate` does without `--expires` (the key policy aside).
    pub fn never() -> Self {
        Self {
            text: "never".to_owned(),
            when: When::Never,
        }
    }

    pub fn parse(when: &str) -> Result<Self, BadExpiry> {
        let text = when.trim();
        let at = if text.eq_ignore_ascii_case("never") {
            When::Never
        } else if let Some(back) = text.strip_prefix('-')
            && parse_duration(back.trim_start()).is_ok_and(|d| d.is_some())
        {
            return Err(BadExpiry::Negative(when.to_owned()));
        } else if let Some(delta) = parse_duration(text)? {
            When::After(delta)
        } else if let Ok(date) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
            When::At(
                date.and_hms_opt(0, 0, 0)
                    .ok_or_else(|| BadExpiry::Unrecognized(when.to_owned()))?
                    .and_utc(),
            )
        } else if let Ok(time) = DateTime::parse_from_rfc3339(text) {
            When::At(time.with_timezone(&Utc))
        } else {
            return Err(BadExpiry::Unrecognized(when.to_owned()));
        };
        Ok(Self {
            text: when.to_owned(),
            when: at,
        })
    }

    /// The expiration this value names at `now`; `Ok(None)` means never.
    pub fn at(&self, now: Timestamp) -> Result<Option<Timestamp>, BadExpiry> {
        let when = &self.text;
        let at = match self.when {
            When::Never => return Ok(None),
            When::After(delta) => now
                .checked_add_signed(delta)
                .ok_or_else(|| BadExpiry::OutOfRange(when.to_owned()))?,
            When::At(at) => at,
        };
        // The store keeps whole seconds; round up so a key never outlives what was asked
        // for by less than it was asked for.
        let at = at
            .timestamp()
            .checked_add(i64::from(at.timestamp_subsec_nanos() > 0));
        let latest = now.checked_add_months(Months::new(12 * MAX_YEARS));
        let at = at
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .filter(|at| latest.is_some_and(|latest| *at <= latest))
            .ok_or_else(|| BadExpiry::OutOfRange(when.to_owned()))?;
        if at <= now {
            return Err(BadExpiry::NotInFuture(when.to_owned()));
        }
        Ok(Some(at))
    }
}

/// Why a duration flag (`--max-lifetime`, `--unused-for`, …) was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid {flag} {value:?}: use a duration such as 90d, 12h, 2w or 30m, more than zero and at most 36500d"
)]
pub struct BadDuration {
    pub flag: &'static str,
    pub value: String,
}

/// The longest span a duration flag takes: a hundred years.
/// The longest two keys of one rotation may both work (`rotate --grace`).
pub const MAX_GRACE: TimeDelta = TimeDelta::days(7);

const LONGEST_SPAN: TimeDelta = TimeDelta::days(36_500);

/// The value of a duration flag: more than zero and at most [`LONGEST_SPAN`].
pub fn parse_span(flag: &'static str, text: &str) -> Result<TimeDelta, BadDuration> {
    match parse_duration(text.trim()) {
        Ok(Some(span)) if span > TimeDelta::zero() && span <= LONGEST_SPAN => Ok(span),
        _ => Err(BadDuration {
            flag,
            value: text.to_owned(),
        }),
    }
}

/// A duration of a number and one unit: `m`inutes, `h`ours, `d`ays or `w`eeks.
/// Returns `Ok(None)` when `text` does not have that shape at all.
pub fn parse_duration(text: &str) -> Result<Option<TimeDelta>, BadExpiry> {
    let Some(unit) = text.chars().last() else {
        return Ok(None);
    };
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    let per_unit: i64 = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return Ok(None),
    };
    let out_of_range = || BadExpiry::OutOfRange(text.to_owned());
    let count: i64 = digits.parse().map_err(|_| out_of_range())?;
    let secs = count.checked_mul(per_unit).ok_or_else(out_of_range)?;
    TimeDelta::try_seconds(secs)
        .map(Some)
        .ok_or_else(out_of_range)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn now() -> Timestamp {
        DateTime::parse_from_rfc3339("2026-11-26T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn at(s: &str) -> Option<Timestamp> {
        Some(DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc))
    }

    #[test]
    fn accepted_forms() {
        assert_eq!(parse_expiry("never", now()), Ok(None));
        assert_eq!(parse_expiry("NEVER", now()), Ok(None));
        assert_eq!(parse_expiry("90d", now()), Ok(at("2027-02-24T12:00:00Z")));
        assert_eq!(parse_expiry("12h", now()), Ok(at("2026-11-27T00:00:00Z")));
        assert_eq!(parse_expiry("2w", now()), Ok(at("2026-12-10T12:00:00Z")));
        assert_eq!(parse_expiry("30m", now()), Ok(at("2026-11-26T12:30:00Z")));
        assert_eq!(
            parse_expiry("2027-01-01", now()),
            Ok(at("2027-01-01T00:00:00Z"))
        );
        assert_eq!(
            parse_expiry("2027-01-01T10:00:00+02:00", now()),
            Ok(at("2027-01-01T08:00:00Z"))
        );
        assert_eq!(
            parse_expiry("2026-11-26T12:00:00.5Z", now()),
            Ok(at("2026-11-26T12:00:01Z"))
        );
    }

    #[test]
    fn refused_forms() {
        for bad in [
            "",
            "soon",
            "90",
            "d",
            "--1d",
            "1.5d",
            "1y",
            "2027-13-01",
            "2027-02-30",
            "1d2h",
        ] {
            assert!(
                matches!(parse_expiry(bad, now()), Err(BadExpiry::Unrecognized(_))),
                "{bad:?}"
            );
        }
        for past in [
            "0d",
            "0m",
            "2026-11-26",
            "2020-01-01",
            "2026-11-26T12:00:00Z",
        ] {
            assert!(
                matches!(parse_expiry(past, now()), Err(BadExpiry::NotInFuture(_))),
                "{past:?}"
            );
        }
        for negative in ["-1d", "-5d", " -30m", "- 2w"] {
            assert!(
                matches!(parse_expiry(negative, now()), Err(BadExpiry::Negative(_))),
                "{negative:?}"
            );
        }
        assert_eq!(
            BadExpiry::Negative("-5d".into()).to_string(),
            "expiration \"-5d\" is in the past: a duration counts forward from now, e.g. 5d"
        );
        // At most ten years ahead, to the second.
        assert_eq!(
            parse_expiry("2036-11-26T12:00:00Z", now()),
            Ok(at("2036-11-26T12:00:00Z"))
        );
        for huge in [
            "2036-11-26T12:00:01Z",
            "3654d",
            "1000000d",
            "9999-12-31",
            "99999999999999999999d",
            "9223372036854775807w",
            "999999999999w",
        ] {
            assert!(
                matches!(parse_expiry(huge, now()), Err(BadExpiry::OutOfRange(_))),
                "{huge:?}"
            );
        }
    }

    #[test]
    fn spans() {
        assert_eq!(parse_span("--x", "30d"), Ok(TimeDelta::days(30)));
        assert_eq!(parse_span("--x", " 12h "), Ok(TimeDelta::hours(12)));
        for bad in ["0d", "never", "", "36501d", "1y", "-3d"] {
            assert!(parse_span("--x", bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn never_panics(input in any::<String>()) {
            let _ = parse_expiry(&input, now());
        }

        #[test]
        fn durations_land_in_the_future(n in 1i64..500, unit in prop::sample::select(vec!['m', 'h', 'd', 'w'])) {
            let parsed = parse_expiry(&format!("{n}{unit}"), now()).unwrap().unwrap();
            prop_assert!(parsed > now());
        }
    }
}

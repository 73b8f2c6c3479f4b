//! Rendering: tables and JSON for what the commands print. No logic decides anything here.
//!
//! All text that comes from the store passes through [`escape`] before it reaches a
//! terminal, so no escape sequence hidden in data can reach the screen.

use std::borrow::Cow;
use std::fmt::Write as _;

use chrono::{Datelike, Timelike};
use comfy_table::{Cell, Color, Table, presets};
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::domain::Timestamp;
use crate::domain::key::{self, Hint, Key, Status};
use crate::domain::org::Org;
use crate::domain::plan::Plan;
use crate::domain::policy::{Policy, duration_label};
use crate::domain::text::is_unsafe;

mod json;
mod table;

pub use json::VerifyJson;
pub(crate) use json::{
    DryRunJson, EventJson, KeyJson, NewKeyJson, OrgJson, OrgPolicyJson, PlanJson, PolicyJson,
    ReportFindingJson, RotateJson, ScanFindingJson,
};
pub(crate) use table::{Cell as GridCell, Column, Fit, Grid, col};

/// Control and bidi-override characters written as visible escapes (`\n`, `\u{1b}`).
pub(crate) fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `serde_json` escapes only U+0000-U+001F, `"` and `\`; this also writes C1 controls,
/// DEL and the bidi overrides as `\uXXXX`. Same JSON value, but no control character
/// from the store reaches a terminal through `--json`.
struct SafeJson;

impl serde_json::ser::Formatter for SafeJson {
    fn write_string_fragment<W: ?Sized + std::io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> std::io::Result<()> {
        let mut start = 0;
        for (at, c) in fragment.char_indices() {
            if is_unsafe(c) {
                writer.write_all(&fragment.as_bytes()[start..at])?;
                // Every unsafe character is in the Basic Multilingual Plane.
                write!(writer, "\\u{:04x}", u32::from(c))?;
                start = at + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as JSON with [`SafeJson`]'s escaping.
pub(crate) fn write_json<W: std::io::Write>(
    writer: W,
    value: &impl Serialize,
) -> serde_json::Result<()> {
    let mut serializer = serde_json::Serializer::with_formatter(writer, SafeJson);
    value.serialize(&mut serializer)
}

/// `text` with every `sk_live_` token in it cut to its hint (`sk_live_…` and the last 4
/// characters), wherever it stands: a whole key, or a cut or mistyped one, which is
/// still most of a secret. A bare `sk_live_` (a hint, the prefix named) is left alone.
pub(crate) fn redact_keys(text: &str) -> Cow<'_, str> {
    let mut out = String::new();
    let mut done = 0;
    for token in key::quoted_in(text.as_bytes()) {
        // Tokens are ASCII, so their bounds are character boundaries.
        out.push_str(&text[done..token.range.start]);
        let _ = write!(out, "{}", Hint::of(&text.as_bytes()[token.range.clone()]));
        done = token.range.end;
    }
    if done == 0 {
        return Cow::Borrowed(text);
    }
    out.push_str(&text[done..]);
    Cow::Owned(out)
}

/// The one way a message reaches the terminal (errors, warnings, prompts, and lines
/// that quote what was typed, such as a path): keys cut to their hints, then control
/// characters escaped, newlines included, so a message stays one line.
pub(crate) fn message(text: &str) -> String {
    escape(&redact_keys(text)).into_owned()
}

/// Tables show UTC minutes: `2026-11-26 14:03`. Written digit by digit into a fixed
/// layout: parsing a `strftime` pattern for every cell was a tenth of a long `list`, and
/// `format!` with padded fields still a tenth of what was left.
pub(crate) fn table_time(at: Option<Timestamp>) -> String {
    match at {
        None => "Never".to_owned(),
        Some(t) if (0..=9999).contains(&t.year()) => {
            let mut text = *b"0000-00-00 00:00";
            let fields = [
                (0..4, t.year().unsigned_abs()),
                (5..7, t.month()),
                (8..10, t.day()),
                (11..13, t.hour()),
                (14..16, t.minute()),
            ];
            for (digits, mut value) in fields {
                for at in digits.rev() {
                    // A decimal digit: below 10.
                    text[at] = b'0' + (value % 10) as u8;
                    value /= 10;
                }
            }
            text.iter().copied().map(char::from).collect()
        }
        // Years past 9999 take a sign in chrono's `%Y`.
        Some(t) => t.format("%Y-%m-%d %H:%M").to_string(),
    }
}

/// JSON uses RFC 3339 UTC: `2026-11-26T14:03:09Z`.
pub(crate) use crate::domain::rfc3339 as json_time;

fn json_opt_time(at: Option<Timestamp>) -> Option<String> {
    at.map(json_time)
}

/// A path as a shell word: `'…'`, or `$'…'` with escapes when it holds bytes a terminal
/// would act on or that are not UTF-8, so the command can be pasted as printed.
pub(crate) fn shell_word(path: &[u8]) -> String {
    match std::str::from_utf8(path) {
        Ok(text) if !text.chars().any(crate::domain::text::is_unsafe) => {
            format!("'{}'", text.replace('\'', "'\\''"))
        }
        _ => {
            let mut out = String::from("$'");
            for chunk in path.utf8_chunks() {
                for c in chunk.valid().chars() {
                    match c {
                        '\'' | '\\' => {
                            out.push('\\');
                            out.push(c);
                        }
                        c if u32::from(c) < 0x80 && crate::domain::text::is_unsafe(c) => {
                            out.push_str(&format!("\\x{:02x}", u32::from(c)));
                        }
                        c if crate::domain::text::is_unsafe(c) => {
                            out.push_str(&format!("\\u{:04x}", u32::from(c)));
                        }
                        c => out.push(c),
                    }
                }
                for byte in chunk.invalid() {
                    out.push_str(&format!("\\x{byte:02x}"));
                }
            }
            out.push('\'');
            out
        }
    }
}

/// Plain aligned columns, for a pipe or a file.
pub(crate) fn plain_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(presets::NOTHING).force_no_tty();
    table.set_header(header.iter().copied());
    table
}

/// The status as `list` and `show` print it. A rotated key points at its replacement, so
/// the link is visible in `list`.
fn status_text(key: &Key, now: Timestamp) -> String {
    let status = key.status(now).as_str();
    match &key.rotated_to {
        Some(to) => format!("{status} → {to}"),
        None => status.to_owned(),
    }
}

/// The [`status_text`] of a key with this `status`. Only cells of tables built with
/// `color` get one; `enforce_styling` on such a table honours `--color always` when
/// stdout is not a terminal.
fn status_cell(text: String, status: Status, color: bool) -> Cell {
    let cell = Cell::new(text);
    if !color {
        return cell;
    }
    cell.fg(status_color(status).0)
}

/// A status's colour, and the escape sequence comfy-table writes to start it.
fn status_color(status: Status) -> (Color, &'static str) {
    match status {
        Status::Active => (Color::Green, "\x1b[38;5;10m"),
        Status::Revoked => (Color::Red, "\x1b[38;5;9m"),
        Status::Expired => (Color::Yellow, "\x1b[38;5;11m"),
    }
}

/// One line of `list`'s plain columns, byte for byte as comfy-table's `NOTHING` preset
/// writes a row whose columns are `widths` wide (a space each side of a cell), without
/// building a table: tables of 4096 rows were a third of listing 100k keys to a pipe. With
/// `status`, the last cell is coloured as [`status_cell`] colours it. A cell wider than
/// its column is written whole.
pub(crate) fn write_plain_row(
    out: &mut impl std::io::Write,
    texts: &[impl AsRef<str>],
    widths: &[u16],
    status: Option<Status>,
) -> std::io::Result<()> {
    let last = texts.len().saturating_sub(1);
    for (i, (text, &width)) in texts.iter().zip(widths).enumerate() {
        let text = text.as_ref();
        let color = status.filter(|_| i == last).map(|s| status_color(s).1);
        if let Some(start) = color {
            out.write_all(start.as_bytes())?;
        }
        let pad = usize::from(width).saturating_sub(text.width());
        write!(out, " {text}{:pad$} ", "")?;
        if color.is_some() {
            out.write_all(b"\x1b[39m")?;
        }
    }
    out.write_all(b"\n")
}

/// `list`'s header. Times are UTC, and the header says so.
pub(crate) const KEY_HEADER: [&str; 7] = [
    "ID",
    "Name",
    "Key",
    "Created (UTC)",
    "Expiration (UTC)",
    "Last used (UTC)",
    "Status",
];

/// How `list`'s columns give way at a narrow terminal: the name is cut, then Created and
/// the hint are left out (`show` has them).
pub(crate) const KEY_COLUMNS: [Column; 7] = [
    col(KEY_HEADER[0], Fit::Whole),
    col(KEY_HEADER[1], Fit::Cut),
    col(KEY_HEADER[2], Fit::Optional(1)),
    col(KEY_HEADER[3], Fit::Optional(0)),
    col(KEY_HEADER[4], Fit::Whole),
    col(KEY_HEADER[5], Fit::Whole),
    col(KEY_HEADER[6], Fit::Whole),
];

/// A [`KEY_COLUMNS`] row; at a narrow terminal the status loses its rotation link.
pub(crate) fn key_row(key: &Key, now: Timestamp) -> Vec<GridCell> {
    let [id, name, hint, created, expires, used, status] = key_texts(key, now);
    let short = key
        .rotated_to
        .as_ref()
        .map(|_| key.status(now).as_str().to_owned());
    vec![
        GridCell::new(id),
        GridCell::new(name),
        GridCell::new(hint),
        GridCell::new(created),
        GridCell::new(expires),
        GridCell::new(used),
        GridCell::status(status, short, key.status(now)),
    ]
}

/// The text of each cell of [`key_row`], uncoloured. The expiration is when the key
/// stops working, which a rotation's grace period may bring forward.
pub(crate) fn key_texts(key: &Key, now: Timestamp) -> [String; 7] {
    [
        key.id.clone(),
        escape(&key.name).into_owned(),
        escape(&key.hint.to_string()).into_owned(),
        table_time(Some(key.created_at)),
        table_time(key.stops_at(now)),
        table_time(key.last_used_at),
        status_text(key, now),
    ]
}

/// The columns a cell's text takes in a table, counted as comfy-table counts them (the
/// widest line's Unicode width, at least one), without building a table.
pub(crate) fn text_width(text: &str) -> u16 {
    let widest = text.split('\n').map(UnicodeWidthStr::width).max();
    u16::try_from(widest.unwrap_or(0))
        .unwrap_or(u16::MAX)
        .max(1)
}

/// Two columns, a label and its value, for `show` and `org show`; long values are cut.
pub(crate) const PROPERTY_COLUMNS: [Column; 2] =
    [col("Property", Fit::Whole), col("Value", Fit::Cut)];

/// One [`PROPERTY_COLUMNS`] row.
pub(crate) fn property(label: &str, value: impl Into<String>) -> Vec<GridCell> {
    vec![GridCell::new(label), GridCell::new(value)]
}

/// One key's properties, a row each, for `show`.
pub(crate) fn key_properties(key: &Key, now: Timestamp) -> Grid<'static> {
    let mut grid = Grid::new(&PROPERTY_COLUMNS);
    let rows: [(&str, String); 7] = [
        ("ID", key.id.clone()),
        ("Name", escape(&key.name).into_owned()),
        ("Organization", key.org.clone()),
        ("Key", escape(&key.hint.to_string()).into_owned()),
        ("Created (UTC)", table_time(Some(key.created_at))),
        ("Expiration (UTC)", table_time(key.stops_at(now))),
        ("Last used (UTC)", table_time(key.last_used_at)),
    ];
    for (label, value) in rows {
        grid.push(property(label, value));
    }
    let status = GridCell::status(status_text(key, now), None, key.status(now));
    grid.push(vec![GridCell::new("Status"), status]);
    for (label, link) in [
        ("Rotated from", &key.rotated_from),
        ("Rotated to", &key.rotated_to),
    ] {
        if let Some(id) = link {
            grid.push(property(label, id.clone()));
        }
    }
    if let Some(at) = key.revoked_at {
        // A rotation's grace period puts the revocation in the future.
        let label = if at > now {
            "Stops working (UTC)"
        } else {
            "Revoked (UTC)"
        };
        grid.push(property(label, table_time(Some(at))));
        let reason = key
            .revoke_reason
            .as_deref()
            .map_or(Cow::Borrowed("-"), escape);
        grid.push(property("Reason", reason.into_owned()));
    }
    grid
}

/// The policy's rows in `org show` and `org policy`: label and value.
pub(crate) fn policy_rows(policy: &Policy) -> [(&'static str, String); 3] {
    [
        ("Max key lifetime", policy.max_lifetime_label()),
        (
            "Expiration required",
            match (policy.require_expiry, policy.max_lifetime) {
                (true, _) => "yes",
                (false, Some(_)) => "yes (by the max lifetime)",
                (false, None) => "no",
            }
            .to_owned(),
        ),
        ("Rotate every", duration_label(policy.rotate_every)),
    ]
}

/// `1 key`, `2 keys`: a count and its noun, plural when it is not one.
pub(crate) fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// A plan's terms in a sentence: `up to 5 active keys`, `unlimited active keys`, or `no
/// API access`.
pub(crate) fn plan_terms(plan: &Plan) -> String {
    match plan.key_limit {
        _ if !plan.api_access => "no API access".to_owned(),
        Some(limit) => format!("up to {}", count(limit, "active key")),
        None => "unlimited active keys".to_owned(),
    }
}

/// `3 of 5 keys in use`, or `10 keys in use, no limit`: [`usage`] in a sentence.
pub(crate) fn usage_sentence(org: &Org) -> String {
    match org.plan.key_limit {
        Some(limit) => format!("{} of {} in use", org.active_keys, count(limit, "key")),
        None => format!("{} in use, no limit", count(org.active_keys, "key")),
    }
}

/// "3 / 5", or "3 / Unlimited": keys in use against the plan's limit.
pub(crate) fn usage(org: &Org) -> String {
    format!("{} / {}", org.active_keys, org.plan.limit_label())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Field by field, as chrono's `%Y-%m-%d %H:%M` would, for every time chrono has.
        #[test]
        fn table_times_read_as_strftime_would(secs in proptest::prop_oneof![
            -62_167_219_200i64..=253_402_300_799, // years 0 to 9999
            -8_334_601_228_800i64..=8_210_266_876_799, // all of chrono's
        ]) {
            let t = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            proptest::prop_assert_eq!(
                table_time(Some(t)),
                t.format("%Y-%m-%d %H:%M").to_string()
            );
        }

        /// `list` pads its rows to these widths: they must be comfy-table's own.
        #[test]
        fn text_widths_are_comfy_tables(text in "(\\PC|\n){0,12}") {
            let mut table = Table::new();
            table.add_row([text.as_str()]);
            proptest::prop_assert_eq!(
                text_width(&text),
                table.column_max_content_widths()[0]
            );
        }
    }

    /// `list` to a pipe writes its rows itself: they must read as comfy-table's.
    #[test]
    fn plain_rows_are_comfy_tables() {
        let rows = [
            [
                "key_0123456789abcdef",
                "CI 東京",
                "sk_live_…abcd",
                "Never",
                "Active",
            ],
            [
                "key_abcdefghij012345",
                "evil\\u{1b}[2J",
                "x",
                "2026-12-01 13:39",
                "Revoked",
            ],
            [
                "key_zyxwvutsrqponmlk",
                "",
                "sk_live_…wxyz",
                "Never",
                "Expired → key_0",
            ],
        ];
        let statuses = [Status::Active, Status::Revoked, Status::Expired];
        let header = ["ID", "Name", "Key", "Last used", "Status"];
        let mut widths = header.map(text_width);
        for row in &rows {
            for (width, text) in widths.iter_mut().zip(row) {
                *width = (*width).max(text_width(text));
            }
        }
        for color in [false, true] {
            let mut table = plain_table(&header);
            if color {
                table.enforce_styling();
            }
            for (row, status) in rows.iter().zip(statuses) {
                let mut cells: Vec<Cell> = row[..4].iter().map(Cell::new).collect();
                cells.push(status_cell(row[4].to_owned(), status, color));
                table.add_row(cells);
            }
            table.set_constraints(widths.map(|w| {
                comfy_table::ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(w + 2))
            }));
            let mut ours = Vec::new();
            write_plain_row(&mut ours, &header, &widths, None).unwrap();
            for (row, status) in rows.iter().zip(statuses) {
                write_plain_row(&mut ours, row, &widths, color.then_some(status)).unwrap();
            }
            assert_eq!(String::from_utf8(ours).unwrap(), format!("{table}\n"));
        }
    }

    #[test]
    fn measures_the_cells_of_a_key_row() {
        for (text, width) in [
            ("", 1),
            ("key_0123456789abcdef", 20),
            ("sk_live_…abcd", 13),
            ("revoked → key_0123456789abcdef", 30),
            ("CI 東京", 7),
            ("line\none more", 8),
        ] {
            assert_eq!(text_width(text), width, "{text:?}");
        }
    }

    #[test]
    fn redacts_keys_to_their_hints() {
        let text = "unexpected argument 'sk_live_abcdefghijklmnopqrstuvwxyzAB' found";
        assert_eq!(
            redact_keys(text),
            "unexpected argument 'sk_live_…yzAB' found"
        );
        assert_eq!(redact_keys("no key here"), "no key here");
        // The prefix named, and hints, are not tokens.
        for kept in ["sk_live_", "its sk_live_ prefix", "sk_live_…abcd"] {
            assert_eq!(redact_keys(kept), kept);
        }
        let secret = key::Secret::generate().unwrap();
        let k = secret.expose();
        let hint = secret.hint().to_string();
        for (text, redacted) in [
            (format!("Bearer {k}"), format!("Bearer {hint}")),
            (format!("x{k}abc"), format!("x{hint}abc")),
            (
                format!("\u{feff}{k}\n{k}"),
                format!("\u{feff}{hint}\n{hint}"),
            ),
        ] {
            assert_eq!(redact_keys(&text), redacted);
        }
        assert_eq!(
            message(&format!("a\n{k}\u{1b}")),
            format!("a\\n{hint}\\u{{1b}}")
        );
    }

    #[test]
    fn escapes_what_a_terminal_would_obey() {
        assert_eq!(escape("plain name"), "plain name");
        assert_eq!(escape("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("two\nlines\t"), "two\\nlines\\t");
        assert_eq!(escape("abc\u{202e}fed"), "abc\\u{202e}fed");
        assert_eq!(escape("\u{9b}"), "\\u{9b}");
    }
}

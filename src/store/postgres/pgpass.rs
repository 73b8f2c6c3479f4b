//! The password file, read as libpq reads it: `PGPASSFILE`, else `~/.pgpass`; lines of
//! `hostname:port:database:username:password`, `*` matching anything, `\:` and `\\`
//! escaping, the first matching line winning, and the file ignored when its mode lets
//! the group or others read it.
//!
//! A module of its own so the rules can be tested without a server; no crate on the
//! registry does this for the synchronous client.

use std::ffi::OsString;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

/// The connection a password is wanted for.
pub(crate) struct Wanted<'a> {
    pub(crate) host: &'a str,
    pub(crate) port: u16,
    pub(crate) database: &'a str,
    pub(crate) user: &'a str,
}

/// The password file's path, if it exists and only its owner can read it.
pub(crate) fn file() -> Option<PathBuf> {
    file_from(std::env::var_os("PGPASSFILE"), std::env::var_os("HOME"))
}

/// [`file`] with `PGPASSFILE` and `HOME` given.
fn file_from(pgpassfile: Option<OsString>, home: Option<OsString>) -> Option<PathBuf> {
    let path = pgpassfile
        .filter(|p| !p.is_empty())
        .map(PathBuf::from)
        .or_else(|| home.map(|home| PathBuf::from(home).join(".pgpass")))?;
    let meta = std::fs::metadata(&path).ok()?;
    // libpq ignores (with a warning) a file the group or others can read.
    (meta.is_file() && meta.permissions().mode() & 0o077 == 0).then_some(path)
}

/// The password of the first line of the file at `path` that matches.
pub(crate) fn lookup(path: &std::path::Path, wanted: &Wanted<'_>) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    find(&text, wanted)
}

/// The password of the first line of `text` that matches.
pub(crate) fn find(text: &str, wanted: &Wanted<'_>) -> Option<String> {
    let port = wanted.port.to_string();
    let wanted_fields = [wanted.host, &port, wanted.database, wanted.user];
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#') && !line.trim().is_empty())
        .find_map(|line| {
            let fields = split(line);
            let [host, port, database, user, password] = fields.as_slice() else {
                return None;
            };
            let matches = [host, port, database, user]
                .iter()
                .zip(wanted_fields)
                .all(|(field, value)| field.as_str() == "*" || field.as_str() == value);
            matches.then(|| password.clone())
        })
}

/// Splits a line at unescaped colons, undoing `\:` and `\\`. The password is the fifth
/// field and runs to the end of the line.
fn split(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        let current = fields.len() - 1;
        match c {
            '\\' => {
                if let Some(next) = chars.next() {
                    fields[current].push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            c => fields[current].push(c),
        }
    }
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    const WANTED: Wanted<'static> = Wanted {
        host: "db.internal",
        port: 5432,
        database: "keys",
        user: "ci",
    };

    #[test]
    fn the_first_matching_line_wins() {
        let text = "# comment\n\
                    other:5432:keys:ci:wrong-host\n\
                    db.internal:5433:keys:ci:wrong-port\n\
                    db.internal:5432:*:ci:right\n\
                    *:*:*:*:fallback\n";
        assert_eq!(find(text, &WANTED).as_deref(), Some("right"));
        assert_eq!(
            find("*:*:*:*:fallback\n", &WANTED).as_deref(),
            Some("fallback")
        );
        assert_eq!(find("*:*:*:someone:pw\n", &WANTED), None);
        assert_eq!(find("", &WANTED), None);
    }

    #[test]
    fn escapes_and_colons_in_the_password() {
        assert_eq!(
            find("db.internal:5432:keys:ci:a\\:b\\\\c:d\n", &WANTED).as_deref(),
            Some("a:b\\c:d")
        );
        assert_eq!(
            find("db\\.internal:5432:keys:ci:x\n", &WANTED).as_deref(),
            Some("x")
        );
        assert_eq!(find("db.internal:5432:keys\n", &WANTED), None);
    }

    #[test]
    fn a_file_others_can_read_is_ignored() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("pgpass");
        std::fs::write(&path, "*:*:*:*:pw\n").expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        assert_eq!(lookup(&path, &WANTED).as_deref(), Some("pw"));
        let given = Some(path.clone().into_os_string());
        assert_eq!(
            file_from(given.clone(), None).as_deref(),
            Some(path.as_path())
        );
        let home = Some(dir.path().as_os_str().to_owned());
        assert_eq!(file_from(None, home.clone()), None, "no ~/.pgpass");
        std::fs::rename(&path, dir.path().join(".pgpass")).expect("rename");
        assert!(file_from(Some(OsString::new()), home.clone()).is_some());
        let moved = dir.path().join(".pgpass");
        std::fs::set_permissions(&moved, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(file_from(None, home), None, "readable by others");
    }
}

//! `.seenty-keys-allow` as already committed: a change must not be able to allow its own
//! leak, so `--staged` reads the list from `HEAD` and `--git RANGE` from the range's
//! base (each base, for a range with several: a key must be allowed in all of them).
//! A symbolic link of that name is not a list.

use std::io::Read;

use crate::domain::scan::allow::FILE_NAME;
use crate::error::Result;

use super::{Source, command};

/// The most of a list that is read: 65 bytes a digest, so about 64,000 of them.
pub const MAX_LEN: u64 = 4 << 20;

/// The lists that apply to a scan of `source`: (where it was read, its text). None when
/// the revision has no list, or no revision exists yet (a repository's first commit).
pub fn lists(source: &Source) -> Result<Vec<(String, String)>> {
    let revisions = match source {
        Source::Staged => vec!["HEAD".to_owned()],
        Source::History(range) => bases(range.unwrap_or("HEAD")),
    };
    let mut lists = Vec::new();
    for revision in revisions {
        let text = read(&revision)?.unwrap_or_default();
        lists.push((format!("{revision}:{FILE_NAME}"), text));
    }
    Ok(lists)
}

/// The bases of a range (`A` of `A..B`, the merge base of `A...B`); `HEAD` when it has
/// none (a single revision, or the whole history): what the repository has agreed on.
fn bases(range: &str) -> Vec<String> {
    let Ok(out) = command::output(&["rev-parse", "--revs-only", "--end-of-options", range]) else {
        // A bad range: `git log` reports it in its own words.
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&out);
    let bases: Vec<String> = text
        .lines()
        .filter_map(|line| line.strip_prefix('^'))
        .map(str::to_owned)
        .collect();
    if bases.is_empty() {
        vec!["HEAD".to_owned()]
    } else {
        bases
    }
}

/// The list in `revision`'s tree, if it is a regular file there.
fn read(revision: &str) -> Result<Option<String>> {
    let tree = format!("{revision}^{{tree}}");
    if command::output(&[
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        &tree,
    ])
    .is_err()
    {
        return Ok(None);
    }
    let out = command::output(&["ls-tree", "-z", "--full-tree", &tree, "--", FILE_NAME])?;
    let entry = String::from_utf8_lossy(&out);
    // `<mode> blob <id>\t<name>`: a symbolic link's mode is 120000.
    let Some((meta, _)) = entry.split_once('\t') else {
        return Ok(None);
    };
    let meta: Vec<&str> = meta.split(' ').collect();
    let [mode, "blob", id] = meta[..] else {
        return Ok(None);
    };
    if !mode.starts_with("100") {
        return Ok(None);
    }
    let mut child = command::spawn(command::git(&["cat-file", "blob", id]))?;
    let mut bytes = Vec::new();
    if let Some(out) = child.stdout.take() {
        out.take(MAX_LEN)
            .read_to_end(&mut bytes)
            .map_err(|source| crate::error::Error::Io {
                what: format!("reading {FILE_NAME} from git"),
                source,
            })?;
    }
    let _ = child.kill();
    let _ = child.wait();
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

//! Which `.seenty-keys-allow` a scan honours: for files, the list at the root of each
//! repository searched (the current directory's too), as it is in the working tree; for
//! the index and history, the list already committed (see [`super::git::allow`]). A
//! symbolic link of that name is not followed: a list pointing outside the repository
//! is not the repository's.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::domain::key::KeyHash;
use crate::domain::scan::allow;
use crate::error::Result;
use crate::render::escape;

use super::Ctx;
use super::git::{self, Source};

/// The digests a scan of `source` (or of `paths`, without one) may report `Allowed`.
pub fn hashes(ctx: &Ctx, source: Option<&Source>, paths: &[PathBuf]) -> Result<HashSet<KeyHash>> {
    let Some(source) = source else {
        let mut hashes = HashSet::new();
        for root in roots(paths) {
            let file = root.join(allow::FILE_NAME);
            if let Some(text) = read_regular(&file) {
                hashes.extend(parse(ctx, &file.to_string_lossy(), &text));
            }
        }
        return Ok(hashes);
    };
    // Several bases: a key is allowed only where every one of them allows it.
    let mut lists = git::allow::lists(source)?.into_iter();
    let Some((name, text)) = lists.next() else {
        return Ok(HashSet::new());
    };
    let mut hashes = parse(ctx, &name, &text);
    for (name, text) in lists {
        let other = parse(ctx, &name, &text);
        hashes.retain(|h| other.contains(h));
    }
    Ok(hashes)
}

/// The digests of one list; each line that is not one is named in a warning.
fn parse(ctx: &Ctx, name: &str, text: &str) -> HashSet<KeyHash> {
    let (found, bad) = allow::parse(text);
    for line in bad {
        ctx.warn(&format!(
            "{}:{line}: not a SHA-256 hex digest; ignored",
            escape(name)
        ));
    }
    found
}

/// A list file's text when it is a regular file (not followed through a link), read up
/// to the size a list can sensibly have.
fn read_regular(file: &Path) -> Option<String> {
    let meta = std::fs::symlink_metadata(file).ok()?;
    if !meta.file_type().is_file() {
        return None;
    }
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .ok()?
        .take(git::allow::MAX_LEN)
        .read_to_end(&mut bytes)
        .ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

/// The repository roots of the current directory and of each path searched.
fn roots(paths: &[PathBuf]) -> Vec<PathBuf> {
    let cwd = std::env::current_dir().ok();
    let mut roots: Vec<PathBuf> = Vec::new();
    let starts = cwd.iter().cloned().chain(
        paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .filter_map(|p| std::fs::canonicalize(p).ok()),
    );
    for start in starts {
        let root = repository_root(&start).or_else(|| cwd.clone().filter(|c| *c == start));
        if let Some(root) = root
            && !roots.contains(&root)
        {
            roots.push(root);
        }
    }
    roots
}

/// The nearest directory at or above `start` that holds `.git`.
fn repository_root(start: &Path) -> Option<PathBuf> {
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?
    };
    dir.ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

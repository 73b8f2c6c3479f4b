//! What refs point at besides commits, for `scan --git` without a range: an annotated
//! tag's message, and a blob or a tree a tag (or any ref) points at directly, which no
//! commit's listing names. Reported under `tag NAME` (`ref REFNAME` outside
//! `refs/tags/`).

use std::io::{self, BufRead, BufReader};

use crate::error::Result;
use crate::render::redact_keys;

use super::{Item, MESSAGE, Part, command};

/// A ref that is not a plain commit reference.
pub struct Target {
    label: String,
    /// The annotated tag object, whose message is searched.
    tag: Option<String>,
    /// What it points at in the end, when that is a blob or a tree: (type, id).
    object: Option<(String, String)>,
}

/// Every ref that is an annotated tag or points at a blob or a tree.
pub fn list() -> Result<Vec<Target>> {
    let out = command::output(&[
        "for-each-ref",
        "--format=%(objectname) %(objecttype) %(*objectname) %(*objecttype) %(refname)",
    ])?;
    let text = String::from_utf8_lossy(&out);
    let mut targets = Vec::new();
    for line in text.lines() {
        let fields: Vec<&str> = line.splitn(5, ' ').collect();
        let [id, kind, peeled, peeled_kind, refname] = fields[..] else {
            continue;
        };
        let (tag, end) = match kind {
            "tag" => (Some(id.to_owned()), (peeled_kind, peeled)),
            _ => (None, (kind, id)),
        };
        let object = matches!(end.0, "blob" | "tree").then(|| (end.0.to_owned(), end.1.to_owned()));
        if tag.is_none() && object.is_none() {
            continue;
        }
        let label = match refname.strip_prefix("refs/tags/") {
            Some(name) => format!("tag {name}"),
            None => format!("ref {refname}"),
        };
        targets.push(Target {
            label: redact_keys(&label).into_owned(),
            tag,
            object,
        });
    }
    Ok(targets)
}

/// Visits each target's message, blob, or the blobs of its tree (`ls-tree -r`).
pub fn visit(targets: &[Target], visit: &mut dyn FnMut(Item) -> io::Result<()>) -> io::Result<()> {
    for target in targets {
        let commit = Some(target.label.clone());
        if let Some(tag) = &target.tag {
            visit(Item {
                id: tag.clone(),
                commit: commit.clone(),
                path: MESSAGE.to_owned(),
                part: Part::Message,
            })?;
        }
        match &target.object {
            Some((kind, id)) if kind == "blob" => visit(Item {
                id: id.clone(),
                commit,
                path: "(blob)".to_owned(),
                part: Part::Content,
            })?,
            Some((_, tree)) => tree_blobs(tree, &mut |id, path| {
                visit(Item {
                    id,
                    commit: commit.clone(),
                    path,
                    part: Part::Content,
                })
            })?,
            None => {}
        }
    }
    Ok(())
}

/// The files and symbolic links of a tree, recursively: (blob id, path).
fn tree_blobs(
    tree: &str,
    visit: &mut dyn FnMut(String, String) -> io::Result<()>,
) -> io::Result<()> {
    let mut child = command::spawn(command::git(&["ls-tree", "-r", "-z", "--full-tree", tree]))
        .map_err(io::Error::other)?;
    if let Some(out) = child.stdout.take() {
        // `<mode> <type> <id>\t<path>`
        for entry in BufReader::new(out).split(0) {
            let entry = entry?;
            let entry = String::from_utf8_lossy(&entry);
            let Some((meta, path)) = entry.split_once('\t') else {
                continue;
            };
            let meta: Vec<&str> = meta.split(' ').collect();
            if let [mode, "blob", id] = meta[..]
                && super::searched_mode(mode)
            {
                visit(id.to_owned(), redact_keys(path).into_owned())?;
            }
        }
    }
    command::finish(child).map_err(io::Error::other)?;
    Ok(())
}

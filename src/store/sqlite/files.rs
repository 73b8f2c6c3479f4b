//! The store file on disk: created private (0600 in 0700 directories), refused when it
//! is not a regular file this user owns, and warned about when others can reach it.

use std::fs;
use std::io;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, StoreWarning, UnsafeFix};

/// Creates the store file with mode 0600, and any missing directories with mode 0700,
/// whatever the umask.
pub(super) fn create_private_file(path: &Path) -> Result<()> {
    let io_err = |what: String| move |source| Error::Io { what, source };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let missing: Vec<_> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .collect();
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(io_err(format!("creating {}", dir.display())))?;
        for created in missing {
            fs::set_permissions(created, fs::Permissions::from_mode(0o700))
                .map_err(io_err(format!("setting the mode of {}", created.display())))?;
        }
    }
    match fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
    {
        Ok(file) => file
            .set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err(format!("setting the mode of {}", path.display()))),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok(()),
        Err(source) => Err(Error::Io {
            what: format!("creating {}", path.display()),
            source,
        }),
    }
}

/// The store's companion files, which hold recent changes as the main file does.
const COMPANIONS: [&str; 2] = ["-wal", "-shm"];

fn companion(path: &Path, suffix: &str) -> PathBuf {
    let mut side = path.as_os_str().to_owned();
    side.push(suffix);
    side.into()
}

/// Refuses a store this process must not trust, before SQLite opens it (SPEC 8), and
/// gives the companion files the main file's owner and mode.
///
/// - A path that is not a regular file (`/dev/null`, a directory, a FIFO): SQLite would
///   open it, and a device would get a `-journal` beside it, in `/dev`.
/// - A file owned by another user than this one or root, as `ssh` refuses a key file:
///   its owner can rewrite keys and plans, or read the store (another account's
///   pre-created `keys.db` in a shared directory).
/// - SQLite gives a new `-wal` and `-shm` the main file's mode, and, as root, its owner;
///   once made they stay as they are. After `chmod 600 keys.db` they would still be
///   readable, and a read-only session (0400) would leave them read-only after the file
///   is writable again. So each takes the main file's mode (with read and write for the
///   owner), and as root its owner; a companion owned by another user that cannot be
///   given back is refused like the file.
pub(super) fn check_files(path: &Path) -> Result<()> {
    let Ok(meta) = fs::metadata(path) else {
        return Ok(());
    };
    let refuse = |shown: &Path, why: String, fix: UnsafeFix| Error::UnsafeStore {
        location: shown.display().to_string(),
        why,
        fix,
    };
    if !meta.is_file() {
        return Err(refuse(
            path,
            "it is not a regular file".to_owned(),
            UnsafeFix::PointAtAFile,
        ));
    }
    // Root's files need no look at who this process is (a `stat` of /proc saved).
    let trusted =
        |owner: u32| owner == 0 || crate::os::effective_uid().is_none_or(|me| me == owner);
    if !trusted(meta.uid()) {
        return Err(refuse(
            path,
            format!("it is owned by another user (uid {})", meta.uid()),
            UnsafeFix::OwnIt,
        ));
    }
    let mode = meta.permissions().mode() & 0o777;
    for suffix in COMPANIONS {
        let side = companion(path, suffix);
        let Ok(side_meta) = fs::symlink_metadata(&side) else {
            continue;
        };
        if !side_meta.is_file() {
            return Err(refuse(
                &side,
                "it is not a regular file".to_owned(),
                UnsafeFix::RemoveCompanion,
            ));
        }
        if (side_meta.uid(), side_meta.gid()) != (meta.uid(), meta.gid()) {
            let given = std::os::unix::fs::chown(&side, Some(meta.uid()), Some(meta.gid()));
            if given.is_err() && !trusted(side_meta.uid()) {
                return Err(refuse(
                    &side,
                    format!("it is owned by another user (uid {})", side_meta.uid()),
                    UnsafeFix::OwnIt,
                ));
            }
        }
        // The owner keeps reading and writing them even when the file is read-only
        // (0400): SQLite needs that to read the store at all.
        let wanted = mode | 0o600;
        if side_meta.permissions().mode() & 0o777 != wanted {
            let _ = fs::set_permissions(&side, fs::Permissions::from_mode(wanted));
        }
    }
    Ok(())
}

/// A warning with the fix when other users can read or write the store file. The fix
/// covers the companion files, which take the main file's mode when the store is next
/// opened.
pub(crate) fn permission_warnings(path: &Path) -> Vec<StoreWarning> {
    match fs::metadata(path) {
        Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
            let mut files = vec![path.to_owned()];
            files.extend(
                COMPANIONS
                    .iter()
                    .map(|suffix| companion(path, suffix))
                    .filter(|side| side.exists()),
            );
            vec![StoreWarning::OpenToOthers {
                path: path.to_owned(),
                mode: meta.permissions().mode() & 0o777,
                files,
            }]
        }
        _ => Vec::new(),
    }
}

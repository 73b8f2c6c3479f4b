//! Who the process runs as: its user ids and the account name of the real one.
//!
//! The crate forbids unsafe code, so there is no `getuid(2)`: the ids come from
//! `/proc` and the account from `/etc/passwd`. The audit log records the real uid's
//! account, which a user cannot choose the way they choose `$USER`; the store's
//! ownership check compares a file's owner with the effective uid, as the kernel does.

use std::fs;

/// The longest account name recorded; `useradd` allows 32 characters.
const ACCOUNT_MAX: usize = 64;

/// The process's real user id, from the `Uid:` line of `/proc/self/status` (real,
/// effective, saved, fs). The kernel writes the whole file for each read, so it is read
/// only for what needs the real uid, the audit log's actor.
pub(crate) fn real_uid() -> Option<u32> {
    parse_real_uid(&fs::read_to_string("/proc/self/status").ok()?)
}

fn parse_real_uid(status: &str) -> Option<u32> {
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    line.split_whitespace().next()?.parse().ok()
}

/// The process's effective user id, which file access is checked against: the owner of
/// `/proc/self` (one `stat`).
pub(crate) fn effective_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The acting user for the audit log: the real uid's account name, or `uid:N` when it
/// has none in `/etc/passwd` (a directory service, a container's bare uid) or a name
/// that could not be shown as it is.
pub(crate) fn account() -> String {
    match real_uid() {
        Some(uid) => fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|passwd| account_in(&passwd, uid))
            .unwrap_or_else(|| format!("uid:{uid}")),
        None => "unknown".to_owned(),
    }
}

/// The first `/etc/passwd` entry for `uid`, when its name is short and printable.
fn account_in(passwd: &str, uid: u32) -> Option<String> {
    let uid = uid.to_string();
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let matches = fields.nth(1) == Some(uid.as_str());
        let sane = !name.is_empty()
            && name.chars().count() <= ACCOUNT_MAX
            && !name.chars().any(|c| c.is_control() || c.is_whitespace());
        (matches && sane).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_uid() {
        let status = "Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(parse_real_uid(status), Some(1000));
        assert_eq!(parse_real_uid("Uid:\tx\n"), None);
        assert_eq!(real_uid(), effective_uid(), "the tests run without setuid");
    }

    #[test]
    fn finds_the_account_of_a_uid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n\
                      alice:x:1000:1000::/home/alice:/bin/sh\n\
                      evil\u{1b}[2J:x:1001:1001::/:/bin/sh\n";
        assert_eq!(account_in(passwd, 0).as_deref(), Some("root"));
        assert_eq!(account_in(passwd, 1000).as_deref(), Some("alice"));
        assert_eq!(account_in(passwd, 1001), None);
        assert_eq!(account_in(passwd, 4242), None);
        let long = format!("{}:x:7:7::/:/bin/sh", "a".repeat(ACCOUNT_MAX + 1));
        assert_eq!(account_in(&long, 7), None);
    }
}

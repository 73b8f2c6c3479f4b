//! Who the process runs as: its user ids and the account name of the real one.
//!
//! The crate forbids unsafe code, so there is no `getuid(2)`: the ids come from
//! `/proc/self/status` and the account from `/etc/passwd`. The audit log records the real
//! uid's account, which a user cannot choose the way they choose `$USER`; the store's
//! ownership check compares a file's owner with the effective uid, as the kernel does.

use std::fs;

/// The longest account name recorded; `useradd` allows 32 characters.
const ACCOUNT_MAX: usize = 64;

/// The process's real and effective user ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Uids {
    pub real: u32,
    pub effective: u32,
}

/// Read from the `Uid:` line of `/proc/self/status` (real, effective, saved, fs).
pub fn uids() -> Option<Uids> {
    parse_status(&fs::read_to_string("/proc/self/status").ok()?)
}

fn parse_status(status: &str) -> Option<Uids> {
    let line = status.lines().find_map(|l| l.strip_prefix("Uid:"))?;
    let mut fields = line.split_whitespace().map(str::parse::<u32>);
    Some(Uids {
        real: fields.next()?.ok()?,
        effective: fields.next()?.ok()?,
    })
}

/// The acting user for the audit log: the real uid's account name, or `uid:N` when it
/// has none in `/etc/passwd` (a directory service, a container's bare uid) or a name
/// that could not be shown as it is.
pub fn account() -> String {
    match uids() {
        Some(ids) => fs::read_to_string("/etc/passwd")
            .ok()
            .and_then(|passwd| account_in(&passwd, ids.real))
            .unwrap_or_else(|| format!("uid:{}", ids.real)),
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
    fn reads_the_real_and_effective_uid() {
        let status = "Name:\tx\nUmask:\t0022\nUid:\t1000\t0\t0\t0\nGid:\t1000\t1000\t1000\t1000\n";
        assert_eq!(
            parse_status(status),
            Some(Uids {
                real: 1000,
                effective: 0
            })
        );
        assert_eq!(parse_status("Uid:\tx\n"), None);
        assert!(uids().is_some());
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

//! What the tool asks of the operating system about its own process: who it runs as (its
//! user ids and the account name of the real one), and that it never dumps core.
//!
//! The crate forbids unsafe code, so the system calls go through `rustix`, and the
//! account comes from `/etc/passwd`. The audit log records the real uid's account, which
//! a user cannot choose the way they choose `$USER`; the store's ownership check compares
//! a file's owner with the effective uid, as the kernel does.

use std::fs;

use rustix::process::{DumpableBehavior, Resource, Rlimit};

/// The longest account name recorded; `useradd` allows 32 characters.
const ACCOUNT_MAX: usize = 64;

/// Keeps every secret the process will hold out of core files: the core size limit goes
/// to 0 (soft and hard, so nothing in the process raises it again) and the process is
/// marked not dumpable, which also covers a `core_pattern` that pipes cores to a program
/// (the size limit does not) and keeps other processes of the same user from reading its
/// memory through `/proc` or `ptrace`. Called first thing, before any argument or input
/// is read, and holds until the process exits; children started with `--exec` inherit
/// the size limit. Both calls only lower what the process may do, so they cannot be
/// refused; were one refused all the same, the command still runs.
pub fn forbid_core_dumps() {
    let none = Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    let _ = rustix::process::setrlimit(Resource::Core, none);
    let _ = rustix::process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
}

/// The process's real user id, which the audit log's actor is the account of.
pub(crate) fn real_uid() -> Option<u32> {
    Some(rustix::process::getuid().as_raw())
}

/// The process's effective user id, which file access is checked against. (Not the
/// owner of `/proc/self`: a process that is not dumpable has its `/proc` entries owned
/// by root.)
pub(crate) fn effective_uid() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
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
        use std::os::unix::fs::MetadataExt;
        assert_eq!(real_uid(), effective_uid(), "the tests run without setuid");
        let home = fs::metadata("/proc/self").map(|m| m.uid()).ok();
        assert_eq!(effective_uid(), home, "this test process is dumpable");
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

//! What the scanning tests share: fresh keys to plant, and git run in a throwaway
//! repository.

use std::path::Path;
use std::process::Command;

use seenty_keys::domain::key::Secret;

/// A new, valid key that no store holds.
pub fn new_key() -> String {
    Secret::generate().unwrap().expose().to_owned()
}

/// Runs git in `dir` with a throwaway identity; fails the test if git does. Returns its
/// standard output, trimmed.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

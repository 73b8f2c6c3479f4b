//! `scan --git [RANGE]` and `scan --staged` in throwaway repositories: keys that were
//! deleted, replaced, or live only on a branch; a blob shared by many commits reported
//! once, with the commit that introduced it; a range; what is staged and only that.
//! Keys in commit messages are not searched (only blobs are).

use std::path::Path;

use crate::common::repo::{git, new_key};
use crate::common::{Run, TestEnv};

/// Writes `name` with `content` and commits it; returns the commit id.
fn commit(dir: &Path, name: &str, content: &str, message: &str) -> String {
    std::fs::write(dir.join(name), content).unwrap();
    git(dir, &["add", name]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn repo(env: &TestEnv) -> std::path::PathBuf {
    let root = env.path("repo");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    root
}

fn scan(env: &TestEnv, dir: &Path, args: &[&str]) -> Run {
    Run(env
        .command()
        .current_dir(dir)
        .arg("--db")
        .arg(env.path("nothing.db"))
        .arg("scan")
        .args(args)
        .output()
        .unwrap())
}

fn tail(key: &str) -> &str {
    &key[32..]
}

#[test]
fn history_finds_deleted_replaced_and_branch_only_keys_once_each() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let (deleted, old, new, branch) = (new_key(), new_key(), new_key(), new_key());
    let c1 = commit(
        &root,
        "deploy.env",
        &format!("TOKEN={deleted}\n"),
        "add deploy",
    );
    // The same content under another name, and commits that keep it: one blob, once.
    commit(&root, "copy.env", &format!("TOKEN={deleted}\n"), "copy");
    commit(&root, "README", "nothing\n", "readme");
    git(&root, &["rm", "-q", "deploy.env", "copy.env"]);
    git(&root, &["commit", "-q", "-m", "remove the key"]);
    let c4 = commit(&root, "ci.yml", &format!("key: {old}\n"), "ci");
    let c5 = commit(&root, "ci.yml", &format!("key: {new}\n"), "rotate");
    git(&root, &["checkout", "-q", "-b", "feature"]);
    let c6 = commit(
        &root,
        "feature.txt",
        &format!("x\n  {branch}\n"),
        "branch only",
    );
    git(&root, &["checkout", "-q", "main"]);
    assert!(!root.join("feature.txt").exists());

    let run = scan(&env, &root, &["--git"]).status(1);
    let lines: Vec<String> = run.stdout().lines().map(str::to_owned).collect();
    let line = |commit: &str, place: &str, key: &str| {
        format!(
            "{commit}:{place}  sk_live_…{}  checksum ok  Unverified",
            tail(key)
        )
    };
    assert_eq!(
        lines,
        [
            line(&c4, "ci.yml:1:6", &old),
            line(&c5, "ci.yml:1:6", &new),
            line(&c1, "deploy.env:1:7", &deleted),
            line(&c6, "feature.txt:2:3", &branch),
        ]
    );

    // A range: only the blobs its commits add.
    let run = scan(&env, &root, &["--git", "main..feature"]).status(1);
    assert_eq!(run.stdout().lines().count(), 1, "{}", run.stdout());
    assert!(run.stdout().starts_with(&format!("{c6}:feature.txt:2:3")));
    let json = scan(&env, &root, &["--git", "main~1..main", "--json"])
        .status(1)
        .json();
    assert_eq!(json[0]["commit"], c5.as_str());
    assert_eq!(json[0]["path"], "ci.yml");
}

#[test]
fn history_outside_a_repository_or_with_a_bad_range_is_a_usage_error() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    commit(&root, "a", "a\n", "one");
    scan(&env, &root, &["--git", "no-such-ref..main"])
        .status(2)
        .stderr_has("error: git: ");
    let outside = env.path("plain");
    std::fs::create_dir_all(&outside).unwrap();
    let run = Run(env
        .command()
        .current_dir(&outside)
        .env("GIT_CEILING_DIRECTORIES", env.dir.path())
        .args(["--db", "/nonexistent/keys.db", "scan", "--staged"])
        .output()
        .unwrap());
    run.status(2).stderr_has("not a git repository");
    // --staged and --git take no paths.
    scan(&env, &root, &["--staged", "a"]).status(2);
}

#[test]
fn staged_scans_exactly_what_the_commit_would_record() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let (committed, staged, unstaged) = (new_key(), new_key(), new_key());
    commit(&root, "old.env", &format!("{committed}\n"), "old key");
    // Nothing staged: nothing to find, even though HEAD holds a key.
    scan(&env, &root, &["--staged"]).status(0).stdout_is("");

    std::fs::write(root.join("new.env"), format!("A={staged}\n")).unwrap();
    git(&root, &["add", "new.env"]);
    // Changed after staging: the index still holds the staged version.
    std::fs::write(root.join("new.env"), format!("A=safe\nB={unstaged}\n")).unwrap();
    std::fs::write(root.join("untracked.env"), format!("{unstaged}\n")).unwrap();
    let run = scan(&env, &root, &["--staged"]).status(1);
    assert_eq!(
        run.stdout(),
        format!(
            "new.env:1:3  sk_live_…{}  checksum ok  Unverified\n",
            tail(&staged)
        )
    );
    // From a subdirectory, paths are still the repository's.
    std::fs::create_dir_all(root.join("sub")).unwrap();
    scan(&env, &root.join("sub"), &["--staged"])
        .status(1)
        .stdout_has("new.env:1:3");
}

//! The shipped `.pre-commit-hooks.yaml`, run by the real `pre-commit` (PyPI, installed
//! by .ci/run into target/ci-venv) in a throwaway repository: a staged active key blocks
//! the commit; a revoked one and an allow-listed active one do not.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::TestEnv;
use sha2::{Digest, Sha256};

/// Runs `program args` in `dir` with the environment a developer's commit has: the
/// built seenty-keys on the PATH, the store in SEENTY_KEYS_DB, pre-commit's cache here.
fn run(env: &TestEnv, dir: &Path, program: &Path, args: &[&str]) -> Output {
    let bin_dir = Path::new(crate::common::BIN).parent().unwrap();
    let path = std::env::join_paths(std::iter::once(bin_dir.to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", env.path("home"))
        .env("PRE_COMMIT_HOME", env.path("pre-commit-cache"))
        .env("SEENTY_KEYS_DB", &env.db)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .unwrap()
}

/// Everything a run printed, stdout then stderr.
fn said(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn ok(out: &Output) -> String {
    let text = said(out);
    assert!(out.status.success(), "{text}");
    text
}

fn git(env: &TestEnv, dir: &Path, args: &[&str]) -> Output {
    run(env, dir, Path::new("git"), args)
}

/// A repository holding only the shipped hook definition, as pre-commit clones one.
fn hook_repo(env: &TestEnv) -> (PathBuf, String) {
    let dir = env.path("hooks");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".pre-commit-hooks.yaml"),
        dir.join(".pre-commit-hooks.yaml"),
    )
    .unwrap();
    ok(&git(env, &dir, &["init", "-q"]));
    ok(&git(env, &dir, &["add", "."]));
    ok(&git(env, &dir, &["commit", "-q", "-m", "hooks"]));
    let rev = ok(&git(env, &dir, &["rev-parse", "HEAD"]))
        .trim()
        .to_owned();
    (dir, rev)
}

#[test]
fn the_hook_blocks_a_staged_active_key_and_only_that() {
    let Some(pre_commit) = crate::common::venv_tool("pre-commit") else {
        return;
    };
    let env = TestEnv::with_org("acme", "pro");
    let active = env.generate("CI");
    let revoked = env.generate("Old");
    env.run(&["revoke", "Old", "--yes"]).status(0);
    let (hooks, rev) = hook_repo(&env);
    let repo = env.path("app");
    std::fs::create_dir_all(&repo).unwrap();
    ok(&git(&env, &repo, &["init", "-q"]));
    std::fs::write(
        repo.join(".pre-commit-config.yaml"),
        format!(
            "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: seenty-keys-scan\n",
            hooks.display()
        ),
    )
    .unwrap();
    ok(&run(&env, &repo, &pre_commit, &["install"]));
    ok(&git(&env, &repo, &["add", ".pre-commit-config.yaml"]));
    ok(&git(&env, &repo, &["commit", "-q", "-m", "pre-commit"]));

    // An active key: the commit is refused and the finding shown, as a hint.
    std::fs::write(repo.join("deploy.env"), format!("TOKEN={active}\n")).unwrap();
    ok(&git(&env, &repo, &["add", "deploy.env"]));
    let blocked = git(&env, &repo, &["commit", "-q", "-m", "leak"]);
    let said = said(&blocked);
    assert!(!blocked.status.success(), "the commit went through: {said}");
    assert!(
        said.contains(&format!("deploy.env:1:7  sk_live_…{}", &active[32..])),
        "{said}"
    );
    assert!(said.contains("Active"), "{said}");
    assert!(!said.contains(&active), "never the secret");

    // A revoked key does not block.
    std::fs::write(repo.join("deploy.env"), format!("TOKEN={revoked}\n")).unwrap();
    ok(&git(&env, &repo, &["add", "deploy.env"]));
    ok(&git(&env, &repo, &["commit", "-q", "-m", "dead key"]));

    // Nor does an active key the repository allow-lists.
    let digest: String = Sha256::digest(active.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    std::fs::write(repo.join(".seenty-keys-allow"), format!("{digest}\n")).unwrap();
    std::fs::write(repo.join("fixture.env"), format!("TOKEN={active}\n")).unwrap();
    ok(&git(
        &env,
        &repo,
        &["add", ".seenty-keys-allow", "fixture.env"],
    ));
    ok(&git(
        &env,
        &repo,
        &["commit", "-q", "-m", "allowed fixture"],
    ));
}

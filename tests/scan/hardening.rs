//! `scan` on repositories that fight back: configuration naming programs git could run
//! (each writes a marker file that must never appear), a `git replace` hiding a commit,
//! a RANGE that looks like an option; objects only refs reach (tags on blobs and trees),
//! symbolic links, commit and tag messages; base64 wrapped into lines; and the
//! allow-list, which the store overrules and a change cannot extend for itself.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, TestEnv};
use seenty_keys::domain::key::Secret;
use sha2::{Digest, Sha256};

fn new_key() -> String {
    Secret::generate().unwrap().expose().to_owned()
}

fn tail(key: &str) -> &str {
    &key[32..]
}

fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn git_with(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> String {
    let mut command = Command::new("git");
    command
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args([
            "-c",
            "core.hooksPath=/dev/null",
            "-c",
            "core.fsmonitor=false",
        ])
        .args(args)
        .current_dir(dir);
    let out = crate::common::process::with_stdin(command, stdin.unwrap_or_default());
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn git(dir: &Path, args: &[&str]) -> String {
    git_with(dir, args, None)
}

fn commit(dir: &Path, name: &str, content: &str, message: &str) -> String {
    std::fs::write(dir.join(name), content).unwrap();
    git(dir, &["add", name]);
    git(dir, &["commit", "-q", "-m", message]);
    git(dir, &["rev-parse", "HEAD"])
}

fn repo(env: &TestEnv) -> PathBuf {
    let root = env.path("repo");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    root
}

/// `scan ARGS` in `dir`, without a store unless `store`.
fn scan(env: &TestEnv, dir: &Path, store: bool, args: &[&str]) -> Run {
    let mut command = env.command();
    command.current_dir(dir);
    if !store {
        command.arg("--db").arg(env.path("nothing.db"));
    }
    Run(command.arg("scan").args(args).output().unwrap())
}

/// A script that leaves `markers/NAME` behind when anything runs it.
fn evil(env: &TestEnv, name: &str) -> String {
    let markers = env.path("markers");
    std::fs::create_dir_all(&markers).unwrap();
    let script = env.path(&format!("evil-{name}.sh"));
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\ntouch '{}/{name}'\ncat >/dev/null 2>&1\nexit 0\n",
            markers.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script.display().to_string()
}

fn markers(env: &TestEnv) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.path("markers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn clear_markers(env: &TestEnv) {
    std::fs::remove_dir_all(env.path("markers")).unwrap();
    std::fs::create_dir_all(env.path("markers")).unwrap();
}

/// A commit object with a `gpgsig` header, on its own branch.
fn signed_commit(root: &Path) -> String {
    let tree = git(root, &["rev-parse", "HEAD^{tree}"]);
    let parent = git(root, &["rev-parse", "HEAD"]);
    let object = format!(
        "tree {tree}\nparent {parent}\nauthor t <t@example.com> 1700000000 +0000\n\
         committer t <t@example.com> 1700000000 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \
         \n iQEzBAABCAAdFiEE\n -----END PGP SIGNATURE-----\n\nsigned\n"
    );
    let id = git_with(
        root,
        &["hash-object", "-t", "commit", "-w", "--stdin"],
        Some(object.as_bytes()),
    );
    git(root, &["update-ref", "refs/heads/signed", &id]);
    id
}

#[test]
fn programs_the_scanned_repository_configures_never_run() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let key = new_key();
    std::fs::write(root.join(".gitattributes"), "* diff=evil filter=evil\n").unwrap();
    commit(&root, "a.env", &format!("A={key}\n"), "one");
    commit(&root, "a.env", "A=gone\n", "two");
    signed_commit(&root);
    let hooks_dir = env.path("hooks");
    std::fs::create_dir_all(&hooks_dir).unwrap();
    for hook in [
        "pre-commit",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "fsmonitor-watchman",
        "pre-auto-gc",
        "post-rewrite",
    ] {
        let script = evil(&env, &format!("hook-{hook}"));
        for dir in [root.join(".git/hooks"), hooks_dir.clone()] {
            std::fs::copy(&script, dir.join(hook)).unwrap();
        }
    }
    let settings = [
        ("core.fsmonitor", evil(&env, "fsmonitor")),
        ("log.showSignature", "true".to_owned()),
        ("gpg.program", evil(&env, "gpg")),
        ("diff.evil.textconv", evil(&env, "textconv")),
        ("diff.evil.command", evil(&env, "diff-driver")),
        ("diff.external", evil(&env, "external-diff")),
        ("filter.evil.clean", evil(&env, "clean")),
        ("filter.evil.smudge", evil(&env, "smudge")),
        ("core.pager", evil(&env, "pager")),
        ("pager.log", evil(&env, "pager-log")),
        ("pager.diff", evil(&env, "pager-diff")),
        ("core.hooksPath", hooks_dir.display().to_string()),
    ];
    for (name, value) in &settings {
        Command::new("git")
            .args(["config", name, value])
            .current_dir(&root)
            .status()
            .unwrap();
    }
    // The trap is armed: git itself runs them, each in its own way.
    let _ = Command::new("git")
        .args(["log", "-p", "--all"])
        .current_dir(&root)
        .output()
        .unwrap();
    let _ = Command::new("git")
        .args(["status"])
        .current_dir(&root)
        .output()
        .unwrap();
    let armed = markers(&env);
    for marker in ["fsmonitor", "gpg", "textconv"] {
        assert!(armed.contains(&marker.to_owned()), "{armed:?}");
    }
    clear_markers(&env);

    // Staged without the clean filter, which would empty it.
    let blob = git_with(
        &root,
        &["hash-object", "-w", "--stdin"],
        Some(format!("B={}\n", new_key()).as_bytes()),
    );
    git(
        &root,
        &[
            "update-index",
            "--add",
            "--cacheinfo",
            &format!("100644,{blob},b.env"),
        ],
    );
    clear_markers(&env);
    scan(&env, &root, false, &["--staged"])
        .status(1)
        .stdout_has("b.env:1:3");
    scan(&env, &root, false, &["--git"])
        .status(1)
        .stdout_has(&format!("a.env:1:3  sk_live_…{}", tail(&key)));
    scan(&env, &root, false, &["--git", "main~1..signed"]).status(0);
    assert_eq!(markers(&env), Vec::<String>::new());
}

#[test]
fn a_replacement_cannot_hide_a_commit() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let key = new_key();
    commit(&root, "README", "hello\n", "readme");
    let leak = commit(&root, "a.env", &format!("A={key}\n"), "leak");
    commit(&root, "a.env", "A=gone\n", "fix");
    // A commit with the leak's parent and message but its parent's tree, put in its place.
    let clean = git(
        &root,
        &[
            "commit-tree",
            &format!("{leak}~1^{{tree}}"),
            "-p",
            &format!("{leak}~1"),
            "-m",
            "leak",
        ],
    );
    git(&root, &["replace", &leak, &clean]);
    let hidden = Command::new("git")
        .args(["log", "--all", "--format=%H", "--", "a.env"])
        .current_dir(&root)
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&hidden.stdout).contains(&leak));

    scan(&env, &root, false, &["--git"])
        .status(1)
        .stdout_has(&format!("{leak}:a.env:1:3  sk_live_…{}", tail(&key)));
}

#[test]
fn a_range_that_begins_with_a_dash_is_a_usage_error_and_writes_nothing() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    commit(&root, "a.env", &format!("A={}\n", new_key()), "leak");
    for range in ["--git=--output=out.txt", "--git=-p", "--git=--all"] {
        scan(&env, &root, false, &[range])
            .status(2)
            .stderr_has("begins with '-'");
    }
    assert!(!root.join("out.txt").exists());
}

#[test]
fn history_finds_keys_in_tagged_objects_links_and_messages() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let [in_message, in_tag_message, in_blob, in_tree, in_link] =
        std::array::from_fn(|_| new_key());
    commit(
        &root,
        "README",
        "hello\n",
        &format!("add\n\ntoken {in_message}\n"),
    );
    let c1 = git(&root, &["rev-parse", "HEAD"]);
    git(
        &root,
        &[
            "tag",
            "-a",
            "v1",
            "-m",
            &format!("release\nkey={in_tag_message}"),
        ],
    );
    // A blob and a tree no commit holds, reachable only from tags.
    let blob = git_with(
        &root,
        &["hash-object", "-w", "--stdin"],
        Some(format!("K={in_blob}\n").as_bytes()),
    );
    git(&root, &["tag", "blob-tag", &blob]);
    let inner = git_with(
        &root,
        &["hash-object", "-w", "--stdin"],
        Some(format!("x\nK={in_tree}\n").as_bytes()),
    );
    let tree = git_with(
        &root,
        &["mktree"],
        Some(format!("100644 blob {inner}\tsecret.env\n").as_bytes()),
    );
    git(&root, &["tag", "-a", "tree-tag", "-m", "a tree", &tree]);
    // A symbolic link whose target holds a key.
    std::os::unix::fs::symlink(format!("/tmp/{in_link}"), root.join("link")).unwrap();
    git(&root, &["add", "link"]);
    let run = scan(&env, &root, false, &["--staged"]).status(1);
    assert_eq!(
        run.stdout(),
        format!(
            "link:1:6  sk_live_…{}  checksum ok  Unverified\n",
            tail(&in_link)
        )
    );
    git(&root, &["commit", "-q", "-m", "link"]);
    let c2 = git(&root, &["rev-parse", "HEAD"]);

    let run = scan(&env, &root, false, &["--git"]).status(1);
    let out = run.stdout();
    for (place, key) in [
        (format!("{c1}:(message):3:7"), &in_message),
        ("tag v1:(message):2:5".to_owned(), &in_tag_message),
        ("tag blob-tag:(blob):1:3".to_owned(), &in_blob),
        ("tag tree-tag:secret.env:2:3".to_owned(), &in_tree),
        (format!("{c2}:link:1:6"), &in_link),
    ] {
        assert!(
            out.contains(&format!("{place}  sk_live_…{}  checksum ok", tail(key))),
            "{place}\n{out}"
        );
    }
    assert_eq!(out.lines().count(), 5, "{out}");
    // A range: the messages of its commits too.
    scan(&env, &root, false, &["--git", "main~1..main"])
        .status(1)
        .stdout_has(&format!("{c2}:link:1:6"));
}

#[test]
fn the_store_has_the_last_word_over_the_allow_list() {
    let env = TestEnv::with_org("acme", "pro");
    let active = env.generate("CI");
    let revoked = env.generate("Old");
    env.run(&["revoke", "Old", "--yes"]).status(0);
    let root = repo(&env);
    std::fs::write(root.join("a.env"), format!("A={active}\nB={revoked}\n")).unwrap();
    std::fs::write(
        root.join(".seenty-keys-allow"),
        format!("{}\n{}\n", sha256_hex(&active), sha256_hex(&revoked)),
    )
    .unwrap();
    let id = env.key_named("CI")["id"].as_str().unwrap().to_owned();
    let run = scan(&env, &root, true, &[]).status(1);
    run.stdout_has(&format!(
        "a.env:1:3  sk_live_…{}  checksum ok  Active  {id} \"CI\"  allow-listed",
        tail(&active)
    ))
    .stdout_has("a.env:2:3  sk_live_…")
    .stdout_has("checksum ok  Allowed");
    let json = scan(&env, &root, true, &["--json"]).status(1).json();
    assert_eq!(json[0]["status"], "Active");
    assert_eq!(json[0]["allow_listed"], true);
    scan(&env, &root, true, &["--revoke", "--yes"]).status(1);
    env.run_stdin(&["verify", "--no-touch"], &active)
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn a_change_cannot_allow_its_own_leak() {
    let env = TestEnv::new_sqlite();
    let root = repo(&env);
    let (old, new) = (new_key(), new_key());
    commit(&root, "README", "hello\n", "readme");
    // Staged: the list in the index is the change's; HEAD's is the one read.
    std::fs::write(
        root.join(".seenty-keys-allow"),
        format!("{}\n", sha256_hex(&old)),
    )
    .unwrap();
    std::fs::write(root.join("a.env"), format!("A={old}\n")).unwrap();
    git(&root, &["add", ".seenty-keys-allow", "a.env"]);
    scan(&env, &root, false, &["--staged"])
        .status(1)
        .stdout_has("Unverified");
    git(&root, &["commit", "-q", "-m", "old key, allowed"]);
    std::fs::write(root.join("b.env"), format!("B={old}\n")).unwrap();
    git(&root, &["add", "b.env"]);
    scan(&env, &root, false, &["--staged"])
        .status(0)
        .stdout_has("Allowed");
    git(&root, &["commit", "-q", "-m", "again"]);

    // A range: its base's list; the branch's own addition does not count.
    git(&root, &["checkout", "-q", "-b", "feature"]);
    std::fs::write(
        root.join(".seenty-keys-allow"),
        format!("{}\n{}\n", sha256_hex(&old), sha256_hex(&new)),
    )
    .unwrap();
    commit(
        &root,
        "c.env",
        &format!("C={new}\n"),
        "new key, allowed by itself",
    );
    scan(&env, &root, false, &["--git", "main..feature"])
        .status(1)
        .stdout_has("c.env:1:3");
    scan(&env, &root, false, &["--git", "main..feature", "--json"])
        .status(1)
        .stdout_has("Unverified");

    // A list that is a symbolic link is not followed.
    let outside = env.path("outside-allow");
    std::fs::write(&outside, format!("{}\n", sha256_hex(&new))).unwrap();
    std::fs::remove_file(root.join(".seenty-keys-allow")).unwrap();
    std::os::unix::fs::symlink(&outside, root.join(".seenty-keys-allow")).unwrap();
    scan(&env, &root, false, &["c.env"])
        .status(1)
        .stdout_has("Unverified");
}

/// `base64 -w WIDTH` of `input`, from coreutils.
fn base64_wrapped(input: &[u8], width: usize) -> String {
    let mut command = Command::new("base64");
    command.arg(format!("-w{width}"));
    String::from_utf8(crate::common::process::with_stdin(command, input).stdout).unwrap()
}

#[test]
fn wrapped_base64_is_found_at_every_offset_and_width() {
    let env = TestEnv::new_sqlite();
    let root = env.path("wrapped");
    std::fs::create_dir_all(&root).unwrap();
    let key = new_key();
    let mut expected = Vec::new();
    for width in [76, 64] {
        for offset in 0..60 {
            let plain = format!("{}API_KEY={key}\n", "x".repeat(offset));
            let encoded = base64_wrapped(plain.as_bytes(), width);
            // The character where the prefix's first byte starts.
            let at = offset + 8;
            let index = at / 3 * 4 + at % 3;
            let (line, column) = (index / width + 1, index % width + 1);
            let crlf = encoded.replace('\n', "\r\n");
            let yaml: String = encoded.lines().map(|l| format!("    {l}\n")).collect();
            let yaml = format!("kind: Secret\ndata:\n  env: >-\n{yaml}");
            for (suffix, text, line, column) in [
                ("lf", encoded.clone(), line, column),
                ("crlf", crlf, line, column),
                ("yaml", yaml, line + 3, column + 4),
            ] {
                let name = format!("w{width}-{offset:02}.{suffix}");
                std::fs::write(root.join(&name), text).unwrap();
                expected.push(format!(
                    "{name}:{line}:{column} (base64)  sk_live_…{}  checksum ok  Unverified",
                    tail(&key)
                ));
            }
        }
    }
    let run = scan(&env, &root, false, &[]).status(1);
    let mut lines: Vec<String> = run.stdout().lines().map(str::to_owned).collect();
    lines.sort();
    expected.sort();
    let missing: Vec<&String> = expected.iter().filter(|e| !lines.contains(e)).collect();
    assert_eq!(missing, Vec::<&String>::new(), "found:\n{}", run.stdout());
    assert_eq!(lines.len(), expected.len(), "{}", run.stdout());
}

//! `scan` without a store, as a team's hook or CI job runs it: what is searched (hidden
//! files, ignored ones on request, explicit files of any kind), the token rules, and the
//! exit codes for a store that is missing or broken, a missing path, an unreadable file
//! and a link loop.

use std::process::Command;

use crate::common::repo::{git, new_key};
use crate::common::{Run, TestEnv};

fn hint(key: &str) -> String {
    format!("sk_live_…{}", &key[32..])
}

/// A directory with no store in it: `--db` names a file that does not exist.
struct NoStore {
    env: TestEnv,
}

impl NoStore {
    fn new() -> Self {
        Self {
            env: TestEnv::new_sqlite(),
        }
    }

    fn root(&self) -> std::path::PathBuf {
        self.env.path("tree")
    }

    fn write(&self, name: &str, content: impl AsRef<[u8]>) {
        let path = self.root().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// `scan ARGS` in the tree, with `--db` at a file that does not exist.
    fn scan(&self, args: &[&str]) -> Run {
        std::fs::create_dir_all(self.root()).unwrap();
        let missing = self.env.path("nothing/keys.db");
        Run(self
            .env
            .command()
            .current_dir(self.root())
            .arg("--db")
            .arg(&missing)
            .arg("scan")
            .args(args)
            .output()
            .unwrap())
    }
}

#[test]
fn hidden_files_are_searched_and_only_dot_git_is_skipped() {
    let t = NoStore::new();
    let key = new_key();
    std::fs::create_dir_all(t.root()).unwrap();
    git(&t.root(), &["init", "-q"]);
    for name in [
        ".env",
        ".github/workflows/deploy.yml",
        ".gitlab-ci.yml",
        ".npmrc",
        "src/main.rs",
    ] {
        t.write(name, format!("TOKEN={key}\n"));
    }
    t.write(".git/description", format!("{key}\n"));
    let run = t.scan(&[]).status(1);
    let paths: Vec<String> = run
        .stdout()
        .lines()
        .map(|l| l.split(':').next().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths,
        [
            ".env",
            ".github/workflows/deploy.yml",
            ".gitlab-ci.yml",
            ".npmrc",
            "src/main.rs"
        ]
    );
    assert!(run.stdout().contains(&format!(
        ".env:1:7  {}  checksum ok  Unverified",
        hint(&key)
    )));
    assert!(!run.stdout().contains(&key), "never a whole secret");
}

#[test]
fn no_ignore_searches_what_gitignore_excludes() {
    let t = NoStore::new();
    let key = new_key();
    std::fs::create_dir_all(t.root()).unwrap();
    git(&t.root(), &["init", "-q"]);
    t.write(".gitignore", "build/\n");
    t.write("build/config.env", format!("{key}\n"));
    t.scan(&[]).status(0).stdout_is("");
    t.scan(&["--no-ignore"])
        .status(1)
        .stdout_has("build/config.env:1:1");
}

#[test]
fn explicit_binary_files_fifos_and_dev_stdin_are_read() {
    let t = NoStore::new();
    let key = new_key();
    t.write(
        "image.bin",
        [b"\x00\x01binary ".as_slice(), key.as_bytes()].concat(),
    );
    // Walked, a binary file is skipped as rg skips it; named, it is searched.
    t.scan(&[]).status(0).stdout_is("");
    t.scan(&["image.bin"])
        .status(1)
        .stdout_has("image.bin:1:10");

    let fifo = t.root().join("pipe");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let writer = Command::new("sh")
        .arg("-c")
        .arg(format!("printf 'x\\n%s\\n' {key} > pipe"))
        .current_dir(t.root())
        .spawn()
        .unwrap();
    t.scan(&["pipe"]).status(1).stdout_has("pipe:2:1");
    assert!(writer.wait_with_output().unwrap().status.success());

    let run = t
        .env
        .command()
        .arg("--db")
        .arg(t.env.path("none.db"))
        .args(["scan", "/dev/stdin"])
        .write_stdin(format!("  {key}\n"))
        .output()
        .unwrap();
    Run(run).status(1).stdout_has("/dev/stdin:1:3");
}

#[test]
fn token_rules_glued_characters_and_stripe_shapes() {
    let t = NoStore::new();
    let key = new_key();
    let stripe_24 = format!("sk_live_{}", "4eC39HqLyjWDarjtT1zdp7dc");
    let stripe_99 = format!("sk_live_51H{}wXyZ", "a".repeat(92));
    t.write(
        "config.txt",
        format!("glued={key}Zz9\nshort={stripe_24}\nlong={stripe_99}\n"),
    );
    let run = t.scan(&["--json"]).status(1);
    let json = run.json();
    let rows: Vec<(u64, bool, String, Option<String>)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap(),
                f["checksum"].as_bool().unwrap(),
                f["hint"].as_str().unwrap().to_owned(),
                f["status"].as_str().map(str::to_owned),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, true, hint(&key), Some("Unverified".to_owned())),
            (2, false, "sk_live_…p7dc".to_owned(), None),
            (3, false, "sk_live_…wXyZ".to_owned(), None),
        ]
    );
    t.scan(&[])
        .stdout_has("config.txt:2:7  sk_live_…p7dc  checksum fails  not a Seenty key");
}

#[test]
fn without_a_store_keys_are_unverified_and_fail_with_a_note() {
    let t = NoStore::new();
    let key = new_key();
    t.write("a.env", format!("{key}\n"));
    let run = t.scan(&[]).status(1);
    assert_eq!(
        run.stdout(),
        format!("a.env:1:1  {}  checksum ok  Unverified\n", hint(&key))
    );
    let note = run.stderr();
    assert_eq!(note.lines().count(), 1, "{note}");
    assert!(
        note.starts_with("note: ") && note.contains("store"),
        "{note}"
    );
    // Nothing found: exit 0 and nothing said.
    t.write("a.env", "nothing\n");
    t.scan(&[]).status(0).stdout_is("").stderr_is("");

    // The default location, when nothing is there, is the same.
    t.write("a.env", format!("{key}\n"));
    let run = t
        .env
        .command()
        .env_remove("SEENTY_KEYS_DB")
        .env("HOME", t.env.path("home"))
        .current_dir(t.root())
        .arg("scan")
        .output()
        .unwrap();
    Run(run)
        .status(1)
        .stdout_has("Unverified")
        .stderr_has("note: ");
}

#[test]
fn a_store_that_exists_but_is_broken_is_exit_3() {
    let t = NoStore::new();
    t.write("a.env", format!("{}\n", new_key()));
    let broken = t.env.path("broken.db");
    std::fs::write(&broken, b"this is not a database at all, just text").unwrap();
    let run = t
        .env
        .command()
        .current_dir(t.root())
        .arg("--db")
        .arg(&broken)
        .arg("scan")
        .output()
        .unwrap();
    Run(run).status(3).stdout_is("").stderr_has("error: ");
}

#[test]
fn a_key_in_a_file_name_is_shown_as_its_hint_only() {
    let t = NoStore::new();
    let key = new_key();
    t.write(&format!("leak-{key}.env"), format!("{key}\n"));
    let run = t.scan(&[]).status(1);
    assert!(
        run.stdout()
            .starts_with(&format!("leak-{}.env:1:1", hint(&key)))
    );
    let missing = t.scan(&[&format!("gone-{key}")]).status(2);
    for out in [
        run.stdout(),
        run.stderr(),
        missing.stdout(),
        missing.stderr(),
    ] {
        assert!(!out.contains(&key), "{out}");
    }
}

#[test]
fn a_missing_path_is_exit_2_before_anything_is_read() {
    let t = NoStore::new();
    t.write("a.env", format!("{}\n", new_key()));
    t.scan(&["a.env", "no-such-dir"])
        .status(2)
        .stdout_is("")
        .stderr_has("no such file or directory: no-such-dir");
}

#[test]
fn unreadable_files_and_link_loops_are_named_and_exit_3_after_the_findings() {
    let t = NoStore::new();
    let key = new_key();
    t.write("a.env", format!("{key}\n"));
    std::os::unix::fs::symlink("loop", t.root().join("loop")).unwrap();
    // Reading /proc/self/mem at offset 0 fails (EIO) even for root.
    let run = t
        .scan(&["a.env", "loop", "/proc/self/mem"])
        .status(3)
        .stdout_has("a.env:1:1");
    let stderr = run.stderr();
    assert!(stderr.contains("error: cannot read loop: "), "{stderr}");
    assert!(
        stderr.contains("error: cannot read /proc/self/mem: "),
        "{stderr}"
    );
    assert!(stderr.contains("2 path(s) could not be read"), "{stderr}");
    // A loop met while walking is not followed (links are not), as in rg.
    t.scan(&[]).status(1);
}

/// A directory the scanning user cannot open: as root (CI), the scan runs as `nobody`
/// through `setpriv`, since root reads any directory.
#[test]
fn an_unreadable_directory_in_the_walk_is_named_and_exit_3() {
    let t = NoStore::new();
    let key = new_key();
    t.write("open/a.env", format!("{key}\n"));
    t.write("locked/b.env", format!("{key}\n"));
    let tree = t.root();
    use std::os::unix::fs::PermissionsExt;
    for dir in [t.env.dir.path(), &tree, &tree.join("open")] {
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    std::fs::set_permissions(
        tree.join("open/a.env"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    std::fs::set_permissions(tree.join("locked"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let as_root = process_uid() == 0;
    let mut command = if as_root {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            crate::common::BIN,
        ]);
        c
    } else {
        Command::new(crate::common::BIN)
    };
    let run = command
        .current_dir(&tree)
        .env_clear()
        .env("HOME", &tree)
        .args(["--db", "/nonexistent/keys.db", "scan"])
        .output()
        .unwrap();
    std::fs::set_permissions(tree.join("locked"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let run = Run(run).status(3).stdout_has("open/a.env:1:1");
    assert!(
        run.stderr().contains("error: cannot read locked: "),
        "{}",
        run.stderr()
    );
    assert!(
        run.stderr().contains("1 path(s) could not be read"),
        "{}",
        run.stderr()
    );
}

/// The real user id, from /proc (no libc call in the tests).
fn process_uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").unwrap().uid()
}

//! The test environment: a temporary directory holding a real store, and a builder that
//! runs the real binary against it as a script would, then asserts status and output.

#![allow(dead_code)] // each test binary uses a different part of this helper

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_seenty-keys");

/// A temporary directory with the store at `<dir>/data/keys.db`.
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl TestEnv {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("data").join("keys.db");
        Self { dir, db }
    }

    /// A store with one organization, created by `init`.
    pub fn with_org(slug: &str, plan: &str) -> Self {
        let env = Self::new();
        env.run(&["init", "--org", slug, "--plan", plan]).status(0);
        env
    }

    /// The binary with a clean environment pointing at this store.
    pub fn command(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("USER", "tester")
            .env("SEENTY_KEYS_DB", &self.db)
            .timeout(std::time::Duration::from_secs(60));
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run(self.command().args(args).output().expect("run"))
    }

    pub fn run_stdin(&self, args: &[&str], stdin: &str) -> Run {
        Run(self
            .command()
            .args(args)
            .write_stdin(stdin)
            .output()
            .expect("run"))
    }

    /// Generates a key and returns the secret printed on stdout.
    pub fn generate(&self, name: &str) -> String {
        let run = self.run(&["generate", "--name", name]).status(0);
        let key = run.stdout();
        assert!(
            key.ends_with('\n') && key.lines().count() == 1,
            "one line: {key:?}"
        );
        key.trim_end().to_owned()
    }

    /// `list --json` parsed.
    pub fn keys(&self) -> Vec<Value> {
        let out = self.run(&["list", "--json"]).status(0).stdout();
        match serde_json::from_str(&out).expect("list --json is JSON") {
            Value::Array(keys) => keys,
            other => panic!("expected an array, got {other}"),
        }
    }

    pub fn key_named(&self, name: &str) -> Value {
        self.keys()
            .into_iter()
            .find(|k| k["name"] == name)
            .expect("key by name")
    }

    /// Runs SQL on the store directly, to set up states no command produces (a past
    /// expiration, hostile bytes in a name).
    pub fn sql(&self, sql: &str) {
        let conn = rusqlite::Connection::open(&self.db).expect("open store");
        conn.execute_batch(sql).expect("sql");
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// A finished run: chain assertions on it.
pub struct Run(pub Output);

impl Run {
    pub fn status(self, code: i32) -> Self {
        assert_eq!(
            self.0.status.code(),
            Some(code),
            "exit status\nstdout: {}\nstderr: {}",
            self.stdout(),
            self.stderr()
        );
        self
    }

    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }

    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }

    pub fn stdout_is(self, expected: &str) -> Self {
        assert_eq!(self.stdout(), expected, "stdout\nstderr: {}", self.stderr());
        self
    }

    pub fn stdout_has(self, part: &str) -> Self {
        assert!(
            self.stdout().contains(part),
            "stdout lacks {part:?}:\n{}",
            self.stdout()
        );
        self
    }

    pub fn stderr_has(self, part: &str) -> Self {
        assert!(
            self.stderr().contains(part),
            "stderr lacks {part:?}:\n{}",
            self.stderr()
        );
        self
    }

    pub fn stderr_is(self, expected: &str) -> Self {
        assert_eq!(self.stderr(), expected, "stderr");
        self
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.stdout()).expect("stdout is JSON")
    }
}

/// Every byte of the store: the main file and, when present, its -wal and -shm.
pub fn store_files(db: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", db.display())))
        .filter(|p| p.exists())
        .map(|p| {
            let bytes = std::fs::read(&p).expect("read store file");
            (p, bytes)
        })
        .collect()
}

pub fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

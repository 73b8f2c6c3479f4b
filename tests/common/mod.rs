//! The test environment: a temporary directory holding a real store, and a builder that
//! runs the real binary against it as a script would, then asserts status and output.
//!
//! The backend comes from the environment: with `SEENTY_TEST_POSTGRES` set to a server
//! URL (`postgres://postgres@127.0.0.1:5432/postgres`), every `TestEnv` gets a fresh
//! database of its own on that server (dropped with it) and the store is that database;
//! otherwise the store is a SQLite file. Tests about the SQLite file itself skip on
//! PostgreSQL with [`sqlite_only`].
//!
//! Beside it: [`process`], the binary as a plain process, for tests that spawn, kill or
//! bound it and check what reaches a terminal; [`audit`], the replay of a SQLite store's
//! audit trail against its state; [`repo`], keys to plant and git in a throwaway
//! repository, for the scanning tests.

pub mod audit;
pub mod process;
pub mod repo;

use std::path::{Path, PathBuf};
use std::process::Output;

pub mod tmux;

use serde_json::Value;

pub const BIN: &str = env!("CARGO_BIN_EXE_seenty-keys");

/// Whether `tool` is on the PATH. CI installs every tool the tests drive (.ci/run): a
/// missing one there fails the test; elsewhere the test is skipped, saying so.
pub fn tool_available(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(tool).is_file()));
    if !found {
        skip_or_fail(tool);
    }
    found
}

/// For a test whose `tool` is missing: fails on CI, which installs every tool the tests
/// drive (.ci/run); elsewhere says that the test is skipped.
pub fn skip_or_fail(tool: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{tool} is missing on CI; .ci/run should have installed it"
    );
    eprintln!("skipped: {tool} is not installed (.ci/run installs it)");
}

/// For a test that cannot do here what it needs (`why`, which .ci/run provides): fails
/// on CI; elsewhere says that the test (or the case) is skipped.
pub fn skip_unless_ci(why: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{why}, on CI, which .ci/run sets up for it"
    );
    say(&format!("skipped: {why}"));
}

/// Whether the tests run as root (CI does, as root: `.ci/run`).
pub fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// For a test that needs root to do `what`: whether it may go on. Without root it is
/// skipped, saying so, except on CI, which runs as root, where it fails.
pub fn needs_root(what: &str) -> bool {
    let root = is_root();
    if !root {
        assert!(
            std::env::var_os("CI").is_none(),
            "{what} needs root, and CI runs as root"
        );
        say(&format!("skipped: {what} needs root (CI runs as root)"));
    }
    root
}

/// A JSON time (RFC 3339) in seconds since the epoch.
pub fn time(value: &Value) -> i64 {
    chrono::DateTime::parse_from_rfc3339(value.as_str().expect("a time"))
        .expect("RFC 3339")
        .timestamp()
}

/// The seconds between a key's creation and its expiration, in its JSON.
pub fn lifetime(key: &Value) -> Option<i64> {
    (!key["expires_at"].is_null()).then(|| time(&key["expires_at"]) - time(&key["created_at"]))
}

/// A file's permission bits.
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// This machine's clock, in the stores' whole seconds.
pub fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A temporary directory with the store at `<dir>/data/keys.db`, or in a database of its
/// own when the suite runs on PostgreSQL (then `db` holds the database's URL).
pub struct TestEnv {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
    pub pg: Option<PgDatabase>,
}

/// The server the suite runs against, if any: `SEENTY_TEST_POSTGRES`.
pub fn postgres_server() -> Option<String> {
    std::env::var("SEENTY_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.is_empty())
}

/// Whether to skip a test that is about the SQLite file itself (its mode, its bytes, its
/// journal): true on PostgreSQL, after saying so.
pub fn sqlite_only(reason: &str) -> bool {
    let skip = postgres_server().is_some();
    if skip {
        say(&format!("skipped on PostgreSQL: {reason}"));
    }
    skip
}

/// The server for a test that only makes sense on PostgreSQL. Without one it skips,
/// saying why, except in CI (`CI` set), where a missing server fails the run, unless the
/// run is the deliberate SQLite pass (`SEENTY_TEST_SQLITE_PASS`) of a CI that also runs
/// a PostgreSQL pass.
pub fn postgres_only() -> Option<String> {
    let server = postgres_server();
    if server.is_none() {
        assert!(
            std::env::var_os("CI").is_none()
                || std::env::var_os("SEENTY_TEST_SQLITE_PASS").is_some(),
            "CI must run the PostgreSQL tests: set SEENTY_TEST_POSTGRES (.ci/run does)"
        );
        say("skipped: SEENTY_TEST_POSTGRES is not set, so there is no PostgreSQL server");
    }
    server
}

/// A line on the real standard error, which the test harness does not capture, so a
/// skip is seen in every run.
pub fn say(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// A database created for one test and dropped after it.
pub struct PgDatabase {
    pub admin: String,
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create(admin: &str) -> Self {
        use std::sync::atomic::{AtomicU32, Ordering};
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "t_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        pg_client(admin)
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let url = with_database(admin, &name);
        Self {
            admin: admin.to_owned(),
            name,
            url,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `url` with its database path replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{name}{query}", &base[..host_end])
}

pub fn pg_client(url: &str) -> postgres::Client {
    postgres::Client::connect(url, postgres::NoTls).expect("connect to the test server")
}

impl TestEnv {
    /// A store on the suite's backend (see the module's documentation).
    pub fn new() -> Self {
        match postgres_server() {
            Some(server) => Self::new_postgres(&server),
            None => Self::new_sqlite(),
        }
    }

    /// A SQLite store, whatever the suite's backend.
    pub fn new_sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("data").join("keys.db");
        Self { dir, db, pg: None }
    }

    /// A store in a fresh database on this PostgreSQL server.
    pub fn new_postgres(server: &str) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let pg = PgDatabase::create(server);
        Self {
            dir,
            db: PathBuf::from(&pg.url),
            pg: Some(pg),
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.pg.is_some()
    }

    /// The `--db` value of this store.
    pub fn location(&self) -> String {
        self.db.display().to_string()
    }

    /// A store with one organization, created by `init`.
    pub fn with_org(slug: &str, plan: &str) -> Self {
        let env = Self::new();
        env.run(&["init", "--org", slug, "--plan", plan]).status(0);
        env
    }

    /// The binary with a clean environment pointing at this store.
    pub fn command(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::from_std(self.process());
        cmd.timeout(std::time::Duration::from_secs(60));
        cmd
    }

    /// [`Self::command`] as a plain process, to spawn, kill or bound ([`process`]).
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("USER", "tester")
            .env("SEENTY_KEYS_DB", &self.db);
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
    /// expiration, hostile bytes in a name), on whichever backend is active.
    pub fn sql(&self, sql: &str) {
        if let Err(e) = self.try_sql(sql) {
            panic!("sql {sql:?}: {e}");
        }
    }

    /// [`Self::sql`], returning the backend's refusal instead of panicking.
    pub fn try_sql(&self, sql: &str) -> Result<(), String> {
        match &self.pg {
            Some(pg) => pg_client(&pg.url).batch_execute(sql).map_err(|e| {
                e.as_db_error()
                    .map_or_else(|| e.to_string(), |d| d.message().to_owned())
            }),
            None => seenty_keys::store::sqlite::connection_with_functions(&self.db)
                .and_then(|conn| conn.execute_batch(sql))
                .map_err(|e| e.to_string()),
        }
    }

    /// Moves the last use of the key named `name` to `at` (Unix seconds), on either
    /// backend. The key must have been used once (`verify`), so its usage row exists;
    /// SQLite packs 64 keys to a row, 4 bytes (big-endian seconds) per key.
    pub fn set_last_used(&self, name: &str, at: i64) {
        let row = self
            .query_value(&format!("SELECT id FROM keys WHERE name = '{name}'"))
            .expect("a row id");
        if self.is_postgres() {
            self.sql(&format!(
                "UPDATE key_usage SET last_used_at = {at} WHERE key_id = {row}"
            ));
        } else {
            self.sql(&format!(
                "UPDATE key_usage SET stamps = unhex(substr(hex(stamps), 1, ({row} & 63) * 8) \
                 || printf('%08X', {at}) || substr(hex(stamps), ({row} & 63) * 8 + 9)) \
                 WHERE block = {row} >> 6"
            ));
        }
    }

    /// The rows of a query, every value as text (`None` for NULL), on either backend.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.pg {
            Some(pg) => pg_client(&pg.url)
                .simple_query(sql)
                .expect("query")
                .into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(row) => Some(
                        (0..row.len())
                            .map(|i| row.get(i).map(str::to_owned))
                            .collect(),
                    ),
                    _ => None,
                })
                .collect(),
            None => {
                let conn = seenty_keys::store::sqlite::connection_with_functions(&self.db)
                    .expect("open store");
                let mut stmt = conn.prepare(sql).expect("prepare");
                let width = stmt.column_count();
                stmt.query_map([], |row| {
                    (0..width)
                        .map(|i| {
                            Ok(match row.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(n) => Some(n.to_string()),
                                rusqlite::types::ValueRef::Real(x) => Some(x.to_string()),
                                rusqlite::types::ValueRef::Text(t) => {
                                    Some(String::from_utf8_lossy(t).into_owned())
                                }
                                rusqlite::types::ValueRef::Blob(b) => {
                                    Some(b.iter().map(|x| format!("{x:02x}")).collect())
                                }
                            })
                        })
                        .collect()
                })
                .expect("query")
                .collect::<Result<_, _>>()
                .expect("rows")
            }
        }
    }

    /// The one value of a one-row, one-column query.
    pub fn query_value(&self, sql: &str) -> Option<String> {
        let rows = self.query(sql);
        assert_eq!(rows.len(), 1, "one row from {sql:?}: {rows:?}");
        rows[0][0].clone()
    }

    /// Whether a store exists here: the file, or the schema in the database.
    pub fn store_exists(&self) -> bool {
        match &self.pg {
            Some(_) => {
                self.query_value("SELECT to_regclass('schema_migrations') IS NOT NULL")
                    .as_deref()
                    == Some("t")
            }
            None => self.db.exists(),
        }
    }

    /// Marks the store as written by a newer version of the tool.
    pub fn set_schema_version(&self, version: i64) {
        match &self.pg {
            Some(_) => self.sql(&format!(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ({version}, 0)"
            )),
            None => self.sql(&format!("PRAGMA user_version = {version}")),
        }
    }

    /// Everything the store holds, to compare before and after: the main file's bytes
    /// (its -wal and -shm come and go with connections), or every row of every table of
    /// the database.
    pub fn snapshot(&self) -> Vec<u8> {
        match &self.pg {
            Some(_) => {
                let tables = self.query(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1",
                );
                let mut out = Vec::new();
                for table in tables {
                    let table = table[0].clone().unwrap_or_default();
                    for row in self.query(&format!("SELECT t::text FROM {table} t ORDER BY 1")) {
                        out.extend_from_slice(format!("{table}: {row:?}\n").as_bytes());
                    }
                }
                out
            }
            None => std::fs::read(&self.db).expect("read the store file"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The acting user the audit log records for this process: the account of the real
    /// uid in /etc/passwd (else `uid:N`), and on PostgreSQL the database role with it.
    pub fn actor(&self) -> String {
        let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
        let uid = status
            .lines()
            .find_map(|l| l.strip_prefix("Uid:"))
            .and_then(|l| l.split_whitespace().next())
            .expect("a Uid: line")
            .to_owned();
        let account = std::fs::read_to_string("/etc/passwd")
            .unwrap_or_default()
            .lines()
            .find_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                (fields.get(2) == Some(&uid.as_str())).then(|| fields[0].to_owned())
            })
            .unwrap_or(format!("uid:{uid}"));
        match &self.pg {
            Some(_) => {
                let role = self
                    .query_value("SELECT current_user::text")
                    .unwrap_or_default();
                format!("{account} (db: {role})")
            }
            None => account,
        }
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

    /// Standard output as JSON lines, one value per line.
    pub fn json_lines(&self) -> Vec<Value> {
        self.stdout()
            .lines()
            .map(|l| serde_json::from_str(l).expect("each line of stdout is JSON"))
            .collect()
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

/// A tool .ci/run installs from PyPI into the venv under target/ (`target/ci-venv/bin`).
/// Missing on CI fails the test; elsewhere the test is skipped, saying so.
pub fn venv_tool(tool: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-venv/bin")
        .join(tool);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} is missing on CI; .ci/run should have installed it",
        path.display()
    );
    say(&format!(
        "skipped: {} is not installed (.ci/run installs it)",
        path.display()
    ));
    None
}

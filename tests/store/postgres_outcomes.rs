//! PostgreSQL at its edges: runners whose clocks disagree, and connections lost in the
//! middle of a commit. The clock is moved for real (libfaketime, preloaded into the
//! tool), and the connection is cut for real (a loopback TCP proxy between the tool and
//! the server that forwards `COMMIT` and then closes the client's side).

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use crate::common::{TestEnv, postgres_only};

/// Where Debian's `libfaketime` puts the preload library (`.ci/run` installs it).
const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// A PostgreSQL store on the suite's server, or None (skipped) without one.
fn pg_env(slug: &str, plan: &str) -> Option<TestEnv> {
    let server = postgres_only()?;
    let env = TestEnv::new_postgres(&server);
    env.run(&["init", "--org", slug, "--plan", plan]).status(0);
    Some(env)
}

/// The tool with this machine's clock moved by `offset` (libfaketime's syntax: `+10m`).
fn skewed(env: &TestEnv, offset: &str, args: &[&str], stdin: &str) -> crate::common::Run {
    assert!(
        std::path::Path::new(FAKETIME).exists(),
        "libfaketime is missing: .ci/run installs Debian's faketime package"
    );
    let mut cmd = env.command();
    cmd.env("LD_PRELOAD", FAKETIME)
        .env("FAKETIME", offset)
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .args(args)
        .write_stdin(stdin);
    crate::common::Run(cmd.output().expect("run"))
}

#[test]
fn the_faked_clock_really_moves_the_tool() {
    // Guards the tests below: a preload that did nothing would make them pass vacuously.
    // On SQLite the machine's clock is the store's.
    let sqlite = TestEnv::new_sqlite();
    sqlite
        .run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let run = skewed(&sqlite, "+2h", &["generate", "--name", "CI", "--json"], "");
    let created = run.status(0).json()["created_at"]
        .as_str()
        .unwrap()
        .to_owned();
    let created = chrono::DateTime::parse_from_rfc3339(&created).unwrap();
    let ahead = created.signed_duration_since(chrono::Utc::now());
    assert!(ahead > chrono::TimeDelta::minutes(100), "{ahead}");
}

#[test]
fn a_revoke_from_a_fast_runner_is_immediate_for_every_runner() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    let key = env.generate("Deploy");
    skewed(&env, "+10m", &["revoke", "Deploy", "--yes"], "").status(0);
    env.run_stdin(&["verify"], &key)
        .status(1)
        .stderr_has("REVOKED");
    let shown = env.run(&["show", "Deploy", "--json"]).status(0).json();
    assert_eq!(shown["status"], "Revoked", "{shown}");
    // The revocation time is the server's, not the runner's ten minutes ahead.
    let revoked =
        env.query_value("SELECT revoked_at - extract(epoch FROM now())::bigint FROM keys");
    let behind: i64 = revoked.unwrap().parse().unwrap();
    assert!(behind <= 1, "revoked {behind} s in the future");
}

#[test]
fn a_fast_runner_cannot_pass_the_starter_limit() {
    let Some(env) = pg_env("acme", "starter") else {
        return;
    };
    env.run(&["generate", "--name", "Deploy", "--expires", "1h"])
        .status(0);
    // Two hours ahead, the first key looks expired to the runner's own clock.
    skewed(&env, "+2h", &["generate", "--name", "Second"], "")
        .status(1)
        .stderr_has("allows 1");
    let orgs = env.run(&["org", "list", "--json"]).status(0).json();
    assert_eq!(orgs[0]["active_keys"], 1, "{orgs}");
    // And a key that expires in an hour by the server is still valid for it.
    skewed(&env, "+2h", &["list", "--status", "active", "--json"], "")
        .status(0)
        .stdout_has("Deploy");
}

#[test]
fn a_fast_runner_sets_expirations_by_the_server_clock() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    skewed(
        &env,
        "+2h",
        &["generate", "--name", "CI", "--expires", "1h"],
        "",
    )
    .status(0);
    let left = env.query_value("SELECT expires_at - extract(epoch FROM now())::bigint FROM keys");
    let left: i64 = left.unwrap().parse().unwrap();
    assert!((3590..=3600).contains(&left), "expires in {left} s");
}

#[test]
fn a_date_the_server_has_not_reached_is_judged_by_the_server_clock_only() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    // Two days ahead of the server is three days behind a runner five days ahead: only
    // the server's clock may call it past.
    let date = (chrono::Utc::now() + chrono::TimeDelta::days(2))
        .format("%Y-%m-%d")
        .to_string();
    let midnight = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp();
    skewed(
        &env,
        "+5d",
        &["generate", "--name", "CI", "--expires", &date],
        "",
    )
    .status(0);
    let stored = env.query_value("SELECT expires_at FROM keys WHERE name = 'CI'");
    assert_eq!(stored.unwrap().parse::<i64>().unwrap(), midnight);
    skewed(
        &env,
        "+5d",
        &["rotate", "CI", "--yes", "--expires", &date],
        "",
    )
    .status(0);
    let stored =
        env.query_value("SELECT expires_at FROM keys WHERE name = 'CI' AND revoked_at IS NULL");
    assert_eq!(stored.unwrap().parse::<i64>().unwrap(), midnight);
}

/// What the proxy does to the first connection when it sends its last `COMMIT`: a new
/// key's second one (the first reserves the key), a revocation's only one.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cut {
    /// Forward the commit, then close the client's side before the answer reaches it.
    AfterCommit,
    /// Close both sides instead of forwarding the commit: it never happens.
    BeforeCommit,
    /// As `AfterCommit`, and refuse every later connection.
    AfterCommitForGood,
}

/// A loopback proxy to the PostgreSQL server that cuts at the `nth` commit; returns its
/// port.
fn proxy(upstream: SocketAddr, cut: Cut, nth: usize) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let done = Arc::new(AtomicBool::new(false));
    thread::spawn(move || {
        for client in listener.incoming() {
            let Ok(client) = client else { continue };
            if done.load(Ordering::SeqCst) && cut == Cut::AfterCommitForGood {
                let _ = client.shutdown(Shutdown::Both);
                continue;
            }
            let done = Arc::clone(&done);
            thread::spawn(move || forward(client, upstream, cut, nth, &done));
        }
    });
    port
}

/// The simple-query message the postgres crate sends to commit.
const COMMIT: &[u8] = b"Q\0\0\0\x0bCOMMIT\0";

fn forward(client: TcpStream, upstream: SocketAddr, cut: Cut, nth: usize, done: &AtomicBool) {
    let mut commits = 0;
    let Ok(server) = TcpStream::connect(upstream) else {
        return;
    };
    let muted = Arc::new(AtomicBool::new(false));
    let (mut from_server, mut to_client) =
        (server.try_clone().unwrap(), client.try_clone().unwrap());
    let mute = Arc::clone(&muted);
    let back = thread::spawn(move || {
        let mut buf = [0u8; 8192];
        while let Ok(n) = from_server.read(&mut buf) {
            if n == 0 || mute.load(Ordering::SeqCst) || to_client.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to_client.shutdown(Shutdown::Both);
    });
    let (mut from_client, mut to_server) = (client, server);
    let mut buf = [0u8; 8192];
    while let Ok(n) = from_client.read(&mut buf) {
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if !done.load(Ordering::SeqCst) && chunk.windows(COMMIT.len()).any(|w| w == COMMIT) {
            commits += 1;
        }
        if commits < nth || done.load(Ordering::SeqCst) {
            if to_server.write_all(chunk).is_err() {
                break;
            }
            continue;
        }
        done.store(true, Ordering::SeqCst);
        muted.store(true, Ordering::SeqCst);
        if cut != Cut::BeforeCommit {
            let _ = to_server.write_all(chunk);
            // Time for the server to commit before the connection goes.
            thread::sleep(Duration::from_millis(300));
        }
        let _ = from_client.shutdown(Shutdown::Both);
        let _ = to_server.shutdown(Shutdown::Both);
        break;
    }
    let _ = to_server.shutdown(Shutdown::Both);
    let _ = back.join();
}

/// The test database's URL through a proxy on `port`, without TLS so it sees the
/// protocol.
fn through(env: &TestEnv, port: u16) -> (String, SocketAddr) {
    let url = env.location();
    let rest = url.split_once("://").unwrap().1;
    let (user, rest) = rest.split_once('@').unwrap();
    let (host, db) = rest.split_once('/').unwrap();
    let upstream: SocketAddr = host.parse().unwrap();
    (
        format!("postgres://{user}@127.0.0.1:{port}/{db}?sslmode=disable"),
        upstream,
    )
}

fn upstream(env: &TestEnv) -> SocketAddr {
    through(env, 0).1
}

fn run_via(env: &TestEnv, cut: Cut, args: &[&str]) -> crate::common::Run {
    // A new key takes two commits: its reservation, then the key.
    let nth = if args[0] == "revoke" { 1 } else { 2 };
    let port = proxy(upstream(env), cut, nth);
    let (url, _) = through(env, port);
    crate::common::Run(
        env.command()
            .env("SEENTY_KEYS_DB", url)
            .args(args)
            .output()
            .expect("run"),
    )
}

#[test]
fn a_rotation_whose_commit_answer_is_lost_still_hands_over_the_working_key() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    let old = env.generate("prod-ci");
    let run = run_via(&env, Cut::AfterCommit, &["rotate", "prod-ci", "--yes"]).status(0);
    let new = run.stdout().trim().to_owned();
    assert!(new.starts_with("sk_live_") && new != old, "{new:?}");
    env.run_stdin(&["verify"], &new).status(0);
    env.run_stdin(&["verify"], &old)
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn a_key_whose_commit_never_happened_is_reported_not_stored() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    let run = run_via(&env, Cut::BeforeCommit, &["generate", "--name", "CI"])
        .status(3)
        .stderr_has("NOT stored");
    let printed = run.stdout().trim().to_owned();
    assert!(printed.starts_with("sk_live_"), "{printed:?}");
    env.run_stdin(&["verify"], &printed)
        .status(1)
        .stderr_has("NOT_FOUND");
    assert!(env.keys().is_empty());
}

#[test]
fn a_revocation_whose_commit_never_happened_says_so_and_the_key_still_works() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    let key = env.generate("CI");
    run_via(&env, Cut::BeforeCommit, &["revoke", "CI", "--yes"])
        .status(3)
        .stderr_has("NOT stored");
    env.run_stdin(&["verify"], &key).status(0);
    run_via(&env, Cut::AfterCommit, &["revoke", "CI", "--yes"]).status(0);
    env.run_stdin(&["verify"], &key)
        .status(1)
        .stderr_has("REVOKED");
}

#[test]
fn an_outcome_nobody_can_check_is_unknown_and_names_the_command_that_tells() {
    let Some(env) = pg_env("acme", "pro") else {
        return;
    };
    let run = run_via(
        &env,
        Cut::AfterCommitForGood,
        &["generate", "--name", "CI", "--json"],
    )
    .status(3)
    .stderr_has("unknown")
    .stderr_has("seenty-keys --org acme show key_");
    assert!(!run.stderr().contains("NOT stored"), "{}", run.stderr());
    // It was committed, in fact: the key printed works.
    let printed = run.json()["key"].as_str().unwrap().to_owned();
    env.run_stdin(&["verify"], &printed).status(0);
}

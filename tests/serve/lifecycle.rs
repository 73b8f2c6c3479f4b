//! The service's life: start (listeners, a store that cannot be opened, a port in use),
//! last-used times written while it runs and at SIGTERM, and a graceful stop.

use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::time::Duration;

use super::{Serve, exchange, within};
use crate::common::TestEnv;

fn last_used(env: &TestEnv, name: &str) -> Option<String> {
    env.key_named(name)["last_used_at"]
        .as_str()
        .map(str::to_owned)
}

#[test]
fn last_used_is_written_within_seconds_of_a_request() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    assert_eq!(serve.check(&key).status, 204);
    assert!(within(Duration::from_secs(5), || last_used(&env, "ci").is_some()));
    drop(serve);
}

#[test]
fn sigterm_writes_pending_last_used_times_and_exits_0() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let revoked = env.generate("old");
    env.run(&["revoke", "old", "--yes"]).status(0);
    let serve = Serve::start(&env, &["--freshness", "2s"]);
    assert_eq!(serve.check(&key).status, 204);
    for _ in 0..3 {
        assert_eq!(serve.check(&revoked).code(), Some("REVOKED"));
    }
    let (status, log) = serve.terminate();
    assert!(status.success(), "{status:?}: {log}");
    assert!(last_used(&env, "ci").is_some(), "{log}");
    assert!(log.contains("started"), "{log}");
    assert!(log.lines().last().unwrap().contains("stopped"), "{log}");
    assert!(!log.contains(&key) && !log.contains(&revoked), "{log}");
    // The attempts with the revoked key: one audit event counting all three.
    let trail = env.run(&["log", "--json"]).status(0).json();
    let used: Vec<&serde_json::Value> = trail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "revoked_key_used")
        .collect();
    assert_eq!(used.len(), 1, "{trail}");
    assert_eq!(used[0]["detail"], "3 attempts in a minute", "{trail}");
}

#[test]
fn a_unix_socket_of_mode_0660_replacing_a_stale_one() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let path = env.dir.path().join("serve.sock");
    // A socket file whose process is gone.
    drop(std::os::unix::net::UnixListener::bind(&path).unwrap());
    let listen = format!("unix:{}", path.display());
    let serve = Serve::start(&env, &["--listen", &listen]);
    let line = format!("listening on {listen}\n");
    assert!(within(Duration::from_secs(2), || serve
        .log()
        .contains(&line)));
    let meta = std::fs::metadata(&path).unwrap();
    assert!(meta.file_type().is_socket());
    assert_eq!(meta.permissions().mode() & 0o777, 0o660);
    let mut stream = UnixStream::connect(&path).unwrap();
    let auth = format!("Bearer {key}");
    let reply = exchange(
        &mut stream,
        "GET",
        "/v1/check",
        &[("Authorization", &auth)],
        b"",
    );
    assert_eq!(reply.status, 204);
    // A second service cannot take a socket that answers.
    let taken = env
        .command()
        .args(["serve", "--listen", &listen])
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    assert_eq!(taken.status.code(), Some(3));
    let (status, _) = serve.terminate();
    assert!(status.success());
    assert!(!path.exists(), "the socket is removed at exit");
    // Anything but a socket at the path is left alone.
    std::fs::write(&path, "data").unwrap();
    env.command()
        .args(["serve", "--listen", &listen])
        .assert()
        .code(3);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "data");
}

#[test]
fn a_port_in_use_a_missing_store_and_bad_flags_stop_it_before_it_listens() {
    let env = TestEnv::with_org("acme", "pro");
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = env
        .command()
        .args(["serve", "--listen", &addr])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(&addr), "{stderr}");
    assert!(!stderr.contains("listening on"), "{stderr}");
    let missing = TestEnv::new_sqlite();
    missing
        .command()
        .args(["serve", "--listen", "127.0.0.1:0"])
        .assert()
        .code(3);
    for (flag, value) in [
        ("--freshness", "0s"),
        ("--freshness", "61s"),
        ("--freshness", "soon"),
        ("--listen", "localhost"),
        ("--listen", "unix:"),
    ] {
        env.command().args(["serve", flag, value]).assert().code(2);
    }
}

#[test]
fn a_request_in_progress_finishes_after_sigterm() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    // Headers sent, body not yet: the request is in progress when the signal comes.
    let mut stream = std::net::TcpStream::connect(&serve.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let body = format!(r#"{{"key":"{key}"}}"#);
    let head = format!(
        "POST /v1/verify HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    super::signal(&serve.child, "TERM");
    std::thread::sleep(Duration::from_millis(200));
    std::io::Write::write_all(&mut stream, body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = std::io::Read::read_to_end(&mut stream, &mut raw);
    let reply = super::parse(&raw);
    assert_eq!(reply.status, 200, "{reply:?}");
    assert!(reply.text().contains(r#""valid":true"#));
    let (status, log) = serve.terminate();
    assert!(status.success(), "{log}");
}

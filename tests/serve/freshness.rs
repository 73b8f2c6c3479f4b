//! Keeping every process current on PostgreSQL, under faults made for real: connections
//! cut by a loopback proxy and by `pg_terminate_backend`, two processes on one
//! database, and a process whose clock is skewed (libfaketime).

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Serve, time_until, within};
use crate::common::{TestEnv, pg_client, postgres_only};

/// Where Debian's `libfaketime` puts the preload library (`.ci/run` installs it).
const FAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

fn pg_env() -> Option<TestEnv> {
    let server = postgres_only()?;
    let env = TestEnv::new_postgres(&server);
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    Some(env)
}

/// A loopback TCP proxy to the database server that can cut every connection and
/// refuse new ones (`down`), then let them through again.
struct Proxy {
    port: u16,
    down: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn to(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let down = Arc::new(AtomicBool::new(false));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (down_, open_) = (down.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if down_.load(Ordering::SeqCst) {
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut open = open_.lock().unwrap();
                open.push(client.try_clone().unwrap());
                open.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Self { port, down, open }
    }

    fn cut(&self) {
        self.down.store(true, Ordering::SeqCst);
        for stream in self.open.lock().unwrap().drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.down.store(false, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buffer = [0; 16 * 1024];
        while let Ok(n) = from.read(&mut buffer) {
            if n == 0 || to.write_all(&buffer[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

/// `url` with its `HOST:PORT` replaced by the proxy's; and the original `HOST:PORT`.
fn through(url: &str, port: u16) -> (String, String) {
    let rest = url.split_once('@').unwrap().1;
    let hostport = rest.split('/').next().unwrap().to_owned();
    (
        url.replacen(&hostport, &format!("127.0.0.1:{port}"), 1),
        hostport,
    )
}

#[test]
fn a_cut_store_is_503_within_the_freshness_and_back_after() {
    let Some(env) = pg_env() else { return };
    let key = env.generate("ci");
    let (_, upstream) = through(&env.location(), 0);
    let proxy = Proxy::to(upstream);
    let (url, _) = through(&env.location(), proxy.port);
    let mut cmd = env.process();
    cmd.env("SEENTY_KEYS_DB", &url)
        .args(["serve", "--listen", "127.0.0.1:0", "--freshness", "1s"]);
    let serve = Serve::spawn(cmd);
    assert_eq!(serve.check(&key).status, 204);
    let cut = Instant::now();
    proxy.cut();
    assert!(within(Duration::from_secs(3), || serve.check(&key).status == 503));
    let failed_after = cut.elapsed();
    assert!(
        failed_after < Duration::from_millis(1500),
        "{failed_after:?}"
    );
    let reply = serve.check(&key);
    assert_eq!(reply.code(), Some("UNAVAILABLE"));
    assert_eq!(reply.text(), r#"{"valid":false,"code":"UNAVAILABLE"}"#);
    assert_eq!(serve.get("/healthz").status, 503);
    let verify = serve.request(
        "POST",
        "/v1/verify",
        &[],
        format!(r#"{{"key":"{key}"}}"#).as_bytes(),
    );
    assert_eq!(verify.status, 503);
    assert!(
        serve
            .get("/metrics")
            .text()
            .contains("seenty_keys_store_up 0")
    );
    proxy.restore();
    assert!(within(Duration::from_secs(5), || serve.check(&key).status == 204));
    assert_eq!(serve.get("/healthz").status, 200);
    let log = serve.log();
    assert_eq!(log.matches("lost the store").count(), 1, "{log}");
    assert_eq!(log.matches("the store is back").count(), 1, "{log}");
    assert!(!log.contains(&key));
}

#[test]
fn a_revocation_is_seen_within_a_second_after_the_connections_were_terminated() {
    let Some(env) = pg_env() else { return };
    let key = env.generate("ci");
    let serve = Serve::start(&env, &[]);
    assert_eq!(serve.check(&key).status, 204);
    let mut admin = pg_client(&env.location());
    admin
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND pid <> pg_backend_pid()",
        )
        .unwrap();
    env.run(&["revoke", "ci", "--yes"]).status(0);
    let waited = time_until(&serve, &key, "REVOKED", Instant::now()).expect("rejected");
    assert!(waited < Duration::from_secs(1), "{waited:?}");
}

#[test]
fn two_processes_on_one_database_both_reject_a_revoked_key_within_a_second() {
    let Some(env) = pg_env() else { return };
    let key = env.generate("ci");
    let first = Serve::start(&env, &[]);
    let second = Serve::start(&env, &[]);
    assert_eq!(first.check(&key).status, 204);
    assert_eq!(second.check(&key).status, 204);
    env.run(&["revoke", "ci", "--yes"]).status(0);
    let revoked = Instant::now();
    for serve in [&first, &second] {
        let waited = time_until(serve, &key, "REVOKED", revoked).expect("rejected");
        assert!(waited < Duration::from_secs(1), "{waited:?}");
    }
}

#[test]
fn a_skewed_clock_does_not_decide_expiry() {
    let Some(env) = pg_env() else { return };
    assert!(
        std::path::Path::new(FAKETIME).exists(),
        "libfaketime is missing: .ci/run installs Debian's faketime package"
    );
    let key = env.generate("ci");
    // Expires in an hour by the server's clock; the process's clock is two hours ahead.
    env.sql("UPDATE keys SET expires_at = extract(epoch FROM now())::bigint + 3600");
    let serve = skewed(&env, "+2h");
    assert_eq!(serve.check(&key).status, 204);
    // And a key the server says has expired is expired, whatever this machine's clock.
    env.sql("UPDATE keys SET expires_at = extract(epoch FROM now())::bigint - 60");
    let behind = skewed(&env, "-2h");
    assert_eq!(behind.check(&key).code(), Some("EXPIRED"));
}

/// `serve` with this machine's clock moved by `offset` (libfaketime's syntax), its
/// monotonic clock left alone.
fn skewed(env: &TestEnv, offset: &str) -> Serve {
    let mut cmd = env.process();
    cmd.env("LD_PRELOAD", FAKETIME)
        .env("FAKETIME", offset)
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .args(["serve", "--listen", "127.0.0.1:0"]);
    Serve::spawn(cmd)
}

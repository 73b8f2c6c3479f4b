//! Around `serve` (its own endpoints are pinned in `serve`): its OpenAPI description
//! checked against real answers, real gateways (nginx, Caddy) and the protocols of those
//! not in Debian (Envoy, Traefik) in front of it, and hostile clients. Each test starts the real binary on a random loopback port
//! ([`Serve`]) and speaks HTTP/1.1 to it on a plain socket ([`http`]), as the outside world
//! does: a client library would hide what goes over the wire (pipelining, half-sent
//! headers, raw bytes).

pub mod http;

mod gateways;
mod hostile;
mod openapi;
mod protocols;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, ExitStatus, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// A running `serve` process, killed when dropped.
pub struct Serve {
    child: Child,
    pub addr: SocketAddr,
    stderr: Arc<Mutex<String>>,
}

impl Serve {
    /// `serve --listen 127.0.0.1:0` plus `args` on `env`'s store, once it says where it
    /// listens.
    pub fn start(env: &TestEnv, args: &[&str]) -> Self {
        let mut child = env
            .process()
            .args(["serve", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let pipe = child.stderr.take().expect("piped stderr");
        let log = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = tx.send(addr.trim().to_owned());
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let Ok(addr) = rx.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "serve did not say where it listens; stderr:\n{}",
                stderr.lock().unwrap()
            );
        };
        Self {
            child,
            addr: addr.parse().expect("listening address"),
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// What the process wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    /// SIGTERM, then its exit status (within 15 s).
    pub fn stop(mut self) -> ExitStatus {
        signal(self.pid(), "TERM");
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for serve") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "serve did not exit after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `SIGname` to `pid` with kill(1).
pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid}");
}

/// Polls `cond` every 20 ms until it holds, for at most `limit`; whether it did.
pub fn eventually(limit: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    loop {
        if cond() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A port on loopback that was free a moment ago, for a program that needs one in its
/// configuration file.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

/// A store with a key in each state `serve` tells apart, set up before `serve` starts.
pub struct Fixture {
    pub env: TestEnv,
    /// Active, in `acme` (Pro); its name is not ASCII, to see it percent-encoded.
    pub valid: String,
    pub revoked: String,
    pub expired: String,
    /// Active, in `hobbyco`, an organization downgraded to Hobby.
    pub plan: String,
}

pub const VALID_NAME: &str = "Deploy bot / café";

impl Fixture {
    pub fn new() -> Self {
        let env = TestEnv::with_org("acme", "pro");
        let org = |args: &[&str]| {
            let mut all = vec!["--org", "acme"];
            all.extend_from_slice(args);
            env.run(&all).status(0).stdout()
        };
        let valid = org(&["generate", "--name", VALID_NAME]).trim().to_owned();
        let revoked = org(&["generate", "--name", "Revoked one"])
            .trim()
            .to_owned();
        org(&["revoke", "Revoked one", "--yes"]);
        let expired = org(&["generate", "--name", "Expired one"])
            .trim()
            .to_owned();
        env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Expired one'");
        env.run(&["org", "create", "hobbyco", "--plan", "pro"])
            .status(0);
        let plan = env
            .run(&["--org", "hobbyco", "generate", "--name", "Downgraded"])
            .status(0)
            .stdout()
            .trim()
            .to_owned();
        env.run(&["--org", "hobbyco", "org", "set-plan", "hobby", "--yes"])
            .status(0);
        Self {
            env,
            valid,
            revoked,
            expired,
            plan,
        }
    }

    /// Every secret of the store, for "no key in any answer or log".
    pub fn secrets(&self) -> [&str; 4] {
        [&self.valid, &self.revoked, &self.expired, &self.plan]
    }

    /// The id `list --json` gives the key named `name` in `org`.
    pub fn id_of(&self, org: &str, name: &str) -> String {
        let list = self.env.run(&["--org", org, "list", "--json"]).status(0);
        let keys = list.json();
        let key = keys
            .as_array()
            .expect("a list")
            .iter()
            .find(|k| k["name"] == name)
            .unwrap_or_else(|| panic!("a key named {name}"));
        key["id"].as_str().expect("an id").to_owned()
    }
}

/// Fails when a secret appears in `text` (an answer, a log).
pub fn assert_no_secret(text: &str, secrets: &[&str], what: &str) {
    for secret in secrets {
        assert!(
            !text.contains(secret) && !text.contains(&secret["sk_live_".len()..]),
            "a key appears in {what}:\n{text}"
        );
    }
}

//! Around `serve` (its own endpoints are pinned in `serve`): its OpenAPI description
//! checked against real answers, real gateways (nginx, Caddy) and the protocols of those
//! not in Debian (Envoy, Traefik) in front of it, and hostile clients. Each test starts
//! the real binary on a random loopback port (`serve`'s [`Serve`]) and speaks HTTP/1.1 to
//! it on a plain socket ([`http`]), as the outside world does: a client library would hide
//! what goes over the wire (pipelining, half-sent headers, raw bytes).

pub mod http;

mod gateways;
mod hostile;
mod openapi;
mod openapi_leaks;
mod protocols;

use std::net::SocketAddr;

use crate::common::TestEnv;
pub use crate::serve::{Serve, within};

/// The address of `serve`'s first TCP listener.
pub fn addr(serve: &Serve) -> SocketAddr {
    serve.addr.parse().expect("a listening address")
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

//! Real gateways from Debian in front of `serve`, with the configurations the README
//! gives: nginx `auth_request` and Caddy `forward_auth`, each in front of an upstream that
//! echoes the headers it receives. A valid key reaches the upstream with its identity; a
//! revoked one is 401; a client's own `X-Seenty-Key-Id` never reaches the upstream; with
//! `serve` stopped the gateway denies (fails closed).
//!
//! The gateways run as the test's user from a temporary directory, on loopback ports.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::http::{self, Inspect, Response};
use super::{Fixture, Serve, VALID_NAME, addr, assert_no_secret, free_port, within};
use crate::common::{tool_available, venv_tool};
use crate::serve::{signal, wait};

/// A child process stopped when dropped: a gateway or the echoing upstream. SIGTERM
/// first: nginx's master stops its workers then, where SIGKILL would orphan them.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        signal(&self.0, "TERM");
        if wait(&mut self.0, Duration::from_secs(5)).is_none() {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// The upstream of tests/serve_edge/echo_upstream.py, and its address.
fn echo_upstream(python: &Path) -> (Running, SocketAddr) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/serve_edge/echo_upstream.py"
    );
    let mut child = Command::new(python)
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the echoing upstream");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .expect("its port");
    let port: u16 = line.trim().parse().expect("a port");
    (Running(child), SocketAddr::from(([127, 0, 0, 1], port)))
}

/// Starts `cmd` and waits until `addr` accepts connections.
fn start_gateway(mut cmd: Command, addr: SocketAddr, log: &Path) -> Running {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::from(std::fs::File::create(log).unwrap()))
        .spawn()
        .expect("start the gateway");
    let mut running = Running(child);
    let up = within(Duration::from_secs(20), || {
        std::net::TcpStream::connect(addr).is_ok()
    });
    if !up {
        let status = running.0.try_wait().ok().flatten();
        panic!(
            "the gateway did not listen on {addr} (exit {status:?}):\n{}",
            std::fs::read_to_string(log).unwrap_or_default()
        );
    }
    running
}

/// The nginx configuration the README gives, with its paths and ports filled in.
pub fn nginx_conf(dir: &Path, listen: SocketAddr, serve: SocketAddr, api: SocketAddr) -> String {
    let template = include_str!("../../contrib/gateways/nginx.conf");
    let d = dir.display();
    let user = if is_root() { "user root root;\n" } else { "" };
    format!(
        "{user}daemon off;\nworker_processes 1;\npid {d}/nginx.pid;\nerror_log {d}/error.log warn;\n\
         events {{ worker_connections 256; }}\n\
         http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n\
         fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n{}\n}}\n",
        template
            .replace("127.0.0.1:8787", &serve.to_string())
            .replace("127.0.0.1:8080", &listen.to_string())
            .replace("127.0.0.1:9000", &api.to_string())
    )
}

/// The Caddyfile the README gives, with its ports filled in, behind global options that
/// keep Caddy off the network and out of the home directory.
pub fn caddyfile(dir: &Path, listen: SocketAddr, serve: SocketAddr, api: SocketAddr) -> String {
    let template = include_str!("../../contrib/gateways/Caddyfile");
    format!(
        "{{\n  admin off\n  auto_https off\n  storage file_system {}\n}}\n\n{}",
        dir.join("caddy-data").display(),
        template
            .replace("127.0.0.1:8787", &serve.to_string())
            .replace("127.0.0.1:8080", &listen.to_string())
            .replace("127.0.0.1:9000", &api.to_string())
    )
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.trim_ascii() == b"0")
}

#[test]
fn nginx_auth_request_in_front_of_serve() {
    in_front("nginx", "nginx.conf", nginx_conf, |dir, conf| {
        let mut cmd = Command::new("nginx");
        cmd.arg("-p").arg(dir).arg("-c").arg(conf);
        cmd.arg("-e").arg(dir.join("error.log"));
        cmd
    });
}

#[test]
fn caddy_forward_auth_in_front_of_serve() {
    in_front("caddy", "Caddyfile", caddyfile, |dir, file| {
        let mut cmd = Command::new("caddy");
        cmd.args(["run", "--adapter", "caddyfile", "--config"])
            .arg(file)
            .env("HOME", dir)
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_DATA_HOME", dir.join("data"));
        cmd
    });
}

/// Configuration from (directory, gateway, serve, upstream).
type Config = fn(&Path, SocketAddr, SocketAddr, SocketAddr) -> String;

/// `program` with its configuration written to `file` in a directory of its own, in front
/// of a real `serve` and the echoing upstream, run as `command(dir, file)`.
fn in_front(program: &str, file: &str, config: Config, command: fn(&Path, &Path) -> Command) {
    if !tool_available(program) {
        return;
    }
    let Some(python) = venv_tool("python") else {
        return;
    };
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let (_api, api) = echo_upstream(&python);
    let dir = fx.env.dir.path().join(program);
    std::fs::create_dir_all(&dir).unwrap();
    let listen = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let file = dir.join(file);
    std::fs::write(&file, config(&dir, listen, addr(&serve), api)).unwrap();
    let gateway = start_gateway(command(&dir, &file), listen, &dir.join("stderr.log"));
    through_the_gateway(&fx, serve, listen);
    drop(gateway);
}

/// What a client of the gateway at `gw` sees, and what the upstream behind it receives.
fn through_the_gateway(fx: &Fixture, serve: Serve, gw: SocketAddr) {
    let id = fx.id_of("acme", VALID_NAME);
    let forged = [("X-Seenty-Key-Id", "key_forged"), ("X-Seenty-Org", "evil")];

    let r = call(gw, Some(&fx.valid), &forged);
    assert_eq!(r.status, 200, "a valid key passes: {}", r.raw());
    let seen = upstream_saw(&r);
    assert_eq!(seen["x-seenty-key-id"], id.as_str(), "{seen}");
    assert_eq!(seen["x-seenty-org"], "acme", "{seen}");
    assert_eq!(
        seen["x-seenty-key-name"], "Deploy%20bot%20%2F%20caf%C3%A9",
        "{seen}"
    );

    for (what, key, status) in [
        ("revoked", Some(fx.revoked.as_str()), 401),
        ("expired", Some(fx.expired.as_str()), 401),
        ("Hobby", Some(fx.plan.as_str()), 403),
        ("no key, only forged identity headers", None, 401),
    ] {
        let r = call(gw, key, &forged);
        assert_eq!(r.status, status, "{what}: {}", r.raw());
        assert!(
            r.header("x-echo").is_none(),
            "{what} never reaches the upstream"
        );
        assert_no_secret(&r.raw(), &fx.secrets(), "the gateway's answer");
    }

    fx.env
        .run(&["--org", "acme", "revoke", VALID_NAME, "--yes"])
        .status(0);
    assert!(
        within(Duration::from_secs(2), || call(gw, Some(&fx.valid), &[])
            .status
            == 401),
        "a key revoked with the CLI is refused at the gateway"
    );

    let fresh = fx
        .env
        .run(&["--org", "acme", "generate", "--name", "Fresh"]);
    let fresh = fresh.status(0).stdout().trim().to_owned();
    assert!(within(Duration::from_secs(2), || call(
        gw,
        Some(&fresh),
        &[]
    )
    .status
        == 200));
    assert_no_secret(&serve.log(), &fx.secrets(), "serve's stderr");
    let (status, _) = serve.terminate();
    assert!(status.success(), "serve exits 0 on SIGTERM: {status:?}");
    let r = call(gw, Some(&fresh), &forged);
    assert!(
        !(200..300).contains(&r.status) && r.header("x-echo").is_none(),
        "with serve stopped the gateway denies: {}",
        r.raw()
    );
}

/// `GET /api/orders` through the gateway, with the key (if any) and extra headers.
fn call(gw: SocketAddr, key: Option<&str>, extra: &[(&str, &str)]) -> Response {
    let auth = key.map(|k| format!("Bearer {k}"));
    let mut headers: Vec<(&str, &str)> = extra.to_vec();
    if let Some(auth) = &auth {
        headers.push(("Authorization", auth));
    }
    http::get(gw, "/api/orders?page=2", &headers)
}

/// The headers the upstream echoed.
fn upstream_saw(r: &Response) -> Value {
    assert_eq!(r.header("x-echo"), Some("upstream"), "{}", r.raw());
    r.json()
}

#[test]
fn readme_gives_the_gateway_configurations_the_tests_run() {
    let readme = include_str!("../../README.md");
    for (name, conf) in [
        (
            "nginx.conf",
            include_str!("../../contrib/gateways/nginx.conf"),
        ),
        (
            "Caddyfile",
            include_str!("../../contrib/gateways/Caddyfile"),
        ),
    ] {
        assert!(
            readme.contains(conf.trim_end()),
            "README quotes contrib/gateways/{name} as it is"
        );
    }
}

//! `serve`, the HTTP verification service, as gateways and applications use it: real
//! `serve` processes on a free port (read from their `listening on` line), asked over
//! real sockets by a small HTTP/1.1 client.

mod endpoints;
mod freshness;
mod lifecycle;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// A running `serve`; killed when dropped.
pub struct Serve {
    child: Child,
    /// `HOST:PORT` of its first TCP listener.
    pub addr: String,
    /// Everything it wrote on stderr so far.
    log: Arc<Mutex<String>>,
}

/// One HTTP answer.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn code(&self) -> Option<&str> {
        self.header("x-seenty-code")
    }
}

impl Serve {
    /// `serve --listen 127.0.0.1:0 ARGS…` on this store.
    pub fn start(env: &TestEnv, args: &[&str]) -> Self {
        let mut cmd = env.process();
        cmd.args(["serve", "--listen", "127.0.0.1:0"]).args(args);
        Self::spawn(cmd)
    }

    /// Spawns `cmd` (a `serve` command) and waits for its first TCP listener.
    pub fn spawn(mut cmd: Command) -> Self {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn serve");
        let stderr = child.stderr.take().expect("stderr");
        let log = Arc::new(Mutex::new(String::new()));
        let (found, addr) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("listening on http://") {
                    let _ = found.send(addr.to_owned());
                }
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        let Ok(addr) = addr.recv_timeout(Duration::from_secs(30)) else {
            let _ = child.kill();
            panic!("serve did not listen: {}", log.lock().unwrap());
        };
        Self { child, addr, log }
    }

    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        request(&self.addr, method, path, headers, body)
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], b"")
    }

    /// `/v1/check` with `Authorization: Bearer KEY`.
    pub fn check(&self, key: &str) -> Reply {
        let auth = format!("Bearer {key}");
        self.request("GET", "/v1/check", &[("Authorization", &auth)], b"")
    }

    /// Sends SIGTERM and waits for the exit; the status and everything logged.
    pub fn terminate(mut self) -> (ExitStatus, String) {
        signal(&self.child, "TERM");
        let status = wait(&mut self.child, Duration::from_secs(20)).expect("serve exits");
        // The reader thread sees the end of stderr once the process is gone.
        std::thread::sleep(Duration::from_millis(50));
        (status, self.log())
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends signal `name` to `child` (it may have exited already).
pub fn signal(child: &Child, name: &str) {
    let _ = Command::new("kill")
        .args([format!("-{name}"), child.id().to_string()])
        .stderr(Stdio::null())
        .status();
}

pub fn wait(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let start = Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// One HTTP/1.1 request on a connection of its own; the answer read to its end.
pub fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut stream = TcpStream::connect(addr).expect("connect to serve");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    exchange(&mut stream, method, path, headers, body)
}

/// Writes one request on `stream` (closing the connection after it) and reads the answer.
pub fn exchange<S: Read + Write>(
    stream: &mut S,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    parse(&raw)
}

pub fn parse(raw: &[u8]) -> Reply {
    let end = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP answer: {:?}", String::from_utf8_lossy(raw)));
    let head = String::from_utf8_lossy(&raw[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[end + 4..].to_vec(),
    }
}

/// Whether `done` holds within `limit`, asked every 20 ms.
pub fn within(limit: Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How long after `start` the check of `key` first answers `code` (polled), if within 3 s.
pub fn time_until(serve: &Serve, key: &str, code: &str, start: Instant) -> Option<Duration> {
    within(Duration::from_secs(3), || {
        serve.check(key).code() == Some(code)
    })
    .then(|| start.elapsed())
}

//! HTTP/1.1 over a plain socket: requests written byte for byte, answers read back as
//! status, headers and body. Enough for the answers of `serve`, a gateway or an upstream:
//! `Content-Length` or chunked bodies, none for 204, 304 and HEAD.

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use serde_json::Value;

/// An answer: `serve`'s own tests' type, seen through [`Inspect`].
pub type Response = crate::serve::Reply;

/// What these tests read of an answer beyond a header's first value.
pub trait Inspect {
    fn header_all(&self, name: &str) -> Vec<&str>;
    fn json(&self) -> Value;
    /// Status, headers and body, as they came (for "no key in any answer").
    fn raw(&self) -> String;
}

impl Inspect for Response {
    fn header_all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("a JSON body ({e}): {:?}", self.text()))
    }

    fn raw(&self) -> String {
        let mut out = format!("{}\n", self.status);
        for (n, v) in &self.headers {
            out.push_str(&format!("{n}: {v}\n"));
        }
        out + &self.text()
    }
}

/// One keep-alive connection.
pub struct Conn {
    pub stream: TcpStream,
    buf: Vec<u8>,
    /// Whether a read timeout fails the test (else it reads as no answer).
    patient: bool,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Self {
        Self::from_stream(TcpStream::connect(addr).expect("connect"))
    }

    pub fn from_stream(stream: TcpStream) -> Self {
        stream
            .set_read_timeout(Some(Duration::from_secs(20)))
            .expect("read timeout");
        Self {
            stream,
            buf: Vec::new(),
            patient: true,
        }
    }

    pub fn send(&mut self, raw: &[u8]) {
        self.stream.write_all(raw).expect("write the request");
    }

    /// Writes `raw`, reads one answer (`head`: to a HEAD request, so without a body).
    pub fn exchange(&mut self, raw: &[u8], head: bool) -> Response {
        self.send(raw);
        self.read(head).expect("an answer")
    }

    /// The next answer, or `None` when the peer closed the connection first.
    pub fn read(&mut self, head: bool) -> Option<Response> {
        let end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if !self.fill() {
                return None;
            }
        };
        let mut response = crate::serve::parse(&self.buf[..end + 4]);
        self.buf.drain(..end + 4);
        let status = response.status;
        if !(head || status == 204 || status == 304 || (100..200).contains(&status)) {
            response.body = self.body(&response)?;
        }
        Some(response)
    }

    fn body(&mut self, response: &Response) -> Option<Vec<u8>> {
        if response
            .header("transfer-encoding")
            .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
        {
            return self.chunked();
        }
        let len: usize = match response.header("content-length") {
            Some(len) => len.parse().expect("a Content-Length"),
            None => return self.until_close(),
        };
        self.take(len)
    }

    fn chunked(&mut self) -> Option<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = self.line()?;
            let size = usize::from_str_radix(line.split(';').next()?.trim(), 16).ok()?;
            if size == 0 {
                while !self.line()?.is_empty() {}
                return Some(body);
            }
            body.extend(self.take(size)?);
            self.line()?;
        }
    }

    fn line(&mut self) -> Option<String> {
        loop {
            if let Some(i) = find(&self.buf, b"\r\n") {
                let line = String::from_utf8_lossy(&self.buf[..i]).into_owned();
                self.buf.drain(..i + 2);
                return Some(line);
            }
            if !self.fill() {
                return None;
            }
        }
    }

    fn take(&mut self, len: usize) -> Option<Vec<u8>> {
        while self.buf.len() < len {
            if !self.fill() {
                return None;
            }
        }
        Some(self.buf.drain(..len).collect())
    }

    fn until_close(&mut self) -> Option<Vec<u8>> {
        while self.fill() {}
        Some(std::mem::take(&mut self.buf))
    }

    /// [`Self::read`], `None` also when the read timeout passes first.
    pub fn read_or_timeout(&mut self, head: bool) -> Option<Response> {
        self.patient = false;
        let answer = self.read(head);
        self.patient = true;
        answer
    }

    /// Reads more into the buffer; false at the end of the stream (or a reset), and past
    /// the read timeout when not `patient` (otherwise that is a failed test).
    fn fill(&mut self) -> bool {
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buf.extend_from_slice(&chunk[..n]);
                true
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => true,
            Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                assert!(!self.patient, "no answer within the read timeout");
                false
            }
            Err(_) => false,
        }
    }

    /// Whether the peer has closed the connection (reads its end within `limit`), after
    /// reading and dropping whatever it sent before.
    pub fn closed_within(&mut self, limit: Duration) -> bool {
        self.stream.set_read_timeout(Some(limit)).expect("timeout");
        let mut chunk = [0u8; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return true,
                Ok(_) => continue,
                Err(e) if e.kind() == ErrorKind::WouldBlock || e.kind() == ErrorKind::TimedOut => {
                    return false;
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return true,
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A request's bytes: `method path`, a Host, `headers`, and `body` with its length.
pub fn request(method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Vec<u8> {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        raw.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PUT" | "PATCH") {
        raw.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    raw.push_str("\r\n");
    let mut raw = raw.into_bytes();
    raw.extend_from_slice(body);
    raw
}

/// One request on a fresh connection, its answer.
pub fn send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    Conn::open(addr).exchange(&request(method, path, headers, body), method == "HEAD")
}

/// One request, or `None` when nothing answers (connection refused or closed): what a
/// gateway sees of an authorizer that is down.
pub fn try_send(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Option<Response> {
    try_send_within(addr, method, path, headers, Duration::from_secs(20))
}

/// [`try_send`] giving up after `limit` to connect, and `limit` again to answer: what a
/// gateway with that timeout would see.
pub fn try_send_within(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    limit: Duration,
) -> Option<Response> {
    let stream = TcpStream::connect_timeout(&addr, limit).ok()?;
    let mut conn = Conn::from_stream(stream);
    conn.stream.set_read_timeout(Some(limit)).ok()?;
    conn.stream
        .write_all(&request(method, path, headers, b""))
        .ok()?;
    conn.read_or_timeout(method == "HEAD")
}

pub fn get(addr: SocketAddr, path: &str, headers: &[(&str, &str)]) -> Response {
    send(addr, "GET", path, headers, b"")
}

/// `/v1/check` with `Authorization: Bearer key`.
pub fn check(addr: SocketAddr, key: &str) -> Response {
    get(
        addr,
        "/v1/check",
        &[("Authorization", &format!("Bearer {key}"))],
    )
}

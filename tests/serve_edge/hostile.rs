//! Hostile clients against a real `serve`: oversize headers and bodies, clients that
//! never finish their headers, thousands of idle connections, bytes that are not UTF-8,
//! pipelined garbage. Each gets an HTTP error or is disconnected, the service keeps
//! answering everyone else, and no key ever appears in an answer or on stderr, even when
//! the hostile request carried one.

use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::http::{self, Conn, Inspect, request};
use super::{Fixture, Serve, addr, assert_no_secret};

/// The service still answers a well-behaved client: a valid key is 204.
fn still_answers(fx: &Fixture, serve: &Serve) {
    let r = http::check(addr(serve), &fx.valid);
    assert_eq!(r.status, 204, "the service keeps answering: {}", r.raw());
}

#[test]
fn oversize_headers_and_bodies_get_431_and_413() {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let bearer = format!("Bearer {}", fx.valid);

    let long = format!("{}{}", fx.valid, "A".repeat(17 * 1024));
    let r = http::get(
        addr(&serve),
        "/v1/check",
        &[("Authorization", &bearer), ("X-Api-Key", &long)],
    );
    assert_eq!(r.status, 431, "one header over 16 KiB: {}", r.raw());
    assert_no_secret(&r.raw(), &fx.secrets(), "the 431 answer");
    // Under hyper's count of 100 headers either way, so the size decides.
    let many: Vec<(String, String)> = (0..90)
        .map(|i| (format!("X-Filler-{i}"), "b".repeat(200)))
        .collect();
    let mut headers: Vec<(&str, &str)> =
        many.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
    headers.push(("Authorization", &bearer));
    let r = http::get(addr(&serve), "/v1/check", &headers);
    assert_eq!(r.status, 431, "90 headers adding up to 19 KiB: {}", r.raw());
    let r = http::get(addr(&serve), "/v1/check", &headers[55..]);
    assert_eq!(r.status, 204, "35 of them (7 KiB) are fine: {}", r.raw());

    let body = format!(
        "{{\"key\":\"{}\",\"x\":\"{}\"}}",
        fx.valid,
        "y".repeat(64 * 1024)
    );
    let r = http::send(addr(&serve), "POST", "/v1/verify", &[], body.as_bytes());
    assert_eq!(r.status, 413, "a body just over 64 KiB");
    assert_no_secret(&r.raw(), &fx.secrets(), "the 413 answer");

    // A length announced far over the limit is refused without waiting for the bytes.
    let mut conn = Conn::open(addr(&serve));
    conn.send(
        b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 1073741824\r\n\r\n{\"key\":",
    );
    let r = conn.read(false).expect("an answer before the body");
    assert_eq!(r.status, 413, "a gigabyte announced: {}", r.raw());

    // The same over the limit in chunks, with no length announced.
    let mut conn = Conn::open(addr(&serve));
    conn.send(b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
    let chunk = format!("4000\r\n{}\r\n", "z".repeat(0x4000));
    conn.stream
        .set_write_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    for _ in 0..8 {
        // The service may stop reading (and answer) once past the limit.
        if std::io::Write::write_all(&mut conn.stream, chunk.as_bytes()).is_err() {
            break;
        }
    }
    let r = conn
        .read(false)
        .expect("an answer to a chunked body over the limit");
    assert_eq!(r.status, 413, "128 KiB in chunks: {}", r.raw());

    still_answers(&fx, &serve);
    assert_no_secret(&serve.log(), &fx.secrets(), "serve's stderr");
}

#[test]
fn slow_and_silent_clients_are_disconnected_while_others_are_answered() {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let addr = addr(&serve);
    let start = Instant::now();
    let silent = TcpStream::connect(addr).expect("connect");
    // Slowloris: a header line every half second, never the blank line that ends them.
    let slow = std::thread::spawn(move || {
        let mut conn = Conn::open(addr);
        conn.send(b"GET /v1/check HTTP/1.1\r\nHost: x\r\n");
        for i in 0..40 {
            std::thread::sleep(Duration::from_millis(500));
            let line = format!("X-Drip-{i}: a\r\n");
            if std::io::Write::write_all(&mut conn.stream, line.as_bytes()).is_err() {
                return Some(start.elapsed());
            }
            if i % 4 == 0 && conn.closed_within(Duration::from_millis(1)) {
                return Some(start.elapsed());
            }
        }
        None
    });
    // Meanwhile everyone else is answered.
    for _ in 0..8 {
        still_answers(&fx, &serve);
        std::thread::sleep(Duration::from_millis(500));
    }
    let mut silent = Conn::from_stream(silent);
    let limit = Duration::from_secs(13).saturating_sub(start.elapsed());
    assert!(
        silent.closed_within(limit),
        "a client that sends nothing is disconnected within ~10 s"
    );
    let dropped = slow.join().unwrap();
    assert!(
        dropped.is_some_and(|at| at < Duration::from_secs(13)),
        "a client that never ends its headers is disconnected within ~10 s: {dropped:?}"
    );
    still_answers(&fx, &serve);
}

#[test]
fn thousands_of_idle_connections_leave_room_for_a_fresh_client() {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let wanted = 3000.min(open_file_limit().saturating_sub(200));
    let mut idle = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        match TcpStream::connect_timeout(&addr(&serve), Duration::from_secs(2)) {
            Ok(stream) => idle.push(stream),
            Err(_) => break,
        }
    }
    // Half of them with a request started and never finished.
    for stream in idle.iter_mut().step_by(2) {
        let _ = std::io::Write::write_all(stream, b"GET /v1/check HTTP/1.1\r\n");
    }
    assert!(idle.len() >= 1000, "opened {} connections", idle.len());
    // A gateway gives its authorizer a second or so; a fresh client must get in beside
    // them, not behind them.
    let fresh = http::try_send_within(addr(&serve), "GET", "/healthz", &[], Duration::from_secs(2));
    assert!(
        fresh.as_ref().is_some_and(|r| r.status == 200),
        "a fresh client is answered within 2 s beside {} idle connections: {:?}",
        idle.len(),
        fresh.map(|r| r.raw())
    );
    still_answers(&fx, &serve);
    drop(idle);
    still_answers(&fx, &serve);
    assert_no_secret(&serve.log(), &fx.secrets(), "serve's stderr");
}

#[test]
fn bodies_that_trickle_in_leave_room_for_a_fresh_client() {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let wanted = 1000.min(open_file_limit().saturating_sub(200));
    let mut slow = Vec::with_capacity(wanted);
    for _ in 0..wanted {
        match TcpStream::connect_timeout(&addr(&serve), Duration::from_secs(2)) {
            Ok(mut stream) => {
                // A request in progress whose body never finishes: headers complete, one
                // byte of a thousand announced.
                let _ = std::io::Write::write_all(
                    &mut stream,
                    b"POST /v1/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{",
                );
                slow.push(stream);
            }
            Err(_) => break,
        }
    }
    assert!(slow.len() >= 900, "opened {} connections", slow.len());
    // Past a second every one of them is a slow request, which a new client may displace.
    std::thread::sleep(Duration::from_millis(1500));
    let fresh = http::try_send_within(addr(&serve), "GET", "/healthz", &[], Duration::from_secs(2));
    assert!(
        fresh.as_ref().is_some_and(|r| r.status == 200),
        "a fresh client is answered within 2 s beside {} slow bodies: {:?}",
        slow.len(),
        fresh.map(|r| r.raw())
    );
    still_answers(&fx, &serve);
    drop(slow);
    still_answers(&fx, &serve);
}

#[test]
fn invalid_utf8_and_pipelined_garbage_get_http_errors() {
    let fx = Fixture::new();
    let serve = Serve::start(&fx.env, &[]);
    let mut answers = String::new();

    // A key with bytes that are not UTF-8 glued on, in either header: a malformed key.
    for header in ["Authorization: Bearer ", "X-Api-Key: "] {
        let mut raw =
            format!("GET /v1/check HTTP/1.1\r\nHost: x\r\n{header}{}", fx.valid).into_bytes();
        raw.extend_from_slice(b"\xff\xfe\x80\r\n\r\n");
        let r = Conn::open(addr(&serve)).exchange(&raw, false);
        answers.push_str(&r.raw());
        assert_eq!(r.status, 401, "{header}: {}", r.raw());
        assert_eq!(r.header("x-seenty-code"), Some("MALFORMED"), "{header}");
    }
    // Not UTF-8 in the path and in a /v1/verify body.
    let r = Conn::open(addr(&serve))
        .exchange(b"GET /v1/\xc3\x28check HTTP/1.1\r\nHost: x\r\n\r\n", false);
    assert!(
        matches!(r.status, 400 | 404),
        "a path not UTF-8: {}",
        r.raw()
    );
    let mut body = format!("{{\"key\":\"{}", fx.valid).into_bytes();
    body.extend_from_slice(b"\xff\"}");
    let r = http::send(addr(&serve), "POST", "/v1/verify", &[], &body);
    answers.push_str(&r.raw());
    assert!(
        matches!(r.status, 200 | 400),
        "a body not UTF-8: {}",
        r.raw()
    );
    if r.status == 200 {
        assert_eq!(r.json()["valid"], false);
    }

    // Ten requests in one write are answered in order; garbage after them ends with an
    // HTTP error or a closed connection, never an answer for the garbage.
    let mut conn = Conn::open(addr(&serve));
    let auth = format!("Bearer {}", fx.valid);
    let mut raw = Vec::new();
    for _ in 0..10 {
        raw.extend(request(
            "GET",
            "/v1/check",
            &[("Authorization", &auth)],
            b"",
        ));
    }
    raw.extend_from_slice(b"\x00\x01\x02GARBAGE ");
    raw.extend_from_slice(fx.valid.as_bytes());
    raw.extend_from_slice(b" \xff\r\n\r\n");
    conn.send(&raw);
    for i in 0..10 {
        let r = conn.read(false).expect("each pipelined request answered");
        assert_eq!(r.status, 204, "pipelined request {i}");
    }
    if let Some(r) = conn.read(false) {
        answers.push_str(&r.raw());
        assert_eq!(r.status, 400, "garbage: {}", r.raw());
    }
    for garbage in [
        &b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"[..],
        b"\r\n\r\n\r\n",
        b"GET\r\n\r\n",
    ] {
        let mut conn = Conn::open(addr(&serve));
        conn.send(garbage);
        if let Some(r) = conn.read(false) {
            answers.push_str(&r.raw());
            assert!((400..500).contains(&r.status), "{garbage:?}: {}", r.raw());
        }
    }
    still_answers(&fx, &serve);
    assert_no_secret(&answers, &fx.secrets(), "the answers");
    assert_no_secret(&serve.log(), &fx.secrets(), "serve's stderr");
}

/// The soft limit on open files of this process (/proc/self/limits).
fn open_file_limit() -> usize {
    std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|limits| {
            limits
                .lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(1024)
}

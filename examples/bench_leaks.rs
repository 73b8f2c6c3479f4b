//! The time `serve` takes to answer a leak report of 1, 100 and 10,000 active keys (each
//! revoked, all in one transaction), and the same report again (a retry: nothing left to
//! revoke), measured from the client: request sent to answer read. The keys are made by
//! `import`; the report is signed with a P-256 key made here, as GitHub's would be.
//!
//! Usage: bench_leaks TOOL [DB] [COUNTS]   (DB defaults to a SQLite file in a temporary
//! directory; COUNTS to 1,100,10000)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use seenty_keys::domain::key::Secret;
use serde_json::json;

fn main() {
    let mut args = std::env::args().skip(1);
    let tool = args.next().expect("usage: bench_leaks TOOL [DB] [COUNTS]");
    let dir = std::env::temp_dir().join(format!("seenty-leaks-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = args
        .next()
        .filter(|db| !db.is_empty())
        .unwrap_or_else(|| dir.join("keys.db").display().to_string());
    let counts: Vec<usize> = args.next().map_or(vec![1, 100, 10_000], |c| {
        c.split(',').map(|n| n.parse().expect("COUNTS")).collect()
    });
    let run = |args: &[&str], input: &str| {
        let mut child = Command::new(&tool)
            .env("SEENTY_KEYS_DB", &db)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the tool");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write");
        let out = child.wait_with_output().expect("wait");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{args:?}: {err}");
    };
    run(&["init", "--org", "bench", "--plan", "enterprise"], "");
    let rng = SystemRandom::new();
    let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
    let pair =
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap();
    let keys_file = dir.join("github-keys.json");
    std::fs::write(&keys_file, listing(&pair)).expect("write the keys");
    let keys_file = keys_file.display().to_string();
    let mut serve = Command::new(&tool)
        .env("SEENTY_KEYS_DB", &db)
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--leak-keys",
            &keys_file,
        ])
        .stderr(Stdio::piped())
        .spawn()
        .expect("start serve");
    let port = listening_port(serve.stderr.take().expect("stderr"));
    println!("tokens  answer (revoking)  answer (retry)");
    for (round, &count) in counts.iter().enumerate() {
        let secrets: Vec<Secret> = (0..count).map(|_| Secret::generate().unwrap()).collect();
        run(&["import", "--merge"], &import_lines(round, &secrets));
        let body = report(&secrets);
        let signature = base64::engine::general_purpose::STANDARD
            .encode(pair.sign(&rng, &body).unwrap().as_ref());
        let first = post(port, &signature, &body);
        let retry = post(port, &signature, &body);
        println!("{count:>6}  {:>17.1?}  {:>14.1?}", first, retry);
    }
    let _ = serve.kill();
    let _ = serve.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// GitHub's listing of the one public key, `bench`.
fn listing(pair: &EcdsaKeyPair) -> String {
    // A P-256 SubjectPublicKeyInfo: a fixed header, then the point.
    let mut der = vec![
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08,
        0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];
    der.extend_from_slice(pair.public_key().as_ref());
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let pem = format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n");
    json!({"public_keys": [{"key_identifier": "bench", "key": pem, "is_current": true}]})
        .to_string()
}

/// `import --merge` lines adding the keys to organization `bench`.
fn import_lines(round: usize, secrets: &[Secret]) -> String {
    let mut lines = json!({"type":"header","format":"seenty-keys-export","version":1}).to_string();
    let created = chrono::Utc::now() - chrono::TimeDelta::hours(1);
    let created = created.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    for (i, secret) in secrets.iter().enumerate() {
        let line = json!({"type": "key", "id": format!("key_bench{round}x{i}"), "org": "bench",
            "name": format!("Bench {round} {i}"), "hash": format!("{:?}", secret.hash()),
            "hint": secret.hint().0, "created_at": created, "expires_at": null,
            "revoked_at": null, "revoke_reason": null, "rotated_from": null});
        lines.push('\n');
        lines.push_str(&line.to_string());
    }
    lines.push('\n');
    lines
}

fn report(secrets: &[Secret]) -> Vec<u8> {
    let items: Vec<_> = secrets
        .iter()
        .map(|s| {
            json!({"token": s.expose(), "type": "seenty_api_key",
                   "url": "https://github.com/octo/leaky/blob/main/.env", "source": "content"})
        })
        .collect();
    serde_json::to_vec(&items).unwrap()
}

fn listening_port(stderr: std::process::ChildStderr) -> u16 {
    let mut lines = BufReader::new(stderr).lines();
    for line in lines.by_ref() {
        let line = line.expect("stderr");
        if let Some(addr) = line.strip_prefix("listening on http://") {
            let port = addr.rsplit(':').next().unwrap().parse().unwrap();
            // Keep draining the log so the service never blocks on it.
            std::thread::spawn(move || lines.for_each(drop));
            return port;
        }
    }
    panic!("serve did not start");
}

/// One signed report; the time from sending it to reading the whole answer.
fn post(port: u16, signature: &str, body: &[u8]) -> Duration {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "POST /v1/leaks/github HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\
         Content-Length: {}\r\nGithub-Public-Key-Identifier: bench\r\n\
         Github-Public-Key-Signature: {signature}\r\n\r\n",
        body.len()
    );
    let start = Instant::now();
    stream.write_all(head.as_bytes()).expect("write");
    stream.write_all(body).expect("write");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).expect("read");
    let elapsed = start.elapsed();
    assert!(
        answer.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&answer[..answer.len().min(300)])
    );
    elapsed
}

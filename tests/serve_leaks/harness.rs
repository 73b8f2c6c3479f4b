//! The provider a leak-report test plays: a P-256 key pair made here, its public keys in
//! GitHub's listing (served from a file or a loopback HTTP server), and signed reports
//! sent to a `serve` process (the serve tests' harness).

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use ring::rand::SystemRandom;
use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::serve::{Reply, Serve};

/// One signing key of the provider, under its identifier.
pub struct SigningKey {
    pub id: String,
    pair: EcdsaKeyPair,
}

impl SigningKey {
    pub fn new(id: &str) -> Self {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        let pair = EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng)
            .unwrap();
        Self {
            id: id.to_owned(),
            pair,
        }
    }

    /// The base64 DER signature of `body`, as the provider's header carries it.
    pub fn sign(&self, body: &[u8]) -> String {
        let signature = self.pair.sign(&SystemRandom::new(), body).unwrap();
        base64::engine::general_purpose::STANDARD.encode(signature.as_ref())
    }

    /// The public key as PEM (a P-256 SubjectPublicKeyInfo: a fixed header, the point).
    fn pem(&self) -> String {
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        der.extend_from_slice(self.pair.public_key().as_ref());
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }
}

/// The provider's listing of `keys`, in GitHub's shape.
pub fn listing(keys: &[&SigningKey]) -> String {
    let keys: Vec<Value> = keys
        .iter()
        .map(|k| json!({"key_identifier": k.id, "key": k.pem(), "is_current": true}))
        .collect();
    json!({ "public_keys": keys }).to_string()
}

/// A report of `tokens`, each found at its own URL.
pub fn report(tokens: &[&str]) -> Vec<u8> {
    let items: Vec<Value> = tokens
        .iter()
        .enumerate()
        .map(|(i, t)| {
            json!({"token": t, "type": "seenty_api_key",
                   "url": format!("https://github.com/octo/leaky/blob/main/f{i}.env"),
                   "source": "content"})
        })
        .collect();
    serde_json::to_vec(&items).unwrap()
}

pub fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A loopback HTTP server that answers every request with the current listing (or a
/// 500 when it is empty), counting the requests.
pub struct KeyServer {
    pub url: String,
    pub listing: Arc<Mutex<String>>,
    pub hits: Arc<AtomicUsize>,
}

impl KeyServer {
    pub fn start(listing: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/meta/public_keys", listener.local_addr().unwrap());
        let listing = Arc::new(Mutex::new(listing));
        let hits = Arc::new(AtomicUsize::new(0));
        let (shared, count) = (listing.clone(), hits.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                count.fetch_add(1, Ordering::SeqCst);
                let body = shared.lock().unwrap().clone();
                let _ = answer(stream, &body);
            }
        });
        Self { url, listing, hits }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

fn answer(mut stream: TcpStream, body: &str) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let status = if body.is_empty() {
        "500 Oops"
    } else {
        "200 OK"
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

/// Sends a report signed by `key` (its id and signature in GitHub's headers).
pub fn send_report(serve: &Serve, key: &SigningKey, body: &[u8]) -> Reply {
    let signature = key.sign(body);
    let headers = [
        ("Github-Public-Key-Identifier", key.id.as_str()),
        ("Github-Public-Key-Signature", signature.as_str()),
    ];
    serve.request("POST", "/v1/leaks/github", &headers, body)
}

pub fn json(reply: &Reply) -> Value {
    serde_json::from_slice(&reply.body).unwrap_or_else(|e| panic!("{e}: {}", reply.text()))
}

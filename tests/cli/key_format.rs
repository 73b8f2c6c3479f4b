//! An independent check of the key format, its checksum and the stored hash are
//! recomputed here from the documented format (crc32fast and sha2 directly, base 62 by hand),
//! not through the code under test; the store files are read byte by byte.

use sha2::{Digest, Sha256};

use crate::common::{TestEnv, contains, store_files};

const DIGITS: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn base62_padded(mut n: u64) -> String {
    let mut out = Vec::new();
    while n > 0 {
        out.push(DIGITS[(n % 62) as usize]);
        n /= 62;
    }
    while out.len() < 6 {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap()
}

#[test]
fn keys_follow_the_spec_format_and_checksum() {
    let env = TestEnv::with_org("acme", "enterprise");
    let mut seen = std::collections::HashSet::new();
    for i in 0..20 {
        let key = env.generate(&format!("Integration {i}"));
        assert_eq!(key.len(), 36, "{key}");
        assert!(key.starts_with("sk_live_"));
        assert!(key[8..].bytes().all(|b| b.is_ascii_alphanumeric()));
        let expected = base62_padded(u64::from(crc32fast::hash(&key.as_bytes()[..30])));
        assert_eq!(&key[30..], expected, "checksum of {key}");
        assert!(seen.insert(key));
    }
}

#[test]
fn the_store_keeps_the_sha256_and_never_the_secret() {
    let env = TestEnv::with_org("acme", "pro");
    if env.is_postgres() {
        // The database's files are the server's; every row it holds is searched instead.
        let keys: Vec<String> = (0..3)
            .map(|i| env.generate(&format!("Pipeline {i}")))
            .collect();
        let rows = env.snapshot();
        for key in &keys {
            assert!(!contains(&rows, key.as_bytes()), "secret in the database");
            assert!(
                !contains(&rows, &key.as_bytes()[8..30]),
                "random part in the database"
            );
            let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            let stored = env.query_value(&format!(
                "SELECT encode(hash, 'hex') FROM keys WHERE hash = '\\x{hex}'::bytea"
            ));
            assert_eq!(stored.as_deref(), Some(hex.as_str()));
        }
        return;
    }
    // Holding a connection open keeps the -wal and -shm files from being removed when the
    // tool exits, so they are searched too.
    let holder = rusqlite::Connection::open(&env.db).unwrap();
    let _: i64 = holder
        .query_row("SELECT count(*) FROM keys", [], |r| r.get(0))
        .unwrap();
    let keys: Vec<String> = (0..3)
        .map(|i| env.generate(&format!("Pipeline {i}")))
        .collect();

    let files = store_files(&env.db);
    assert!(
        files.len() == 3,
        "expected the main file, -wal and -shm: {:?}",
        files.iter().map(|f| &f.0).collect::<Vec<_>>()
    );
    for key in &keys {
        let random = &key[8..30];
        for (path, bytes) in &files {
            assert!(
                !contains(bytes, key.as_bytes()),
                "secret in {}",
                path.display()
            );
            assert!(
                !contains(bytes, random.as_bytes()),
                "random part in {}",
                path.display()
            );
        }
        // `printf %s "$KEY" | sha256sum` is what the store holds.
        let digest: [u8; 32] = Sha256::digest(key.as_bytes()).into();
        let stored: Vec<u8> = holder
            .query_row(
                "SELECT hash FROM key_hashes WHERE hash = ?1",
                [&digest[..]],
                |r| r.get(0),
            )
            .expect("the SHA-256 of the whole key is stored");
        assert_eq!(stored, digest);
        let hint = env.key_named(&format!(
            "Pipeline {}",
            keys.iter().position(|k| k == key).unwrap()
        ))["hint"]
            .clone();
        assert_eq!(hint, format!("sk_live_…{}", &key[32..]));
    }
    drop(holder);
}

#[test]
fn sha256sum_of_the_key_matches_the_stored_hash() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("Terraform integration");
    let out = std::process::Command::new("sh")
        .args(["-c", "printf %s \"$1\" | sha256sum", "sh", &key])
        .output()
        .unwrap();
    let hex = String::from_utf8(out.stdout).unwrap();
    let hex = hex.split_whitespace().next().unwrap().to_owned();
    let sql = if env.is_postgres() {
        "SELECT encode(hash, 'hex') FROM keys"
    } else {
        "SELECT lower(hex(hash)) FROM key_hashes"
    };
    assert_eq!(env.query_value(sql), Some(hex));
}

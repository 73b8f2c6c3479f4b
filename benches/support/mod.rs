//! Stores of N real keys for the benchmarks, built fast: one transaction, no audit trail.
//! Shared by the criterion benches and `examples/bench_store.rs`.

#![allow(dead_code)] // each user takes a different part

use std::io::Write;
use std::path::{Path, PathBuf};

use seenty_keys::domain::key::Secret;
use seenty_keys::domain::plan::PlanId;
use seenty_keys::lifecycle::{Actor, Session};
use seenty_keys::store::{self, Location};

/// Builds `dir/keys.db` with `n` keys in organization `bench` (Enterprise) and writes the
/// secrets to `dir/keys.txt`, unless both already exist.
pub fn build(n: usize, dir: &Path) -> Result<PathBuf, Box<dyn std::error::Error>> {
    let db = dir.join("keys.db");
    let secrets_path = dir.join("keys.txt");
    if db.exists() && secrets_path.exists() {
        return Ok(db);
    }
    std::fs::create_dir_all(dir)?;
    let _ = std::fs::remove_file(&db);
    let now = {
        let (store, _) = store::create(&Location::Sqlite(db.clone()))?;
        let mut session = Session::on(store, Actor::Named("bench".into()))?;
        session.create_org("bench", "Bench", PlanId::Enterprise)?;
        session.now()
    };
    let conn = seenty_keys::store::sqlite::connection_with_functions(&db)?;
    conn.execute_batch("BEGIN")?;
    let mut secrets = std::io::BufWriter::new(std::fs::File::create(&secrets_path)?);
    {
        let mut insert = conn.prepare(
            "INSERT INTO keys (org_id, name, name_tag, hint, created_at) \
             VALUES (1, ?1, name_tag(?1), ?2, ?3)",
        )?;
        let mut insert_hash =
            conn.prepare("INSERT INTO key_hashes (hash, key_id) VALUES (?1, ?2)")?;
        for i in 0..n {
            let secret = Secret::generate()?;
            insert.execute(rusqlite::params![
                format!("Integration {i}"),
                secret.hint().0,
                now.timestamp()
            ])?;
            insert_hash.execute(rusqlite::params![
                &secret.hash().0[..],
                conn.last_insert_rowid()
            ])?;
            writeln!(secrets, "{}", secret.expose())?;
        }
    }
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);")?;
    secrets.flush()?;
    Ok(db)
}

/// The secrets of a store built by [`build`].
pub fn secrets(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("keys.txt"))
        .map(|text| text.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// Where the benches keep their stores between runs: `target/bench-stores/<n>`.
pub fn dir_for(n: usize) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("target/bench-stores")
        .join(n.to_string())
}

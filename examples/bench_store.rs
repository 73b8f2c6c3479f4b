//! Builds a store of N keys for the benchmarks, fast: one transaction, real keys.
//!
//! `cargo run --release --example bench_store -- N DIR` writes `DIR/keys.db` (organization
//! `bench` on Enterprise) and `DIR/keys.txt` (the N secrets, one per line), so that
//! whole-process benchmarks can verify real keys.

use std::io::Write;

use seenty_keys::domain::key::{Secret, new_id};
use seenty_keys::store::{self, Location};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: bench_store N DIR")?.parse()?;
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: bench_store N DIR")?);
    std::fs::create_dir_all(&dir)?;
    let db = dir.join("keys.db");
    let stamp = store::Stamp {
        now: chrono::Utc::now(),
        actor: "bench".into(),
    };
    {
        let (mut store, _) = store::create(&Location::Sqlite(db.clone()))?;
        store.create_org(
            "bench",
            "Bench",
            seenty_keys::domain::plan::PlanId::Enterprise,
            &stamp,
        )?;
    }
    let conn = rusqlite::Connection::open(&db)?;
    conn.execute_batch("BEGIN")?;
    let mut secrets = std::io::BufWriter::new(std::fs::File::create(dir.join("keys.txt"))?);
    {
        let mut insert = conn.prepare(
            "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at) VALUES (?1, 1, ?2, ?3, ?4, ?5)",
        )?;
        for i in 0..n {
            let secret = Secret::generate()?;
            insert.execute(rusqlite::params![
                new_id()?,
                format!("Integration {i}"),
                &secret.hash().0[..],
                secret.hint().0,
                stamp.now.timestamp()
            ])?;
            writeln!(secrets, "{}", secret.expose())?;
        }
    }
    conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);")?;
    secrets.flush()?;
    Ok(())
}

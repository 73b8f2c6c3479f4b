//! Builds a store of N keys for the whole-process benchmarks.
//!
//! `cargo run --release --example bench_store -- N DIR` writes `DIR/keys.db` (organization
//! `bench` on Enterprise) and `DIR/keys.txt` (the N secrets, one per line).

#[path = "../benches/support/mod.rs"]
mod support;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().ok_or("usage: bench_store N DIR")?.parse()?;
    let dir = std::path::PathBuf::from(args.next().ok_or("usage: bench_store N DIR")?);
    support::build(n, &dir)?;
    Ok(())
}

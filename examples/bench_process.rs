//! The whole-process benchmark harness: runs the process floor (a hello world), one
//! `seenty-keys verify`, and the script an admin would write instead (`sha256sum` plus
//! the `sqlite3` CLI on a hex column) interleaved, round after round, and prints medians
//! and ratios; then times `generate`, `list`, `list --json`, `report`, `report --json`
//! and `verify --batch`.
//!
//! Driven by `scripts/bench-process`, which builds the binaries and the stores:
//! `bench_process TOOL HELLO DIR ROUNDS` with `DIR/keys.db`, `DIR/keys.txt`,
//! `DIR/naive.db` in place.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NAIVE: &str = r#"h=$(printf %s "$1" | sha256sum); h=${h%% *}
sqlite3 "$2" "UPDATE keys SET last_used = strftime('%s','now') WHERE hash = '$h' RETURNING id" | grep -q ."#;

fn time(cmd: &mut Command) -> Duration {
    time_exiting(cmd, &[0])
}

/// [`time`] for a command whose exit status is one of `codes`.
fn time_exiting(cmd: &mut Command, codes: &[i32]) -> Duration {
    let start = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status();
    let elapsed = start.elapsed();
    match status {
        Ok(s) if s.code().is_some_and(|c| codes.contains(&c)) => elapsed,
        other => panic!("{cmd:?} failed: {other:?}"),
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [tool, hello, dir, rounds] = &args[..] else {
        eprintln!("usage: bench_process TOOL HELLO DIR ROUNDS");
        std::process::exit(2);
    };
    let (tool, hello, dir) = (
        PathBuf::from(tool),
        PathBuf::from(hello),
        PathBuf::from(dir),
    );
    let rounds: usize = rounds.parse().expect("ROUNDS");
    let db = dir.join("keys.db");
    let naive_db = dir.join("naive.db");
    let keys: Vec<String> = std::fs::read_to_string(dir.join("keys.txt"))
        .expect("keys.txt")
        .lines()
        .map(str::to_owned)
        .collect();
    let n = keys.len();
    // The figures are for stores in the page cache, as stores in use are: read both once
    // so that neither side waits on the disk (this machine's cache does not keep a large
    // store between runs).
    for file in [&db, &naive_db] {
        std::fs::read(file).expect("warm the page cache");
    }

    let (mut floor, mut verify, mut naive) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let key = &keys[(round * 7919) % n];
        floor.push(time(&mut Command::new(&hello)));
        verify.push(time(
            Command::new(&tool)
                .env("SEENTY_KEYS_DB", &db)
                .args(["verify", key]),
        ));
        naive.push(time(
            Command::new("sh")
                .args(["-c", NAIVE, "sh", key])
                .arg(&naive_db),
        ));
    }
    let (floor, verify, naive) = (median(floor), median(verify), median(naive));
    println!("keys {n}: median of {rounds} interleaved rounds");
    println!("  floor (hello world)     {:>7.3} ms", ms(floor));
    println!(
        "  seenty-keys verify      {:>7.3} ms   {:.2}x the floor",
        ms(verify),
        ms(verify) / ms(floor)
    );
    println!(
        "  sha256sum + sqlite3     {:>7.3} ms   {:.2}x slower than verify",
        ms(naive),
        ms(naive) / ms(verify)
    );

    // Whole-store runs are few and long: the median of three.
    let batch = median(
        (0..3)
            .map(|_| {
                let keys = std::fs::File::open(dir.join("keys.txt")).expect("keys.txt");
                time(
                    Command::new(&tool)
                        .env("SEENTY_KEYS_DB", &db)
                        .args(["verify", "--batch"])
                        .stdin(keys),
                )
            })
            .collect(),
    );
    println!(
        "  verify --batch          {:>7.0} keys/s ({n} keys, last used recorded)",
        n as f64 / batch.as_secs_f64()
    );

    // `report` exits 1 when it finds something: here every key, none of which expires.
    for (label, args, codes) in [
        ("list", &["list"][..], &[0][..]),
        ("list --json", &["--json", "list"][..], &[0][..]),
        ("report", &["report"][..], &[0, 1][..]),
        ("report --json", &["--json", "report"][..], &[0, 1][..]),
    ] {
        let took = median(
            (0..3)
                .map(|_| {
                    time_exiting(
                        Command::new(&tool).env("SEENTY_KEYS_DB", &db).args(args),
                        codes,
                    )
                })
                .collect(),
        );
        println!("  {label:<23} {:>7.1} ms", ms(took));
    }
    generate(&tool, &dir, &floor);
    let size: u64 = ["keys.db", "keys.db-wal", "keys.db-shm"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!("  store size              {:>7.1} MB", size as f64 / 1e6);
}

/// `generate` one key per process into a fresh store, 2000 times in a row: the median,
/// and the first and last 200 compared, to see whether the time per key grows.
fn generate(tool: &Path, dir: &Path, floor: &Duration) {
    let db = dir.join("generate.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let init = Command::new(tool)
        .env("SEENTY_KEYS_DB", &db)
        .args(["init", "--org", "gen", "--plan", "enterprise"])
        .stdout(Stdio::null())
        .status()
        .expect("init");
    assert!(init.success());
    let times: Vec<Duration> = (0..2000)
        .map(|i| {
            let start = Instant::now();
            let out = Command::new(tool)
                .env("SEENTY_KEYS_DB", &db)
                .args(["generate", "--name", &format!("Pipeline {i}")])
                .stderr(Stdio::null())
                .output()
                .expect("generate");
            assert!(out.status.success() && out.stdout.len() == 37);
            start.elapsed()
        })
        .collect();
    let first = median(times[..200].to_vec());
    let last = median(times[times.len() - 200..].to_vec());
    let all = median(times);
    println!(
        "  generate (1 per process) {:>6.3} ms   {:.2}x the floor; first 200 {:.3} ms, last 200 {:.3} ms",
        ms(all),
        ms(all) / ms(*floor),
        ms(first),
        ms(last)
    );
}

//! `verify --batch` as a co-process: one key written, one answer read, round after round.
//! Prints the median and the 99th percentile of a round trip, with and without
//! `--no-touch`.
//!
//! Usage: bench_roundtrip TOOL [ROUNDS]   (a store is made in a temporary directory)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let tool = args.next().expect("usage: bench_roundtrip TOOL [ROUNDS]");
    let rounds: usize = args.next().map_or(5000, |r| r.parse().expect("ROUNDS"));
    let dir = std::env::temp_dir().join(format!("seenty-roundtrip-{}", std::process::id()));
    let db = dir.join("keys.db");
    let run = |args: &[&str]| {
        let out = Command::new(&tool)
            .env("SEENTY_KEYS_DB", &db)
            .args(args)
            .output()
            .expect("run the tool");
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    };
    run(&["init", "--org", "bench", "--plan", "enterprise"]);
    let key = run(&["generate", "--name", "Round trip"]).trim().to_owned();
    for extra in [&[][..], &["--no-touch"][..]] {
        let mut child = Command::new(&tool)
            .env("SEENTY_KEYS_DB", &db)
            .args(["verify", "--batch"])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start verify --batch");
        let mut input = child.stdin.take().expect("stdin");
        let mut output = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let mut times: Vec<Duration> = Vec::with_capacity(rounds);
        for round in 0..rounds + 100 {
            let start = Instant::now();
            writeln!(input, "{key}").expect("write");
            input.flush().expect("flush");
            line.clear();
            output.read_line(&mut line).expect("read");
            // The first rounds open the store and warm it: not measured.
            if round >= 100 {
                times.push(start.elapsed());
            }
            assert!(line.starts_with("valid "), "{line:?}");
        }
        drop(input);
        let _ = child.wait();
        times.sort();
        let at = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
        println!(
            "verify --batch {:<12} round trip over {rounds} rounds: p50 {:>6.1} µs  p99 {:>6.1} µs",
            extra.join(" "),
            at(0.5).as_secs_f64() * 1e6,
            at(0.99).as_secs_f64() * 1e6
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

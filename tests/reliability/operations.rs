//! The operations under concurrency and crashes: `rotate` racing `rotate` on one key, and
//! SIGKILL at random points during `rotate` and `verify --batch`.
//!
//! Afterwards the store is whole and the audit trail matches it (`audit::check`), every
//! rotation a process acknowledged is there, the rotation chain has no orphan (every key
//! but the first was rotated from another), and exactly one key of the chain is live
//! without a successor.

use std::io::Write;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::{TestEnv, audit, process::command, sqlite_only};

const REASON: &str = "the replay reads the SQLite file";

#[test]
fn rotate_racing_rotate_on_one_key_has_exactly_one_winner() {
    let env = TestEnv::with_org("acme", "pro");
    let old = env.generate("CI");
    let id = env.key_named("CI")["id"].as_str().unwrap().to_owned();
    for round in 0..3 {
        let target = if round == 0 {
            id.clone()
        } else {
            env.keys().last().unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        };
        let children: Vec<_> = (0..12)
            .map(|_| {
                command(&env, &["rotate", &target, "--yes"])
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let winners: Vec<_> = outs.iter().filter(|o| o.status.success()).collect();
        assert_eq!(winners.len(), 1, "round {round}: exactly one rotation wins");
        for loser in outs.iter().filter(|o| !o.status.success()) {
            assert_eq!(
                loser.status.code(),
                Some(1),
                "{}",
                String::from_utf8_lossy(&loser.stderr)
            );
            assert!(loser.stdout.is_empty(), "a loser printed a key");
        }
        let new = String::from_utf8(winners[0].stdout.clone()).unwrap();
        env.run(&["verify", new.trim()]).status(0);
    }
    env.run(&["verify", &old]).status(1).stderr_has("REVOKED");
    let keys = env.keys();
    assert_eq!(keys.len(), 4, "one new key per round, no orphan");
    for pair in keys.windows(2) {
        assert_eq!(pair[0]["rotated_to"], pair[1]["id"]);
        assert_eq!(pair[1]["rotated_from"], pair[0]["id"]);
    }
    if !sqlite_only(REASON) {
        audit::settle(&env.db);
        audit::check(&env.db).expect("the audit trail matches the store");
    }
}

/// xorshift64: kill points, reproducible from the seed printed on failure.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
}

#[test]
fn kills_during_rotate_and_batch_verify_leave_a_whole_store() {
    if sqlite_only(REASON) {
        return;
    }
    // Enterprise: rotations in their grace period pile up without meeting a limit.
    let env = TestEnv::with_org("acme", "enterprise");
    let first = env.generate("CI");
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    println!("seed {seed}");
    let mut rng = Rng(seed);
    let mut acknowledged = vec![first];
    let (mut kills, mut runs) = (0, 0);
    let mut typical = Duration::from_millis(5);
    while kills < 80 && runs < 240 {
        runs += 1;
        let batch = runs % 2 == 0;
        let mut child = if batch {
            let mut cmd = command(&env, &["verify", "--batch"]);
            cmd.stdin(Stdio::piped());
            let mut child = cmd.spawn().unwrap();
            let mut input = child.stdin.take().unwrap();
            let lines: String = acknowledged
                .iter()
                .cycle()
                .take(3000)
                .map(|k| format!("{k}\n"))
                .collect();
            // The child may be killed before it reads everything: a broken pipe is fine.
            let _ = input.write_all(lines.as_bytes());
            drop(input);
            child
        } else {
            command(&env, &["rotate", "CI", "--grace", "1h", "--yes"])
                .spawn()
                .unwrap()
        };
        let start = Instant::now();
        let kill = rng.below(4) != 0;
        if kill {
            std::thread::sleep(Duration::from_micros(
                rng.below(typical.as_micros() as u64 * 3 / 2),
            ));
            if child.kill().is_ok() {
                kills += 1;
            }
        }
        let out = child.wait_with_output().unwrap();
        if !kill {
            typical = (typical + start.elapsed()) / 2;
        }
        if !batch && out.status.success() {
            acknowledged.push(String::from_utf8(out.stdout).unwrap().trim().to_owned());
        }
        assert!(
            out.status.code().is_none_or(|c| c <= 1),
            "seed {seed}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    println!(
        "{runs} runs, {kills} killed, {} rotations acknowledged",
        acknowledged.len() - 1
    );
    assert!(kills >= 40, "seed {seed}: too few kills landed ({kills})");

    // Every acknowledged key is stored (valid, or revoked by a later rotation).
    for key in &acknowledged {
        let out = env.run(&["--json", "verify", "--no-touch", key]);
        let code = out.json()["code"].clone();
        assert!(
            code.is_null() || code == "REVOKED",
            "seed {seed}: acknowledged key lost: {code}"
        );
    }
    let keys = env.keys();
    assert!(keys.len() >= acknowledged.len(), "seed {seed}");
    assert!(
        keys[1..].iter().all(|k| k["rotated_from"].is_string()),
        "seed {seed}: an orphan key"
    );
    let heads = keys.iter().filter(|k| k["rotated_to"].is_null()).count();
    assert_eq!(heads, 1, "seed {seed}: the chain has one head");
    audit::settle(&env.db);
    audit::assert_intact(&env.db);
    audit::check(&env.db).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
}

//! Crashes: processes killed with SIGKILL at random points, several at a time.
//!
//! Afterwards the store must be whole (`PRAGMA integrity_check`), every change a command
//! acknowledged (exit 0) must be there, the audit trail must match the state (see
//! `audit::replay`), and no key may exist that nobody saw: every stored hash is the
//! SHA-256 of a secret some process printed.
//!
//! Four workers run `generate`, `revoke` (by id and by the secret on stdin), `verify` and
//! `org set-plan` on one store. Three runs in four are killed after a delay drawn
//! uniformly over 1.5 times the median time of recent runs left alone, so kills land
//! before the store is opened, while waiting for the lock, inside the write transaction,
//! between showing a secret and committing it, and after the exit. The test stops after
//! 320 kills (or 1000 runs). `SEENTY_CRASH_SEED=n` replays the same choices of command
//! and delay (not the same interleaving).

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::common::{TestEnv, audit, process::command, sqlite_only};

const REASON: &str = "the replay after the kills reads the SQLite file";

/// xorshift64*: enough randomness for kill points, and reproducible from a seed.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed | 1)
    }
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn seed() -> u64 {
    std::env::var("SEENTY_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

/// Runs the command and SIGKILLs it after `delay` unless it has exited by then (`None`:
/// lets it finish). Returns the output and whether the kill is what ended it.
fn run_and_kill(
    mut cmd: Command,
    stdin: Option<&str>,
    delay: Option<Duration>,
) -> (Output, bool, Duration) {
    let start = Instant::now();
    if stdin.is_some() {
        cmd.stdin(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn");
    if let Some(text) = stdin {
        // The child may already be dead: a broken pipe here is part of the game.
        let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
    }
    if let Some(delay) = delay {
        thread::sleep(delay);
        // SIGKILL; a child that already exited (but is not reaped yet) is unaffected.
        let _ = child.kill();
    }
    let out = child.wait_with_output().expect("wait");
    let killed = out.status.signal() == Some(9);
    (out, killed, start.elapsed())
}

/// Every whole `sk_live_` token in some output.
fn secrets_in(bytes: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(bytes);
    text.match_indices("sk_live_")
        .filter_map(|(at, _)| text.get(at..at + 36))
        .filter(|t| t[8..].bytes().all(|b| b.is_ascii_alphanumeric()))
        .map(str::to_owned)
        .collect()
}

fn sha256(text: &str) -> Vec<u8> {
    Sha256::digest(text.as_bytes()).to_vec()
}

/// How long `generate` normally takes here, to spread the kills over its whole run;
/// also returns the keys it made.
fn typical_generate(env: &TestEnv) -> (Duration, Vec<String>) {
    let mut keys = Vec::new();
    let mut longest = Duration::ZERO;
    for i in 0..3 {
        let start = Instant::now();
        let out = command(
            env,
            &[
                "--org",
                "acme",
                "generate",
                "--name",
                &format!("Calibration {i}"),
            ],
        )
        .output()
        .unwrap();
        longest = longest.max(start.elapsed());
        assert!(out.status.success());
        keys.extend(secrets_in(&out.stdout));
    }
    (longest, keys)
}

#[derive(Default)]
struct Log {
    /// id -> (org, secret) of every generate that exited 0.
    acked_keys: HashMap<String, (String, String)>,
    /// ids whose revoke exited 0.
    acked_revokes: HashSet<String>,
    /// ids some revoke (finished or killed) was aimed at.
    revoke_attempts: HashSet<String>,
    /// every secret any process printed, killed or not.
    seen_secrets: HashSet<String>,
    kills: usize,
    processes: usize,
    /// Run times of the runs left alone, in µs: the kill window follows the load.
    lone_runs: Vec<u64>,
}

impl Log {
    /// Kills are drawn over 1.5 times the median recent run time.
    fn window(&self) -> u64 {
        let mut recent: Vec<u64> = self.lone_runs.iter().rev().take(15).copied().collect();
        recent.sort_unstable();
        (recent[recent.len() / 2] * 3 / 2).max(1)
    }
}

/// One step of the crash test: the arguments, stdin, and the key a revoke aims at.
struct Step {
    op: &'static str,
    args: Vec<String>,
    stdin: Option<String>,
    target: Option<String>,
}

fn step(rng: &mut Rng, n: usize, known: Option<(String, String, String)>) -> Step {
    let args = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    let name = format!("Job {n}");
    let roll = rng.below(100);
    let (id, org, key) = match known {
        Some(known) if roll >= 55 => known,
        _ => {
            let org = if roll < 40 { "acme" } else { "beta" };
            let args = args(&["--json", "--org", org, "generate", "--name", &name]);
            return Step {
                op: "generate",
                args,
                stdin: None,
                target: None,
            };
        }
    };
    let reason = format!("crash test {n}");
    match roll {
        55..70 => Step {
            op: "revoke",
            args: args(&["--org", &org, "revoke", &id, "--yes", "--reason", &reason]),
            stdin: None,
            target: Some(id),
        },
        70..80 => Step {
            op: "revoke",
            args: args(&["revoke", "-", "--yes"]),
            stdin: Some(key),
            target: Some(id),
        },
        80..90 => Step {
            op: "verify",
            args: args(&["verify", &key]),
            stdin: None,
            target: None,
        },
        _ => {
            let plan = ["starter", "pro", "ultra"][rng.below(3) as usize];
            let args = args(&["--org", "beta", "org", "set-plan", plan, "--yes"]);
            Step {
                op: "set-plan",
                args,
                stdin: None,
                target: None,
            }
        }
    }
}

#[test]
fn sigkill_during_generate_revoke_verify_and_set_plan_loses_nothing() {
    if sqlite_only(REASON) {
        return;
    }
    const WORKERS: u64 = 4;
    const TARGET_KILLS: usize = 320;
    const MAX_PROCESSES: usize = 1000;
    let seed = seed();
    println!("seed {seed} (SEENTY_CRASH_SEED={seed} replays the same choices)");
    let env = Arc::new(TestEnv::with_org("acme", "enterprise"));
    env.run(&["org", "create", "beta", "--plan", "pro"])
        .status(0);
    let (generate_time, calibration_keys) = typical_generate(&env);

    let log = Arc::new(Mutex::new(Log::default()));
    {
        let mut log = log.lock().unwrap();
        log.seen_secrets.extend(calibration_keys);
        log.lone_runs.push(generate_time.as_micros() as u64 * 2);
    }
    let names = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|w| {
            let (env, log, names) = (env.clone(), log.clone(), names.clone());
            thread::spawn(move || {
                let mut rng = Rng::new(seed.wrapping_add(w.wrapping_mul(0x9E37_79B9_7F4A_7C15)));
                loop {
                    let (window, known) = {
                        let log = log.lock().unwrap();
                        if log.kills >= TARGET_KILLS || log.processes >= MAX_PROCESSES {
                            break;
                        }
                        let ids: Vec<_> = log.acked_keys.iter().collect();
                        let known = (!ids.is_empty()).then(|| {
                            let (id, (org, key)) = ids[rng.below(ids.len() as u64) as usize];
                            (id.clone(), org.clone(), key.clone())
                        });
                        (log.window(), known)
                    };
                    // One run in four is left alone, so changes keep being acknowledged.
                    let delay = match rng.below(4) {
                        0 => None,
                        _ => Some(Duration::from_micros(rng.below(window))),
                    };
                    let step = step(&mut rng, names.fetch_add(1, Ordering::SeqCst), known);
                    if let Some(id) = &step.target {
                        log.lock().unwrap().revoke_attempts.insert(id.clone());
                    }
                    let args: Vec<&str> = step.args.iter().map(String::as_str).collect();
                    let (out, killed, took) =
                        run_and_kill(command(&env, &args), step.stdin.as_deref(), delay);
                    let mut log = log.lock().unwrap();
                    log.processes += 1;
                    log.seen_secrets.extend(secrets_in(&out.stdout));
                    assert!(secrets_in(&out.stderr).is_empty(), "a secret on stderr");
                    if killed {
                        log.kills += 1;
                        continue;
                    }
                    if delay.is_none() {
                        log.lone_runs.push(took.as_micros() as u64);
                    }
                    let code = out.status.code();
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    match (step.op, code) {
                        ("generate", Some(0)) => {
                            let json: Value =
                                serde_json::from_slice(&out.stdout).expect("generate --json");
                            let id = json["id"].as_str().unwrap().to_owned();
                            let org = json["org"].as_str().unwrap().to_owned();
                            log.acked_keys
                                .insert(id, (org, json["key"].as_str().unwrap().to_owned()));
                        }
                        ("generate", Some(1)) => {
                            assert!(stderr.contains("allows"), "generate refused: {stderr}")
                        }
                        ("revoke", Some(0)) => {
                            log.acked_revokes.insert(step.target.unwrap());
                        }
                        ("verify", Some(0 | 1)) | ("set-plan", Some(0)) => {}
                        _ => panic!("{} {args:?} exited {code:?}: {stderr}", step.op),
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        worker.join().unwrap();
    }

    let log = log.lock().unwrap();
    println!(
        "{} processes, {} killed by SIGKILL, {} keys and {} revocations acknowledged",
        log.processes,
        log.kills,
        log.acked_keys.len(),
        log.acked_revokes.len()
    );
    assert!(
        log.kills >= 100,
        "only {} kills in {} runs",
        log.kills,
        log.processes
    );

    let audit = audit::replay(&env.db);
    println!("store after the kills: {audit:?}");

    let conn = seenty_keys::store::sqlite::connection_with_functions(&env.db).unwrap();
    let ids: HashMap<i64, String> = audit::key_ids(&conn)
        .into_iter()
        .map(|(id, row)| (row, id))
        .collect();
    let stored: HashMap<String, (Vec<u8>, Option<i64>)> = conn
        .prepare(
            "SELECT k.id, h.hash, k.revoked_at FROM keys k JOIN key_hashes h ON h.key_id = k.id",
        )
        .unwrap()
        .query_map([], |r| {
            Ok((ids[&r.get::<_, i64>(0)?].clone(), (r.get(1)?, r.get(2)?)))
        })
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    drop(conn);
    // No key nobody saw: every stored hash belongs to a printed secret.
    let seen: HashSet<Vec<u8>> = log.seen_secrets.iter().map(|s| sha256(s)).collect();
    let stored_hashes: HashSet<&Vec<u8>> = stored.values().map(|(hash, _)| hash).collect();
    let printed_not_stored = seen.iter().filter(|h| !stored_hashes.contains(h)).count();
    println!(
        "{printed_not_stored} secrets printed by a process killed before its commit were not stored"
    );
    let unseen: Vec<_> = stored
        .iter()
        .filter(|(_, (hash, _))| !seen.contains(hash))
        .map(|(id, _)| id)
        .collect();
    assert!(
        unseen.is_empty(),
        "stored keys whose secret nobody saw: {unseen:?}"
    );
    // Every acknowledged key is there, in the state its commands left it.
    for (id, (_, secret)) in &log.acked_keys {
        let (hash, revoked_at) = stored
            .get(id)
            .unwrap_or_else(|| panic!("acknowledged key {id} lost"));
        assert_eq!(*hash, sha256(secret), "{id}: hash");
        if log.acked_revokes.contains(id) {
            assert!(revoked_at.is_some(), "acknowledged revocation of {id} lost");
        } else if revoked_at.is_some() {
            assert!(log.revoke_attempts.contains(id), "{id} revoked by nobody");
        }
    }
    // And the binary agrees: acknowledged keys verify or are revoked, nothing else.
    env.run(&["--org", "beta", "org", "set-plan", "enterprise", "--yes"])
        .status(0);
    for (id, (_, secret)) in log.acked_keys.iter().take(60) {
        let out = env.run(&["verify", "--no-touch", secret]);
        if stored[id].1.is_some() {
            out.status(1).stderr_has("(REVOKED)");
        } else {
            out.status(0).stdout_has(id);
        }
    }
    // The store still takes writes.
    let fresh = env
        .run(&["--org", "acme", "generate", "--name", "After the storm"])
        .status(0)
        .stdout();
    env.run(&["verify", fresh.trim()]).status(0);
    env.run(&["--org", "acme", "revoke", "After the storm", "--yes"])
        .status(0);
    audit::replay(&env.db);
}

#[test]
fn sigkill_during_init_leaves_a_store_that_init_completes() {
    if sqlite_only(REASON) {
        return;
    }
    let seed = seed();
    println!("seed {seed}");
    let mut rng = Rng::new(seed);
    let probe = TestEnv::new();
    let start = Instant::now();
    probe
        .run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    let window = (start.elapsed() * 3 / 2).as_micros() as u64;
    let mut kills = 0;
    for _ in 0..40 {
        let env = TestEnv::new();
        let delay = Some(Duration::from_micros(rng.below(window)));
        let (out, killed, _) = run_and_kill(
            command(&env, &["init", "--org", "acme", "--plan", "pro"]),
            None,
            delay,
        );
        kills += usize::from(killed);
        let again = env.run(&["init", "--org", "acme", "--plan", "pro"]);
        match (killed, out.status.code()) {
            (false, Some(0)) => {
                again.status(1).stderr_has("already exists");
            }
            (true, _) => {
                let code = again.0.status.code();
                assert!(
                    matches!(code, Some(0 | 1)),
                    "init after a killed init: {code:?} {}",
                    again.stderr()
                );
            }
            (false, code) => panic!(
                "init exited {code:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
        let key = env.generate("After init");
        env.run(&["verify", &key]).status(0).stdout_has(" acme ");
        let audit = audit::replay(&env.db);
        assert_eq!((audit.orgs, audit.keys), (1, 1));
    }
    println!("{kills} of 40 init runs killed");
}

/// The checker itself must be able to fail: tampered stores are caught.
#[test]
fn the_audit_replay_catches_a_store_that_lies() {
    if sqlite_only(REASON) {
        return;
    }
    let cases: [(&str, &str); 5] = [
        (
            "a key without its creation event",
            "INSERT INTO keys (org_id, name, name_tag, hint, created_at) \
             VALUES (1, 'Ghost', name_tag('Ghost'), 'abcd', 1); \
             INSERT INTO key_hashes (hash, key_id) VALUES (randomblob(32), last_insert_rowid())",
        ),
        (
            "a revocation without its event",
            "UPDATE keys SET revoked_at = created_at",
        ),
        (
            "an event without its change",
            "INSERT INTO events (at, actor, org_id, key_id, kind, detail) SELECT created_at, 'x', 1, id, 'key_revoked', NULL FROM keys",
        ),
        (
            "a plan change without its event",
            "UPDATE orgs SET plan = 'ultra'",
        ),
        (
            "a key over the plan's limit",
            "INSERT INTO keys (org_id, name, name_tag, hint, created_at) \
             VALUES (1, 'Extra', name_tag('Extra'), 'abcd', 1); \
             INSERT INTO key_hashes (hash, key_id) VALUES (randomblob(32), last_insert_rowid()); \
             INSERT INTO events (at, actor, org_id, key_id, kind) \
             VALUES (1, 'x', 1, (SELECT max(id) FROM keys), 'key_created')",
        ),
    ];
    for (what, sql) in cases {
        let env = TestEnv::with_org("acme", "starter");
        env.generate("CI");
        audit::replay(&env.db);
        env.sql(sql);
        let why = audit::check(&env.db).expect_err(what);
        println!("caught {what}: {why}");
    }
}

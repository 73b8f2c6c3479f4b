//! `verify --batch` as a long-running verifier: a program writes one key and reads its
//! answer (a co-process), and a key revoked or expiring while the batch runs is rejected
//! from the next line on.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use crate::common::{BIN, TestEnv};

/// A running `verify --batch` with its stdin held open.
struct Batch {
    child: Child,
    input: ChildStdin,
    answers: Receiver<String>,
}

impl Batch {
    fn start(env: &TestEnv, args: &[&str]) -> Self {
        let mut cmd = std::process::Command::new(BIN);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", env.path(""))
            .env("SEENTY_KEYS_DB", env.location())
            .args(["verify", "--batch"])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        let mut child = cmd.spawn().expect("start verify --batch");
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let (send, answers) = mpsc::channel();
        thread::spawn(move || {
            for line in output.lines() {
                let Ok(line) = line else { return };
                if send.send(line).is_err() {
                    return;
                }
            }
        });
        Self {
            child,
            input,
            answers,
        }
    }

    /// Writes one line and waits for its answer, with the input left open.
    fn ask(&mut self, line: &str) -> String {
        writeln!(self.input, "{line}").unwrap();
        self.input.flush().unwrap();
        self.answers
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no answer to {line:?} while the input stays open"))
    }

    fn finish(mut self) -> i32 {
        drop(self.input);
        self.child.wait().unwrap().code().unwrap_or(-1)
    }
}

#[test]
fn each_line_is_answered_while_the_input_stays_open() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    let id = env.key_named("CI")["id"].as_str().unwrap().to_owned();
    let mut batch = Batch::start(&env, &[]);
    for _ in 0..3 {
        assert_eq!(batch.ask(&key), format!("valid {id}"));
        assert_eq!(batch.ask("sk_live_nope"), "invalid MALFORMED");
    }
    assert_eq!(batch.finish(), 1);
}

#[test]
fn a_revocation_during_the_batch_rejects_every_later_line() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    let mut batch = Batch::start(&env, &["--no-touch"]);
    assert!(batch.ask(&key).starts_with("valid "));
    env.run(&["revoke", "CI", "--yes"]).status(0);
    assert_eq!(batch.ask(&key), "invalid REVOKED");
    assert_eq!(batch.ask(&key), "invalid REVOKED");
    assert_eq!(batch.finish(), 1);
}

#[test]
fn a_key_expiring_during_the_batch_is_rejected_once_it_has() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    // Two seconds from now, by the store's clock (the server's on PostgreSQL).
    let now = if env.is_postgres() {
        "extract(epoch FROM now())::bigint"
    } else {
        "unixepoch()"
    };
    env.sql(&format!("UPDATE keys SET expires_at = {now} + 2"));
    let mut batch = Batch::start(&env, &[]);
    assert!(batch.ask(&key).starts_with("valid "));
    thread::sleep(Duration::from_secs(3));
    assert_eq!(batch.ask(&key), "invalid EXPIRED");
    assert_eq!(batch.finish(), 1);
}

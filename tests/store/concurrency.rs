//! Plan limits under concurrency: many `generate` processes at once on one store.

use std::process::{Command, Stdio};

use crate::common::{BIN, TestEnv};

#[test]
fn twenty_four_generates_on_a_pro_org_leave_exactly_five_keys() {
    let env = TestEnv::with_org("acme", "pro");
    let children: Vec<_> = (0..24)
        .map(|i| {
            Command::new(BIN)
                .env("SEENTY_KEYS_DB", &env.db)
                .args(["generate", "--name", &format!("Runner {i}")])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        })
        .collect();
    let mut printed = Vec::new();
    let mut refused = 0;
    for child in children {
        let out = child.wait_with_output().expect("wait");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        match out.status.code() {
            Some(0) => printed.push(String::from_utf8(out.stdout).unwrap().trim().to_owned()),
            Some(1) => {
                assert!(
                    stderr.contains("allows 5"),
                    "the limit message, not a lock error: {stderr}"
                );
                assert!(out.stdout.is_empty());
                refused += 1;
            }
            other => panic!("exit {other:?}: {stderr}"),
        }
    }
    assert_eq!(printed.len(), 5);
    assert_eq!(refused, 19);
    let active = env.keys();
    assert_eq!(active.len(), 5);
    // Every key that was printed is stored and valid, and nothing else is.
    for key in &printed {
        env.run(&["verify", key]).status(0);
    }
}

//! `--exec CMD` must read the whole secret: a command that exits 0 without reading it to
//! its end (the key fits in the pipe's buffer, so the write alone proves nothing) is a
//! failed delivery, for `generate` and `rotate` alike, and the slot stays free.

use crate::common::TestEnv;

/// Commands that exit 0 having read none or part of the key.
const NON_READERS: [&str; 4] = [
    "true",
    "head -c 12 > '{f}'",
    "exit 0",
    "dd bs=1 count=20 of='{f}' 2>/dev/null",
];

/// Commands that take the whole key, as `gh secret set` (which reads all of its
/// standard input) or a line-reading script would.
const READERS: [&str; 3] = [
    "cat > '{f}'",
    "IFS= read -r token && printf '%s' \"$token\" > '{f}'",
    "tr -d '\\n' > '{f}'",
];

fn with_file(cmd: &str, env: &TestEnv) -> String {
    cmd.replace("{f}", &env.path("token").display().to_string())
}

#[test]
fn generate_refuses_a_command_that_did_not_read_the_key() {
    for cmd in NON_READERS {
        let env = TestEnv::with_org("acme", "starter");
        let cmd = with_file(cmd, &env);
        env.run(&["generate", "--name", "x", "--exec", &cmd])
            .status(1)
            .stderr_has("without reading the whole key")
            .stderr_has("nothing was stored");
        assert!(env.keys().is_empty(), "{cmd}: a key was stored");
        assert_eq!(
            env.query_value("SELECT count(*) FROM reservations")
                .as_deref(),
            Some("0"),
            "{cmd}: the reservation was kept"
        );
        // The Starter plan's one slot is free again, and the name too.
        env.generate("x");
    }
}

#[test]
fn rotate_keeps_the_old_key_when_the_command_did_not_read_the_new_one() {
    for cmd in NON_READERS {
        let env = TestEnv::with_org("acme", "starter");
        let old = env.generate("CI");
        let cmd = with_file(cmd, &env);
        env.run(&["rotate", "CI", "--grace", "1h", "--yes", "--exec", &cmd])
            .status(1)
            .stderr_has("without reading the whole key");
        let keys = env.keys();
        assert_eq!(keys.len(), 1, "{cmd}: {keys:?}");
        assert_eq!(keys[0]["status"], "Active");
        assert!(keys[0]["rotated_to"].is_null(), "{cmd}: {keys:?}");
        env.run_stdin(&["verify"], &old).status(0);
        env.run(&["rotate", "CI", "--yes"]).status(0);
    }
}

#[test]
fn commands_that_read_the_whole_key_still_receive_it() {
    for cmd in READERS {
        let env = TestEnv::with_org("acme", "starter");
        let cmd = with_file(cmd, &env);
        env.run(&["generate", "--name", "CI", "--exec", &cmd])
            .status(0);
        let first = std::fs::read_to_string(env.path("token")).unwrap();
        env.run_stdin(&["verify"], first.trim()).status(0);
        env.run(&["rotate", "CI", "--yes", "--exec", &cmd])
            .status(0);
        let second = std::fs::read_to_string(env.path("token")).unwrap();
        assert_ne!(first, second);
        env.run_stdin(&["verify"], second.trim()).status(0);
        env.run_stdin(&["verify"], first.trim()).status(1);
    }
}

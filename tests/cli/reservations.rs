//! Keys being delivered are visible: they count against the plan, every count says so
//! (`0 / 1 (+1 being delivered)`, `being_delivered` in JSON), a refusal names them apart
//! from the active keys, and `org release-pending` gives their places back.

use std::os::unix::process::CommandExt;
use std::process::{Child, Stdio};

use crate::common::tmux::Terminal;
use crate::common::{BIN, TestEnv};

/// A `generate` that reserved its key and then died while delivering it: its `--exec`
/// command waits, and the whole process group is killed once the reservation is there.
fn died_while_delivering(env: &TestEnv, name: &str) {
    let mut child: Child = env
        .process()
        .args([
            "generate",
            "--name",
            name,
            "--exec",
            "cat >/dev/null; sleep 60",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    env.wait_for_reservations(1);
    let group = format!("-{}", child.id());
    std::process::Command::new("kill")
        .args(["-KILL", "--", &group])
        .status()
        .unwrap();
    let _ = child.wait();
}

#[test]
fn counts_show_keys_being_delivered() {
    let env = TestEnv::with_org("acme", "pro");
    env.generate("One");
    died_while_delivering(&env, "Stuck");
    env.run(&["org", "show"])
        .status(0)
        .stdout_has("1 / 5 (+1 being delivered)");
    env.run(&["org", "list"])
        .status(0)
        .stdout_has("1 / 5 (+1 being delivered)");
    let shown = env.run(&["--json", "org", "show"]).status(0).json();
    assert_eq!(shown["active_keys"], 1, "{shown}");
    assert_eq!(shown["being_delivered"], 1, "{shown}");
    let listed = env.run(&["--json", "org", "list"]).status(0).json();
    assert_eq!(listed[0]["being_delivered"], 1, "{listed}");
    // A reservation whose process died stops counting after its 10 minutes.
    env.sql("UPDATE reservations SET until = 1");
    let shown = env
        .run(&["org", "show"])
        .status(0)
        .stdout_has("1 / 5")
        .stdout();
    assert!(!shown.contains("being delivered"), "{shown}");
    let shown = env.run(&["--json", "org", "show"]).status(0).json();
    assert_eq!(shown["being_delivered"], 0, "{shown}");
}

#[test]
fn the_limit_refusal_names_the_keys_being_delivered() {
    let env = TestEnv::with_org("acme", "starter");
    died_while_delivering(&env, "Stuck");
    let id = env.query_value("SELECT key_id FROM reservations").unwrap();
    env.run(&["generate", "--name", "Other"])
        .status(1)
        .stderr_has("has 0 active keys and 1 being delivered")
        .stderr_has(&format!("{id} \"Stuck\""))
        .stderr_has("org release-pending");
}

#[test]
fn release_pending_gives_the_places_back_with_an_audit_event() {
    let env = TestEnv::with_org("acme", "starter");
    died_while_delivering(&env, "Stuck");
    let id = env.query_value("SELECT key_id FROM reservations").unwrap();
    // Without a terminal it needs --yes, and changes nothing.
    env.run(&["org", "release-pending"])
        .status(2)
        .stderr_has("--yes");
    env.run(&["org", "show"])
        .status(0)
        .stdout_has("(+1 being delivered)");
    env.run(&["org", "release-pending", "--yes"])
        .status(0)
        .stdout_has("Released 1 key being delivered")
        .stdout_has(&id);
    let shown = env
        .run(&["org", "show"])
        .status(0)
        .stdout_has("0 / 1")
        .stdout();
    assert!(!shown.contains("being delivered"), "{shown}");
    let log = env.run(&["--json", "log"]).status(0).json();
    let event = &log[0];
    assert_eq!(event["kind"], "pending_released", "{log}");
    assert!(event["detail"].as_str().unwrap().contains(&id), "{event}");
    // The place and the name are free again.
    env.generate("Stuck");
    // Nothing left: nothing to confirm, no event.
    let json = env
        .run(&["--json", "org", "release-pending"])
        .status(0)
        .json();
    assert_eq!(json["released"], serde_json::json!([]));
    let log = env.run(&["--json", "log"]).status(0).json();
    assert_eq!(log[0]["kind"], "key_created");
}

#[test]
fn release_pending_asks_at_a_terminal() {
    if !crate::common::tool_available("tmux") {
        return;
    }
    let env = TestEnv::with_org("acme", "starter");
    died_while_delivering(&env, "Stuck");
    let location = env.location();
    let argv = [BIN, "--db", &location, "org", "release-pending"].map(str::to_owned);
    // Declined: nothing changes.
    let term = Terminal::start(env.dir.path(), &argv);
    let screen = term.wait_for("[y/N]");
    assert!(
        screen.contains("Release 1 key being delivered in acme?"),
        "{screen}"
    );
    term.send(&["n"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 1, "{screen}");
    env.run(&["org", "show"])
        .status(0)
        .stdout_has("(+1 being delivered)");
    // Confirmed: released.
    let term = Terminal::start(env.dir.path(), &argv);
    term.wait_for("[y/N]");
    term.send(&["y"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    assert!(
        screen.contains("Released 1 key being delivered"),
        "{screen}"
    );
    env.generate("Other");
}

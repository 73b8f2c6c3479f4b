//! Prompts in a real terminal (tests/common/tmux.rs): `send-keys` answers the dialoguer
//! prompt, `capture-pane` reads the screen, and the store is checked afterwards with the
//! binary itself. The store is on the suite's backend (tests/common).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::common::tmux::Terminal;
use crate::common::{self, BIN};

/// A store on the suite's backend, used through the binary.
struct Store {
    env: common::TestEnv,
    db: PathBuf,
}

impl Store {
    /// `init --org acme --plan pro`, then one key per name.
    fn with_keys(names: &[&str]) -> Self {
        let env = common::TestEnv::new();
        let db = env.db.clone();
        let store = Self { env, db };
        store.ok(&["init", "--org", "acme", "--plan", "pro"]);
        for name in names {
            store.ok(&["generate", "--name", name]);
        }
        store
    }

    /// Runs the binary on the store without a terminal (stdout piped, stdin empty).
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .arg("--db")
            .arg(&self.db)
            .args(args)
            .env_remove("SEENTY_ORG")
            .env("NO_COLOR", "1")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    /// The status of the key named `name`, from `list --json`.
    fn status_of(&self, name: &str) -> String {
        let keys = self.json(&["list"]);
        let key = keys.as_array().unwrap().iter().find(|k| k["name"] == name);
        key.unwrap_or_else(|| panic!("no key {name:?} in {keys}"))["status"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Runs the binary on the store in a fresh tmux terminal.
    fn in_terminal(&self, args: &[&str]) -> Terminal {
        let mut argv = vec![BIN.to_owned(), "--db".to_owned(), path(&self.db)];
        argv.extend(args.iter().map(|a| (*a).to_owned()));
        Terminal::start(self.env.dir.path(), &argv)
    }
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_owned()
}

const REVOKE_PROMPT: &str = "Everything using it fails from now on. [y/N]";

#[test]
fn revoke_confirmed_with_y() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = Store::with_keys(&["GitHub Actions CI", "Deploy bot"]);
    let term = store.in_terminal(&["revoke", "GitHub Actions CI"]);
    let screen = term.wait_for(REVOKE_PROMPT);
    assert!(screen.contains("Revoke key_"), "{screen}");
    term.send(&["y"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("Revoked key_"), "{screen}");
    assert_eq!(store.status_of("GitHub Actions CI"), "Revoked");
    assert_eq!(store.status_of("Deploy bot"), "Active");
}

#[test]
fn revoke_declined_with_n() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = Store::with_keys(&["GitHub Actions CI"]);
    let term = store.in_terminal(&["revoke", "GitHub Actions CI"]);
    term.wait_for(REVOKE_PROMPT);
    term.send(&["n"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 1, "declining is a refusal:\n{screen}");
    assert!(screen.contains("cancelled"), "{screen}");
    assert_eq!(store.status_of("GitHub Actions CI"), "Active");
}

#[test]
fn revoke_defaults_to_no_on_enter() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = Store::with_keys(&["GitHub Actions CI"]);
    let term = store.in_terminal(&["revoke", "GitHub Actions CI"]);
    term.wait_for(REVOKE_PROMPT);
    term.send(&["Enter"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 1, "{screen}");
    assert_eq!(store.status_of("GitHub Actions CI"), "Active");
}

#[test]
fn generate_asks_for_the_name() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = Store::with_keys(&[]);
    let term = store.in_terminal(&["generate", "--expires", "90d"]);
    term.wait_for("Key name");
    term.send(&["-l", "Deploy bot"]);
    term.send(&["Enter"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("sk_live_"), "the key is shown:\n{screen}");
    assert!(screen.contains("shown only once"), "{screen}");
    assert_eq!(store.status_of("Deploy bot"), "Active");
}

fn pro_org_with_three_keys() -> Store {
    Store::with_keys(&["ci", "deploy", "backup"])
}

#[test]
fn downgrade_below_the_active_keys_asks_first() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = pro_org_with_three_keys();
    let term = store.in_terminal(&["org", "set-plan", "starter"]);
    let screen = term.wait_for("Move acme to Starter?");
    assert!(
        screen.contains("has 3 active keys"),
        "the consequence is shown:\n{screen}"
    );
    term.send(&["y"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    assert_eq!(store.json(&["org", "show"])["plan"], "starter");
    assert_eq!(
        store.status_of("ci"),
        "Active",
        "existing keys keep working"
    );
}

#[test]
fn downgrade_declined_keeps_the_plan() {
    if !common::tool_available("tmux") {
        return;
    }
    let store = pro_org_with_three_keys();
    let term = store.in_terminal(&["org", "set-plan", "starter"]);
    term.wait_for("Move acme to Starter?");
    term.send(&["Enter"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 1, "{screen}");
    assert_eq!(store.json(&["org", "show"])["plan"], "pro");
}

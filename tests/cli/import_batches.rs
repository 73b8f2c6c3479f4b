//! An import larger than the batches a backend looks up and writes in one go: every
//! check holds across a batch's edge (names, rotation links, hashes), the records land
//! in the file's order, and importing the file again changes nothing.

use serde_json::{Value, json};

use crate::common::TestEnv;

/// More keys than one batch of records holds.
const KEYS: usize = 6000;

fn at(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(1_700_000_000 + seconds, 0)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn key(i: usize) -> Value {
    json!({
        "type": "key", "id": format!("key_{i:016}"), "org": "acme",
        "name": format!("Integration {i}"), "hash": format!("{i:064x}"), "hint": "AbCd",
        "created_at": at(i as i64), "expires_at": null, "revoked_at": null,
        "revoke_reason": null, "rotated_from": null,
    })
}

/// `KEYS` keys of organization `acme` (Enterprise), every third used, each with its
/// `key_created` event; key 10 replaced by the last key, key 20 revoked.
fn export() -> Vec<Value> {
    let mut lines = vec![
        json!({"type": "header", "format": "seenty-keys-export", "version": 1}),
        json!({"type": "org", "slug": "acme", "name": "Acme", "plan": "enterprise",
               "created_at": at(-10)}),
        json!({"type": "setting", "name": "default_org", "value": "acme"}),
    ];
    let mut keys: Vec<Value> = (0..KEYS).map(key).collect();
    keys[10]["revoked_at"] = at(KEYS as i64).into();
    keys[10]["revoke_reason"] = "rotated".into();
    keys[KEYS - 1]["name"] = "Integration 10".into();
    keys[KEYS - 1]["rotated_from"] = key(10)["id"].clone();
    keys[20]["revoked_at"] = at(KEYS as i64).into();
    lines.extend(keys);
    lines.extend((0..KEYS).step_by(3).map(
        |i| json!({"type": "usage", "key": key(i)["id"], "last_used_at": at(KEYS as i64 + 5)}),
    ));
    lines.push(
        json!({"type": "event", "org": "acme", "key": null, "at": at(-10),
                      "actor": "ci", "kind": "org_created", "detail": "enterprise"}),
    );
    lines.extend((0..KEYS).map(|i| {
        json!({"type": "event", "org": "acme", "key": key(i)["id"], "at": at(i as i64),
               "actor": "ci", "kind": "key_created", "detail": null})
    }));
    lines
}

fn text(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Imports `lines` into a fresh store, refused with `status` and `says`: nothing stays.
fn refused(lines: &[Value], status: i32, says: &str) {
    let env = TestEnv::new();
    env.run_stdin(&["import"], &text(lines))
        .status(status)
        .stderr_has(says);
    assert!(
        !env.store_exists() || env.run(&["org", "list", "--json"]).stdout().trim() == "[]",
        "something was imported"
    );
}

#[test]
fn a_large_import_exports_as_it_came_and_imports_again_unchanged() {
    let lines = export();
    let env = TestEnv::new();
    let json = env
        .run_stdin(&["--json", "import"], &text(&lines))
        .status(0)
        .json();
    assert_eq!(json["keys"], KEYS);
    assert_eq!(json["usage"], KEYS.div_ceil(3));
    assert_eq!(json["events"], KEYS + 1);
    let exported = env.run(&["export"]).status(0).stdout();
    let back: Vec<Value> = exported
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(back == lines, "the export differs from what was imported");
    let again = env
        .run_stdin(&["--json", "import", "--merge"], &exported)
        .status(0)
        .json();
    for field in ["orgs", "settings", "keys", "revocations", "usage", "events"] {
        assert_eq!(again[field], 0, "{field} changed on a second import");
    }
}

#[test]
fn checks_hold_within_a_batch_and_across_its_edge() {
    // Key 5 against keys of its own batch; key KEYS - 2, in the last batch, against keys
    // of the first.
    let last = KEYS - 2;
    let cases = [
        (5, "name", json!("integration 1"), "named alike"),
        (last, "name", json!("integration 1"), "named alike"),
        (5, "hash", key(2)["hash"].clone(), "same hash"),
        (last, "hash", key(2)["hash"].clone(), "same hash"),
        (
            last,
            "rotated_from",
            key(10)["id"].clone(),
            "more than one key",
        ),
    ];
    for (i, field, value, says) in cases {
        let mut lines = export();
        lines[3 + i][field] = value;
        refused(&lines, 1, says);
    }
}

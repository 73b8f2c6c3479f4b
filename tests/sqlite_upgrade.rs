//! Upgrading a SQLite store made by an older version: the keys, their ids, hashes,
//! rotation links, last used and audit trail come through schema 4 (derived key ids, the
//! hash in its own table), and new keys take derived ids that never clash with kept ones.

use rusqlite::Connection;
use seenty_keys::domain::key::{Hint, Secret};
use seenty_keys::domain::key_id::IdCodec;

use crate::common::{TestEnv, audit, sqlite_only};

const REASON: &str = "the SQLite schema and its migrations";

const SCHEMA_3: [&str; 3] = [
    include_str!("../src/store/sqlite/migrations/0001_init.sql"),
    include_str!("../src/store/sqlite/migrations/0002_rotation.sql"),
    include_str!("../src/store/sqlite/migrations/0003_key_usage.sql"),
];

/// Old keys: (id, name, secret).
struct OldStore {
    env: TestEnv,
    keys: Vec<(String, String, String)>,
}

/// A store at schema 3 as the previous version left it: organization `acme` (Pro), an
/// active key that was used, a key rotated into a successor, and a revoked one.
fn schema_3_store() -> OldStore {
    let env = TestEnv::new_sqlite();
    std::fs::create_dir_all(env.db.parent().unwrap()).unwrap();
    let conn = Connection::open(&env.db).unwrap();
    conn.pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
        .unwrap();
    for sql in SCHEMA_3 {
        conn.execute_batch(sql).unwrap();
    }
    conn.execute_batch(
        "PRAGMA user_version = 3;
         INSERT INTO orgs (slug, name, plan, created_at) VALUES ('acme', 'Acme', 'pro', 1700000000);
         INSERT INTO settings (name, value) VALUES ('default_org', 'acme');
         INSERT INTO events (at, actor, org_id, kind, detail) VALUES (1700000000, 'old', 1, 'org_created', 'pro');",
    )
    .unwrap();
    let mut keys = Vec::new();
    for (i, (id, name)) in [
        ("key_Used0000000000a", "Used"),
        ("key_Rotated00000000", "Rotated"),
        ("key_Successor000000", "Rotated"),
        ("key_Revoked00000000", "Revoked"),
    ]
    .into_iter()
    .enumerate()
    {
        let secret = Secret::generate().unwrap();
        let rotated_from = (name == "Rotated" && i == 2).then_some(2);
        conn.execute(
            "INSERT INTO keys (public_id, org_id, name, hash, hint, created_at, rotated_from) \
             VALUES (?1, 1, ?2, ?3, ?4, 1700000100, ?5)",
            rusqlite::params![
                id,
                name,
                &secret.hash().0[..],
                Hint::of(secret.expose().as_bytes()).0,
                rotated_from
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO events (at, actor, org_id, key_id, kind, detail) \
             VALUES (1700000100, 'old', 1, ?1, 'key_created', ?2)",
            rusqlite::params![
                i64::try_from(i + 1).unwrap(),
                rotated_from.map(|_| "rotated from key_Rotated00000000")
            ],
        )
        .unwrap();
        keys.push((id.to_owned(), name.to_owned(), secret.expose().to_owned()));
    }
    conn.execute_batch(
        "UPDATE keys SET revoked_at = 1700000200, revoke_reason = 'rotated' WHERE id = 2;
         UPDATE keys SET revoked_at = 1700000300, revoke_reason = 'leaked' WHERE id = 4;
         INSERT INTO events (at, actor, org_id, key_id, kind, detail) VALUES
             (1700000200, 'old', 1, 2, 'key_rotated', 'replaced by key_Successor000000'),
             (1700000300, 'old', 1, 4, 'key_revoked', 'leaked');
         INSERT INTO key_usage (key_id, last_used_at) VALUES (1, 1700000400);",
    )
    .unwrap();
    OldStore { env, keys }
}

#[test]
fn a_schema_3_store_keeps_its_keys_ids_and_history() {
    if sqlite_only(REASON) {
        return;
    }
    let OldStore { env, keys } = schema_3_store();
    let listed = env.keys();
    let ids: Vec<&str> = listed.iter().map(|k| k["id"].as_str().unwrap()).collect();
    let old_ids: Vec<&str> = keys.iter().map(|(id, ..)| id.as_str()).collect();
    assert_eq!(ids, old_ids);
    assert_eq!(listed[0]["last_used_at"], "2023-11-14T22:20:00Z");
    assert_eq!(listed[3]["status"], "Revoked");
    env.run(&["show", "key_Successor000000", "--json"])
        .status(0)
        .stdout_has("key_Rotated00000000");

    // The secrets still verify: the hashes moved with their keys.
    env.run(&["verify", &keys[0].2])
        .status(0)
        .stdout_is("valid key_Used0000000000a acme Used\n");
    env.run(&["verify", &keys[3].2]).status(1);

    let conn = Connection::open(&env.db).unwrap();
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(
        version, 7,
        "through schema 4, reservations' 5, the key policy's 6 and the change counter's 7"
    );
    let dangling: Option<String> = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .ok();
    assert_eq!(dangling, None);
    drop(conn);
    let replay = audit::check(&env.db).expect("the trail matches the state");
    assert_eq!(replay.keys, 4);
    // An organization from before the key policy has none.
    env.run(&["org", "policy", "--json"]).status(0).stdout_is(
        "{\"org\":\"acme\",\"max_lifetime\":null,\"require_expiry\":false,\"rotate_every\":\"90d\"}\n",
    );
}

#[test]
fn new_keys_take_derived_ids_that_skip_kept_ones() {
    if sqlite_only(REASON) {
        return;
    }
    let OldStore { env, .. } = schema_3_store();
    env.run(&["list"]).status(0);
    let conn = seenty_keys::store::sqlite::connection_with_functions(&env.db).unwrap();
    let salt: Vec<u8> = conn
        .query_row("SELECT salt FROM key_id_salt", [], |r| r.get(0))
        .unwrap();
    let codec = IdCodec::new(&salt);
    // An imported key (row 5) whose kept id is the one row 6 would derive.
    let taken = codec.encode(6);
    conn.execute(
        "INSERT INTO keys (id, public_id, org_id, name, name_tag, hint, created_at) \
         VALUES (5, ?1, 1, 'Imported', name_tag('Imported'), 'abcd', 1700000500)",
        [&taken],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO key_hashes (hash, key_id) VALUES (randomblob(32), 5)",
        [],
    )
    .unwrap();
    drop(conn);

    let first = env.generate("First new");
    let second = env.generate("Second new");
    let first_id = env.key_named("First new")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let second_id = env.key_named("Second new")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first_id, taken, "row 6 must not reuse the kept id");
    assert_eq!(codec.encode(7), second_id, "row 7 takes its derived id");
    env.run(&["show", &taken, "--json"])
        .status(0)
        .stdout_has("Imported");
    for (secret, id, name) in [
        (&first, &first_id, "First new"),
        (&second, &second_id, "Second new"),
    ] {
        env.run(&["verify", secret])
            .status(0)
            .stdout_is(&format!("valid {id} acme {name}\n"));
        env.run(&["show", id, "--json"]).status(0).stdout_has(name);
    }
}

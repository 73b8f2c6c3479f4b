//! `scan` on encoded keys (UTF-16 with a byte-order mark, base64 as a Kubernetes Secret
//! holds it), the `.seenty-keys-allow` list with and without a store, and the output
//! formats: JSON with the digest to copy, SARIF 2.1.0 validated against the official
//! OASIS schema (tests/sarif-schema-2.1.0.json, the errata01 schema) by Python's
//! `jsonschema`, which .ci/run installs.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::repo::{git, new_key};
use crate::common::{Run, TestEnv};
use sha2::{Digest, Sha256};

fn sha256_hex(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let mut n = [0u8; 3];
        n[..group.len()].copy_from_slice(group);
        let v = (u32::from(n[0]) << 16) | (u32::from(n[1]) << 8) | u32::from(n[2]);
        for i in 0..=group.len() {
            out.push(char::from(ALPHABET[((v >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    while !out.len().is_multiple_of(4) {
        out.push('=');
    }
    out
}

/// `scan ARGS` in `dir`, against `env`'s store or, with `no_store`, a missing one.
fn scan(env: &TestEnv, dir: &Path, no_store: bool, args: &[&str]) -> Run {
    let mut command = env.command();
    command.current_dir(dir);
    if no_store {
        command.arg("--db").arg(env.path("nothing.db"));
    }
    Run(command.arg("scan").args(args).output().unwrap())
}

fn tree(env: &TestEnv) -> PathBuf {
    let root = env.path("tree");
    std::fs::create_dir_all(&root).unwrap();
    git(&root, &["init", "-q"]);
    root
}

#[test]
fn utf16_files_with_a_byte_order_mark_are_decoded() {
    let env = TestEnv::new_sqlite();
    let root = tree(&env);
    let (le, be) = (new_key(), new_key());
    let text = |key: &str| format!("[Settings]\r\nToken={key}\r\n");
    let mut little = vec![0xFF, 0xFE];
    little.extend(text(&le).encode_utf16().flat_map(u16::to_le_bytes));
    let mut big = vec![0xFE, 0xFF];
    big.extend(text(&be).encode_utf16().flat_map(u16::to_be_bytes));
    std::fs::write(root.join("app.ini"), little).unwrap();
    std::fs::write(root.join("win.reg"), big).unwrap();
    scan(&env, &root, true, &[]).status(1).stdout_is(&format!(
        "app.ini:2:7  sk_live_…{}  checksum ok  Unverified\n\
         win.reg:2:7  sk_live_…{}  checksum ok  Unverified\n",
        &le[32..],
        &be[32..]
    ));
}

#[test]
fn base64_keys_are_found_at_every_alignment() {
    let env = TestEnv::new_sqlite();
    let root = tree(&env);
    let keys = [new_key(), new_key(), new_key()];
    // The key alone, and after one and two bytes: each alignment in a 3-byte group.
    let secret = format!(
        "apiVersion: v1\nkind: Secret\ndata:\n  a: {}\n  b: {}\n  c: {}\n",
        base64(keys[0].as_bytes()),
        base64(format!("={}", keys[1]).as_bytes()),
        base64(format!("T={}\n", keys[2]).as_bytes()),
    );
    std::fs::write(root.join("secret.yaml"), secret).unwrap();
    let run = scan(&env, &root, true, &[]).status(1);
    let lines: Vec<String> = run.stdout().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            format!(
                "secret.yaml:4:6 (base64)  sk_live_…{}  checksum ok  Unverified",
                &keys[0][32..]
            ),
            format!(
                "secret.yaml:5:7 (base64)  sk_live_…{}  checksum ok  Unverified",
                &keys[1][32..]
            ),
            format!(
                "secret.yaml:6:8 (base64)  sk_live_…{}  checksum ok  Unverified",
                &keys[2][32..]
            ),
        ]
    );
    let json = scan(&env, &root, true, &["--json"]).status(1).json();
    assert_eq!(json[0]["base64"], true);
    assert_eq!(json[0]["sha256"], sha256_hex(&keys[0]));
}

#[test]
fn allow_listed_keys_are_allowed_with_and_without_a_store() {
    let env = TestEnv::with_org("acme", "pro");
    let active = env.generate("CI");
    let dead = new_key();
    let root = tree(&env);
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("sub/old.env"), format!("A={dead}\nB={active}\n")).unwrap();

    // Without the list: the JSON carries the digest to copy.
    let json = scan(&env, &root, true, &["--json"]).status(1).json();
    assert_eq!(json[0]["sha256"], sha256_hex(&dead));
    assert_eq!(json[0]["status"], "Unverified");

    std::fs::write(
        root.join(".seenty-keys-allow"),
        format!(
            "# keys known to be dead\n{}  # the old deploy key\n{}  -\n",
            sha256_hex(&dead),
            sha256_hex(&active)
        ),
    )
    .unwrap();
    // From the root, from a subdirectory, and naming a file: the root's list applies.
    for (dir, args) in [
        (root.clone(), vec![]),
        (root.join("sub"), vec![]),
        (env.path(""), vec!["tree/sub/old.env"]),
    ] {
        let run = scan(&env, &dir, true, &args).status(0);
        assert_eq!(
            run.stdout().matches("checksum ok  Allowed").count(),
            2,
            "{}",
            run.stdout()
        );
        assert_eq!(run.stderr(), "", "no note: nothing unverified");
    }
    // With the store, an allowed key is Allowed even when active, and still named.
    let id = env.key_named("CI")["id"].as_str().unwrap().to_owned();
    scan(&env, &root, false, &[])
        .status(0)
        .stdout_has(&format!("checksum ok  Allowed  {id} \"CI\""));
    std::fs::write(root.join(".seenty-keys-allow"), sha256_hex(&dead)).unwrap();
    scan(&env, &root, false, &[]).status(1).stdout_has("Active");
}

#[test]
fn a_line_of_the_allow_list_that_is_not_a_digest_is_named() {
    let env = TestEnv::new_sqlite();
    let root = tree(&env);
    std::fs::write(root.join(".seenty-keys-allow"), "sk_live_oops\n").unwrap();
    scan(&env, &root, true, &[])
        .status(0)
        .stderr_has(".seenty-keys-allow:1: not a SHA-256 hex digest");
}

#[test]
fn sarif_is_valid_against_the_official_schema_and_holds_no_secret() {
    let env = TestEnv::with_org("acme", "pro");
    let active = env.generate("CI");
    let revoked = env.generate("Old");
    env.run(&["revoke", "Old", "--yes"]).status(0);
    let unverified = new_key();
    let root = tree(&env);
    std::fs::write(
        root.join("deploy file.sh"),
        format!("A={active}\nB={revoked}\nC=sk_live_4eC39HqLyjWDarjtT1zdp7dc\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("k8s.yaml"),
        format!("t: {}\n", base64(unverified.as_bytes())),
    )
    .unwrap();

    let run = scan(&env, &root, false, &["--format", "sarif"]).status(1);
    let out = run.stdout();
    for key in [&active, &revoked, &unverified] {
        assert!(!out.contains(key.as_str()), "never a secret");
    }
    let log = run.json();
    let results = log["runs"][0]["results"].as_array().unwrap();
    let summary: Vec<(String, String, String, u64, u64)> = results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap().to_owned(),
                r["level"].as_str().unwrap().to_owned(),
                location["artifactLocation"]["uri"]
                    .as_str()
                    .unwrap()
                    .to_owned(),
                location["region"]["startLine"].as_u64().unwrap(),
                location["region"]["startColumn"].as_u64().unwrap(),
            )
        })
        .collect();
    let row = |rule: &str, level: &str, uri: &str, line, column| {
        (
            rule.to_owned(),
            level.to_owned(),
            uri.to_owned(),
            line,
            column,
        )
    };
    assert_eq!(
        summary,
        [
            row("seenty-key", "error", "deploy%20file.sh", 1, 3),
            row("seenty-key", "note", "deploy%20file.sh", 2, 3),
            row("sk-live-token", "note", "deploy%20file.sh", 3, 3),
            row("seenty-key", "note", "k8s.yaml", 1, 4),
        ]
    );
    let message = results[0]["message"]["text"].as_str().unwrap();
    assert!(
        message.contains(&format!("sk_live_…{}", &active[32..])),
        "{message}"
    );
    assert!(message.contains("Active"), "{message}");
    assert!(
        results[3]["message"]["text"]
            .as_str()
            .unwrap()
            .ends_with("(base64)")
    );

    // Without a store every Seenty key is an error.
    let log = scan(&env, &root, true, &["--format=sarif"])
        .status(1)
        .json();
    let levels: Vec<_> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["level"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(levels, ["error", "error", "note", "error"]);

    let Some(python) = crate::common::venv_tool("python") else {
        return;
    };
    let sarif = env.path("scan.sarif");
    std::fs::write(&sarif, out).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif-schema-2.1.0.json");
    let check = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[2]))\n\
        jsonschema.validators.validator_for(schema)(schema).validate(json.load(open(sys.argv[1])))\n";
    let valid = |path: &Path| {
        Command::new(&python)
            .args(["-c", check])
            .arg(path)
            .arg(&schema)
            .output()
            .unwrap()
    };
    let result = valid(&sarif);
    assert!(
        result.status.success(),
        "{}",
        String::from_utf8_lossy(&result.stderr)
    );
    // The validator can fail: a result without its message is refused.
    let mut broken = log.clone();
    broken["runs"][0]["results"][0]
        .as_object_mut()
        .unwrap()
        .remove("message");
    std::fs::write(&sarif, broken.to_string()).unwrap();
    assert!(
        !valid(&sarif).status.success(),
        "the schema refuses a result with no message"
    );
}

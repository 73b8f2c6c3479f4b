//! `scan` with a store: a temporary git repository with an ignored folder, a binary
//! file, a hidden file, another vendor's token and keys in each state.

use crate::common::TestEnv;
use crate::common::repo::git;

struct Repo {
    env: TestEnv,
    active: String,
    revoked: String,
    expired: String,
    unknown: String,
}

fn repo() -> Repo {
    let env = TestEnv::with_org("acme", "pro");
    let active = env.generate("GitHub Actions CI");
    let revoked = env.generate("Old deploy");
    let expired = env.generate("Terraform");
    env.run(&["revoke", "Old deploy", "--yes"]).status(0);
    env.sql("UPDATE keys SET expires_at = 1 WHERE name = 'Terraform'");
    let unknown = TestEnv::with_org("other", "pro").generate("Elsewhere");
    let root = env.path("repo");
    std::fs::create_dir_all(root.join("ignored")).unwrap();
    std::fs::create_dir_all(root.join("src")).unwrap();
    git(&root, &["init", "-q"]);
    std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    std::fs::write(
        root.join("ignored/secrets.env"),
        format!("TOKEN={active}\n"),
    )
    .unwrap();
    std::fs::write(
        root.join("image.bin"),
        [b"\x00\x01binary ".as_slice(), active.as_bytes()].concat(),
    )
    .unwrap();
    std::fs::write(root.join(".hidden.env"), format!("{active}\n")).unwrap();
    std::fs::write(
        root.join("vendor.txt"),
        "stripe = sk_live_abcdefghijklmnopqrstuvwxyz12\n",
    )
    .unwrap();
    std::fs::write(
        root.join("src/ci.yml"),
        format!("steps:\n  - run: deploy\n    env:\n      SEENTY_TOKEN: {active}\n# old: {revoked} {expired}\n"),
    )
    .unwrap();
    std::fs::write(root.join("src/notes.md"), format!("unknown {unknown}\n")).unwrap();
    Repo {
        env,
        active,
        revoked,
        expired,
        unknown,
    }
}

#[test]
fn reports_each_token_with_place_hint_checksum_and_status() {
    let r = repo();
    let run = r
        .env
        .command()
        .current_dir(r.env.path("repo"))
        .arg("scan")
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1), "an active key was found");
    let out = String::from_utf8(run.stdout).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    let hint = |k: &str| format!("sk_live_…{}", &k[32..]);
    assert_eq!(
        lines,
        [
            format!(
                ".hidden.env:1:1  {}  checksum ok  Active  {} \"GitHub Actions CI\"",
                hint(&r.active),
                r.env.key_named("GitHub Actions CI")["id"].as_str().unwrap()
            ),
            format!(
                "src/ci.yml:4:21  {}  checksum ok  Active  {} \"GitHub Actions CI\"",
                hint(&r.active),
                r.env.key_named("GitHub Actions CI")["id"].as_str().unwrap()
            ),
            format!(
                "src/ci.yml:5:8  {}  checksum ok  Revoked  {} \"Old deploy\"",
                hint(&r.revoked),
                r.env.key_named("Old deploy")["id"].as_str().unwrap()
            ),
            format!(
                "src/ci.yml:5:45  {}  checksum ok  Expired  {} \"Terraform\"",
                hint(&r.expired),
                r.env.key_named("Terraform")["id"].as_str().unwrap()
            ),
            format!(
                "src/notes.md:1:9  {}  checksum ok  Unknown",
                hint(&r.unknown)
            ),
            "vendor.txt:1:10  sk_live_…yz12  checksum fails  not a Seenty key".to_owned(),
        ]
    );
    for key in [&r.active, &r.revoked, &r.expired, &r.unknown] {
        assert!(!out.contains(key.as_str()), "never a whole secret");
    }
}

#[test]
fn json_and_exit_0_without_an_active_key() {
    let r = repo();
    let root = r.env.path("repo");
    let json = r
        .env
        .run(&["--json", "scan", root.join("src").to_str().unwrap()])
        .status(1)
        .json();
    let statuses: Vec<_> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["status"].clone())
        .collect();
    assert_eq!(statuses, ["Active", "Revoked", "Expired", "Unknown"]);
    assert_eq!(json[0]["line"], 4);
    assert_eq!(json[0]["checksum"], true);
    assert_eq!(json[0]["name"], "GitHub Actions CI");
    r.env
        .run(&["scan", root.join("vendor.txt").to_str().unwrap()])
        .status(0);
    r.env
        .run(&["--json", "scan", root.join("vendor.txt").to_str().unwrap()])
        .status(0)
        .stdout_has("\"checksum\":false");
}

#[test]
fn stdin_is_scanned_as_a_diff_would_be() {
    let r = repo();
    let diff = format!("+++ b/deploy.sh\n+export SEENTY_TOKEN={}\n", r.active);
    r.env
        .run_stdin(&["scan", "-"], &diff)
        .status(1)
        .stdout_has("<stdin>:2:22");
    r.env
        .run_stdin(&["scan", "-"], "nothing here\n")
        .status(0)
        .stdout_is("");
}

#[test]
fn revoke_revokes_the_active_keys_found() {
    let r = repo();
    let root = r.env.path("repo");
    let src = root.join("src");
    r.env
        .run(&["scan", "--revoke", src.to_str().unwrap()])
        .status(2)
        .stderr_has("--yes");
    r.env
        .run(&["scan", "--revoke", "--yes", src.to_str().unwrap()])
        .status(1)
        .stderr_has("Revoked");
    let key = r.env.key_named("GitHub Actions CI");
    assert_eq!(key["status"], "Revoked");
    assert_eq!(
        key["revoke_reason"],
        format!("leaked in {}", src.join("ci.yml").display())
    );
    r.env.run(&["verify", &r.active]).status(1);
    // Nothing active is left to find.
    r.env.run(&["scan", src.to_str().unwrap()]).status(0);
    assert_eq!(
        r.env.key_named("Old deploy")["revoke_reason"],
        serde_json::Value::Null
    );
}

#[test]
fn explicit_files_are_scanned_even_if_ignored() {
    let r = repo();
    let ignored = r.env.path("repo/ignored/secrets.env");
    r.env
        .run(&["scan", ignored.to_str().unwrap()])
        .status(1)
        .stdout_has("Active");
}

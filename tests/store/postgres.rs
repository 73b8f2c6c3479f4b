//! What only PostgreSQL has: a server to reach, users and passwords, TLS, row locks held
//! by other connections. Every other rule is checked by the whole suite, which runs on
//! PostgreSQL when `SEENTY_TEST_POSTGRES` is set (see tests/common). Without a server
//! these tests skip, saying so, except in CI, where they fail.

use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{self, BIN, TestEnv, pg_client, postgres_only, with_database};

/// A login role that must give a password (the test cluster asks one of members of
/// `seenty_pw`), owning the test's database. None when the server has no such group.
fn password_user(env: &TestEnv, server: &str, password: &str) -> Option<String> {
    let mut admin = pg_client(server);
    let group = admin
        .query_opt("SELECT 1 FROM pg_roles WHERE rolname = 'seenty_pw'", &[])
        .unwrap();
    if group.is_none() {
        common::skip_unless_ci("the server has no role seenty_pw, so no user must give a password");
        return None;
    }
    let db = env.pg.as_ref().unwrap();
    let user = format!("u_{}", db.name);
    admin
        .batch_execute(&format!(
            "CREATE ROLE {user} LOGIN PASSWORD '{password}' IN ROLE seenty_pw; \
             ALTER DATABASE {} OWNER TO {user}",
            db.name
        ))
        .unwrap();
    Some(user)
}

/// `postgres://user[:password]@host:port/db` for the test's database.
fn url_for(env: &TestEnv, user: &str, password: Option<&str>) -> String {
    let db = env.pg.as_ref().unwrap();
    let rest = db.url.split_once("://").unwrap().1;
    let host = rest.split_once('@').map_or(rest, |(_, h)| h);
    match password {
        Some(pw) => format!("postgres://{user}:{pw}@{host}"),
        None => format!("postgres://{user}@{host}"),
    }
}

#[test]
fn passwords_come_from_the_url_pgpassword_or_pgpass_and_are_never_shown() {
    let Some(server) = postgres_only() else {
        return;
    };
    let env = TestEnv::new();
    let password = "Hunter2-sekrit-pw";
    let Some(user) = password_user(&env, &server, password) else {
        return;
    };
    let run = |url: &str, extra: &[(&str, &str)]| {
        let mut cmd = env.command();
        cmd.env("SEENTY_KEYS_DB", url);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        common::Run(
            cmd.args(["init", "--org", "acme", "--plan", "pro"])
                .output()
                .unwrap(),
        )
    };
    let no_pw = url_for(&env, &user, None);
    // Wrong or missing passwords: exit 3, an authentication error, no password shown.
    for (url, extra) in [
        (url_for(&env, &user, Some("wrong-pw-123")), vec![]),
        (no_pw.clone(), vec![("PGPASSWORD", "wrong-pw-123")]),
        (no_pw.clone(), vec![]),
    ] {
        let out = run(&url, &extra).status(3);
        let all = format!("{}{}", out.stdout(), out.stderr());
        assert!(all.contains("password"), "{all}");
        assert!(
            !all.contains("wrong-pw-123") && !all.contains(password),
            "{all}"
        );
        assert!(all.contains(&format!("{user}@")), "names the user: {all}");
    }
    // From the URL: works, and what is printed has no password.
    let out = run(&url_for(&env, &user, Some(password)), &[]).status(0);
    assert!(!out.stdout().contains(password), "{}", out.stdout());
    assert!(
        out.stdout().contains(&format!("{user}@")),
        "{}",
        out.stdout()
    );
    // From PGPASSWORD.
    let list = |extra: &[(&str, &str)]| {
        let mut cmd = env.command();
        cmd.env("SEENTY_KEYS_DB", &no_pw);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        common::Run(cmd.args(["org", "list"]).output().unwrap())
    };
    list(&[("PGPASSWORD", password)])
        .status(0)
        .stdout_has("acme");
    // From ~/.pgpass (HOME is the test's directory), only while others cannot read it.
    let pgpass = env.dir.path().join(".pgpass");
    std::fs::write(
        &pgpass,
        format!("# test\n*:*:nosuchdb:*:nope\n*:*:*:{user}:{password}\n"),
    )
    .unwrap();
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o600)).unwrap();
    list(&[]).status(0).stdout_has("acme");
    std::fs::set_permissions(&pgpass, std::fs::Permissions::from_mode(0o644)).unwrap();
    list(&[]).status(3);
    // Help never shows the environment's URL with its password.
    let help = env
        .command()
        .env("SEENTY_KEYS_DB", url_for(&env, &user, Some(password)))
        .arg("--help")
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&help.stdout).contains(password));
}

#[test]
fn an_empty_database_is_no_store_and_a_missing_database_exits_3() {
    let Some(server) = postgres_only() else {
        return;
    };
    let env = TestEnv::new();
    env.run(&["generate", "--name", "CI"])
        .status(3)
        .stderr_has("no store at postgres://")
        .stderr_has("seenty-keys init");
    assert!(!env.store_exists());
    let missing = with_database(&server, "seenty_no_such_database");
    env.run(&["--db", &missing, "init", "--org", "acme", "--plan", "pro"])
        .status(3)
        .stderr_has("does not exist");
    env.run(&["init", "--org", "acme", "--plan", "pro"])
        .status(0);
    assert!(env.store_exists());
    assert_eq!(
        env.query_value("SELECT max(version) FROM schema_migrations")
            .as_deref(),
        Some("3"),
        "the first schema, reservations and the key policy's"
    );
}

/// The server's TLS policy, when the test cluster has one: members of `seenty_tls` may
/// only connect over TLS, and `SEENTY_TEST_POSTGRES_CA` is its certificate (for
/// "localhost").
#[test]
fn sslmode_selects_tls_and_verify_full_checks_the_certificate() {
    let Some(server) = postgres_only() else {
        return;
    };
    let Some(ca) = std::env::var("SEENTY_TEST_POSTGRES_CA")
        .ok()
        .filter(|c| !c.is_empty())
    else {
        common::skip_unless_ci(
            "SEENTY_TEST_POSTGRES_CA is not set, so the server's TLS is unknown",
        );
        return;
    };
    let env = TestEnv::new();
    let db = env.pg.as_ref().unwrap();
    let user = format!("tls_{}", db.name);
    pg_client(&server)
        .batch_execute(&format!(
            "CREATE ROLE {user} LOGIN IN ROLE seenty_tls; ALTER DATABASE {} OWNER TO {user}",
            db.name
        ))
        .unwrap();
    let base = url_for(&env, &user, None);
    let on = |url: &str, args: &[&str]| env.run(&[&["--db", url][..], args].concat());
    // Without TLS the server refuses this user: exit 3, with the server's reason.
    on(
        &format!("{base}?sslmode=disable"),
        &["init", "--org", "acme", "--plan", "pro"],
    )
    .status(3)
    .stderr_has("no encryption");
    // require: encrypted, certificate not checked (it is self-signed).
    on(
        &format!("{base}?sslmode=require"),
        &["init", "--org", "acme", "--plan", "pro"],
    )
    .status(0);
    // The default (prefer) uses TLS when the server offers it.
    on(&base, &["org", "list"]).status(0).stdout_has("acme");
    // verify-full: the certificate must chain to a trusted root and name the host.
    let localhost = base.replace("@127.0.0.1:", "@localhost:");
    on(
        &format!("{localhost}?sslmode=verify-full"),
        &["org", "list"],
    )
    .status(3)
    .stderr_has("could not connect");
    on(
        &format!("{localhost}?sslmode=verify-full&sslrootcert={ca}"),
        &["org", "list"],
    )
    .status(0)
    .stdout_has("acme");
    on(
        &format!("{base}?sslmode=verify-full&sslrootcert={ca}"),
        &["org", "list"],
    )
    .status(3)
    .stderr_has("could not connect");
    on(
        &format!("{base}?sslmode=verify-ca&sslrootcert={ca}"),
        &["org", "list"],
    )
    .status(0);
}

#[test]
fn a_lock_held_past_the_timeout_exits_3_and_changes_nothing() {
    let Some(_) = postgres_only() else { return };
    let env = TestEnv::with_org("acme", "pro");
    let mut holder = pg_client(&env.location());
    let mut tx = holder.transaction().unwrap();
    tx.batch_execute("SELECT id FROM orgs FOR UPDATE").unwrap();
    let started = Instant::now();
    env.run(&["generate", "--name", "CI"])
        .status(3)
        .stderr_has("locked")
        .stderr_has("try again");
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "waited for the lock first"
    );
    tx.rollback().unwrap();
    assert!(env.keys().is_empty());
    env.generate("CI");
}

/// Two connections racing `generate` at the limit of a Starter organization, many times:
/// exactly one wins each round, the other is refused with the limit message.
#[test]
fn two_connections_racing_generate_at_the_limit() {
    let Some(_) = postgres_only() else { return };
    let env = TestEnv::with_org("acme", "starter");
    for round in 0..8 {
        let children: Vec<_> = (0..2)
            .map(|i| {
                Command::new(BIN)
                    .env("SEENTY_KEYS_DB", &env.db)
                    .args(["generate", "--name", &format!("Round {round} runner {i}")])
                    .stdout(Stdio::piped())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = children
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<_> = outs.iter().map(|o| o.status.code()).collect();
        assert!(
            codes.contains(&Some(0)) && codes.contains(&Some(1)),
            "round {round}: {codes:?} {:?}",
            outs.iter()
                .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
                .collect::<Vec<_>>()
        );
        let refused = outs.iter().find(|o| o.status.code() == Some(1)).unwrap();
        assert!(String::from_utf8_lossy(&refused.stderr).contains("allows 1"));
        let active: Vec<_> = env
            .keys()
            .into_iter()
            .filter(|k| k["status"] == "Active")
            .collect();
        assert_eq!(active.len(), 1, "round {round}");
        let id = active[0]["id"].as_str().unwrap().to_owned();
        env.run(&["revoke", &id, "--yes"]).status(0);
    }
}

/// Another connection sees a revocation the moment `revoke` returns: no `verify` that
/// starts after it passes, and none fails for any other reason while it runs.
#[test]
fn revoke_racing_verify() {
    let Some(_) = postgres_only() else { return };
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    let verifiers: Vec<_> = (0..4)
        .map(|_| {
            let db = env.db.clone();
            let key = key.clone();
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                for _ in 0..15 {
                    let out = Command::new(BIN)
                        .env("SEENTY_KEYS_DB", &db)
                        .env("SEENTY_TOKEN", &key)
                        .arg("verify")
                        .output()
                        .unwrap();
                    let code = out.status.code();
                    if code == Some(1) {
                        assert!(String::from_utf8_lossy(&out.stderr).contains("REVOKED"));
                    }
                    codes.push(code);
                }
                codes
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    env.run(&["revoke", "CI", "--yes"]).status(0);
    // From here on, every connection sees it.
    env.run(&["verify", &key]).status(1).stderr_has("REVOKED");
    for verifier in verifiers {
        let codes = verifier.join().unwrap();
        assert!(codes.iter().all(|c| matches!(c, Some(0 | 1))), "{codes:?}");
        // Once revoked, a verifier never sees the key valid again.
        let first_refusal = codes.iter().position(|c| *c == Some(1));
        if let Some(at) = first_refusal {
            assert!(codes[at..].iter().all(|c| *c == Some(1)), "{codes:?}");
        }
    }
    env.run(&["verify", &key]).status(1).stderr_has("REVOKED");
}

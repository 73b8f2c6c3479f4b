//! PostgreSQL: the connection lost while a secret is being delivered. The `--exec`
//! command itself kills the tool's backend (`pg_terminate_backend` through `psql`), so
//! the connection is gone, for real, between the reservation and the store. The tool
//! connects again and stores the key when its reservation still holds; otherwise it says
//! `NOT stored` and gives the place back. Never a bare connection error.

use crate::common::{BIN, TestEnv, postgres_only, tool_available};

/// A PostgreSQL store on the suite's server with one organization, or None (skipped).
fn pg_env(plan: &str) -> Option<TestEnv> {
    let server = postgres_only()?;
    if !tool_available("psql") {
        return None;
    }
    let env = TestEnv::new_postgres(&server);
    env.run(&["init", "--org", "acme", "--plan", plan])
        .status(0);
    Some(env)
}

/// `psql` running `sql` on the store's database, quietly, as a shell command.
fn psql(env: &TestEnv, sql: &str) -> String {
    format!(
        "psql -q -X -v ON_ERROR_STOP=1 '{}' -c \"{sql}\" >/dev/null",
        env.location()
    )
}

/// Kills every other backend of the store's database: the tool's connection.
fn kill_backends(env: &TestEnv) -> String {
    psql(
        env,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
}

/// An `--exec` command that takes the key into `token`, then runs `then`.
fn taking_the_key(env: &TestEnv, then: &str) -> String {
    format!("cat > '{}' && {then}", env.path("token").display())
}

fn token(env: &TestEnv) -> String {
    std::fs::read_to_string(env.path("token"))
        .unwrap()
        .trim()
        .to_owned()
}

fn reservations(env: &TestEnv) -> Option<String> {
    env.query_value("SELECT count(*) FROM reservations")
}

#[test]
fn a_key_whose_connection_died_during_delivery_is_stored_over_a_new_one() {
    let Some(env) = pg_env("starter") else {
        return;
    };
    let cmd = taking_the_key(&env, &kill_backends(&env));
    env.run(&["generate", "--name", "CI", "--exec", &cmd])
        .status(0);
    env.run_stdin(&["verify"], &token(&env)).status(0);
    assert_eq!(reservations(&env).as_deref(), Some("0"));
    // A rotation too: the integration got the new key, and it works.
    let cmd = taking_the_key(&env, &kill_backends(&env));
    let old = token(&env);
    env.run(&["rotate", "CI", "--grace", "1h", "--yes", "--exec", &cmd])
        .status(0);
    let new = token(&env);
    assert_ne!(old, new);
    env.run_stdin(&["verify"], &new).status(0);
    env.run_stdin(&["verify"], &old).status(0);
}

#[test]
fn a_key_whose_place_was_lost_with_the_connection_says_not_stored() {
    let Some(env) = pg_env("starter") else {
        return;
    };
    // While the key is delivered: its reservation runs out, another process takes the
    // Starter plan's one place, and the tool's connection is killed.
    let then = format!(
        "{} && '{BIN}' generate --name Other > '{}' && {}",
        psql(&env, "UPDATE reservations SET until = 0"),
        env.path("other").display(),
        kill_backends(&env)
    );
    let cmd = taking_the_key(&env, &then);
    let run = env
        .run(&["generate", "--name", "CI", "--exec", &cmd])
        .stderr_has("NOT stored")
        .stderr_has("allows 1");
    assert_ne!(run.0.status.code(), Some(0));
    env.run_stdin(&["verify"], &token(&env)).status(1);
    assert_eq!(reservations(&env).as_deref(), Some("0"));
    let names: Vec<_> = env.keys().iter().map(|k| k["name"].clone()).collect();
    assert_eq!(names, ["Other"]);
}

#[test]
fn a_rotation_whose_place_was_lost_says_so_and_keeps_the_old_key() {
    let Some(env) = pg_env("pro") else {
        return;
    };
    let old = env.generate("CI");
    // While the new key is delivered, the reservation runs out and someone else rotates
    // the same key: this rotation cannot be stored.
    let then = format!(
        "{} && '{BIN}' rotate CI --grace 1h --yes > '{}' && {}",
        psql(&env, "UPDATE reservations SET until = 0"),
        env.path("other").display(),
        kill_backends(&env)
    );
    let cmd = taking_the_key(&env, &then);
    env.run(&["rotate", "CI", "--yes", "--exec", &cmd])
        .stderr_has("NOT stored")
        .stderr_has("already rotated");
    env.run_stdin(&["verify"], &token(&env)).status(1);
    env.run_stdin(&["verify"], &old).status(0);
    assert_eq!(reservations(&env).as_deref(), Some("0"));
}

#[test]
fn a_store_that_cannot_be_reached_again_says_not_stored_not_a_bare_error() {
    let Some(env) = pg_env("starter") else {
        return;
    };
    let pg = env.pg.as_ref().unwrap();
    // No new connection to the store's database is allowed (said from another one),
    // then the tool's is killed.
    let then = format!(
        "psql -q -X -v ON_ERROR_STOP=1 '{admin}' \
         -c 'ALTER DATABASE {name} WITH ALLOW_CONNECTIONS false' \
         -c \"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'\" \
         >/dev/null",
        admin = pg.admin,
        name = pg.name,
    );
    let cmd = taking_the_key(&env, &then);
    let run = env
        .run(&["generate", "--name", "CI", "--exec", &cmd])
        .status(3)
        .stderr_has("NOT stored");
    crate::common::pg_client(&pg.admin)
        .batch_execute(&format!(
            "ALTER DATABASE {} WITH ALLOW_CONNECTIONS true",
            pg.name
        ))
        .unwrap();
    assert!(run.stderr().starts_with("error: "), "{}", run.stderr());
    env.run_stdin(&["verify"], &token(&env)).status(1);
    // Its reservation could not be released: it shows, and runs out in 10 minutes.
    env.run(&["org", "show"])
        .status(0)
        .stdout_has("(+1 being delivered)");
}

//! Names that look alike are one name: invisible characters are refused (exit 2), and
//! uniqueness among active keys is decided after NFKC, case folding and the confusable
//! skeleton, on both backends.

use crate::common::TestEnv;

#[test]
fn invisible_characters_are_refused_and_nothing_is_stored() {
    let env = TestEnv::with_org("acme", "enterprise");
    for c in [
        "\u{200B}",
        "\u{200E}",
        "\u{061C}",
        "\u{FEFF}",
        "\u{00AD}",
        "\u{200D}",
        "\u{034F}",
        "\u{180E}",
        "\u{E0041}",
        "\u{3164}",
        "\u{2029}",
        "\u{00A0}",
    ] {
        env.run(&["generate", "--name", &format!("Prod{c}deploy")])
            .status(2)
            .stderr_has("invisible");
    }
    assert!(env.keys().is_empty());
}

#[test]
fn names_that_look_alike_cannot_both_be_active() {
    let env = TestEnv::with_org("acme", "enterprise");
    env.generate("Prod deploy");
    for alike in [
        "prod deploy",
        "PROD DEPLOY",
        "Prod depl\u{043E}y",
        "Ｐｒｏｄ ｄｅｐｌｏｙ",
    ] {
        env.run(&["generate", "--name", alike])
            .status(1)
            .stderr_has("already exists");
    }
    env.generate("Prod deploy 2");
    assert_eq!(env.keys().len(), 2);
    // Once the first is revoked, the name is free again, in any of its forms.
    env.run(&["revoke", "Prod deploy", "--yes"]).status(0);
    env.generate("PROD DEPLOY");
}

#[test]
fn keys_that_already_collide_keep_working() {
    let env = TestEnv::with_org("acme", "enterprise");
    let first = env.generate("Deploy");
    // A store from before the rule could hold both; the rule applies to new keys.
    let second = env.generate("Deploy-old");
    let rename = if env.is_postgres() {
        "UPDATE keys SET name = 'deploy', name_key = 'deploy' WHERE name = 'Deploy-old'"
    } else {
        "UPDATE keys SET name = 'deploy', name_tag = name_tag('deploy') WHERE name = 'Deploy-old'"
    };
    env.sql(rename);
    env.run_stdin(&["verify"], &first).status(0);
    env.run_stdin(&["verify"], &second).status(0);
    env.run(&["show", "deploy"]).status(0);
    env.run(&["generate", "--name", "DEPLOY"])
        .status(1)
        .stderr_has("already exists");
}

#[test]
fn a_key_in_full_width_letters_is_refused_as_a_name() {
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("CI");
    let wide: String = key
        .chars()
        .map(|c| match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
            '_' => '＿',
            c => c,
        })
        .collect();
    let run = env
        .run(&["generate", "--name", &wide])
        .status(2)
        .stderr_has("looks like an API key");
    let random: String = wide.chars().skip(8).take(12).collect();
    assert!(!run.stderr().contains(&random), "{}", run.stderr());
    assert_eq!(env.keys().len(), 1);
}

//! What an admin sees at a real terminal (tmux, tests/common/tmux.rs): tables as `gh`
//! prints them, one line per row at 80 columns and wider, and prompts that hide a key.

use crate::common::TestEnv;
use crate::common::tmux::{EXIT_MARK, Terminal};

const BIN: &str = env!("CARGO_BIN_EXE_seenty-keys");

/// Names of 1, 30 and 100 characters, and wide (CJK) ones of 10 and 50 characters.
fn names() -> Vec<String> {
    vec![
        "a".to_owned(),
        "GitHub Actions CI deploy token".to_owned(),
        "n".repeat(100),
        "東京の本番デプロイ用キー".to_owned(),
        "東京".repeat(25),
    ]
}

/// A store with a key of each of [`names`], one of them rotated with a grace period (its
/// status then carries the link to its replacement) and one revoked.
fn store_with_names() -> TestEnv {
    let env = TestEnv::with_org("acme", "enterprise");
    for name in names() {
        env.generate(&name);
    }
    env.run(&["rotate", "a", "--grace", "1h", "--yes"])
        .status(0);
    env.run(&["revoke", &"n".repeat(100), "--yes"]).status(0);
    env
}

/// `args` on `env`'s store in a `size` terminal: the screen's lines above the exit mark.
fn screen_of(env: &TestEnv, args: &[&str], size: (u16, u16)) -> Vec<String> {
    let mut argv = vec![BIN.to_owned(), "--db".to_owned(), env.location()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    let term = Terminal::start_sized(env.dir.path(), &argv, size, &[("USER", "tester")]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{args:?}:\n{screen}");
    let lines: Vec<String> = screen.lines().map(str::to_owned).collect();
    let end = lines.iter().position(|l| l.starts_with(EXIT_MARK)).unwrap();
    lines[..end].to_vec()
}

fn width(line: &str) -> usize {
    line.chars()
        .map(|c| match c {
            '\u{3000}'..='\u{9fff}' | '\u{ff00}'..='\u{ffef}' => 2,
            _ => 1,
        })
        .sum()
}

const SIZES: [(u16, u16); 2] = [(80, 24), (160, 40)];

#[test]
fn list_gives_every_key_one_line_at_80_and_160_columns() {
    if !crate::common::tool_available("tmux") {
        return;
    }
    let env = store_with_names();
    let keys = env.keys();
    for size in SIZES {
        let lines = screen_of(&env, &["list"], size);
        let shown = format!("{}x{}:\n{}", size.0, size.1, lines.join("\n"));
        assert_eq!(
            lines.len(),
            1 + keys.len(),
            "a header and a line per key, {shown}"
        );
        assert!(
            lines[0].starts_with("ID ") && lines[0].contains("(UTC)"),
            "{shown}"
        );
        for line in &lines {
            assert!(width(line) <= usize::from(size.0), "{shown}");
        }
        for (line, key) in lines[1..].iter().zip(&keys) {
            let id = key["id"].as_str().unwrap();
            assert!(line.starts_with(&format!("{id}  ")), "{id} whole, {shown}");
            let name = key["name"].as_str().unwrap();
            let name_cell = line[id.len()..].trim_start();
            let whole = name_cell.starts_with(&format!("{name}  "));
            let cut = name_cell.split('…').next().is_some_and(|prefix| {
                name_cell.contains('…') && !prefix.is_empty() && name.starts_with(prefix)
            });
            assert!(whole || cut, "{name:?} whole or cut with …, {shown}");
            let status = key["status"].as_str().unwrap();
            assert!(line.contains(&format!("  {status}")), "{status}, {shown}");
            // Times are never cut: every time cell reads YYYY-MM-DD HH:MM or Never.
            for piece in line.split("  ").map(str::trim) {
                let digits = piece.chars().filter(char::is_ascii_digit).count();
                if piece.starts_with("20") && piece.contains('-') && !piece.contains(' ') {
                    panic!("a time cut to {piece:?}, {shown}");
                }
                assert!(digits != 12 || piece.len() == 16, "{piece:?}, {shown}");
            }
        }
    }
    // Wide enough, nothing is cut; at 80 columns the longest names are.
    let wide = screen_of(&env, &["list"], (160, 40)).join("\n");
    assert!(wide.contains("GitHub Actions CI deploy token  "), "{wide}");
    assert!(wide.contains("東京の本番デプロイ用キー  "), "{wide}");
    let narrow = screen_of(&env, &["list"], (80, 24)).join("\n");
    assert!(narrow.contains('…'), "{narrow}");
}

#[test]
fn other_tables_take_a_line_per_row_as_they_do_in_a_pipe() {
    if !crate::common::tool_available("tmux") {
        return;
    }
    let env = store_with_names();
    let long = "n".repeat(100);
    let commands: [&[&str]; 6] = [
        &["show", &long],
        &["org", "list"],
        &["org", "show"],
        &["plans"],
        &["log"],
        &["list", "--status", "active"],
    ];
    for args in commands {
        let piped = env.run(args).status(0).stdout();
        for size in SIZES {
            let lines = screen_of(&env, args, size);
            let shown = format!("{args:?} at {}x{}:\n{}", size.0, size.1, lines.join("\n"));
            assert_eq!(
                lines.len(),
                piped.lines().count(),
                "{shown}\npiped:\n{piped}"
            );
            assert!(!lines.iter().any(|l| l.contains('─')), "no rules, {shown}");
            assert!(
                lines.iter().all(|l| width(l) <= usize::from(size.0)),
                "{shown}"
            );
        }
    }
}

/// `argv` on `env`'s store in a 120×30 terminal without colours.
fn terminal(env: &TestEnv, args: &[&str]) -> Terminal {
    let mut argv = vec![BIN.to_owned(), "--db".to_owned(), env.location()];
    argv.extend(args.iter().map(|a| (*a).to_owned()));
    Terminal::start(env.dir.path(), &argv)
}

#[test]
fn verify_at_a_terminal_asks_for_the_key_without_echo() {
    if !crate::common::tool_available("tmux") {
        return;
    }
    let env = TestEnv::with_org("acme", "pro");
    let key = env.generate("GitHub Actions CI");
    let term = terminal(&env, &["verify"]);
    term.wait_for("Key to verify");
    term.send(&["-l", &key]);
    let typed = term.screen();
    assert!(
        !typed.contains(&key[8..]),
        "what is typed is not shown:\n{typed}"
    );
    term.send(&["Enter"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    assert!(screen.contains("valid key_"), "{screen}");
    assert!(
        !screen.contains(&key[8..]),
        "the key never shows:\n{screen}"
    );
}

#[test]
fn init_offers_a_plan_that_can_have_keys_first() {
    if !crate::common::tool_available("tmux") {
        return;
    }
    let env = TestEnv::new();
    let term = terminal(&env, &["init", "--org", "acme"]);
    let screen = term.wait_for("Plan");
    assert!(screen.contains("Hobby (no API access)"), "{screen}");
    assert!(screen.contains("Starter (up to 1 active key)"), "{screen}");
    term.send(&["Enter"]);
    let (status, screen) = term.exit();
    assert_eq!(status, 0, "{screen}");
    let org = env.run(&["--json", "org", "show"]).status(0).json();
    assert_eq!(org["plan"], "starter", "{screen}");
}

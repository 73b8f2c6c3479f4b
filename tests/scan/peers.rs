//! The rules in contrib/scanners/ run by the real tools from PyPI (.ci/run installs them
//! into target/ci-venv): Kingfisher and the detect-secrets plugin check the checksum, so a
//! planted Seenty key is reported under our rule and neither a Stripe-shaped decoy nor a
//! 28-character token with a bad checksum is; betterleaks goes by shape (28 characters),
//! so its Stripe rule no longer claims the Seenty key. gitleaks and TruffleHog are not on
//! PyPI: their files are checked by their documented format (TOML / YAML parsed, the
//! regular expression applied by Python's `re`), which is weaker, and the README says so.
//! No tool is allowed to validate anything over the network.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::repo::new_key;

/// The planted corpus: a Seenty key, a Stripe-shaped key, a 28-character decoy.
struct Corpus {
    dir: tempfile::TempDir,
    key: String,
    stripe: &'static str,
    decoy: &'static str,
}

fn corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let key = new_key();
    let (stripe, decoy) = (
        "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_live_HXeZ7CAKDypOqJ3QRWR9tdEBXA5d",
    );
    std::fs::create_dir_all(dir.path().join("src")).unwrap();
    std::fs::write(
        dir.path().join("src/config.env"),
        format!("SEENTY_TOKEN=\"{key}\"\nSTRIPE_KEY=\"{stripe}\"\nOTHER=\"{decoy}\"\n"),
    )
    .unwrap();
    Corpus {
        dir,
        key,
        stripe,
        decoy,
    }
}

fn rules(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib/scanners")
        .join(name)
}

/// Runs a venv tool in the corpus with no standard input and a home of its own.
fn tool(corpus: &Corpus, program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(corpus.dir.path())
        .env("HOME", corpus.dir.path().join("home"))
        .env("KF_RULE_CACHE_DIR", corpus.dir.path().join("kf-cache"))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The report: the first JSON value on stdout (from its first `{`; a summary may follow).
fn report(out: &Output) -> serde_json::Value {
    let text = stdout(out);
    serde_json::Deserializer::from_str(&text[text.find('{').unwrap_or(0)..])
        .into_iter()
        .next()
        .and_then(Result::ok)
        .unwrap_or_else(|| panic!("{text} {}", String::from_utf8_lossy(&out.stderr)))
}

/// (rule, secret) pairs from a JSON report, through the given field names.
fn pairs(findings: &[serde_json::Value], rule: &[&str], secret: &[&str]) -> Vec<(String, String)> {
    let at = |v: &serde_json::Value, path: &[&str]| {
        path.iter()
            .fold(v.clone(), |v, k| v[*k].clone())
            .as_str()
            .unwrap_or_default()
            .to_owned()
    };
    let mut out: Vec<_> = findings
        .iter()
        .map(|f| (at(f, rule), at(f, secret)))
        .collect();
    out.sort();
    out
}

#[test]
fn kingfisher_reports_the_key_under_our_rule_by_its_checksum() {
    let Some(kingfisher) = crate::common::venv_tool("kingfisher") else {
        return;
    };
    let c = corpus();
    let rule_file = rules("kingfisher.yaml");
    let rule_path = rule_file.to_str().unwrap();
    let check = tool(
        &c,
        &kingfisher,
        &[
            "rules",
            "check",
            "--no-update-check",
            "--rules-path",
            rule_path,
        ],
    );
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let out = tool(
        &c,
        &kingfisher,
        &[
            "scan",
            ".",
            "--rules-path",
            rule_path,
            "--no-validate",
            "--no-update-check",
            "--format",
            "json",
        ],
    );
    let report = report(&out);
    let found = pairs(
        report["findings"].as_array().unwrap(),
        &["rule", "id"],
        &["finding", "snippet"],
    );
    let ours: Vec<_> = found
        .iter()
        .filter(|(rule, _)| rule == "custom.seenty.api-key")
        .map(|(_, secret)| secret.as_str())
        .collect();
    // Not the Stripe key, not the 28-character decoy whose checksum fails.
    assert_eq!(ours, [c.key.as_str()], "{found:?}");
    assert!(
        found.iter().any(|(_, s)| s == c.decoy),
        "the decoy was seen: {found:?}"
    );
}

#[test]
fn the_detect_secrets_plugin_checks_the_checksum() {
    let Some(detect_secrets) = crate::common::venv_tool("detect-secrets") else {
        return;
    };
    let c = corpus();
    let plugin = rules("detect_secrets_seenty.py");
    let out = tool(
        &c,
        &detect_secrets,
        &[
            "scan",
            "--no-verify",
            "--plugin",
            plugin.to_str().unwrap(),
            "src/config.env",
        ],
    );
    let report = report(&out);
    let lines: Vec<u64> = report["results"]["src/config.env"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == "Seenty API Key")
        .map(|r| r["line_number"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, [1], "only the Seenty key, on line 1: {report}");
}

#[test]
fn betterleaks_reports_the_key_under_our_rule_and_not_under_stripes() {
    let Some(betterleaks) = crate::common::venv_tool("betterleaks") else {
        return;
    };
    let c = corpus();
    let config = rules("betterleaks.toml");
    let out = tool(
        &c,
        &betterleaks,
        &[
            "fs",
            ".",
            "--no-banner",
            "-c",
            config.to_str().unwrap(),
            "-o",
            "-",
        ],
    );
    let report = report(&out);
    let found = pairs(
        report["findings"].as_array().unwrap(),
        &["rule_id"],
        &["match", "value"],
    );
    assert!(
        found.contains(&("seenty-api-key".to_owned(), c.key.clone())),
        "{found:?}"
    );
    assert!(found.contains(&("stripe-access-token".to_owned(), c.stripe.to_owned())));
    assert!(
        !found.contains(&("stripe-access-token".to_owned(), c.key.clone())),
        "{found:?}"
    );
    assert!(!found.contains(&("seenty-api-key".to_owned(), c.stripe.to_owned())));
}

/// gitleaks (TOML) and TruffleHog (YAML), by their documented format: parsed, and their
/// expression run by Python's `re` on the corpus (the tools are not on PyPI).
#[test]
fn gitleaks_and_trufflehog_files_have_their_documented_shape() {
    let Some(python) = crate::common::venv_tool("python") else {
        return;
    };
    let c = corpus();
    let script = r#"
import json, re, sys, tomllib, yaml
gitleaks = tomllib.load(open(sys.argv[1], "rb"))
assert gitleaks["extend"]["useDefault"] is True
rules = {r["id"]: r for r in gitleaks["rules"]}
seenty = rules["seenty-api-key"]
assert seenty["keywords"] == ["sk_live_"] and seenty["secretGroup"] == 1
stripe_allow = rules["stripe-access-token"]["allowlists"][0]
assert stripe_allow["regexTarget"] == "secret"
truffle = yaml.safe_load(open(sys.argv[2]))
detector = truffle["detectors"][0]
assert detector["keywords"] == ["sk_live_"] and "verify" not in detector
text = open(sys.argv[3]).read()
out = {
    "gitleaks": [m.group(1) for m in re.finditer(seenty["regex"], text)],
    "gitleaks_stripe_allowed": [s for s in sys.argv[4:] if re.search(stripe_allow["regexes"][0], s)],
    "trufflehog": [m.group(1) for m in re.finditer(detector["regex"]["key"], text)],
}
print(json.dumps(out))
"#;
    let out = Command::new(&python)
        .args(["-c", script])
        .arg(rules("gitleaks.toml"))
        .arg(rules("trufflehog.yaml"))
        .arg(c.dir.path().join("src/config.env"))
        .args([c.key.as_str(), c.stripe])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    // By shape: the key and the 28-character decoy, never the Stripe key.
    let shape = serde_json::json!([c.key, c.decoy]);
    assert_eq!(found["gitleaks"], shape);
    assert_eq!(found["trufflehog"], shape);
    assert_eq!(found["gitleaks_stripe_allowed"], serde_json::json!([c.key]));
}

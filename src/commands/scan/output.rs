//! What `scan` prints: one line per finding, a JSON array, or a SARIF 2.1.0 log for
//! code-scanning tools. Each shows the hint, never the secret.

use std::collections::HashMap;
use std::io::{self, BufWriter, Write};

use serde_json::json;

use crate::cli::ScanFormat;
use crate::domain::key::{KeyHash, PREFIX};
use crate::domain::scan::{Encoding, allow};
use crate::error::Result;
use crate::render::{ScanFindingJson, escape};

use super::search::Found;
use super::{Ctx, Verdict, verdict_of};

pub fn write(
    ctx: &Ctx,
    format: ScanFormat,
    findings: &[Found],
    verdicts: &HashMap<KeyHash, Verdict>,
) -> Result<()> {
    let mut out = BufWriter::new(io::stdout().lock());
    match format {
        ScanFormat::Text => {
            for f in findings {
                text_line(&mut out, ctx, f, verdict_of(verdicts, f))?;
            }
        }
        ScanFormat::Json => {
            let json: Vec<_> = findings
                .iter()
                .map(|f| {
                    let verdict = verdict_of(verdicts, f);
                    ScanFindingJson {
                        commit: f.commit.as_deref(),
                        path: &f.path,
                        line: f.token.line,
                        column: f.token.column,
                        base64: f.token.encoding == Encoding::Base64,
                        hint: hint(f),
                        checksum: f.token.hash.is_some(),
                        status: verdict.status(ctx.now()),
                        key_id: verdict.key().map(|k| k.id.as_str()),
                        name: verdict.key().map(|k| k.name.as_str()),
                        sha256: f.token.hash.as_ref().map(allow::hex),
                    }
                })
                .collect();
            crate::render::write_json(&mut out, &json).map_err(io::Error::from)?;
            writeln!(out)?;
        }
        ScanFormat::Sarif => {
            let log = sarif(ctx, findings, verdicts);
            crate::render::write_json(&mut out, &log).map_err(io::Error::from)?;
            writeln!(out)?;
        }
    }
    out.flush()?;
    Ok(())
}

fn text_line(out: &mut impl Write, ctx: &Ctx, f: &Found, verdict: &Verdict) -> Result<()> {
    let place = format!("{}:{}:{}", escape(&f.place()), f.token.line, f.token.column);
    let encoded = match f.token.encoding {
        Encoding::Base64 => " (base64)",
        Encoding::Plain => "",
    };
    let what = match verdict.status(ctx.now()) {
        None => "checksum fails  not a Seenty key".to_owned(),
        Some(status) => match verdict.key() {
            Some(key) => format!(
                "checksum ok  {status}  {} \"{}\"",
                key.id,
                escape(&key.name)
            ),
            None => format!("checksum ok  {status}"),
        },
    };
    writeln!(out, "{place}{encoded}  {}  {what}", hint(f))?;
    Ok(())
}

fn hint(f: &Found) -> String {
    format!("{PREFIX}…{}", f.token.tail)
}

/// The rule each finding falls under, by index in the driver's rules.
const RULE_KEY: usize = 0;
const RULE_OTHER: usize = 1;

/// A SARIF 2.1.0 log with one run: the two rules, and a result per finding. Seenty
/// keys that may work are errors; the rest (revoked, expired, allowed, not ours) notes.
fn sarif(ctx: &Ctx, findings: &[Found], verdicts: &HashMap<KeyHash, Verdict>) -> serde_json::Value {
    let results: Vec<_> = findings
        .iter()
        .map(|f| {
            let verdict = verdict_of(verdicts, f);
            let status = verdict.status(ctx.now());
            let rule = if status.is_some() {
                RULE_KEY
            } else {
                RULE_OTHER
            };
            let level = match verdict {
                Verdict::Unverified => "error",
                Verdict::Known(_) if verdict.fails(ctx.now()) => "error",
                _ => "note",
            };
            let mut text = match (status, verdict.key()) {
                (None, _) => format!("{}: an sk_live_ token that is not a Seenty key", hint(f)),
                (Some(status), Some(key)) => format!(
                    "{}: a Seenty key, {status}: {} \"{}\"",
                    hint(f),
                    key.id,
                    key.name
                ),
                (Some(status), None) => format!("{}: a Seenty key, {status}", hint(f)),
            };
            if f.token.encoding == Encoding::Base64 {
                text.push_str(" (base64)");
            }
            let mut properties = json!({
                "status": status,
                "base64": f.token.encoding == Encoding::Base64,
            });
            if let Some(hash) = &f.token.hash {
                properties["sha256"] = json!(allow::hex(hash));
            }
            if let Some(commit) = &f.commit {
                properties["commit"] = json!(commit);
            }
            json!({
                "ruleId": RULES[rule].0,
                "ruleIndex": rule,
                "level": level,
                "message": { "text": text },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&f.path) },
                        "region": {
                            "startLine": f.token.line,
                            "startColumn": f.token.column,
                        },
                    },
                }],
                "properties": properties,
            })
        })
        .collect();
    let rules: Vec<_> = RULES
        .iter()
        .map(|(id, name, short, help, level)| {
            json!({
                "id": id,
                "name": name,
                "shortDescription": { "text": short },
                "help": { "text": help },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "seenty-keys",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                },
            },
            "results": results,
        }],
    })
}

/// id, name, short description, help, default level.
const RULES: [(&str, &str, &str, &str, &str); 2] = [
    (
        "seenty-key",
        "SeentyKey",
        "A Seenty API key (sk_live_ with a valid checksum)",
        "Revoke the key at once (seenty-keys revoke - --yes < file-holding-it), then remove it \
         from the file and from the history; if it is known to be dead, add its sha256 to \
         .seenty-keys-allow.",
        "error",
    ),
    (
        "sk-live-token",
        "SkLiveToken",
        "An sk_live_ token that is not a Seenty key (its checksum fails: another vendor's key, or noise)",
        "Not a Seenty key. If it is another vendor's live key (Stripe's share the prefix), \
         rotate it with that vendor.",
        "note",
    ),
];

/// A path as a relative URI reference: every byte outside the unreserved set and `/`
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

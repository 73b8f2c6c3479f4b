//! A leak report as the providers send it (a JSON array of `{"token","type","url",
//! "source"}`), the answer they expect (`{"token_hash","token_type","label"}` per token,
//! in order), and the revocation reason a reported key gets. The token never leaves this
//! module but as its SHA-256.

use serde::{Deserialize, Serialize};

use crate::domain::key::{self, KeyHash};
use crate::domain::text::{REASON_MAX, is_unsafe, validate_text};

/// Who sent a report: the provider decides the headers, the reason and the actor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    GitHub,
    GitLab,
}

impl Provider {
    pub const ALL: [Self; 2] = [Self::GitHub, Self::GitLab];

    pub fn name(self) -> &'static str {
        match self {
            Self::GitHub => "GitHub",
            Self::GitLab => "GitLab",
        }
    }

    /// The last segment of its path, `/v1/leaks/github`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::GitHub => "github",
            Self::GitLab => "gitlab",
        }
    }

    /// The header naming the public key that signed the report.
    pub fn key_id_header(self) -> &'static str {
        match self {
            Self::GitHub => "github-public-key-identifier",
            Self::GitLab => "gitlab-public-key-identifier",
        }
    }

    /// The header carrying the base64 DER signature of the raw body.
    pub fn signature_header(self) -> &'static str {
        match self {
            Self::GitHub => "github-public-key-signature",
            Self::GitLab => "gitlab-public-key-signature",
        }
    }

    /// The actor of the audit events a report causes.
    pub fn actor(self) -> &'static str {
        match self {
            Self::GitHub => "github leak report",
            Self::GitLab => "gitlab leak report",
        }
    }
}

/// The largest report accepted (`413` above it).
pub const MAX_REPORT: usize = 16 << 20;

/// One reported match. `token` is the secret as found: it is hashed and dropped.
#[derive(Deserialize)]
pub struct Reported {
    pub token: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub url: String,
    pub source: String,
}

impl std::fmt::Debug for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reported")
            .field("token", &key::Hint::of(self.token.as_bytes()))
            .field("kind", &self.kind)
            .field("url", &self.url)
            .field("source", &self.source)
            .finish()
    }
}

/// A signed body that is not a report: `400`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the body is not a JSON array of {{\"token\",\"type\",\"url\",\"source\"}} objects")]
pub struct BadReport;

/// Parses a report. serde's own message is not kept: it may quote the body.
pub fn parse(body: &[u8]) -> Result<Vec<Reported>, BadReport> {
    serde_json::from_slice(body).map_err(|_| BadReport)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    TruePositive,
    FalsePositive,
}

/// The answer about one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Answer {
    /// SHA-256 hex of the token as received.
    pub token_hash: String,
    pub token_type: String,
    pub label: Label,
}

/// What a token is before the store is asked: a Seenty key to look up (its stored hash),
/// or noise, decided by the checksum alone.
pub fn candidate(token: &str) -> Option<KeyHash> {
    key::check(token.as_bytes()).ok()
}

/// The SHA-256 hex of a token, whatever it is: `token_hash` in the answer.
pub fn token_hash(token: &str) -> String {
    format!("{:?}", KeyHash::of(token.as_bytes()))
}

/// The longest piece of the sender's text kept in a reason, so that a reason stays
/// within a revocation reason's bound.
const PIECE_MAX: usize = 200;

/// The reason a reported key is revoked with, `leaked: reported by GitHub (SOURCE) at
/// URL`. SOURCE and URL are the sender's text: they are kept only as a reason may be
/// (no control characters, no key, bounded), else left out.
pub fn reason(provider: Provider, source: &str, url: &str) -> String {
    let base = format!("leaked: reported by {}", provider.name());
    let full = format!("{base} ({}) at {}", piece(source), piece(url));
    match validate_text("the reason", &full) {
        Ok(text) if text.chars().count() <= REASON_MAX => text,
        _ => base,
    }
}

/// The sender's text cut to [`PIECE_MAX`] characters, unsafe ones dropped.
fn piece(text: &str) -> String {
    let mut kept: String = text.chars().filter(|&c| !is_unsafe(c)).collect();
    if kept.trim().is_empty() {
        return "unknown".to_owned();
    }
    if let Some((at, _)) = kept.char_indices().nth(PIECE_MAX) {
        kept.truncate(at);
        kept.push('…');
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_an_array_of_four_fields() {
        let ok = parse(br#"[{"token":"a","type":"t","url":"u","source":"s","x":1}]"#).unwrap();
        assert_eq!(ok.len(), 1);
        assert_eq!(parse(br#"{"token":"a"}"#).unwrap_err(), BadReport);
        assert_eq!(
            parse(br#"[{"token":"a","type":"t"}]"#).unwrap_err(),
            BadReport
        );
        assert_eq!(parse(b"[1]").unwrap_err(), BadReport);
        assert!(parse(b"[]").unwrap().is_empty());
    }

    #[test]
    fn the_reason_keeps_only_safe_text() {
        assert_eq!(
            reason(
                Provider::GitHub,
                "commit",
                "https://github.com/o/r/blob/x/f#L1"
            ),
            "leaked: reported by GitHub (commit) at https://github.com/o/r/blob/x/f#L1"
        );
        assert_eq!(
            reason(Provider::GitLab, "a\u{1b}[31mb", ""),
            "leaked: reported by GitLab (a[31mb) at unknown"
        );
        let long = "u".repeat(5000);
        assert!(reason(Provider::GitHub, "s", &long).chars().count() <= REASON_MAX);
        let secret = crate::domain::key::Secret::generate().unwrap();
        let url = format!("https://x/?k={}", secret.expose());
        assert_eq!(
            reason(Provider::GitHub, "s", &url),
            "leaked: reported by GitHub"
        );
    }
}

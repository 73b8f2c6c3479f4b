//! A leak report as the providers send it (a JSON array of `{"token","type","url",
//! "source"}`), the answer they expect (`{"token_hash","token_type","label"}` per token,
//! in order), and the revocation reason a reported key gets. The token never leaves this
//! module but as its SHA-256.

use serde::{Deserialize, Serialize};

use crate::domain::key::{self, KeyHash};
pub(crate) use crate::domain::leak::{Provider, reason};

/// The largest report accepted (`413` above it).
pub(crate) const MAX_REPORT: usize = 16 << 20;

/// One reported match. `token` is the secret as found: it is hashed and dropped.
#[derive(Deserialize)]
pub(crate) struct Reported {
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
pub(crate) struct BadReport;

/// Parses a report. serde's own message is not kept: it may quote the body.
pub(crate) fn parse(body: &[u8]) -> Result<Vec<Reported>, BadReport> {
    serde_json::from_slice(body).map_err(|_| BadReport)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Label {
    TruePositive,
    FalsePositive,
}

/// The answer about one token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Answer {
    /// SHA-256 hex of the token as received.
    pub token_hash: String,
    pub token_type: String,
    pub label: Label,
}

/// What a token is before the store is asked: a Seenty key to look up (its stored hash),
/// or noise, decided by the checksum alone.
pub(crate) fn candidate(token: &str) -> Option<KeyHash> {
    key::check(token.as_bytes()).ok()
}

/// The SHA-256 hex of a token, whatever it is: `token_hash` in the answer.
pub(crate) fn token_hash(token: &str) -> String {
    format!("{:?}", KeyHash::of(token.as_bytes()))
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
}

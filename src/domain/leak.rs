//! Who reports leaked keys (the secret-scanning providers) and what a report writes on a
//! key: the revocation reason and the audit event's actor. The sender's text is kept only
//! as a revocation reason may be.

use super::Timestamp;
use super::event::{Event, EventKind};
use super::hygiene::ago;
use super::text::{REASON_MAX, is_unsafe, validate_text};

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

/// The longest piece of the sender's text kept in a reason, so that a reason stays
/// within a revocation reason's bound.
const PIECE_MAX: usize = 200;

/// The reason a reported key is revoked with, `leaked: reported by GitHub (SOURCE) at
/// URL`. SOURCE and URL are the sender's text: they are kept only as a reason may be
/// (no control characters, no key, bounded), else left out.
pub fn reason(provider: Provider, source: &str, url: &str) -> String {
    let base = format!("{LEAKED}reported by {}", provider.name());
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

/// The prefix of every reason [`reason`] writes.
const LEAKED: &str = "leaked: ";

/// `report`'s detail of a leak event: when, what was done, and where the key leaked.
pub fn finding_detail(event: &Event, now: Timestamp) -> String {
    let what = event.detail.as_deref().unwrap_or_default();
    let what = what.strip_prefix(LEAKED).unwrap_or(what);
    let when = ago(now - event.at);
    match event.kind {
        EventKind::LeakReported => format!("{what} {when}; left working (--on-leak record)"),
        _ => format!("revoked {when}: {what}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

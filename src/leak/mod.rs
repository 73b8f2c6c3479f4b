//! Leak reports: the secret-scanning partner endpoint of `serve`. GitHub (and GitLab,
//! with the same format) find keys in public code and POST them, signed, to the issuer;
//! a Seenty key the store holds is revoked the moment the report arrives, so a key
//! pushed to a public repository stops working before anyone can use it.
//!
//! [`keys`] checks a report's signature, [`source`] keeps the providers' public keys
//! fresh, [`report`] reads a report and writes the answer, and [`act`] is what a report
//! does to the store. [`check`] ties the first three together for the HTTP layer.

pub(crate) mod act;
pub(crate) mod keys;
pub(crate) mod report;
pub(crate) mod source;

use keys::BadSignature;
use report::{BadReport, Reported};
use source::{Keyring, Refresh};

/// Why a report was not acted on, and the HTTP status it gets.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Rejected {
    #[error("{0}")]
    Signature(BadSignature),
    #[error(transparent)]
    Report(BadReport),
}

impl Rejected {
    pub(crate) fn status(&self) -> u16 {
        match self {
            Self::Signature(_) => 401,
            Self::Report(_) => 400,
        }
    }
}

/// Checks a report's signature (from the provider's two headers) over the raw `body`,
/// then reads it. Nothing in an unsigned body is read. `refreshed` hears of each read of
/// the public keys this caused, for the log.
pub(crate) async fn check(
    keyring: &Keyring,
    key_id: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    refreshed: &mut (dyn FnMut(Refresh) + Send),
) -> Result<Vec<Reported>, Rejected> {
    let (Some(key_id), Some(signature)) = (key_id, signature) else {
        return Err(Rejected::Signature(BadSignature::Missing));
    };
    let (keys, refresh) = keyring.keys_for(key_id).await;
    if let Some(refresh) = refresh {
        refreshed(refresh);
    }
    keys.verify(key_id, signature, body)
        .map_err(Rejected::Signature)?;
    report::parse(body).map_err(Rejected::Report)
}

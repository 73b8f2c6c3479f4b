//! The providers' public keys, as GitHub publishes them
//! (`{"public_keys":[{"key_identifier","key","is_current"}]}`, `key` a PEM P-256 public
//! key), and the check of a report's signature against them. A report is trusted only
//! when one of these keys signed its raw body.

use std::collections::HashMap;

use base64::Engine;
use ring::signature::{ECDSA_P256_SHA256_ASN1, UnparsedPublicKey};
use rustls_pki_types::SubjectPublicKeyInfoDer;
use rustls_pki_types::pem::PemObject;
use serde::Deserialize;
use x509_cert::der::Decode;
use x509_cert::spki::{ObjectIdentifier, SubjectPublicKeyInfoRef};

/// id-ecPublicKey (RFC 5480): the algorithm of an elliptic-curve public key.
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// secp256r1, the curve GitHub signs with.
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");

/// Why a set of public keys was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BadKeys {
    #[error("not the shape of GitHub's public keys ({0})")]
    Shape(String),
    #[error("public key {id:?}: {why}")]
    Key { id: String, why: &'static str },
    #[error("no public key in the list")]
    Empty,
}

/// Why a report's signature was not accepted: each one is a `401`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum BadSignature {
    #[error("the key identifier or signature header is missing")]
    Missing,
    #[error("the key identifier names no known public key")]
    UnknownKey,
    #[error("the signature is not base64")]
    NotBase64,
    #[error("the signature does not match the body")]
    Mismatch,
}

#[derive(Deserialize)]
struct Listing {
    public_keys: Vec<Listed>,
}

#[derive(Deserialize)]
struct Listed {
    key_identifier: String,
    key: String,
}

/// The public keys of one provider, by identifier: each an uncompressed P-256 point.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct PublicKeys {
    points: HashMap<String, Vec<u8>>,
}

impl PublicKeys {
    /// Parses the provider's listing. Every key must be a P-256 public key: a listing
    /// with one that is not is refused whole, rather than half-trusted.
    pub(crate) fn parse(json: &[u8]) -> Result<Self, BadKeys> {
        let listing: Listing =
            serde_json::from_slice(json).map_err(|e| BadKeys::Shape(e.to_string()))?;
        let mut points = HashMap::new();
        for listed in listing.public_keys {
            let point = p256_point(&listed.key).map_err(|why| BadKeys::Key {
                id: listed.key_identifier.clone(),
                why,
            })?;
            points.insert(listed.key_identifier, point);
        }
        if points.is_empty() {
            return Err(BadKeys::Empty);
        }
        Ok(Self { points })
    }

    pub(crate) fn knows(&self, id: &str) -> bool {
        self.points.contains_key(id)
    }

    pub(crate) fn len(&self) -> usize {
        self.points.len()
    }

    /// Checks `signature` (base64 of an ASN.1 DER ECDSA P-256 SHA-256 signature) of
    /// `body` by the key named `id`.
    pub(crate) fn verify(
        &self,
        id: &str,
        signature: &str,
        body: &[u8],
    ) -> Result<(), BadSignature> {
        let point = self.points.get(id).ok_or(BadSignature::UnknownKey)?;
        let signature = base64::engine::general_purpose::STANDARD
            .decode(signature.trim())
            .map_err(|_| BadSignature::NotBase64)?;
        UnparsedPublicKey::new(&ECDSA_P256_SHA256_ASN1, point)
            .verify(body, &signature)
            .map_err(|_| BadSignature::Mismatch)
    }
}

/// The public point of a PEM `PUBLIC KEY` (SubjectPublicKeyInfo) on P-256.
fn p256_point(pem: &str) -> Result<Vec<u8>, &'static str> {
    let der = SubjectPublicKeyInfoDer::from_pem_slice(pem.as_bytes())
        .map_err(|_| "not a PEM public key")?;
    let info = SubjectPublicKeyInfoRef::from_der(der.as_ref())
        .map_err(|_| "not a SubjectPublicKeyInfo")?;
    if info.algorithm.oid != EC_PUBLIC_KEY {
        return Err("not an elliptic-curve key");
    }
    let curve = info
        .algorithm
        .parameters
        .and_then(|p| p.decode_as::<ObjectIdentifier>().ok());
    if curve != Some(P256) {
        return Err("not on the P-256 curve");
    }
    let point = info
        .subject_public_key
        .as_bytes()
        .ok_or("a public key of a partial byte")?;
    // An uncompressed point: 0x04, then x and y of 32 bytes each.
    if point.len() != 65 || point[0] != 4 {
        return Err("not an uncompressed P-256 point");
    }
    Ok(point.to_vec())
}

/// Key pairs and listings made in tests, where the test plays the provider.
#[cfg(test)]
pub(crate) mod testing {
    use base64::Engine;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_ASN1_SIGNING, EcdsaKeyPair, KeyPair};

    /// The PEM SubjectPublicKeyInfo of a P-256 point: a fixed header, then the point.
    pub(crate) fn pem(point: &[u8]) -> String {
        let mut der = vec![
            0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01, 0x06,
            0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
        ];
        der.extend_from_slice(point);
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        format!("-----BEGIN PUBLIC KEY-----\n{b64}\n-----END PUBLIC KEY-----\n")
    }

    pub(crate) fn pair() -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let pkcs8 = EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, &rng).unwrap();
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_ASN1_SIGNING, pkcs8.as_ref(), &rng).unwrap()
    }

    /// GitHub's listing of one public key under `id`.
    pub(crate) fn listing(id: &str, pair: &EcdsaKeyPair) -> String {
        serde_json::json!({"public_keys": [{
            "key_identifier": id, "key": pem(pair.public_key().as_ref()), "is_current": true
        }]})
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::testing::{listing, pair};
    use super::*;
    use ring::rand::SystemRandom;

    #[test]
    fn a_signature_is_checked_against_the_named_key() {
        let pair = pair();
        let keys = PublicKeys::parse(listing("k1", &pair).as_bytes()).unwrap();
        let body = br#"[{"token":"x","type":"t","url":"u","source":"s"}]"#;
        let sig = pair.sign(&SystemRandom::new(), body).unwrap();
        let sig = base64::engine::general_purpose::STANDARD.encode(sig.as_ref());
        assert_eq!(keys.verify("k1", &sig, body), Ok(()));
        assert_eq!(keys.verify("k1", &sig, b"[]"), Err(BadSignature::Mismatch));
        assert_eq!(keys.verify("k2", &sig, body), Err(BadSignature::UnknownKey));
        assert_eq!(keys.verify("k1", "%%%", body), Err(BadSignature::NotBase64));
    }

    #[test]
    fn listings_that_are_not_p256_keys_are_refused() {
        assert!(matches!(PublicKeys::parse(b"{}"), Err(BadKeys::Shape(_))));
        assert_eq!(
            PublicKeys::parse(br#"{"public_keys":[]}"#),
            Err(BadKeys::Empty)
        );
        let bad = serde_json::json!({"public_keys": [{"key_identifier": "k", "key": "nope"}]});
        assert!(matches!(
            PublicKeys::parse(bad.to_string().as_bytes()),
            Err(BadKeys::Key { .. })
        ));
    }
}

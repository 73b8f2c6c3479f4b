//! TLS for `sslmode`, built only when the server agrees to it.
//!
//! The TLS stack is rustls with the `ring` provider, linked into the binary: a
//! dynamically linked OpenSSL (what native-tls uses on Linux) would cost every process,
//! even a `verify` against SQLite, its loading (BENCHMARKS.md has the figure).
//!
//! Loading the system's root certificates costs more than the rest of a `verify`. With
//! the default `sslmode=prefer` against a server without TLS that work would be thrown
//! away, so [`LazyTls`] builds the rustls configuration in [`TlsConnect::connect`],
//! which the client calls only after the server said yes; and only `verify-ca` and
//! `verify-full` load roots at all, since `require` and `prefer` check nothing.
//!
//! `require` encrypts without checking the certificate (libpq's behaviour without a
//! root certificate), `verify-ca` checks the chain, `verify-full` the chain and the host
//! name; `sslrootcert` adds a PEM file of roots, besides the system's.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use postgres::Socket;
use postgres::tls::{MakeTlsConnect, TlsConnect};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{verify_server_cert_signed_by_trust_anchor, verify_server_name};
use rustls::crypto::{CryptoProvider, verify_tls12_signature, verify_tls13_signature};
use rustls::server::ParsedCertificate;
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, ServerName, UnixTime};
use tokio_postgres_rustls::MakeRustlsConnect;

use super::url::{Settings, Verify};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The TLS policy of one connection.
#[derive(Clone)]
pub(crate) struct LazyTls {
    verify: Verify,
    root_cert: Option<String>,
}

impl LazyTls {
    pub(crate) fn new(settings: &Settings) -> Self {
        Self {
            verify: settings.verify,
            root_cert: settings.root_cert.clone(),
        }
    }

    fn client_config(&self) -> Result<ClientConfig, BoxError> {
        // An explicit provider: rustls' process-wide default is never consulted.
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier: Arc<dyn ServerCertVerifier> = match self.verify {
            Verify::None => Arc::new(Unchecked {
                provider: Arc::clone(&provider),
            }),
            Verify::Ca | Verify::Full => Arc::new(self.checked(Arc::clone(&provider))?),
        };
        Ok(ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth())
    }

    /// The verifier of `verify-ca` / `verify-full`: the system's roots and `sslrootcert`.
    fn checked(&self, provider: Arc<CryptoProvider>) -> Result<Checked, BoxError> {
        let mut roots = RootCertStore::empty();
        // Unreadable or unparsable system certificates are skipped, as OpenSSL does: a
        // certificate that chains to none of the rest fails the handshake, with its reason.
        roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
        let mut pinned = Vec::new();
        if let Some(path) = &self.root_cert {
            let pem =
                std::fs::read(path).map_err(|e| format!("reading sslrootcert {path}: {e}"))?;
            for cert in CertificateDer::pem_slice_iter(&pem) {
                let cert = cert.map_err(|e| format!("reading sslrootcert {path}: {e}"))?;
                roots
                    .add(cert.clone())
                    .map_err(|e| format!("reading sslrootcert {path}: {e}"))?;
                pinned.push(cert);
            }
            if pinned.is_empty() {
                return Err(format!("reading sslrootcert {path}: no PEM certificate").into());
            }
        }
        Ok(Checked {
            roots,
            pinned,
            check_name: self.verify == Verify::Full,
            provider,
        })
    }
}

impl MakeTlsConnect<Socket> for LazyTls {
    type Stream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;
    type TlsConnect = LazyConnect;
    type Error = BoxError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<LazyConnect, BoxError> {
        Ok(LazyConnect {
            tls: self.clone(),
            domain: domain.to_owned(),
        })
    }
}

/// One handshake, with the rustls configuration built at its start.
pub(crate) struct LazyConnect {
    tls: LazyTls,
    domain: String,
}

impl TlsConnect<Socket> for LazyConnect {
    type Stream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Stream, BoxError>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let inner = self.tls.client_config().and_then(|config| {
            MakeTlsConnect::<Socket>::make_tls_connect(
                &mut MakeRustlsConnect::new(config),
                &self.domain,
            )
            .map_err(BoxError::from)
        });
        match inner {
            Ok(inner) => {
                Box::pin(async move { inner.connect(stream).await.map_err(BoxError::from) })
            }
            Err(e) => Box::pin(async move { Err(e) }),
        }
    }
}

/// `require` / `prefer`: any certificate is accepted. The handshake's signatures are
/// still checked, which costs nothing and needs no roots.
#[derive(Debug)]
struct Unchecked {
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// `verify-ca` / `verify-full`: the chain must lead to a trusted root; with
/// `check_name`, the certificate must also name the host.
///
/// Not rustls' `WebPkiServerVerifier`, for two reasons: it always checks the name (which
/// `verify-ca` must not), and it refuses a server certificate that is itself a CA, as
/// the self-signed certificates usually given as `sslrootcert` are (`openssl req -x509`
/// marks them CA:TRUE). OpenSSL, so libpq, trusts such a certificate when it is in the
/// root file, so a certificate found as-is in `sslrootcert` is trusted here too, once
/// its validity period is checked.
#[derive(Debug)]
struct Checked {
    roots: RootCertStore,
    /// The certificates of `sslrootcert`, as given.
    pinned: Vec<CertificateDer<'static>>,
    check_name: bool,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let cert = ParsedCertificate::try_from(end_entity)?;
        if self.pinned.iter().any(|pinned| pinned == end_entity) {
            check_validity(end_entity, now)?;
        } else {
            verify_server_cert_signed_by_trust_anchor(
                &cert,
                &self.roots,
                intermediates,
                now,
                self.provider.signature_verification_algorithms.all,
            )?;
        }
        if self.check_name {
            verify_server_name(&cert, server_name)?;
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// The certificate's notBefore / notAfter against `now`: the one check of a chain that
/// still applies to a certificate trusted as-is.
fn check_validity(der: &CertificateDer<'_>, now: UnixTime) -> Result<(), rustls::Error> {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der.as_ref())
        .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
    let validity = &cert.tbs_certificate.validity;
    let now = now.as_secs();
    if now < validity.not_before.to_unix_duration().as_secs() {
        return Err(CertificateError::NotValidYet.into());
    }
    if now > validity.not_after.to_unix_duration().as_secs() {
        return Err(CertificateError::Expired.into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tls(verify: Verify, root_cert: Option<&str>) -> LazyTls {
        LazyTls {
            verify,
            root_cert: root_cert.map(str::to_owned),
        }
    }

    #[test]
    fn require_reads_no_root_file() {
        // Not even a missing sslrootcert is looked at: nothing is verified.
        assert!(
            tls(Verify::None, Some("/nonexistent/ca.pem"))
                .client_config()
                .is_ok()
        );
    }

    #[test]
    fn a_bad_root_file_is_named() {
        for verify in [Verify::Ca, Verify::Full] {
            let Err(e) = tls(verify, Some("/nonexistent/ca.pem")).client_config() else {
                panic!("a missing sslrootcert is refused");
            };
            assert!(e.to_string().contains("/nonexistent/ca.pem"), "{e}");
        }
        let Err(e) = tls(Verify::Full, Some("Cargo.toml")).client_config() else {
            panic!("a file without certificates is refused");
        };
        assert!(e.to_string().contains("no PEM certificate"), "{e}");
    }
}

//! TLS for `sslmode`, built only when the server agrees to it.
//!
//! Building a native-tls connector loads the system's root certificates, which costs
//! more than the rest of a `verify`. With the default `sslmode=prefer` against a server
//! without TLS that work would be thrown away, so [`LazyTls`] builds the connector in
//! [`TlsConnect::connect`], which the client calls only after the server said yes.
//!
//! `require` encrypts without checking the certificate (libpq's behaviour without a
//! root certificate), `verify-ca` checks the chain, `verify-full` the chain and the host
//! name; `sslrootcert` adds a PEM file of roots.

use std::future::Future;
use std::pin::Pin;

use postgres::Socket;
use postgres::tls::{MakeTlsConnect, TlsConnect};

use super::url::{Settings, Verify};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The TLS policy of one connection.
#[derive(Clone)]
pub struct LazyTls {
    verify: Verify,
    root_cert: Option<String>,
}

impl LazyTls {
    pub fn new(settings: &Settings) -> Self {
        Self {
            verify: settings.verify,
            root_cert: settings.root_cert.clone(),
        }
    }

    fn connector(&self) -> Result<native_tls::TlsConnector, BoxError> {
        let mut builder = native_tls::TlsConnector::builder();
        match self.verify {
            Verify::None => {
                builder.danger_accept_invalid_certs(true);
                builder.danger_accept_invalid_hostnames(true);
            }
            Verify::Ca => {
                builder.danger_accept_invalid_hostnames(true);
            }
            Verify::Full => {}
        }
        if let Some(path) = &self.root_cert {
            let pem =
                std::fs::read(path).map_err(|e| format!("reading sslrootcert {path}: {e}"))?;
            builder.add_root_certificate(native_tls::Certificate::from_pem(&pem)?);
        }
        Ok(builder.build()?)
    }
}

impl MakeTlsConnect<Socket> for LazyTls {
    type Stream = postgres_native_tls::TlsStream<Socket>;
    type TlsConnect = LazyConnect;
    type Error = BoxError;

    fn make_tls_connect(&mut self, domain: &str) -> Result<LazyConnect, BoxError> {
        Ok(LazyConnect {
            tls: self.clone(),
            domain: domain.to_owned(),
        })
    }
}

/// One handshake, with the connector built at its start.
pub struct LazyConnect {
    tls: LazyTls,
    domain: String,
}

impl TlsConnect<Socket> for LazyConnect {
    type Stream = postgres_native_tls::TlsStream<Socket>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Stream, BoxError>> + Send>>;

    fn connect(self, stream: Socket) -> Self::Future {
        let connector = match self.tls.connector() {
            Ok(connector) => connector,
            Err(e) => return Box::pin(async move { Err(e) }),
        };
        let inner = postgres_native_tls::TlsConnector::new(connector, &self.domain);
        Box::pin(async move { inner.connect(stream).await.map_err(BoxError::from) })
    }
}

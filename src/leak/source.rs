//! Where the providers' public keys come from (`serve --leak-keys SOURCE`: a file, or an
//! `http(s)://` URL such as GitHub's), and when they are read again: hourly, and when a
//! report names an unknown key (at most once a minute: GitHub's endpoint allows about 60
//! unauthenticated requests an hour). A failed read keeps the last good set.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty, Limited};
use hyper::Request;
use hyper::body::Bytes;
use hyper::header::{ACCEPT, HOST, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::Mutex;

use super::keys::{BadKeys, PublicKeys};

/// How often the keys are read again, whatever the reports.
pub(crate) const REFRESH_EVERY: Duration = Duration::from_secs(3600);
/// The least time between two reads caused by an unknown key identifier.
pub(crate) const UNKNOWN_KEY_PAUSE: Duration = Duration::from_secs(60);
/// A read that takes longer has failed (the last good set stays).
const FETCH_TIMEOUT: Duration = Duration::from_secs(10);
/// The most of a listing read: GitHub's is a few hundred bytes per key.
const MAX_LISTING: usize = 1 << 20;

/// Why the public keys could not be read.
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("reading {source_name}: {why}")]
    Read { source_name: String, why: String },
    #[error("{source_name}: {why}")]
    Parse { source_name: String, why: BadKeys },
}

/// `--leak-keys SOURCE`: a path, or an `http://` or `https://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum KeySource {
    File(PathBuf),
    Url(hyper::Uri),
}

impl KeySource {
    /// Anything with a scheme other than http(s) is refused rather than taken for a path.
    pub(crate) fn parse(text: &str) -> Result<Self, String> {
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            let uri: hyper::Uri = text.parse().map_err(|e| format!("{text}: {e}"))?;
            if uri.host().is_none() {
                return Err(format!("{text}: no host"));
            }
            return Ok(Self::Url(uri));
        }
        if text.is_empty() || text.contains("://") {
            return Err(format!("{text:?}: use a file path or an http(s):// URL"));
        }
        Ok(Self::File(text.into()))
    }

    fn name(&self) -> String {
        match self {
            Self::File(path) => path.display().to_string(),
            Self::Url(uri) => uri.to_string(),
        }
    }

    /// Reads and parses the listing.
    pub(crate) async fn fetch(&self) -> Result<PublicKeys, FetchError> {
        let read = |why: String| FetchError::Read {
            source_name: self.name(),
            why,
        };
        let bytes = match self {
            // A file of a few keys: read in place, as the runtime allows for a moment.
            Self::File(path) => std::fs::read(path).map_err(|e| read(e.to_string()))?,
            Self::Url(uri) => tokio::time::timeout(FETCH_TIMEOUT, get(uri))
                .await
                .map_err(|_| read(format!("no answer within {FETCH_TIMEOUT:?}")))?
                .map_err(read)?,
        };
        PublicKeys::parse(&bytes).map_err(|why| FetchError::Parse {
            source_name: self.name(),
            why,
        })
    }
}

/// One GET over HTTP/1.1 with hyper's client connection (no pool: a read an hour).
async fn get(uri: &hyper::Uri) -> Result<Vec<u8>, String> {
    let https = uri.scheme_str() == Some("https");
    let host = uri.host().ok_or("no host")?;
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    // A bracketed IPv6 literal connects without its brackets.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let tcp = TcpStream::connect((bare, port))
        .await
        .map_err(|e| e.to_string())?;
    let authority = uri.authority().map_or(host, |a| a.as_str());
    let request = Request::get(uri.path_and_query().map_or("/", |p| p.as_str()))
        .header(HOST, authority)
        .header(
            USER_AGENT,
            concat!("seenty-keys/", env!("CARGO_PKG_VERSION")),
        )
        .header(ACCEPT, "application/json")
        .body(Empty::<Bytes>::new())
        .map_err(|e| e.to_string())?;
    if !https {
        return send(TokioIo::new(tcp), request).await;
    }
    let name =
        rustls_pki_types::ServerName::try_from(bare.to_owned()).map_err(|e| e.to_string())?;
    let tls = tokio_rustls::TlsConnector::from(tls_config()?)
        .connect(name, tcp)
        .await
        .map_err(|e| e.to_string())?;
    send(TokioIo::new(tls), request).await
}

async fn send<T>(io: TokioIo<T>, request: Request<Empty<Bytes>>) -> Result<Vec<u8>, String>
where
    T: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(io)
        .await
        .map_err(|e| e.to_string())?;
    let driver = tokio::spawn(connection);
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = Limited::new(response.into_body(), MAX_LISTING)
        .collect()
        .await
        .map_err(|e| e.to_string());
    driver.abort();
    if !status.is_success() {
        return Err(format!("HTTP status {status}"));
    }
    Ok(body?.to_bytes().to_vec())
}

/// rustls with the system's roots, and ring as its explicit provider (no process-wide
/// default is consulted).
fn tls_config() -> Result<Arc<rustls::ClientConfig>, String> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(rustls_native_certs::load_native_certs().certs);
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The keys a service trusts, and when they were last read.
struct State {
    keys: Arc<PublicKeys>,
    /// The last read, good or not: the hourly read counts from it.
    read_at: Instant,
    /// The last read caused by an unknown identifier.
    unknown_at: Option<Instant>,
}

/// The public keys of one provider, read again as the module says. Shared by every
/// connection of a service.
pub(crate) struct Keyring {
    source: KeySource,
    state: Mutex<State>,
}

/// What a service is told about a read of the keys, for its log.
pub(crate) enum Refresh {
    /// Read, `usize` keys.
    Read(usize),
    /// Not read; the last good set stays.
    Failed(FetchError),
}

impl Keyring {
    /// Reads the keys once: a service does not start without them.
    pub(crate) async fn load(source: KeySource) -> Result<Self, FetchError> {
        let keys = source.fetch().await?;
        Ok(Self {
            source,
            state: Mutex::new(State {
                keys: Arc::new(keys),
                read_at: Instant::now(),
                unknown_at: None,
            }),
        })
    }

    /// How many keys are trusted now.
    pub(crate) async fn count(&self) -> usize {
        self.state.lock().await.keys.len()
    }

    /// The keys to check a report signed by `key_id`, read again first when they are an
    /// hour old, or when `key_id` is unknown and no such read happened in the last
    /// minute. Reports wait for a read under way rather than start another.
    pub(crate) async fn keys_for(&self, key_id: &str) -> (Arc<PublicKeys>, Option<Refresh>) {
        let mut state = self.state.lock().await;
        let now = Instant::now();
        let unknown = !state.keys.knows(key_id)
            && state
                .unknown_at
                .is_none_or(|at| now.duration_since(at) >= UNKNOWN_KEY_PAUSE);
        if unknown {
            state.unknown_at = Some(now);
        }
        let refresh = if unknown || state.stale(now) {
            Some(self.read(&mut state).await)
        } else {
            None
        };
        (Arc::clone(&state.keys), refresh)
    }

    /// Reads the keys again if they are an hour old: what a service runs every hour, so
    /// that keys the provider retired stop being trusted even when no report comes.
    pub(crate) async fn refresh_if_stale(&self) -> Option<Refresh> {
        let mut state = self.state.lock().await;
        if !state.stale(Instant::now()) {
            return None;
        }
        Some(self.read(&mut state).await)
    }

    /// Reads the keys; a failure keeps the last good ones.
    async fn read(&self, state: &mut State) -> Refresh {
        state.read_at = Instant::now();
        match self.source.fetch().await {
            Ok(keys) => {
                state.keys = Arc::new(keys);
                Refresh::Read(state.keys.len())
            }
            Err(e) => Refresh::Failed(e),
        }
    }
}

impl State {
    fn stale(&self, now: Instant) -> bool {
        now.duration_since(self.read_at) >= REFRESH_EVERY
    }
}

#[cfg(test)]
mod tests {
    use super::super::keys::testing::{listing, pair};
    use super::*;

    #[test]
    fn an_unknown_key_reads_again_once_a_minute_and_a_failed_read_keeps_the_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys.json");
        std::fs::write(&path, listing("k1", &pair())).unwrap();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let keyring = runtime
            .block_on(Keyring::load(KeySource::File(path.clone())))
            .unwrap();
        let (keys, refresh) = runtime.block_on(keyring.keys_for("k1"));
        assert!(keys.knows("k1") && refresh.is_none());
        std::fs::write(&path, "not json").unwrap();
        let (keys, refresh) = runtime.block_on(keyring.keys_for("k2"));
        assert!(matches!(refresh, Some(Refresh::Failed(_))));
        assert!(keys.knows("k1"), "the last good set stays");
        std::fs::write(&path, listing("k2", &pair())).unwrap();
        let (keys, refresh) = runtime.block_on(keyring.keys_for("k2"));
        assert!(refresh.is_none(), "no second read within the minute");
        assert!(!keys.knows("k2"));
    }

    #[test]
    fn a_source_is_a_path_or_an_http_url() {
        assert!(matches!(
            KeySource::parse("keys.json"),
            Ok(KeySource::File(_))
        ));
        assert!(matches!(
            KeySource::parse("https://api.github.com/meta/public_keys/secret_scanning"),
            Ok(KeySource::Url(_))
        ));
        assert!(KeySource::parse("ftp://example.com/keys").is_err());
        assert!(KeySource::parse("").is_err());
    }
}

//! Where `serve` listens: TCP (`HOST:PORT`) or a Unix socket (`unix:PATH`), bound before
//! the service starts (a port in use is exit 3, naming it), and the accept loop, which
//! holds one permit per open connection so their number stays bounded ([`Conns`]).

use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Semaphore, watch};

use super::conns::{Conn, Conns};
use super::http::{App, handle};
use crate::error::{Error, Result};

/// A client that has not sent a request's headers within this is disconnected.
const HEADER_TIME: Duration = Duration::from_secs(10);
/// Headers larger than this are answered 431.
const MAX_HEADERS: usize = 16 * 1024;
/// Header lines per request at most (each at least 4 bytes, within [`MAX_HEADERS`]).
const MAX_HEADER_COUNT: usize = 1024;

pub(crate) enum Bound {
    Tcp(std::net::TcpListener),
    Unix {
        listener: std::os::unix::net::UnixListener,
        path: PathBuf,
        inode: u64,
    },
}

/// Binds `--listen ADDR`; a bad address is a usage error, an address that cannot be
/// bound (in use, no permission) exit 3.
pub(crate) fn bind(addr: &str) -> Result<Bound> {
    let failed = |source: io::Error| Error::Io {
        what: format!("cannot listen on {addr}"),
        source,
    };
    if let Some(path) = addr.strip_prefix("unix:") {
        if path.is_empty() {
            return Err(Error::BadListen(addr.to_owned()));
        }
        let path = PathBuf::from(path);
        remove_stale(&path).map_err(failed)?;
        let listener = std::os::unix::net::UnixListener::bind(&path).map_err(failed)?;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o660)).map_err(failed)?;
        let inode = std::fs::metadata(&path).map_err(failed)?.ino();
        listener.set_nonblocking(true).map_err(failed)?;
        return Ok(Bound::Unix {
            listener,
            path,
            inode,
        });
    }
    let port = addr.rsplit_once(':').map(|(_, port)| port.parse::<u16>());
    if !matches!(port, Some(Ok(_))) {
        return Err(Error::BadListen(addr.to_owned()));
    }
    let listener = std::net::TcpListener::bind(addr).map_err(failed)?;
    listener.set_nonblocking(true).map_err(failed)?;
    Ok(Bound::Tcp(listener))
}

/// A socket file left by a service that is gone is removed; one that answers is in use;
/// anything else at the path is not touched.
fn remove_stale(path: &Path) -> io::Result<()> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if !meta.file_type().is_socket() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the path exists and is not a socket",
        ));
    }
    match std::os::unix::net::UnixStream::connect(path) {
        Ok(_) => Err(io::Error::new(
            io::ErrorKind::AddrInUse,
            "another process is listening there",
        )),
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => std::fs::remove_file(path),
        Err(e) => Err(e),
    }
}

impl Bound {
    /// What the `listening on` line names: the real address.
    pub(crate) fn describe(&self) -> String {
        match self {
            Self::Tcp(listener) => match listener.local_addr() {
                Ok(addr) => format!("http://{addr}"),
                Err(_) => "http://?".to_owned(),
            },
            Self::Unix { path, .. } => format!("unix:{}", path.display()),
        }
    }

    /// Removes the socket file, if it is still the one this process made.
    pub(crate) fn clean_up(&self) {
        if let Self::Unix { path, inode, .. } = self
            && std::fs::metadata(path).is_ok_and(|m| m.ino() == *inode)
        {
            let _ = std::fs::remove_file(path);
        }
    }

    /// Accepts connections until `stop` turns true, each served on its own task holding
    /// one of `permits` until it closes; at `stop` each finishes its request in progress.
    pub(crate) async fn accept(
        self,
        app: Arc<App>,
        permits: Arc<Semaphore>,
        conns: Arc<Conns>,
        mut stop: watch::Receiver<bool>,
    ) -> io::Result<Self> {
        let listener = self.try_clone()?;
        loop {
            let permit = tokio::select! {
                _ = stop.changed() => return Ok(self),
                permit = permits.clone().acquire_owned() => permit,
            };
            let Ok(permit) = permit else {
                return Ok(self);
            };
            let accepted = tokio::select! {
                _ = stop.changed() => return Ok(self),
                accepted = listener.accept() => accepted,
            };
            // An accept that fails (a client gone, out of files) costs that client only.
            let Ok(io) = accepted else {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            };
            let app = app.clone();
            let stop = stop.clone();
            let conns = conns.clone();
            tokio::spawn(async move {
                let (id, conn) = conns.admit();
                app.metrics.connections.fetch_add(1, Ordering::Relaxed);
                match io {
                    Stream::Tcp(s) => serve(TokioIo::new(s), &app, &conn, stop).await,
                    Stream::Unix(s) => serve(TokioIo::new(s), &app, &conn, stop).await,
                }
                app.metrics.connections.fetch_sub(1, Ordering::Relaxed);
                conns.leave(id);
                drop(permit);
            });
        }
    }

    fn try_clone(&self) -> io::Result<Listener> {
        Ok(match self {
            Self::Tcp(l) => Listener::Tcp(tokio::net::TcpListener::from_std(l.try_clone()?)?),
            Self::Unix { listener, .. } => {
                Listener::Unix(tokio::net::UnixListener::from_std(listener.try_clone()?)?)
            }
        })
    }
}

enum Listener {
    Tcp(tokio::net::TcpListener),
    Unix(tokio::net::UnixListener),
}

enum Stream {
    Tcp(tokio::net::TcpStream),
    Unix(tokio::net::UnixStream),
}

impl Listener {
    async fn accept(&self) -> io::Result<Stream> {
        match self {
            Self::Tcp(l) => {
                let (stream, _) = l.accept().await?;
                let _ = stream.set_nodelay(true);
                Ok(Stream::Tcp(stream))
            }
            Self::Unix(l) => Ok(Stream::Unix(l.accept().await?.0)),
        }
    }
}

/// One connection: HTTP/1.1 with keep-alive, bounded headers and header time. At
/// `stop`, or when shed for a newer connection, a request in progress is finished and
/// the connection closed; an idle one is closed at once.
async fn serve<I>(io: TokioIo<I>, app: &Arc<App>, conn: &Arc<Conn>, mut stop: watch::Receiver<bool>)
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (app, marked) = (app.clone(), conn.clone());
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIME)
        .max_header_size(MAX_HEADERS)
        // The size bound decides; many small headers are no harm.
        .max_headers(MAX_HEADER_COUNT)
        .serve_connection(
            io,
            service_fn(move |request| {
                let busy = marked.busy();
                let app = app.clone();
                async move {
                    let answer = handle(app, request).await;
                    drop(busy);
                    answer
                }
            }),
        );
    tokio::pin!(connection);
    if !*stop.borrow_and_update() {
        tokio::select! {
            _ = connection.as_mut() => return,
            _ = stop.changed() => {}
            () = conn.shed.notified() => if !conn.is_busy() || conn.is_slow() {
                return;
            }
        }
    }
    connection.as_mut().graceful_shutdown();
    let _ = connection.await;
}

//! The floor that `scripts/bench-serve` measures `serve` against: the smallest HTTP/1.1
//! service the same crates make (hyper on a multi-threaded tokio runtime, a task per
//! connection, keep-alive), answering every request `204` with nothing to decide. What it
//! costs is what any HTTP service in Rust costs; `serve` is judged by how close it gets.
//!
//! `floor_204 [HOST:PORT]` (default `127.0.0.1:0`) prints `listening on http://HOST:PORT`
//! on stderr, as `serve` does, and runs until killed.

use std::convert::Infallible;
use std::net::SocketAddr;

use http_body_util::Empty;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

async fn answer(_: Request<Incoming>) -> Result<Response<Empty<Bytes>>, Infallible> {
    let mut response = Response::new(Empty::new());
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".to_owned())
        .parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr).await?;
        eprintln!("listening on http://{}", listener.local_addr()?);
        loop {
            let (stream, _) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service_fn(answer))
                    .await;
            });
        }
    })
}

//! The HTTP/1.1 server loop. It is `axum::serve`'s, plus what that does not offer: a time
//! limit on reading a request's headers (a client sending them a byte at a time, or opening a
//! connection and sending nothing, is cut off: slowloris), a cap on open connections (past it,
//! new connections wait in the kernel's listen queue until one closes), and metrics for both.
//! Request bodies get their own idle timeout in [`crate::http::app`].

use std::net::SocketAddr;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::serve::Listener;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpStream;
use tokio::sync::{Semaphore, watch};
use tower::ServiceExt;

/// What bounds a connection.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest a client may take to send a request's headers, counted from its first
    /// byte (from the connection's start for the first request, from the previous response
    /// for the next ones: an idle keep-alive connection is closed after this long too).
    pub header_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets every
/// connection finish the request it is on (idle ones close at once) and returns when all
/// are closed. The caller bounds that wait.
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send,
) where
    L: Listener<Io = TcpStream, Addr = SocketAddr>,
{
    let permits = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    // Closing `stop` tells connections to finish; each holds a `done` receiver, so
    // `done_tx.closed()` resolves when the last one ends.
    let (stop_tx, stop_rx) = watch::channel(());
    let (done_tx, done_rx) = watch::channel(());
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_read_timeout);
    let builder = Arc::new(builder);
    let mut shutdown = pin!(shutdown);
    let mut warned: Option<std::time::Instant> = None;
    loop {
        let permit = match permits.clone().try_acquire_owned() {
            Ok(permit) => permit,
            Err(_) => {
                metrics::counter!("llmchat_http_connection_limit_reached_total").increment(1);
                if warned.is_none_or(|at| at.elapsed() > Duration::from_secs(10)) {
                    warned = Some(std::time::Instant::now());
                    tracing::warn!(
                        max_connections = limits.max_connections,
                        "connection limit reached; new connections wait until one closes"
                    );
                }
                tokio::select! {
                    permit = permits.clone().acquire_owned() => match permit {
                        Ok(permit) => permit,
                        Err(_) => break,
                    },
                    () = &mut shutdown => break,
                }
            }
        };
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        // Streams of small SSE frames must not wait for Nagle.
        let _ = stream.set_nodelay(true);
        let service = router
            .clone()
            .map_request(move |request: hyper::Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(remote));
                request
            });
        let builder = builder.clone();
        let mut stop = stop_rx.clone();
        let done = done_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _done = done;
            let open = metrics::gauge!("llmchat_http_connections_open");
            open.increment(1.0);
            let connection = builder
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
                .with_upgrades();
            let mut connection = pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                _ = stop.changed() => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            open.decrement(1.0);
            if let Err(e) = result {
                if e.is_timeout() {
                    metrics::counter!("llmchat_http_header_timeouts_total").increment(1);
                    tracing::debug!(%remote, "closed a connection that did not send its request headers in time");
                } else {
                    tracing::trace!(%remote, error = %e, "connection ended with an error");
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(());
    drop(stop_rx);
    drop(done_rx);
    done_tx.closed().await;
}

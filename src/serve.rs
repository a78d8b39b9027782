//! The HTTP/1.1 server loop. It is `axum::serve`'s, plus what that does not offer: a time
//! limit on reading a request's headers (a client sending them a byte at a time, or opening a
//! connection and sending nothing, is cut off: slowloris), a cap on open connections (past it,
//! new connections wait in the kernel's listen queue until one closes), and metrics for both.
//! Request bodies get their own idle timeout in [`crate::http::app`]. Also the listening
//! socket ([`listen`]) and the switch that stops accepting at shutdown ([`StopAccepting`]).

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
        let (builder, router, stop, done) = (
            builder.clone(),
            router.clone(),
            stop_rx.clone(),
            done_rx.clone(),
        );
        tokio::spawn(async move {
            let _permit = permit;
            let _done = done;
            connection(&builder, stream, remote, router, stop).await;
        });
    }
    drop(listener);
    let _ = stop_tx.send(());
    drop(stop_rx);
    drop(done_rx);
    done_tx.closed().await;
}

/// Serves one connection until it closes, or, once `stop` changes, until it has finished the
/// request it is on.
async fn connection(
    builder: &hyper::server::conn::http1::Builder,
    stream: TcpStream,
    remote: SocketAddr,
    router: Router,
    mut stop: watch::Receiver<()>,
) {
    // Streams of small SSE frames must not wait for Nagle.
    let _ = stream.set_nodelay(true);
    let service = router.map_request(move |request: hyper::Request<Incoming>| {
        let mut request = request.map(Body::new);
        request.extensions_mut().insert(ConnectInfo(remote));
        request
    });
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
}

/// Connections the kernel may hold for the server before it accepts them (it caps the number
/// at `net.core.somaxconn`, 4096 on current kernels). `TcpListener::bind` asks for 128: a
/// thousand clients connecting at once overflowed that queue, and each dropped connection
/// attempt cost its client a one-second SYN retransmission before its first byte.
pub const LISTEN_BACKLOG: u32 = 4096;

/// Listens on `host:port` (the first of its addresses that can be bound), with
/// [`LISTEN_BACKLOG`]. `reuse_port` sets `SO_REUSEPORT` (Unix): another process may then
/// listen on the same port beside this one and the kernel spreads new connections over both,
/// which is how a new release starts beside the old one (`scripts/deployment/deploy.sh`).
pub async fn listen(
    host: &str,
    port: u16,
    reuse_port: bool,
) -> std::io::Result<tokio::net::TcpListener> {
    let mut failure = None;
    for addr in tokio::net::lookup_host((host, port)).await? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()
        } else {
            tokio::net::TcpSocket::new_v6()
        };
        let listener = socket.and_then(|socket| {
            // As `TcpListener::bind` does: a restarted server can bind while old
            // connections linger in TIME_WAIT.
            #[cfg(unix)]
            socket.set_reuseaddr(true)?;
            #[cfg(unix)]
            if reuse_port {
                socket.set_reuseport(true)?;
            }
            #[cfg(not(unix))]
            let _ = reuse_port;
            socket.bind(addr)?;
            socket.listen(LISTEN_BACKLOG)
        });
        match listener {
            Ok(listener) => return Ok(listener),
            Err(e) => failure = Some(e),
        }
    }
    Err(failure.unwrap_or_else(|| {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, "the host has no address")
    }))
}

/// A listener that closes its socket when `stop` is cancelled and accepts nothing more. With
/// `SO_REUSEPORT` (and `net.ipv4.tcp_migrate_req=1`), connections still queued on it move to
/// the other server on the port; the server then lets the ones it accepted send their
/// request before it shuts connections down (see `App::run`).
pub struct StopAccepting<L: axum::serve::Listener> {
    inner: Option<L>,
    addr: L::Addr,
    stop: tokio_util::sync::CancellationToken,
}

impl<L: axum::serve::Listener> StopAccepting<L>
where
    L::Addr: Clone,
{
    pub fn new(inner: L, stop: tokio_util::sync::CancellationToken) -> std::io::Result<Self> {
        let addr = inner.local_addr()?;
        Ok(StopAccepting {
            inner: Some(inner),
            addr,
            stop,
        })
    }
}

impl<L: axum::serve::Listener> axum::serve::Listener for StopAccepting<L>
where
    L::Addr: Clone + Send + Sync,
{
    type Io = L::Io;
    type Addr = L::Addr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        if let Some(inner) = self.inner.as_mut() {
            tokio::select! {
                biased;
                () = self.stop.cancelled() => {}
                accepted = inner.accept() => return accepted,
            }
        }
        // Closes the socket; from now on this server only finishes what it has.
        self.inner = None;
        std::future::pending().await
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        Ok(self.addr.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    /// A burst of clients that connect before the server gets round to accepting them all is
    /// queued, not dropped: with `TcpListener::bind`'s backlog of 128, the 130th connection
    /// attempt here would wait for SYN retransmissions (1 s, 3 s, …) and miss the deadline.
    #[tokio::test]
    async fn a_burst_of_connections_waits_in_the_listen_queue() -> anyhow::Result<()> {
        let listener = listen("127.0.0.1", 0, false).await?;
        let addr = listener.local_addr()?;
        let mut clients = Vec::new();
        for _ in 0..600 {
            let client =
                tokio::time::timeout(Duration::from_secs(3), tokio::net::TcpStream::connect(addr))
                    .await
                    .map_err(|_| {
                        anyhow::anyhow!("connection {} was not queued", clients.len())
                    })??;
            clients.push(client);
        }
        // All of them are there to be accepted.
        for _ in 0..clients.len() {
            tokio::time::timeout(Duration::from_secs(3), listener.accept()).await??;
        }
        Ok(())
    }

    #[tokio::test]
    async fn a_port_already_listened_on_is_an_error() -> anyhow::Result<()> {
        let first = listen("127.0.0.1", 0, false).await?;
        let port = first.local_addr()?.port();
        let error = listen("127.0.0.1", port, false).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
        // Asking for port sharing does not take over a port whose owner did not offer it.
        let error = listen("127.0.0.1", port, true).await.unwrap_err();
        assert_eq!(error.kind(), std::io::ErrorKind::AddrInUse);
        Ok(())
    }

    /// Two servers that both ask for `reuse_port` share the port, and each gets connections:
    /// the new release of an upgrade answers beside the old one.
    #[cfg(unix)]
    #[tokio::test]
    async fn two_listeners_with_reuse_port_share_the_port() -> anyhow::Result<()> {
        let old = listen("127.0.0.1", 0, true).await?;
        let addr = old.local_addr()?;
        let new = listen("127.0.0.1", addr.port(), true).await?;
        let (mut to_old, mut to_new) = (0, 0);
        for _ in 0..64 {
            let _client = tokio::net::TcpStream::connect(addr).await?;
            tokio::select! {
                accepted = old.accept() => { accepted?; to_old += 1; }
                accepted = new.accept() => { accepted?; to_new += 1; }
            }
        }
        assert!(
            to_old > 0 && to_new > 0,
            "old got {to_old}, new got {to_new}"
        );
        // Once the old one is gone, every connection reaches the new one.
        drop(old);
        for _ in 0..8 {
            let _client = tokio::net::TcpStream::connect(addr).await?;
            tokio::time::timeout(Duration::from_secs(3), new.accept()).await??;
        }
        Ok(())
    }
}

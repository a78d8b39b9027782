//! `llmchat-mock`: a mock upstream for tests, demos and benchmarks. It speaks the OpenAI,
//! Anthropic, FastGPT and Dify wire protocols on loopback, replaying the fixtures in
//! `tests/fixtures/<protocol>/` (written from each vendor's documentation) or generating
//! streams, with per-request knobs for pacing and faults. Full guide: `docs/mock-upstream.md`.
//!
//! ```text
//! llmchat-mock [--port 0] [--host 127.0.0.1] [--fixtures DIR] [--keep-requests 100] [--exit-on-eof]
//! ```
//!
//! It prints exactly one line to stdout, `listening on 127.0.0.1:PORT`, then serves until
//! SIGTERM or Ctrl-C (or, with `--exit-on-eof`, until its stdin closes).
//!
//! Base URLs, as an agent's `base_url`: `http://127.0.0.1:PORT/openai/v1`, `…/anthropic`,
//! `…/fastgpt/api`, `…/dify/v1`. Knobs go in a path segment before the protocol:
//! `http://127.0.0.1:PORT/k/delay_ms=5,fault=cut:3/openai/v1`. Knobs: `scenario=<fixture stem>`,
//! `app=<fixture stem>`, `chunks=N`, `delay_ms=MS`, `first_delay_ms=MS`, `bytewise=1`,
//! `fault=<status>|cut:N[+B]|end:N|badjson:N|stall:MS[@K]` (repeatable), `retry_after=S`,
//! `fail_times=N`, `tag=NAME`. `GET /_mock/requests[?tag=&protocol=]` lists what was received;
//! `DELETE /_mock/requests` forgets it; `GET /_mock/fixtures` lists what can be replayed.

mod fixtures;
mod knobs;
mod protocol;
mod record;
mod replay;
mod routes;
mod state;
mod synthetic;

use std::collections::HashMap;
use std::future::IntoFuture;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use anyhow::Context;
use axum::ServiceExt;
use axum::serve::ListenerExt;
use clap::Parser;
use tower::Layer;

use crate::fixtures::Fixtures;
use crate::record::Recorder;
use crate::state::MockState;

/// A mock LLM upstream speaking the OpenAI, Anthropic, FastGPT and Dify protocols.
#[derive(Debug, Parser)]
#[command(name = "llmchat-mock", version)]
struct Args {
    /// Port to listen on; 0 picks a free one (read it from the `listening on` line).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Fixture directory, with one subdirectory per protocol.
    #[arg(long, env = "LLMCHAT_MOCK_FIXTURES", default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))]
    fixtures: PathBuf,
    /// How many recent requests `GET /_mock/requests` keeps.
    #[arg(long, default_value_t = 100)]
    keep_requests: usize,
    /// Exit when stdin reaches end of file: a test that spawns the mock with a piped stdin
    /// cannot leak it, even when it dies before killing it.
    #[arg(long)]
    exit_on_eof: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let fixtures = Fixtures::load(&args.fixtures)?;
    eprintln!(
        "llmchat-mock: {} fixtures from {}",
        fixtures.count(),
        args.fixtures.display()
    );
    let state = MockState {
        fixtures: Arc::new(fixtures),
        recorder: Arc::new(Recorder::new(args.keep_requests)),
        failures: Arc::new(Mutex::new(HashMap::new())),
    };
    // The knob segment is stripped before routing, so the middleware wraps the router rather
    // than being one of its layers.
    let app = axum::middleware::from_fn_with_state(state.clone(), routes::prepare)
        .layer(routes::router(state));

    let listener = llmchat::serve::listen(&args.host, args.port, false)
        .await
        .with_context(|| format!("binding {}:{}", args.host, args.port))?;
    let address = listener.local_addr()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "listening on {address}")?;
    stdout.flush()?;
    drop(stdout);

    let listener = listener.tap_io(|tcp| {
        // Streams of small SSE frames must not wait for Nagle.
        let _ = tcp.set_nodelay(true);
    });
    let server = axum::serve(listener, app.into_make_service()).into_future();
    // A mock has nothing to drain: on a signal it stops at once, streams and all.
    tokio::select! {
        result = server => result.context("serving")?,
        () = stop_signal(args.exit_on_eof) => {}
    }
    Ok(())
}

/// Resolves on SIGINT, SIGTERM, or (with `on_eof`) the end of stdin.
async fn stop_signal(on_eof: bool) {
    let eof = async {
        if !on_eof {
            return std::future::pending().await;
        }
        let mut stdin = tokio::io::stdin();
        let mut buffer = [0_u8; 64];
        while let Ok(1..) = tokio::io::AsyncReadExt::read(&mut stdin, &mut buffer).await {}
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminate => {}
        () = eof => {}
    }
}

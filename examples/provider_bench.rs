//! Overhead of the provider layer, against `llmchat-mock` on loopback.
//!
//! For each protocol, streams `--requests` replies of `--chunks` synthetic chunks twice: once
//! reading the raw HTTP body with reqwest (the floor: network + HTTP), once through
//! `provider::chat` (SSE decoding, protocol parsing, `ChatEvent`s). The difference per chunk
//! and per request is what the provider layer costs; allocations are counted by a wrapping
//! global allocator.
//!
//! ```text
//! cargo build --release --bin llmchat-mock --example provider_bench
//! target/release/examples/provider_bench --mock target/release/llmchat-mock
//! ```

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use llmchat::agents::{ProviderDef, UpstreamDef};
use llmchat::llm::transport::Transport;
use llmchat::llm::{ChatMessage, ChatRequest, Endpoint, HttpRequest, MessageRole, provider};

#[global_allocator]
static GLOBAL: &stats_alloc::StatsAlloc<std::alloc::System> = &stats_alloc::INSTRUMENTED_SYSTEM;

/// Heap allocations so far (an atomic counter: cheap enough not to skew the timings).
fn allocations() -> u64 {
    let stats = GLOBAL.stats();
    (stats.allocations + stats.reallocations) as u64
}

struct Args {
    mock: String,
    requests: u32,
    chunks: u32,
}

fn args() -> Args {
    let mut parsed = Args {
        mock: "target/release/llmchat-mock".into(),
        requests: 200,
        chunks: 200,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_default();
        match flag.as_str() {
            "--mock" => parsed.mock = value,
            "--requests" => parsed.requests = value.parse().unwrap_or(parsed.requests),
            "--chunks" => parsed.chunks = value.parse().unwrap_or(parsed.chunks),
            _ => {}
        }
    }
    parsed
}

struct Measure {
    elapsed: Duration,
    allocations: u64,
    chunks: u64,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let args = args();
    let mut mock = Command::new(&args.mock)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()?;
    let mut line = String::new();
    BufReader::new(
        mock.stdout
            .take()
            .ok_or_else(|| anyhow::anyhow!("no stdout"))?,
    )
    .read_line(&mut line)?;
    let addr = line.trim().trim_start_matches("listening on ").to_string();
    let transport = Transport::new(false)?;
    let raw = reqwest::Client::builder().tcp_nodelay(true).build()?;

    println!(
        "{} requests × {} chunks per protocol, current-thread runtime, loopback\n",
        args.requests, args.chunks
    );
    println!(
        "| protocol | raw HTTP µs/request | provider µs/request | overhead µs/request | overhead µs/event | allocations/event (provider − raw) |"
    );
    println!("|---|---|---|---|---|---|");
    for (kind, path) in [
        ("openai", "openai/v1"),
        ("anthropic", "anthropic"),
        ("fastgpt", "fastgpt/api"),
        ("dify", "dify/v1"),
    ] {
        let base = format!("http://{addr}/k/chunks={}/{path}", args.chunks);
        let upstream = UpstreamDef {
            base_url: base,
            api_key: Some("sk-bench".into()),
            model: Some("bench".into()),
            app_id: Some("bench".into()),
            headers: Default::default(),
            connect_timeout: None,
            idle_timeout: None,
            max_retries: Some(0),
        };
        let mut agent = llmchat::agents::builtin_demo();
        agent.provider = match kind {
            "openai" => ProviderDef::Openai(upstream),
            "anthropic" => ProviderDef::Anthropic(upstream),
            "fastgpt" => ProviderDef::Fastgpt(upstream),
            _ => ProviderDef::Dify(upstream),
        };
        let request = ChatRequest {
            model: "bench".into(),
            messages: vec![ChatMessage::text(MessageRole::User, "benchmark")],
            stream: true,
            user: Some("bench".into()),
            ..ChatRequest::default()
        };
        // The same HTTP request the provider sends, read as raw bytes.
        let upstream = agent
            .provider
            .upstream()
            .cloned()
            .unwrap_or_else(no_upstream);
        let endpoint = Endpoint {
            base_url: &upstream.base_url,
            api_key: upstream.api_key.as_deref(),
            headers: &[],
            app_id: upstream.app_id.as_deref(),
        };
        let http = match kind {
            "openai" => llmchat::llm::openai::to_request(&endpoint, &request),
            "anthropic" => llmchat::llm::anthropic::to_request(&endpoint, &request),
            "fastgpt" => llmchat::llm::fastgpt::to_request(&endpoint, &request),
            _ => llmchat::llm::dify::to_request(&endpoint, &request),
        };

        // Warm up both paths (connections, fixtures, lazy statics).
        for _ in 0..5 {
            drain_raw(&raw, &http).await?;
            drain_provider(&transport, &agent, &request).await?;
        }
        let raw_run = measure(args.requests, || drain_raw(&raw, &http)).await?;
        let provider_run = measure(args.requests, || {
            drain_provider(&transport, &agent, &request)
        })
        .await?;
        let events = provider_run.chunks as f64;
        let per_request = |m: &Measure| m.elapsed.as_secs_f64() * 1e6 / f64::from(args.requests);
        let overhead_request = per_request(&provider_run) - per_request(&raw_run);
        let per_event = overhead_request * f64::from(args.requests) / events.max(1.0);
        let allocations =
            (provider_run.allocations as f64 - raw_run.allocations as f64) / events.max(1.0);
        println!(
            "| {kind} | {:.0} | {:.0} | {:.0} | {:.2} | {:.1} |",
            per_request(&raw_run),
            per_request(&provider_run),
            overhead_request,
            per_event,
            allocations
        );
    }
    mock.kill()?;
    mock.wait()?;
    Ok(())
}

async fn measure<F, Fut>(requests: u32, mut run: F) -> anyhow::Result<Measure>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<u64>>,
{
    let before = allocations();
    let started = Instant::now();
    let mut chunks = 0;
    for _ in 0..requests {
        chunks += run().await?;
    }
    Ok(Measure {
        elapsed: started.elapsed(),
        allocations: allocations() - before,
        chunks,
    })
}

/// Sends the request and reads the whole body as bytes; returns 0 (events are not counted).
async fn drain_raw(client: &reqwest::Client, http: &HttpRequest) -> anyhow::Result<u64> {
    let mut builder = client.post(&http.url);
    for (name, value) in &http.headers {
        builder = builder.header(name, value);
    }
    if let Some(body) = &http.body {
        builder = builder.json(body);
    }
    let response = builder.send().await?;
    anyhow::ensure!(
        response.status().is_success(),
        "mock answered {}",
        response.status()
    );
    let mut stream = response.bytes_stream();
    while let Some(bytes) = stream.next().await {
        bytes?;
    }
    Ok(0)
}

fn no_upstream() -> UpstreamDef {
    UpstreamDef {
        base_url: String::new(),
        api_key: None,
        model: None,
        app_id: None,
        headers: Default::default(),
        connect_timeout: None,
        idle_timeout: None,
        max_retries: None,
    }
}

/// Consumes the reply through the provider layer; returns the number of events.
async fn drain_provider(
    transport: &Transport,
    agent: &llmchat::agents::AgentDef,
    request: &ChatRequest,
) -> anyhow::Result<u64> {
    let mut stream = provider::chat(transport, agent, request)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut events = 0;
    while let Some(event) = stream.next().await {
        event.map_err(|e| anyhow::anyhow!("{e}"))?;
        events += 1;
    }
    Ok(events)
}

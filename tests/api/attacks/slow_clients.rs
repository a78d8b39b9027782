//! Slow and greedy clients (slowloris): headers that never finish, a body that never comes,
//! and more connections than the server serves at once. Each is cut off or made to wait,
//! with metrics, instead of holding the server's resources for ever.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp, spawn_app_with};

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.header_read_timeout = Duration::from_secs(1);
    })
    .await;
    let mut partial = connect(&app).await;
    partial
        .write_all(b"GET /api/health HTTP/1.1\r\nHost: llmchat\r\nX-Slow: ")
        .await
        .unwrap();
    let mut silent = connect(&app).await;

    for (name, stream) in [("partial headers", &mut partial), ("silent", &mut silent)] {
        let started = std::time::Instant::now();
        let closed = tokio::time::timeout(Duration::from_secs(10), read_to_close(stream)).await;
        assert!(closed.is_ok(), "{name}: still open after 10 s");
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{name}: closed after {:?}",
            started.elapsed()
        );
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        counter(&metrics, "llmchat_http_header_timeouts_total") >= 2.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.body_read_timeout = Duration::from_secs(1);
        s.server.header_read_timeout = Duration::from_secs(2);
    })
    .await;
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"POST /api/auth/login HTTP/1.1\r\nHost: llmchat\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"username\": \"al",
        )
        .await
        .unwrap();
    let answer = tokio::time::timeout(Duration::from_secs(10), read_to_close(&mut stream))
        .await
        .expect("an answer within 10 s");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"code\":\"request_timeout\""), "{answer}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(
        counter(&metrics, "llmchat_http_body_timeouts_total"),
        1.0,
        "{metrics}"
    );
}

#[tokio::test]
async fn past_the_connection_cap_new_connections_wait_for_a_free_one() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.max_connections = 2;
        s.server.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    // Two idle connections take both places.
    let first = connect(&app).await;
    let second = connect(&app).await;
    tokio::time::sleep(Duration::from_millis(200)).await;

    let waiting = app.url("/api/health/live");
    let client = reqwest::Client::new();
    let request = tokio::spawn(async move {
        let started = std::time::Instant::now();
        let status = client
            .get(waiting)
            .send()
            .await
            .map(|r| r.status().as_u16());
        (status, started.elapsed())
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !request.is_finished(),
        "a third connection was served while two were open"
    );
    drop(first);
    let (status, waited) = tokio::time::timeout(Duration::from_secs(10), request)
        .await
        .expect("served once a place is free")
        .unwrap();
    assert_eq!(status.unwrap(), 200);
    assert!(waited >= Duration::from_millis(700), "{waited:?}");
    drop(second);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        counter(&metrics, "llmchat_http_connection_limit_reached_total") >= 1.0,
        "{metrics}"
    );
    assert!(
        metrics.contains("llmchat_http_connections_open"),
        "{metrics}"
    );
}

async fn connect(app: &TestApp) -> TcpStream {
    let url = reqwest::Url::parse(&app.url("/")).unwrap();
    let address = (url.host_str().unwrap(), url.port().unwrap());
    TcpStream::connect(address).await.unwrap()
}

/// Everything the server sends until it closes the connection.
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let _ = stream.read_to_end(&mut received).await;
    received
}

/// A counter's value in Prometheus text (0 when absent).
fn counter(metrics: &str, name: &str) -> f64 {
    metrics
        .lines()
        .find(|line| line.starts_with(name) && !line.starts_with('#'))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or(0.0)
}

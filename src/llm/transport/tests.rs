use super::*;

#[test]
fn remembered_urls_are_checked_the_same_way() {
    let transport = Transport::new(false).unwrap();
    for _ in 0..2 {
        let uri = transport.checked_uri("http://127.0.0.1:9/v1/chat/completions?x=1");
        assert_eq!(
            uri.unwrap().path_and_query().unwrap(),
            "/v1/chat/completions?x=1"
        );
        assert!(
            transport
                .checked_uri("http://169.254.169.254/latest")
                .is_err()
        );
        assert!(transport.checked_uri("file:///etc/passwd").is_err());
    }
}

/// A server (or proxy) that answers one request with `body` as JSON, and says which
/// request line it was sent.
async fn answering_once(body: Vec<u8>) -> (String, tokio::task::JoinHandle<String>) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the client hung up");
            head.extend_from_slice(&buf[..n]);
        }
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
            body.len()
        );
        // The client may hang up before the end of a body it refuses.
        let _ = socket.write_all(reply.as_bytes()).await;
        let _ = socket.write_all(&body).await;
        let head = String::from_utf8_lossy(&head).to_string();
        head.lines().next().unwrap_or_default().to_string()
    });
    (url, served)
}

#[tokio::test]
async fn an_upstream_behind_a_proxy_is_reached_through_it() {
    let (proxy, served) = answering_once(br#"{"via":"proxy"}"#.to_vec()).await;
    let transport = Transport::build(false, Some(&proxy)).unwrap();
    let request = HttpRequest {
        method: HttpMethod::Post,
        // Resolvable by nobody: only the proxy can reach it.
        url: "http://upstream.invalid/v1/chat/completions".into(),
        headers: vec![("authorization".into(), "Bearer sk-secret".into())],
        body: Some(serde_json::json!({"model": "m"})),
    };
    let reply = transport
        .send(&request, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(reply.bytes().await.unwrap(), r#"{"via":"proxy"}"#);
    assert_eq!(
        served.await.unwrap(),
        "POST http://upstream.invalid/v1/chat/completions HTTP/1.1"
    );
}

#[tokio::test]
async fn a_reply_larger_than_the_limit_is_refused_not_buffered() {
    let mut huge = br#"{"choices":[{"message":{"content":""#.to_vec();
    huge.resize(MAX_REPLY_BYTES + 1024, b'x');
    huge.extend_from_slice(br#""}}]}"#);
    let (upstream, _served) = answering_once(huge).await;
    let transport = Transport::new(false).unwrap();
    let request = HttpRequest {
        method: HttpMethod::Post,
        url: format!("{upstream}/v1/chat/completions"),
        headers: vec![],
        body: Some(serde_json::json!({"model": "m"})),
    };
    let reply = transport
        .send(&request, Duration::from_secs(5))
        .await
        .unwrap();
    let error = reply.bytes().await.unwrap_err();
    assert!(matches!(error, BodyError::TooLarge), "{error:?}");
    match LlmError::from(error) {
        LlmError::Protocol(reason) => assert_eq!(reason, "the reply is larger than 16 MiB"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_direct_upstream_that_is_down_is_a_connect_error_without_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let transport = Transport::new(false).unwrap();
    let request = HttpRequest {
        method: HttpMethod::Get,
        url: format!("http://127.0.0.1:{port}/v1/models?key=sk-secret"),
        headers: vec![],
        body: None,
    };
    match transport.send(&request, Duration::from_secs(5)).await {
        Err(SendError::Connect(reason)) => {
            assert!(reason.to_lowercase().contains("refused"), "{reason}");
            assert!(!reason.contains("sk-secret"), "{reason}");
        }
        Err(other) => panic!("{other:?}"),
        Ok(_) => panic!("nothing listens there"),
    }
}

//! Replicas and Redis trouble: Redis dying and coming back, and a managed-style Redis (TLS
//! with a private CA, a password).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{SseReader, answer_text};
use crate::cluster::AGENTS;
use crate::helpers::{Backend, JWT_SECRET, PASSWORD, http_client, spawn_app_with};

/// Redis dies: turns go on from memory on the replica that runs them, health says degraded,
/// nothing answers 5xx; Redis comes back: turns are shared again, without a restart.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_redis_turns_stream_from_memory_and_sharing_resumes_when_it_returns() {
    let mut redis = crate::ratelimit::PrivateRedis::start().await;
    let port = redis.port;
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, AGENTS).unwrap();
    let configure = |s: &mut llmchat::config::Settings| {
        s.agents.config = agents.clone();
        s.redis.url = Some(format!("redis://127.0.0.1:{port}"));
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        s.metrics.token = Some(llmchat::config::Secret::new("metrics-token"));
    };
    let a = spawn_app_with(Backend::Postgres, configure).await;
    let b = a.spawn_replica(configure).await;
    let token = a.register("patient", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let client = http_client();
    let turn = |conversation: String| {
        let client = client.clone();
        let url = a.url(&format!("/api/conversations/{conversation}/messages"));
        let token = token.clone();
        async move {
            let response = client
                .post(url)
                .bearer_auth(&token)
                .json(&json!({"content": "hello"}))
                .send()
                .await
                .unwrap();
            SseReader::new(response).all().await
        }
    };
    let new_conversation = || async {
        let (status, body) = a
            .send(
                Method::POST,
                "/api/conversations",
                &token,
                Some(json!({"agent_id": "slow"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    };

    redis.kill();
    let first = new_conversation().await;
    let events = turn(first.clone()).await;
    assert_eq!(events.last().unwrap().data["status"], "complete");
    let health: Value = client
        .get(a.url("/api/health"))
        .bearer_auth("metrics-token")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health["status"], "degraded", "{health}");
    assert!(
        health["components"]["redis"]["error"].as_str().is_some(),
        "the reason is given: {health}"
    );
    // The owner still replays it; another replica has nothing to offer (204, not 5xx).
    let here = client
        .get(a.url(&format!("/api/conversations/{first}/stream")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(here.status(), 200);
    let there = client
        .get(b.url(&format!("/api/conversations/{first}/stream")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(there.status(), 204);

    let _back = crate::ratelimit::PrivateRedis::start_on(port).await;
    let started = Instant::now();
    loop {
        let conversation = new_conversation().await;
        let events = turn(conversation.clone()).await;
        assert_eq!(events.last().unwrap().data["status"], "complete");
        let there = client
            .get(b.url(&format!("/api/conversations/{conversation}/stream")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        if there.status() == 200 {
            let replay = SseReader::new(there).all().await;
            assert_eq!(answer_text(&replay), answer_text(&events));
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "turns are shared again once Redis is back"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Health says so as soon as Redis does real work again, not after the trouble ages out.
    let health = || async {
        let health: Value = client
            .get(a.url("/api/health"))
            .bearer_auth("metrics-token")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        health
    };
    let back = Instant::now();
    while health().await["status"] != "ok" {
        assert!(
            back.elapsed() < Duration::from_secs(3),
            "health is ok again once turns are shared: {}",
            health().await
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A private redis-server that speaks only TLS (certificate from a private CA) and wants a
/// password, as managed Redis services do; killed on drop.
struct TlsRedis {
    child: std::process::Child,
    port: u16,
    ca: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl TlsRedis {
    async fn start(password: &str) -> TlsRedis {
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
        let openssl = |args: &[&str]| {
            let status = std::process::Command::new("openssl")
                .args(args)
                .stderr(std::process::Stdio::null())
                .status()
                .expect("openssl must be installed (apt-get install -y openssl)");
            assert!(status.success(), "openssl {args:?}");
        };
        let ec = [
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
        ];
        openssl(
            &[
                &["req", "-x509"][..],
                &ec,
                &["-keyout", &path("ca.key"), "-out", &path("ca.pem")],
            ]
            .concat()
            .into_iter()
            .chain(["-days", "1", "-subj", "/CN=llmchat test CA"])
            .collect::<Vec<_>>(),
        );
        openssl(
            &[
                &["req"][..],
                &ec,
                &["-keyout", &path("server.key"), "-out", &path("server.csr")],
            ]
            .concat()
            .into_iter()
            .chain(["-subj", "/CN=127.0.0.1"])
            .collect::<Vec<_>>(),
        );
        std::fs::write(path("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            &path("server.csr"),
            "-CA",
            &path("ca.pem"),
            "-CAkey",
            &path("ca.key"),
            "-CAcreateserial",
            "-out",
            &path("server.pem"),
            "-days",
            "1",
            "-extfile",
            &path("san.ext"),
        ]);
        let port = crate::helpers::closed_port();
        let child = std::process::Command::new("redis-server")
            .args([
                "--port",
                "0",
                "--tls-port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--tls-cert-file",
                &path("server.pem"),
                "--tls-key-file",
                &path("server.key"),
                "--tls-ca-cert-file",
                &path("ca.pem"),
                "--tls-auth-clients",
                "no",
                "--requirepass",
                password,
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install -y redis-server)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        TlsRedis {
            child,
            port,
            ca: dir.path().join("ca.pem"),
            _dir: dir,
        }
    }
}

impl Drop for TlsRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_turns_over_a_tls_redis_with_a_password() {
    let redis = TlsRedis::start("s3cret-redis-pass").await;
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, AGENTS).unwrap();
    let url = format!("rediss://:s3cret-redis-pass@127.0.0.1:{}/0", redis.port);
    let configure = |s: &mut llmchat::config::Settings| {
        s.agents.config = agents.clone();
        s.redis.url = Some(url.clone());
        s.redis.ca_file = Some(redis.ca.clone());
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        s.metrics.token = Some(llmchat::config::Secret::new("metrics-token"));
    };
    let a = spawn_app_with(Backend::Postgres, configure).await;
    let b = a.spawn_replica(configure).await;
    let token = a.register("managed", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, conversation) = a
        .send(
            Method::POST,
            "/api/conversations",
            &token,
            Some(json!({"agent_id": "slow"})),
        )
        .await;
    let conversation = conversation["id"].as_str().unwrap().to_string();
    let client = http_client();
    let events = SseReader::new(
        client
            .post(a.url(&format!("/api/conversations/{conversation}/messages")))
            .bearer_auth(&token)
            .json(&json!({"content": "over TLS"}))
            .send()
            .await
            .unwrap(),
    )
    .all()
    .await;
    let there = client
        .get(b.url(&format!("/api/conversations/{conversation}/stream")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        there.status(),
        200,
        "B reads A's turn through the TLS Redis"
    );
    assert_eq!(
        answer_text(&SseReader::new(there).all().await),
        answer_text(&events)
    );
    let health = client
        .get(b.url("/api/health"))
        .bearer_auth("metrics-token")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(health.contains(r#""status":"ok""#), "{health}");
    assert!(
        !health.contains("s3cret"),
        "no password in health: {health}"
    );
}

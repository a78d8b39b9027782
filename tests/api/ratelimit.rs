//! The per-principal rate limit through the real router: in-process, shared through Redis by
//! two instances, and what happens when that Redis dies.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use llmchat::ratelimit::RedisFailureMode;

use crate::helpers::{
    Backend, PASSWORD, TestApp, closed_port, spawn_app_with, status_and_json, test_redis_url,
};

fn unique_prefix() -> String {
    format!("llmchat-test:{}:", uuid::Uuid::now_v7().simple())
}

async fn me(app: &TestApp, token: &str) -> reqwest::Response {
    app.authed_get("/api/auth/me", token).await
}

#[tokio::test]
async fn each_principal_gets_its_own_budget_and_429_says_when_to_retry() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limit.requests_per_minute = 5).await;
    // Registering counts against the anonymous caller's address budget.
    let alice = app.register("alice", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = app.register("bobby", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let first = me(&app, &alice).await;
    assert_eq!(first.status(), 200);
    assert_eq!(first.headers()["ratelimit-limit"], "5");
    assert_eq!(first.headers()["ratelimit-remaining"], "4");
    for _ in 0..4 {
        assert_eq!(me(&app, &alice).await.status(), 200);
    }
    let limited = me(&app, &alice).await;
    assert_eq!(limited.status(), 429);
    let retry: u64 = limited.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=12).contains(&retry),
        "one request per 12 s refills: {retry}"
    );
    assert_eq!(limited.headers()["ratelimit-remaining"], "0");
    let (_, body) = status_and_json(limited).await;
    assert_eq!(body["error"]["code"], "rate_limited");

    assert_eq!(me(&app, &bob).await.status(), 200, "bob has his own budget");
    for _ in 0..10 {
        assert_eq!(
            app.get("/api/health/ready").await.status(),
            200,
            "probes are never limited"
        );
    }
}

/// The review's finding: the limit was per key and keys are free, so each new key was a
/// fresh allowance.
#[tokio::test]
async fn a_users_api_keys_and_sessions_share_one_budget() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.rate_limit.requests_per_minute = 6).await;
    let alice = app.register("alice", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut keys = Vec::new();
    for name in ["one", "two", "three"] {
        let response = app
            .client
            .post(app.url("/api/keys"))
            .bearer_auth(&alice)
            .json(&serde_json::json!({ "name": name }))
            .send()
            .await
            .unwrap();
        let (status, created) = status_and_json(response).await;
        assert_eq!(status, 201, "{created}");
        keys.push(created["key"].as_str().unwrap().to_string());
    }
    // The three key creations were the session's (registration counts against the address);
    // three requests remain.
    let mut answers = Vec::new();
    for key in keys.iter().chain(keys.iter()) {
        answers.push(me(&app, key).await.status().as_u16());
    }
    assert_eq!(
        answers,
        [200, 200, 200, 429, 429, 429],
        "one budget for every key"
    );
    assert_eq!(me(&app, &alice).await.status(), 429, "and for the session");

    let bob = app.register("bobby", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        me(&app, &bob).await.status(),
        200,
        "another user is not affected"
    );
}

#[tokio::test]
async fn login_attempts_are_limited_per_address() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.auth.login_attempts_per_ip = 3).await;
    for _ in 0..3 {
        assert_eq!(
            app.login("nobody-here", "wrong password").await.status(),
            401
        );
    }
    let response = app.login("nobody-here", "wrong password").await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn two_instances_sharing_redis_share_one_limit() {
    let prefix = unique_prefix();
    let configure = |s: &mut llmchat::config::Settings| {
        s.rate_limit.requests_per_minute = 6;
        s.redis.url = Some(test_redis_url());
        s.redis.key_prefix = prefix.clone();
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(crate::helpers::JWT_SECRET));
    };
    let a = spawn_app_with(Backend::Postgres, configure).await;
    // The second instance serves the same users: same database, same JWT secret, same Redis.
    let b = spawn_app_with(Backend::Sqlite, |s| {
        configure(s);
        s.database.url = Some(a.db.url.clone());
    })
    .await;
    let token = a.register("shared", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();

    let mut allowed = 0;
    for i in 0..10 {
        let app = if i % 2 == 0 { &a } else { &b };
        match me(app, &token).await.status().as_u16() {
            200 => allowed += 1,
            429 => {}
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(
        allowed, 6,
        "six in total across both instances, not six each"
    );
    let (_, health) = a.get_json("/api/health").await;
    assert_eq!(health["components"]["redis"]["status"], "ok");
}

/// A private redis-server on a free port, killed on drop: the shared one is never touched.
pub(crate) struct PrivateRedis {
    child: Child,
    pub(crate) port: u16,
}

impl PrivateRedis {
    pub(crate) async fn start() -> PrivateRedis {
        PrivateRedis::start_on(closed_port()).await
    }

    /// A new server on `port` (the same port after [`PrivateRedis::kill`]: Redis came back).
    pub(crate) async fn start_on(port: u16) -> PrivateRedis {
        let mut child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server must be installed (apt-get install -y redis-server)");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return PrivateRedis { child, port };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("private redis-server did not start on port {port}");
    }

    pub(crate) fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn app_on_private_redis(redis: &PrivateRedis, mode: RedisFailureMode) -> TestApp {
    let port = redis.port;
    spawn_app_with(Backend::Sqlite, move |s| {
        s.rate_limit.requests_per_minute = 1000;
        s.rate_limit.redis_failure = mode;
        s.redis.url = Some(format!("redis://127.0.0.1:{port}"));
        s.redis.key_prefix = unique_prefix();
    })
    .await
}

#[tokio::test]
async fn when_redis_dies_fail_open_falls_back_and_health_says_degraded() {
    let mut redis = PrivateRedis::start().await;
    let app = app_on_private_redis(&redis, RedisFailureMode::FailOpen).await;
    let token = app.register("survivor", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(me(&app, &token).await.status(), 200);

    redis.kill();
    let started = std::time::Instant::now();
    for _ in 0..5 {
        let response = me(&app, &token).await;
        assert_eq!(
            response.status(),
            200,
            "requests keep flowing on the in-process limiter"
        );
        assert!(response.headers().contains_key("ratelimit-remaining"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "a dead Redis never hangs requests"
    );
    let (status, health) = app.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(health["status"], "degraded");
    assert_ne!(health["components"]["redis"]["status"], "ok", "{health}");
}

#[tokio::test]
async fn when_redis_dies_fail_closed_answers_503() {
    let mut redis = PrivateRedis::start().await;
    let app = app_on_private_redis(&redis, RedisFailureMode::FailClosed).await;
    let token = app.register("strict", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(me(&app, &token).await.status(), 200);

    redis.kill();
    let (status, body) = status_and_json(me(&app, &token).await).await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["error"]["code"], "unavailable");
    assert_eq!(
        app.get("/api/health/live").await.status(),
        200,
        "probes are not limited"
    );
}

async fn login_from(app: &TestApp, forwarded_for: &str) -> u16 {
    app.client
        .post(app.url("/api/auth/login"))
        .header("x-forwarded-for", forwarded_for)
        .json(&serde_json::json!({ "username": "nobody", "password": "wrong password" }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn forwarded_addresses_count_only_behind_a_trusted_proxy() {
    let untrusted = spawn_app_with(Backend::Sqlite, |s| s.auth.login_attempts_per_ip = 2).await;
    assert_eq!(login_from(&untrusted, "203.0.113.1").await, 401);
    assert_eq!(login_from(&untrusted, "203.0.113.2").await, 401);
    assert_eq!(
        login_from(&untrusted, "203.0.113.3").await,
        429,
        "a client cannot dodge the limit by inventing X-Forwarded-For"
    );

    let behind_proxy = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.login_attempts_per_ip = 2;
        s.server.trusted_proxies = vec!["127.0.0.1/32".parse().unwrap()];
    })
    .await;
    for _ in 0..2 {
        assert_eq!(login_from(&behind_proxy, "198.51.100.7").await, 401);
    }
    assert_eq!(login_from(&behind_proxy, "198.51.100.7").await, 429);
    assert_eq!(
        login_from(&behind_proxy, "198.51.100.8, 127.0.0.1").await,
        401,
        "another client behind the proxy has its own budget"
    );
}

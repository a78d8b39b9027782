//! `/api/health`, `/api/health/live`, `/api/health/ready`, `/api/health/database`.

use llmchat::config::Secret;

use crate::helpers::{Backend, closed_port, spawn_app, spawn_app_with, test_redis_url};
use crate::on_both_databases;

on_both_databases!(
    health_reports_ok_with_its_components,
    ready_and_live_answer_200_once_migrated,
    database_endpoint_reports_pool_and_latency,
    health_with_redis_configured_checks_redis,
    a_dead_redis_makes_health_degraded_but_still_200,
    metrics_token_hides_internals_from_anonymous_callers,
);

async fn health_reports_ok_with_its_components(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(body["environment"], "development");
    assert!(body["uptime_s"].is_u64());
    assert_eq!(body["components"]["database"]["status"], "ok");
    assert!(
        body["components"]["database"]["latency_ms"]
            .as_f64()
            .unwrap()
            >= 0.0
    );
    assert_eq!(body["components"]["migrations"]["status"], "ok");
    assert_eq!(body["components"]["redis"]["status"], "disabled");
    // The test app serves the agents of its fixture file (or the built-in demo).
    assert_eq!(body["components"]["agents"]["status"], "ok", "{body}");
    assert!(body["components"]["agents"]["count"].as_u64().unwrap() >= 1);
}

async fn ready_and_live_answer_200_once_migrated(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/health/ready").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ready")));
    let (status, body) = app.get_json("/api/health/live").await;
    assert_eq!((status, body["status"].as_str()), (200, Some("alive")));
}

async fn database_endpoint_reports_pool_and_latency(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/health/database").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ok");
    let expected = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(body["backend"], expected);
    assert!(body["pool"]["size"].as_u64().unwrap() >= 1, "{body}");
    assert_eq!(body["pool"]["max"], 10);
    let pool = &body["pool"];
    assert_eq!(
        pool["idle"].as_u64().unwrap() + pool["in_use"].as_u64().unwrap(),
        pool["size"].as_u64().unwrap()
    );
    assert!(body["latency_ms"].as_f64().is_some());
}

async fn health_with_redis_configured_checks_redis(backend: Backend) {
    let app = spawn_app_with(backend, |s| s.redis.url = Some(test_redis_url())).await;
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["components"]["redis"]["status"], "ok",
        "Redis must answer at TEST_REDIS_URL: {body}"
    );
    assert_eq!(body["status"], "ok");
}

async fn a_dead_redis_makes_health_degraded_but_still_200(backend: Backend) {
    let port = closed_port();
    let app = spawn_app_with(backend, |s| {
        s.redis.url = Some(format!("redis://127.0.0.1:{port}"))
    })
    .await;
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "degraded");
    assert_eq!(body["components"]["redis"]["status"], "down");
    assert!(body["components"]["redis"]["error"].as_str().unwrap().len() > 3);
    // Readiness is about the database: a replica without Redis still takes traffic.
    assert_eq!(app.get("/api/health/ready").await.status(), 200);
}

async fn metrics_token_hides_internals_from_anonymous_callers(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.metrics.token = Some(Secret::new("scrape-me-please"))
    })
    .await;
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert!(body.get("components").is_none(), "{body}");

    for path in ["/metrics", "/api/health/database"] {
        let anonymous = app.get(path).await;
        assert_eq!(anonymous.status(), 401, "{path}");
        let body: serde_json::Value = anonymous.json().await.unwrap();
        assert_eq!(body["error"]["code"], "unauthorized");
        let wrong = app
            .client
            .get(app.url(path))
            .bearer_auth("scrape-me-not")
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401, "{path}");
        let right = app
            .client
            .get(app.url(path))
            .bearer_auth("scrape-me-please")
            .send()
            .await
            .unwrap();
        assert_eq!(right.status(), 200, "{path}");
    }
    let with_token: serde_json::Value = app
        .client
        .get(app.url("/api/health"))
        .bearer_auth("scrape-me-please")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(with_token["components"]["database"]["status"], "ok");
}

#[tokio::test]
async fn production_keeps_internals_closed_without_a_token_or_serves_metrics_on_an_internal_port() {
    let production = |s: &mut llmchat::config::Settings| {
        s.environment = llmchat::config::Environment::Production;
        s.auth.jwt_secret = Some(Secret::new("production-jwt-secret-0123456789abcdefgh"));
    };
    let app = spawn_app_with(Backend::Sqlite, production).await;
    for path in ["/metrics", "/api/health/database"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 403, "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "metrics_token_required", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("METRICS_TOKEN"),
            "{body}"
        );
    }
    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 200);
    assert!(body.get("components").is_none(), "{body}");
    assert_eq!(app.get("/api/health/ready").await.status(), 200);

    let port = closed_port();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        production(s);
        s.metrics.port = Some(port);
    })
    .await;
    assert_eq!(app.get("/metrics").await.status(), 403, "the public port");
    let internal = format!("http://127.0.0.1:{port}");
    let metrics = app
        .client
        .get(format!("{internal}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(metrics.status(), 200);
    let text = metrics.text().await.unwrap();
    assert!(text.contains("llmchat_build_info"), "{text:.400}");
    let other = app
        .client
        .get(format!("{internal}/api/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        other.status(),
        404,
        "only /metrics is served on the internal port"
    );
}

#[tokio::test]
async fn an_unreachable_database_is_reported_not_ready_and_down() {
    let port = closed_port();
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.database.url = Some(format!("postgres://postgres@127.0.0.1:{port}/llmchat"));
        s.database.acquire_timeout = std::time::Duration::from_millis(500);
    })
    .await;

    let (status, body) = app.get_json("/api/health/ready").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "not_ready");

    let (status, body) = app.get_json("/api/health/database").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "down");
    assert!(!body["error"].as_str().unwrap().is_empty(), "{body}");

    let (status, body) = app.get_json("/api/health").await;
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["status"], "down");
    let error = body["components"]["database"]["error"].as_str().unwrap();
    assert!(
        error.contains("refused") || error.contains("reach"),
        "the error says why: {error}"
    );
    assert_eq!(body["components"]["migrations"]["status"], "pending");

    // Liveness does not depend on the database.
    assert_eq!(app.get("/api/health/live").await.status(), 200);
}

/// A signed-in request while the database is unreachable answers 503 after one wait for a
/// connection: the rate-limit layer's lookup of the caller is not repeated by the route.
#[tokio::test]
async fn a_signed_in_request_without_a_database_answers_503_after_one_wait() {
    let port = closed_port();
    let wait = std::time::Duration::from_millis(1500);
    let app = spawn_app_with(Backend::Postgres, |s| {
        s.database.url = Some(format!("postgres://postgres@127.0.0.1:{port}/llmchat"));
        s.database.acquire_timeout = wait;
    })
    .await;

    let started = std::time::Instant::now();
    let response = app
        .client
        .get(app.url("/api/conversations"))
        .bearer_auth("sk-llmc-0123456789abcdefghijklmnopqrstuv")
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    let status = response.status();
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(status, 503, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("database is unavailable"),
        "{body}"
    );
    assert!(
        took < wait * 9 / 5,
        "answered after {took:?}: the caller was looked up twice (acquire timeout {wait:?})"
    );
}

#[tokio::test]
async fn readiness_waits_for_migrations_when_auto_migrate_is_off() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.database.auto_migrate = false).await;
    let (status, body) = app.get_json("/api/health/ready").await;
    assert_eq!(status, 503);
    assert!(
        body["reason"].as_str().unwrap().contains("migrations"),
        "{body}"
    );

    // An operator runs `llmchat migrate`; the server notices on its own.
    let settings = crate::helpers::test_settings(&app.db, app.data_dir.path());
    let db = llmchat::store::Db::connect_lazy(&settings).unwrap();
    db.migrate().await.unwrap();
    db.close().await;
    let mut ready = false;
    for _ in 0..100 {
        if app.get("/api/health/ready").await.status() == 200 {
            ready = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(ready, "readiness turns 200 once the schema is migrated");
}

#[tokio::test]
async fn readiness_turns_503_as_soon_as_shutdown_begins() {
    let mut app = spawn_app_with(Backend::Sqlite, |s| {
        s.shutdown_drain = std::time::Duration::from_millis(800)
    })
    .await;
    assert_eq!(app.get("/api/health/ready").await.status(), 200);
    app.begin_shutdown();
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let (status, body) = app.get_json("/api/health/ready").await;
    assert_eq!(status, 503);
    assert_eq!(body["reason"], "shutting down");
    assert_eq!(
        app.get("/api/health/live").await.status(),
        200,
        "still alive while draining"
    );

    let url = app.url("/api/health/live");
    app.wait_stopped().await.expect("clean shutdown");
    assert!(
        crate::helpers::http_client().get(url).send().await.is_err(),
        "no longer accepting connections"
    );
}

//! `/metrics`, `/api/version` and `/api/openapi.json`.

use crate::helpers::{Backend, closed_port, spawn_app, spawn_app_with, test_redis_url};
use crate::on_both_databases;

on_both_databases!(
    metrics_count_requests_by_route_template_and_status,
    metrics_show_readiness_redis_and_the_database_pool,
    version_reports_build_facts,
    openapi_document_describes_every_route_and_each_one_answers,
);

/// The value of the sample whose line starts with `series` (labels included), or 0.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|line| line.strip_prefix(series))
        .and_then(|rest| rest.trim().parse().ok())
        .unwrap_or(0.0)
}

async fn metrics_count_requests_by_route_template_and_status(backend: Backend) {
    let app = spawn_app(backend).await;
    let live = r#"http_requests_total{method="GET",route="/api/health/live",status="200"}"#;
    let unmatched = r#"http_requests_total{method="GET",route="unmatched",status="404"}"#;
    let before = app.get("/metrics").await.text().await.unwrap();

    for _ in 0..3 {
        assert_eq!(app.get("/api/health/live").await.status(), 200);
    }
    assert_eq!(app.get("/api/users/12345/secret-path").await.status(), 404);

    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let after = response.text().await.unwrap();
    assert!(
        sample(&after, live) >= sample(&before, live) + 3.0,
        "{after}"
    );
    assert!(
        sample(&after, unmatched) >= sample(&before, unmatched) + 1.0,
        "{after}"
    );
    assert!(
        !after.contains("secret-path"),
        "raw paths never become labels"
    );
    assert!(after.contains(
        r#"http_request_duration_seconds_bucket{method="GET",route="/api/health/live",status="200",le="0.5"}"#
    ));
    for name in [
        "process_resident_memory_bytes",
        "process_cpu_seconds_total",
        "process_open_fds",
        "process_start_time_seconds",
        "llmchat_build_info{",
    ] {
        assert!(after.contains(name), "{name} missing");
    }
}

/// The state alerts need (readiness flapping, Redis down, pool saturation) is in `/metrics`,
/// sampled at each scrape.
async fn metrics_show_readiness_redis_and_the_database_pool(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.redis.url = Some(test_redis_url());
        s.database.max_connections = 7;
    })
    .await;
    let text = app.get("/metrics").await.text().await.unwrap();
    assert_eq!(sample(&text, "llmchat_ready "), 1.0, "{text}");
    assert_eq!(sample(&text, "llmchat_redis_up "), 1.0, "{text}");
    assert_eq!(sample(&text, "llmchat_ratelimit_fallback "), 0.0, "{text}");
    assert_eq!(sample(&text, "llmchat_db_pool_max_connections "), 7.0);
    assert!(text.contains(r#"llmchat_db_pool_connections{state="in_use"}"#));
    assert!(text.contains(r#"llmchat_db_pool_connections{state="idle"}"#));

    // A Redis that does not answer shows as down on the next scrape.
    let dead = spawn_app_with(backend, |s| {
        s.redis.url = Some(format!("redis://127.0.0.1:{}", closed_port()));
    })
    .await;
    let text = dead.get("/metrics").await.text().await.unwrap();
    assert!(text.contains("llmchat_redis_up 0"), "{text}");
}

async fn version_reports_build_facts(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, body) = app.get_json("/api/version").await;
    assert_eq!(status, 200);
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    assert!(!body["git_commit"].as_str().unwrap().is_empty());
    assert!(body["rustc"].as_str().unwrap().starts_with("rustc "));
    let built = body["build_time"].as_str().unwrap();
    assert!(built.starts_with("20") && built.ends_with('Z'), "{built}");
    assert!(body["features"].is_array());
}

/// The endpoints the operations guide and the foundation issue name.
const REQUIRED: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("get", "/api/health/live"),
    ("get", "/api/health/ready"),
    ("get", "/api/health/database"),
    ("get", "/api/version"),
    ("get", "/api/openapi.json"),
    ("get", "/metrics"),
];

async fn openapi_document_describes_every_route_and_each_one_answers(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, doc) = app.get_json("/api/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for (method, path) in REQUIRED {
        let op = &paths[*path][*method];
        assert!(op.is_object(), "{method} {path} missing from the document");
        assert!(op["responses"].as_object().is_some_and(|r| !r.is_empty()));
    }
    assert!(doc["components"]["schemas"]["ErrorResponse"].is_object());
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    for reference in refs {
        let name = reference.trim_start_matches("#/components/schemas/");
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{reference} is used but not defined"
        );
    }

    // Every documented GET answers with something other than "no such route".
    for (path, item) in paths {
        if item.get("get").is_some() && !path.contains('{') {
            let status = app.get(path).await.status().as_u16();
            assert!(
                status != 404 && status != 405,
                "{path} is documented but answers {status}"
            );
        }
    }
}

fn collect_refs(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                match (key.as_str(), inner.as_str()) {
                    ("$ref", Some(reference)) => out.push(reference.to_string()),
                    _ => collect_refs(inner, out),
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

/// Routes must be registered with utoipa-axum's `routes!`, which documents them; a plain
/// `.route(` would add an undocumented route. Test-only hooks and the internal metrics port
/// (`routes/internal.rs`, not the public API) are the exceptions, and the
/// mock upstream binary (`src/bin/`) is not the API.
#[test]
fn every_route_is_registered_through_the_openapi_router() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut offenders = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                if !path.ends_with("bin") {
                    stack.push(path);
                }
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.ends_with("routes/test_hooks.rs")
                && !path.ends_with("routes/internal.rs")
            {
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in [".route(", ".route_service(", ".nest(", ".nest_service("] {
                    if text.contains(needle) {
                        offenders.push(format!("{} uses {needle}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "undocumented routes: {offenders:?}");
}

/// The web UI's API types are generated from this document (`web/src/api/openapi.json`, then
/// `schema.d.ts`), so a change to a route or a payload must regenerate them.
#[test]
fn the_web_uis_copy_of_the_openapi_document_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("web/src/api/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let current = llmchat::routes::openapi_json();
    let first_difference = committed
        .lines()
        .zip(current.lines())
        .position(|(a, b)| a != b)
        .map_or_else(|| "length".to_string(), |line| format!("line {}", line + 1));
    assert!(
        committed.trim_end() == current.trim_end(),
        "{} is stale (first difference: {first_difference}): run ./scripts/gen-api.sh",
        path.display()
    );
}

/// Code generators (the web UI's among them) name functions after operation ids.
#[test]
fn every_operation_id_is_unique() {
    let doc: serde_json::Value = serde_json::from_str(llmchat::routes::openapi_json()).unwrap();
    let mut seen = std::collections::HashSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if let Some(id) = operation["operationId"].as_str() {
                assert!(
                    seen.insert(id.to_owned()),
                    "{method} {path}: operationId {id} is used twice"
                );
            }
        }
    }
    assert!(seen.len() > 20, "operations found: {}", seen.len());
}

//! Behaviour every route shares: error shape, request ids, body limit, panics, headers.

use crate::helpers::{Backend, spawn_app, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    unknown_route_is_a_json_404,
    wrong_method_is_a_json_405,
    request_id_is_kept_from_the_client_or_generated,
    security_headers_are_on_every_response,
);

#[cfg(feature = "test-hooks")]
mod hooks {
    use super::*;

    on_both_databases!(
        malformed_json_is_a_400_naming_the_problem,
        body_over_the_limit_is_a_413,
        a_panicking_handler_is_a_500_with_request_id_and_the_server_keeps_serving,
    );
}

async fn error_of(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string());
    assert_eq!(content_type.as_deref(), Some("application/json"));
    let body: serde_json::Value = response.json().await.unwrap();
    (status, body["error"].clone())
}

async fn unknown_route_is_a_json_404(backend: Backend) {
    let app = spawn_app(backend).await;
    let (status, error) = error_of(app.get("/api/no/such/thing").await).await;
    assert_eq!(status, 404);
    assert_eq!(error["code"], "not_found");
    assert!(!error["message"].as_str().unwrap().is_empty());
    assert!(!error["request_id"].as_str().unwrap().is_empty());
}

async fn wrong_method_is_a_json_405(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .delete(app.url("/api/health"))
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, 405);
    assert_eq!(error["code"], "method_not_allowed");
}

#[cfg(feature = "test-hooks")]
async fn malformed_json_is_a_400_naming_the_problem(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .header("content-type", "application/json")
        .body("{\"title\": oops}")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, 400);
    assert_eq!(error["code"], "malformed_json");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("line 1 column"), "{message}");

    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .body("{}")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, 415);
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("application/json")
    );
}

#[cfg(feature = "test-hooks")]
async fn body_over_the_limit_is_a_413(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.server.body_limit = bytesize::ByteSize::kib(1)
    })
    .await;
    let big = serde_json::json!({ "text": "x".repeat(4096) });
    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .json(&big)
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, 413);
    assert_eq!(error["code"], "payload_too_large");

    let small = serde_json::json!({ "text": "fits" });
    let response = app
        .client
        .post(app.url("/api/test/echo"))
        .json(&small)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap(), small);
}

#[cfg(feature = "test-hooks")]
async fn a_panicking_handler_is_a_500_with_request_id_and_the_server_keeps_serving(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .get(app.url("/api/test/panic"))
        .header("x-request-id", "panic-trace-42")
        .send()
        .await
        .unwrap();
    let (status, error) = error_of(response).await;
    assert_eq!(status, 500);
    assert_eq!(error["code"], "internal");
    assert_eq!(error["message"], "internal error", "no panic text leaks");
    assert_eq!(error["request_id"], "panic-trace-42");
    assert_eq!(app.get("/api/health/live").await.status(), 200);
}

async fn request_id_is_kept_from_the_client_or_generated(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .client
        .get(app.url("/api/health/live"))
        .header("x-request-id", "client-chosen-id-1")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "client-chosen-id-1");

    let a = app.get("/api/health/live").await;
    let b = app.get("/api/health/live").await;
    let (a, b) = (&a.headers()["x-request-id"], &b.headers()["x-request-id"]);
    assert_eq!(a.len(), 36, "a UUID");
    assert_ne!(a, b);

    // Ids that would pollute the logs are replaced.
    let response = app
        .client
        .get(app.url("/api/no-route"))
        .header("x-request-id", "x".repeat(500))
        .send()
        .await
        .unwrap();
    let returned = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(returned.len(), 36);
    let (_, error) = error_of(response).await;
    assert_eq!(error["request_id"], returned);
}

async fn security_headers_are_on_every_response(backend: Backend) {
    let app = spawn_app(backend).await;
    for path in ["/api/health", "/nowhere"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY");
        assert!(headers.contains_key("content-security-policy"));
        assert!(headers.contains_key("referrer-policy"));
        assert!(
            !headers.contains_key("strict-transport-security"),
            "HSTS only outside development"
        );
    }
    let prod = spawn_app_with(backend, |s| {
        s.environment = llmchat::config::Environment::Production;
        s.auth.jwt_secret = Some(llmchat::config::Secret::new("x".repeat(40)));
    })
    .await;
    let response = prod.get("/api/health/live").await;
    assert!(response.headers().contains_key("strict-transport-security"));
}

/// Pages of the web app (client-side routes) get HTML that is revalidated on every load,
/// whether the UI was built or not, while API paths keep their JSON 404.
#[tokio::test]
async fn app_pages_are_html_and_api_paths_stay_json() {
    let app = spawn_app(Backend::Sqlite).await;
    for path in ["/", "/c/0190abc", "/settings"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        let headers = response.headers();
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_eq!(headers["cache-control"], "no-cache", "{path}");
        assert!(headers.contains_key("content-security-policy"), "{path}");
    }
    for path in ["/api/nope", "/v1/nope", "/api"] {
        let (status, error) = error_of(app.get(path).await).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(error["code"], "not_found", "{path}");
    }
    let response = app.client.post(app.url("/settings")).send().await.unwrap();
    assert_eq!(response.status(), 405);
}

#[tokio::test]
async fn cors_answers_only_the_configured_origins() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.server.cors_origins = vec!["https://chat.example.com".into()];
    })
    .await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/auth/login"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://chat.example.com").await.unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://chat.example.com"
    );
    assert_eq!(
        allowed.headers()["access-control-allow-credentials"],
        "true"
    );
    let other = preflight("https://evil.example").await.unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));

    let same_origin_only = spawn_app(Backend::Sqlite).await;
    let response = same_origin_only
        .client
        .get(same_origin_only.url("/api/health/live"))
        .header("origin", "https://chat.example.com")
        .send()
        .await
        .unwrap();
    assert!(
        !response
            .headers()
            .contains_key("access-control-allow-origin")
    );
}

//! Password hashing under a flood: argon2 takes 19 MiB and tens of milliseconds a time, so
//! the number running at once is bounded — callers past the bound wait, then get 503 with
//! `Retry-After` — and one user's password changes are rate-limited.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, spawn_app_with, status_and_json};

const WRONG: &str = "not the right password";

/// The review's finding: 48 concurrent wrong-password requests took the process from 98 to
/// 970 MiB, one blocking thread and 19 MiB each.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_password_checks_is_queued_then_refused_with_retry_after() {
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.auth.max_concurrent_hashes = 1;
        s.auth.hash_queue_timeout = Duration::from_millis(50);
        s.auth.login_attempts_per_ip = 1000;
        s.auth.max_failed_logins = 1000;
    })
    .await;
    app.register("flooded", PASSWORD).await;

    let attempts = (0..24).map(|_| {
        let client = app.client.clone();
        let url = app.url("/api/auth/login");
        async move {
            let response = client
                .post(url)
                .json(&json!({"username": "flooded", "password": WRONG}))
                .send()
                .await
                .unwrap();
            let retry_after = response
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_string());
            let (status, body) = status_and_json(response).await;
            (status, retry_after, body)
        }
    });
    let answers = futures_util::future::join_all(attempts).await;
    let refused: Vec<_> = answers.iter().filter(|(s, _, _)| *s == 503).collect();
    let checked = answers.iter().filter(|(s, _, _)| *s == 401).count();
    assert!(checked >= 1, "the slot still checks passwords: {answers:?}");
    assert!(
        !refused.is_empty(),
        "a flood past one slot is refused: {answers:?}"
    );
    assert_eq!(checked + refused.len(), answers.len(), "{answers:?}");
    for (_, retry_after, body) in &refused {
        assert_eq!(retry_after.as_deref(), Some("1"), "{body}");
        assert_eq!(body["error"]["code"], "unavailable", "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains("busy"),
            "{body}"
        );
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let line = metrics
        .lines()
        .find(|l| l.starts_with("llmchat_password_hash_rejected_total"))
        .unwrap_or_else(|| panic!("no rejection counter in /metrics"));
    let counted: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(counted >= refused.len() as f64, "{line}");

    // Once the flood is over the right password works at once.
    assert_eq!(app.login("flooded", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn one_users_password_changes_are_rate_limited() {
    let app = spawn_app_with(Backend::Sqlite, |s| s.auth.password_changes_per_minute = 3).await;
    let session = app.register("changer", PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();
    let change = |current: &'static str| {
        app.client
            .post(app.url("/api/auth/password"))
            .bearer_auth(access)
            .json(&json!({"current_password": current, "new_password": "a brand new passphrase"}))
            .send()
    };
    for _ in 0..3 {
        assert_eq!(change(WRONG).await.unwrap().status(), 401);
    }
    let response = change(PASSWORD).await.unwrap();
    assert_eq!(
        response.status(),
        429,
        "the fourth attempt in a minute is refused"
    );
    assert!(response.headers().contains_key("retry-after"));
    // Another user is not affected.
    let other = app.register("bystander", PASSWORD).await;
    let response = app
        .client
        .post(app.url("/api/auth/password"))
        .bearer_auth(other["access_token"].as_str().unwrap())
        .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

//! Quotas hold under parallel requests: the daily token quota is reserved before an agent is
//! called (so twenty calls at once cannot spend twenty times what is left), reservations are
//! settled by the usage they turn into, a crashed replica's reservations stop counting, and one
//! user has at most `chat.max_concurrent_requests` requests running at once.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::attacks::text;
use crate::helpers::{Backend, Mock, PASSWORD, TestApp, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    parallel_calls_cannot_spend_more_than_the_daily_quota,
    reservations_of_a_stopped_replica_no_longer_count,
    a_user_runs_at_most_the_configured_number_of_requests_at_once,
);

struct Setup {
    app: TestApp,
    _mock: Mock,
    _dir: tempfile::TempDir,
    /// An API key of `alice`.
    key: String,
    user_id: String,
}

/// One OpenAI agent `slow` whose upstream waits `first_delay_ms` before answering.
async fn setup(
    backend: Backend,
    first_delay_ms: u64,
    configure: impl FnOnce(&mut llmchat::config::Settings),
) -> Setup {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    let base_url = mock.url(&format!("first_delay_ms={first_delay_ms}"), "openai/v1");
    std::fs::write(
        &agents,
        format!(
            "agents:\n  - id: slow\n    name: Slow\n    provider: {{type: openai, base_url: \"{base_url}\", \
             api_key: sk-upstream, model: gpt-4o-mini, max_retries: 0, idle_timeout: 30s}}\n"
        ),
    )
    .unwrap();
    let app = spawn_app_with(backend, |s| {
        s.agents.config = agents.clone();
        configure(s);
    })
    .await;
    let session = app.register("alice", PASSWORD).await;
    let token = text(&session, "access_token").to_string();
    let (status, created) = app
        .send(
            Method::POST,
            "/api/keys",
            &token,
            Some(json!({"name": "batch"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    Setup {
        key: text(&created, "key").to_string(),
        user_id: text(&session["user"], "id").to_string(),
        app,
        _mock: mock,
        _dir: dir,
    }
}

async fn complete(app: &TestApp, key: &str, stream: bool) -> reqwest::Response {
    app.client
        .post(app.url("/v1/chat/completions"))
        .bearer_auth(key)
        .json(&json!({
            "model": "slow",
            "stream": stream,
            "messages": [{"role": "user", "content": "Summarise the release notes."}],
        }))
        .send()
        .await
        .expect("request")
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let db = app.store();
    sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(sql))
        .fetch_one(db.pool())
        .await
        .unwrap()
}

/// Waits (up to 10 s) until `n` usage records are written and every reservation is settled.
async fn settled(app: &TestApp, n: i64) {
    for _ in 0..100 {
        let rows = scalar(app, "SELECT COUNT(*) FROM usage_records").await;
        let held = scalar(app, "SELECT COUNT(*) FROM quota_reservations").await;
        if rows >= n && held == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("usage records or reservations not settled after 10 s");
}

async fn parallel_calls_cannot_spend_more_than_the_daily_quota(backend: Backend) {
    const QUOTA: i64 = 300;
    let setup = setup(backend, 1500, |s| {
        s.chat.daily_token_quota = Some(QUOTA as u64);
        s.chat.max_concurrent_requests = 50;
    })
    .await;
    let calls = (0..20).map(|_| complete(&setup.app, &setup.key, false));
    let responses = futures_util::future::join_all(calls).await;
    let mut answered = 0;
    for response in responses {
        let status = response.status().as_u16();
        let body: Value = response.json().await.unwrap();
        match status {
            200 => answered += 1,
            429 => {
                assert_eq!(body["error"]["code"], "daily_quota_exceeded", "{body}");
                assert!(
                    text(&body["error"], "message").contains("of 300 tokens"),
                    "{body}"
                );
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    assert!(answered >= 1, "the quota was not spent, yet nothing ran");
    settled(&setup.app, answered).await;
    let used = scalar(
        &setup.app,
        "SELECT CAST(SUM(prompt_tokens + completion_tokens) AS BIGINT) FROM usage_records",
    )
    .await;
    let largest = scalar(
        &setup.app,
        "SELECT CAST(MAX(prompt_tokens + completion_tokens) AS BIGINT) FROM usage_records",
    )
    .await;
    // A call may need more than is left when it starts, but nothing runs beside it: the
    // overshoot is at most one call.
    assert!(
        used < QUOTA + largest,
        "{answered} of 20 parallel calls ran and used {used} tokens against a quota of {QUOTA}"
    );
    assert!(answered < 20, "every parallel call ran");

    // Spent: the next call is refused at once, naming what was used.
    let response = complete(&setup.app, &setup.key, false).await;
    assert_eq!(response.status(), 429);
    assert!(response.headers().contains_key("retry-after"));
    let body: Value = response.json().await.unwrap();
    assert!(
        text(&body["error"], "message").contains(&format!("{used} of 300")),
        "{body}"
    );
}

async fn reservations_of_a_stopped_replica_no_longer_count(backend: Backend) {
    let setup = setup(backend, 0, |s| s.chat.daily_token_quota = Some(1_000)).await;
    let db = setup.app.store();
    let now = llmchat::store::now_ms();
    // Another replica holds the whole quota for a request in flight.
    sqlx::query(
        "INSERT INTO server_instances (id, hostname, version, started_at, heartbeat_at) \
         VALUES ('other-replica', 'pod-2', 'test', $1, $1)",
    )
    .bind(now)
    .execute(db.pool())
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO quota_reservations (id, user_id, instance_id, tokens, created_at) \
         VALUES ('held-elsewhere', $1, 'other-replica', 5000, $2)",
    )
    .bind(&setup.user_id)
    .bind(now)
    .execute(db.pool())
    .await
    .unwrap();
    let response = complete(&setup.app, &setup.key, false).await;
    assert_eq!(
        response.status(),
        429,
        "a live replica's reservation counts"
    );
    let body: Value = response.json().await.unwrap();
    assert!(
        text(&body["error"], "message").contains("5000 of 1000 tokens"),
        "{body}"
    );

    // That replica stops (or crashes and stops beating): its reservation is void.
    sqlx::query("UPDATE server_instances SET stopped_at = $1 WHERE id = 'other-replica'")
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
    let response = complete(&setup.app, &setup.key, false).await;
    assert_eq!(
        response.status(),
        200,
        "a stopped replica's reservation still counts"
    );
    settled_except(&setup.app, "held-elsewhere").await;
}

/// Waits until one usage record is written and only `kept` is left among the reservations.
async fn settled_except(app: &TestApp, kept: &str) {
    for _ in 0..100 {
        let rows = scalar(app, "SELECT COUNT(*) FROM usage_records").await;
        let others = scalar(
            app,
            &format!("SELECT COUNT(*) FROM quota_reservations WHERE id <> '{kept}'"),
        )
        .await;
        if rows >= 1 && others == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the call's reservation was not settled after 10 s");
}

async fn a_user_runs_at_most_the_configured_number_of_requests_at_once(backend: Backend) {
    let setup = setup(backend, 3000, |s| s.chat.max_concurrent_requests = 2).await;
    let calls = (0..5).map(|_| complete(&setup.app, &setup.key, true));
    let responses = futures_util::future::join_all(calls).await;
    let mut running = Vec::new();
    for response in responses {
        if response.status() == 200 {
            running.push(response);
            continue;
        }
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "1");
        let body: Value = response.json().await.unwrap();
        assert_eq!(
            body["error"]["code"], "too_many_concurrent_requests",
            "{body}"
        );
        assert!(
            text(&body["error"], "message").contains("at most 2 requests"),
            "{body}"
        );
    }
    assert_eq!(running.len(), 2, "two requests run, three are refused");

    // Another user is not held up by alice's requests.
    let bob = setup.app.register("bob", PASSWORD).await;
    let (status, created) = setup
        .app
        .send(
            Method::POST,
            "/api/keys",
            text(&bob, "access_token"),
            Some(json!({"name": "bob"})),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let response = complete(&setup.app, text(&created, "key"), true).await;
    assert_eq!(response.status(), 200, "another user's request is refused");
    drop(response);

    // When alice's requests end, she may start new ones.
    for response in running {
        let body = response.text().await.unwrap();
        assert!(body.contains("[DONE]"), "{body}");
    }
    let response = complete(&setup.app, &setup.key, false).await;
    assert_eq!(response.status(), 200, "the slots were not freed");
}

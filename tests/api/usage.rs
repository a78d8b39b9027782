//! Usage reports and admin statistics over `usage_records`: a user sees only their own usage
//! by day and agent; admins group by user, agent or day and get the dashboard's exact figures.

use llmchat::routes::views::rfc3339;
use llmchat::usage::{Outcome, UsageRecord};
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    users_see_only_their_own_usage_by_day_and_agent,
    admins_group_usage_by_user_agent_and_day_with_ttft_figures,
    only_admins_see_usage_of_others_and_stats,
    a_deleted_conversations_usage_still_counts,
);

pub(crate) const ADMIN: &str = "usage-admin";
pub(crate) const ADMIN_PASSWORD: &str = "a long admin passphrase";
pub(crate) const DAY: i64 = 86_400_000;
pub(crate) const HOUR: i64 = 3_600_000;

pub(crate) async fn app_with_admin(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(ADMIN_PASSWORD));
    })
    .await;
    let (status, body) = status_and_json(app.login(ADMIN, ADMIN_PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
    (app, body["access_token"].as_str().unwrap().to_string())
}

/// Registers a user: (token, id).
pub(crate) async fn user(app: &TestApp, name: &str) -> (String, String) {
    let body = app.register(name, PASSWORD).await;
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["user"]["id"].as_str().unwrap().to_string(),
    )
}

pub(crate) struct Rec {
    pub(crate) user: Option<&'static str>,
    pub(crate) agent: &'static str,
    pub(crate) provider: &'static str,
    pub(crate) at: i64,
    pub(crate) tokens: (u64, u64),
    pub(crate) ttft: Option<u64>,
    pub(crate) error: bool,
}

pub(crate) fn rec(
    user: Option<&'static str>,
    agent: &'static str,
    at: i64,
    tokens: (u64, u64),
) -> Rec {
    Rec {
        user,
        agent,
        provider: "demo",
        at,
        tokens,
        ttft: None,
        error: false,
    }
}

/// Inserts the records, with `user` names resolved through `ids`.
pub(crate) async fn insert(app: &TestApp, ids: &[(&str, &str)], records: &[Rec]) {
    let rows: Vec<UsageRecord> = records
        .iter()
        .map(|r| {
            let mut row = UsageRecord::new(r.agent, r.provider);
            row.user_id = r.user.map(|name| {
                let (_, id) = ids.iter().find(|(n, _)| *n == name).unwrap();
                id.to_string()
            });
            row.prompt_tokens = r.tokens.0;
            row.completion_tokens = r.tokens.1;
            row.ttft_ms = r.ttft;
            if r.error {
                row.outcome = Outcome::Error;
                row.error_code = Some("upstream".into());
            }
            row.created_at = r.at;
            row
        })
        .collect();
    llmchat::usage::insert(&app.store(), &rows).await.unwrap();
}

pub(crate) fn day(ms: i64) -> String {
    rfc3339(ms)[..10].to_string()
}

pub(crate) fn now_ms() -> i64 {
    llmchat::store::now_ms()
}

/// Midnight UTC `days` days ago.
pub(crate) fn midnight(days: i64) -> i64 {
    (now_ms() / DAY - days) * DAY
}

pub(crate) async fn get(app: &TestApp, path: &str, token: &str) -> Value {
    let (status, body) = app.send(reqwest::Method::GET, path, token, None).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

async fn users_see_only_their_own_usage_by_day_and_agent(backend: Backend) {
    let (app, _) = app_with_admin(backend).await;
    let (alice, alice_id) = user(&app, "alice").await;
    let (_, bob_id) = user(&app, "bob").await;
    let ids = [("alice", alice_id.as_str()), ("bob", bob_id.as_str())];
    let d1 = midnight(10);
    let d2 = d1 + DAY;
    let mut failed = rec(Some("alice"), "demo", d1 + 23 * HOUR + HOUR / 2, (5, 5));
    failed.error = true;
    insert(
        &app,
        &ids,
        &[
            rec(Some("alice"), "demo", d1 + 10 * HOUR, (10, 20)),
            failed,
            rec(Some("alice"), "writer", d2 + HOUR / 2, (1, 2)),
            rec(Some("bob"), "demo", d1 + 12 * HOUR, (100, 200)),
            rec(None, "demo", d1 + 12 * HOUR, (7, 7)),
            rec(Some("alice"), "demo", midnight(45), (1000, 1000)),
            rec(Some("alice"), "demo", now_ms() - 1000, (3, 4)),
        ],
    )
    .await;

    let path = format!("/api/usage?from={}&to={}", day(d1), day(d2));
    let body = get(&app, &path, &alice).await;
    assert_eq!(
        body["items"],
        json!([
            {"day": day(d1), "agent_id": "demo", "requests": 2, "prompt_tokens": 15, "completion_tokens": 25, "errors": 1},
            {"day": day(d2), "agent_id": "writer", "requests": 1, "prompt_tokens": 1, "completion_tokens": 2, "errors": 0},
        ])
    );
    assert_eq!(
        body["totals"],
        json!({"requests": 3, "prompt_tokens": 16, "completion_tokens": 27, "errors": 1})
    );
    assert_eq!(body["from"], rfc3339(d1));
    assert_eq!(body["to"], rfc3339(d2 + DAY));
    assert_eq!(body["tz"], "UTC");

    // In Shanghai (UTC+8) the failed request at 23:30 UTC falls on the next day.
    let body = get(&app, &format!("{path}&tz=Asia/Shanghai"), &alice).await;
    let days: Vec<(String, String, i64)> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["day"].as_str().unwrap().to_string(),
                i["agent_id"].as_str().unwrap().to_string(),
                i["requests"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        days,
        [
            (day(d1), "demo".to_string(), 1),
            (day(d2), "demo".to_string(), 1),
            (day(d2), "writer".to_string(), 1),
        ]
    );
    assert_eq!(body["tz"], "Asia/Shanghai");

    // Timestamps work too; `to` is exclusive.
    let path = format!(
        "/api/usage?from={}&to={}",
        rfc3339(d1 + 10 * HOUR),
        rfc3339(d1 + 23 * HOUR)
    );
    assert_eq!(get(&app, &path, &alice).await["totals"]["requests"], 1);

    // By default the last 30 days: the request of 45 days ago is left out.
    let body = get(&app, "/api/usage", &alice).await;
    assert_eq!(body["totals"]["requests"], 4, "{body}");
    assert_eq!(
        body["items"].as_array().unwrap().last().unwrap()["day"],
        day(now_ms())
    );

    for (query, field) in [
        ("from=last-week", "from"),
        ("to=2026-13-01", "to"),
        ("from=2026-11-20&to=2026-11-10", "from"),
        ("from=2020-01-01&to=2026-01-01", "to"),
        ("tz=Moon/Base", "tz"),
    ] {
        let (status, body) = app
            .send(
                reqwest::Method::GET,
                &format!("/api/usage?{query}"),
                &alice,
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with(field),
            "{query}: {body}"
        );
    }
}

/// `items` of an admin usage report keyed by `key`.
fn groups(body: &Value) -> Vec<Value> {
    body["items"].as_array().unwrap().clone()
}

async fn admins_group_usage_by_user_agent_and_day_with_ttft_figures(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (_, alice_id) = user(&app, "alice").await;
    let (_, bob_id) = user(&app, "bob").await;
    let ids = [("alice", alice_id.as_str()), ("bob", bob_id.as_str())];
    let d1 = midnight(5);
    let d2 = d1 + DAY;
    let mut records = Vec::new();
    // Bob: 20 requests to `demo` on d1, times to first token 100, 200, … 2000 ms.
    for i in 1..=20 {
        let mut r = rec(Some("bob"), "demo", d1 + i * 60_000, (10, 10));
        r.ttft = Some(i as u64 * 100);
        r.error = i % 10 == 0;
        records.push(r);
    }
    // Alice: one to `demo` on d1 (ttft 100) and four to `writer` on d2, one failed.
    let mut r = rec(Some("alice"), "demo", d1 + HOUR, (1, 1));
    r.ttft = Some(100);
    records.push(r);
    for i in 0..4 {
        let mut r = rec(Some("alice"), "writer", d2 + i * HOUR, (5, 50));
        r.error = i == 0;
        records.push(r);
    }
    insert(&app, &ids, &records).await;
    let range = format!("from={}&to={}", day(d1), day(d2));

    let body = get(
        &app,
        &format!("/api/admin/usage?group_by=user&{range}"),
        &admin,
    )
    .await;
    assert_eq!(body["group_by"], "user");
    let items = groups(&body);
    assert_eq!(items.len(), 2, "{body}");
    assert_eq!(
        (&items[0]["key"], &items[0]["username"]),
        (&json!(bob_id), &json!("bob"))
    );
    assert_eq!(items[0]["requests"], 20);
    assert_eq!(items[0]["errors"], 2);
    assert_eq!(items[0]["error_rate"], 0.1);
    assert_eq!(items[0]["prompt_tokens"], 200);
    assert_eq!(items[0]["avg_ttft_ms"], 1050);
    assert_eq!(items[0]["p95_ttft_ms"], 1900);
    assert_eq!(items[1]["username"], "alice");
    assert_eq!(items[1]["requests"], 5);
    assert_eq!(items[1]["completion_tokens"], 201);
    assert_eq!(items[1]["error_rate"], 0.2);
    assert_eq!(
        body["totals"],
        json!({"requests": 25, "prompt_tokens": 221, "completion_tokens": 401, "errors": 3})
    );

    let body = get(
        &app,
        &format!("/api/admin/usage?group_by=agent&{range}"),
        &admin,
    )
    .await;
    let items = groups(&body);
    assert_eq!(items[0]["key"], "demo");
    assert_eq!(items[0]["requests"], 21);
    // 100 (alice) and 100 … 2000 (bob): the 20th of 21 values.
    assert_eq!(items[0]["p95_ttft_ms"], 1900);
    assert_eq!(items[0]["avg_ttft_ms"], 1005);
    assert_eq!(items[1]["key"], "writer");
    assert_eq!(items[1]["avg_ttft_ms"], Value::Null);
    assert_eq!(items[1]["p95_ttft_ms"], Value::Null);

    let body = get(
        &app,
        &format!("/api/admin/usage?group_by=day&{range}"),
        &admin,
    )
    .await;
    let items = groups(&body);
    assert_eq!(items.len(), 2);
    assert_eq!(
        (&items[0]["key"], &items[0]["requests"]),
        (&json!(day(d1)), &json!(21))
    );
    assert_eq!(
        (&items[1]["key"], &items[1]["requests"]),
        (&json!(day(d2)), &json!(4))
    );
    assert_eq!(items[0]["p95_ttft_ms"], 1900);

    let (status, body) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/usage?group_by=model",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("group_by")
    );
}

async fn only_admins_see_usage_of_others_and_stats(backend: Backend) {
    let (app, _) = app_with_admin(backend).await;
    let (alice, _) = user(&app, "alice").await;
    for path in ["/api/admin/usage", "/api/admin/stats"] {
        let (status, body) = app.send(reqwest::Method::GET, path, &alice, None).await;
        assert_eq!(status, 403, "{path}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        let response = app.get(path).await;
        assert_eq!(response.status(), 401, "{path}");
    }
    assert_eq!(app.get("/api/usage").await.status(), 401);
    let body = get(&app, "/api/usage", &alice).await;
    assert_eq!(body["items"], json!([]));
    assert_eq!(body["totals"]["requests"], 0);
}

/// Usage outlives the conversation it was spent in: deleting the conversation detaches its
/// records (through the indexed `conversation_id`) instead of losing them or failing.
async fn a_deleted_conversations_usage_still_counts(backend: Backend) {
    let (app, _) = app_with_admin(backend).await;
    let (alice, alice_id) = user(&app, "alice").await;
    let (status, conversation) = app
        .send(
            reqwest::Method::POST,
            "/api/conversations",
            &alice,
            Some(json!({ "agent_id": "demo" })),
        )
        .await;
    assert_eq!(status, 201, "{conversation}");
    let id = conversation["id"].as_str().unwrap();
    let mut spent = UsageRecord::new("demo", "demo");
    spent.user_id = Some(alice_id);
    spent.conversation_id = Some(id.to_string());
    spent.prompt_tokens = 3;
    spent.completion_tokens = 4;
    llmchat::usage::insert(&app.store(), &[spent])
        .await
        .unwrap();

    let (status, body) = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/conversations/{id}"),
            &alice,
            None,
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let body = get(&app, "/api/usage", &alice).await;
    assert_eq!(
        body["totals"],
        json!({"requests": 1, "prompt_tokens": 3, "completion_tokens": 4, "errors": 0})
    );
    let detached: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM usage_records WHERE conversation_id IS NULL AND prompt_tokens = 3",
    )
    .fetch_one(app.store().pool())
    .await
    .unwrap();
    assert_eq!(detached, 1);
}

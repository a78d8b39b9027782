//! Budgets and prices: a group's budget is shared by its members, a user's is their own; cost
//! comes from the admins' price table; requests reserve before the upstream is called, so
//! parallel ones cannot overspend; crossing 80 % and 100 % reaches the audit log and a webhook.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, Mock, PASSWORD, TestApp, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    a_group_budget_is_shared_by_its_members_and_reported_at_80_and_100_percent,
    prices_give_requests_a_cost_and_a_monthly_budget_stops_at_it,
    parallel_requests_of_a_group_cannot_overspend_its_budget
);

const ADMIN: &str = "budget-admin";

struct Org {
    app: TestApp,
    _mock: Mock,
    _dir: tempfile::TempDir,
    admin: String,
}

/// Every answer of agent `gpt` costs 10 prompt and 90 completion tokens (model `gpt-test`).
async fn org(backend: Backend, knobs: &str, webhook: Option<String>) -> Org {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.yaml");
    let agents = format!(
        "agents:\n  - id: gpt\n    name: GPT\n    provider: {{type: openai, base_url: \"{}\", \
         api_key: sk-up, model: gpt-test, max_retries: 0}}\n",
        mock.url(knobs, "openai/v1")
    );
    std::fs::write(&path, agents).unwrap();
    let app = spawn_app_with(backend, |s| {
        s.agents.config = path.clone();
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        s.budgets.webhook_url = webhook;
    })
    .await;
    let body: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let admin = body["access_token"].as_str().unwrap().to_string();
    Org {
        app,
        _mock: mock,
        _dir: dir,
        admin,
    }
}

impl Org {
    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app.send(method, path, &self.admin, body).await
    }

    /// A user and a conversation of theirs with `gpt`: (id, token, conversation).
    async fn member(&self, name: &str) -> (String, String, String) {
        let body = self.app.register(name, PASSWORD).await;
        let token = body["access_token"].as_str().unwrap().to_string();
        let (status, conversation) = self
            .app
            .send(
                Method::POST,
                "/api/conversations",
                &token,
                Some(json!({ "agent_id": "gpt" })),
            )
            .await;
        assert_eq!(status, 201, "{conversation}");
        let id = body["user"]["id"].as_str().unwrap().to_string();
        (id, token, conversation["id"].as_str().unwrap().to_string())
    }

    /// One question; the status and body of the answer.
    async fn ask(&self, token: &str, conversation: &str) -> (u16, Value) {
        let path = format!("/api/conversations/{conversation}/messages");
        self.app
            .send(
                Method::POST,
                &path,
                token,
                Some(json!({ "content": "hi", "stream": false })),
            )
            .await
    }

    async fn group(&self, name: &str, members: &[&str]) -> String {
        let (status, group) = self
            .admin(
                Method::POST,
                "/api/admin/groups",
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 201, "{group}");
        let id = group["id"].as_str().unwrap().to_string();
        for member in members {
            let path = format!("/api/admin/groups/{id}/members/{member}");
            assert_eq!(self.admin(Method::PUT, &path, None).await.0, 204);
        }
        id
    }

    /// The audit entries of `action`, waiting a moment for ones written after a response.
    async fn audit(&self, action: &str, want: usize) -> Vec<Value> {
        for _ in 0..50 {
            let (_, body) = self
                .admin(
                    Method::GET,
                    &format!("/api/admin/audit?action={action}"),
                    None,
                )
                .await;
            let items = body["items"].as_array().unwrap().clone();
            if items.len() >= want {
                return items;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("fewer than {want} {action} entries");
    }
}

/// A webhook receiver on loopback: the JSON bodies posted to it.
async fn webhook() -> (String, Arc<Mutex<Vec<Value>>>) {
    let received = Arc::new(Mutex::new(Vec::new()));
    let store = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let store = store.clone();
            async move {
                store.lock().unwrap().push(body);
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

async fn a_group_budget_is_shared_by_its_members_and_reported_at_80_and_100_percent(
    backend: Backend,
) {
    let (url, received) = webhook().await;
    let org = org(backend, "chunks=90", Some(url)).await;
    let (ann, ann_token, ann_chat) = org.member("ann").await;
    let (ben, ben_token, ben_chat) = org.member("ben").await;
    let (_, cid_token, cid_chat) = org.member("cid").await;
    let eng = org.group("eng", &[&ann, &ben]).await;
    let path = format!("/api/admin/budgets/group/{eng}");
    let set = |body: Value| org.admin(Method::PUT, &path, Some(body));
    let (status, budget) = set(json!({ "tokens_per_day": 300 })).await;
    assert_eq!(status, 200, "{budget}");
    assert_eq!(
        (budget["name"].as_str(), budget["tokens_per_day"].as_i64()),
        (Some("eng"), Some(300))
    );
    // A value of the wrong type is refused, naming its field for the form to show it there.
    let (status, refused) = set(json!({ "tokens_per_day": 1.5 })).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["field"], "tokens_per_day", "{refused}");

    for (token, chat) in [
        (&ann_token, &ann_chat),
        (&ann_token, &ann_chat),
        (&ben_token, &ben_chat),
    ] {
        let (status, body) = org.ask(token, chat).await;
        assert_eq!(status, 200, "{body}");
    }
    // 300 of 300 tokens used by the two together: the next request of either is refused.
    let (status, body) = org.ask(&ben_token, &ben_chat).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"]["code"], "budget_exceeded");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("group \"eng\"") && message.contains("300 tokens of 300 tokens"),
        "{message}"
    );
    // The body names the budget for a client to say it in its own words (the UI does, in zh).
    let budget = &body["error"]["budget"];
    assert_eq!(
        (&budget["scope"], &budget["name"], &budget["kind"]),
        (&json!("group"), &json!("eng"), &json!("tokens_per_day")),
        "{body}"
    );
    assert_eq!(
        (&budget["used"], &budget["limit"]),
        (&json!(300.0), &json!(300.0))
    );
    assert!(
        budget["resets_at"]
            .as_str()
            .unwrap()
            .ends_with("T00:00:00Z"),
        "{body}"
    );
    // Someone outside the group is not affected.
    assert_eq!(org.ask(&cid_token, &cid_chat).await.0, 200);

    let (_, mine) = org
        .app
        .send(Method::GET, "/api/usage/budgets", &ann_token, None)
        .await;
    let item = &mine["items"][0];
    assert_eq!(
        (item["scope"].as_str(), item["name"].as_str()),
        (Some("group"), Some("eng")),
        "{mine}"
    );
    assert_eq!(
        (
            item["limit"].as_f64(),
            item["used"].as_f64(),
            item["remaining"].as_f64()
        ),
        (Some(300.0), Some(300.0), Some(0.0))
    );
    let (_, none) = org
        .app
        .send(Method::GET, "/api/usage/budgets", &cid_token, None)
        .await;
    assert_eq!(none["items"], json!([]));

    // 80 % and 100 % are each reported once: in the audit log and to the webhook.
    let entries = org.audit("budget.threshold", 2).await;
    let mut levels: Vec<i64> = entries
        .iter()
        .map(|e| e["details"]["percent"].as_i64().unwrap())
        .collect();
    levels.sort_unstable();
    assert_eq!(levels, [80, 100], "{entries:?}");
    assert_eq!(entries[0]["details"]["name"], "eng");
    for _ in 0..50 {
        if received.lock().unwrap().len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let posted = received.lock().unwrap().clone();
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(
        posted
            .iter()
            .all(|p| p["event"] == "budget.threshold" && p["budget"]["scope"] == "group")
    );

    // Removing the budget lets the group go on.
    let path = format!("/api/admin/budgets/group/{eng}");
    assert_eq!(org.admin(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(org.ask(&ben_token, &ben_chat).await.0, 200);
}

async fn prices_give_requests_a_cost_and_a_monthly_budget_stops_at_it(backend: Backend) {
    let org = org(backend, "chunks=90", None).await;
    let (dee, token, chat) = org.member("dee").await;
    // Bad input is refused, naming the field.
    let bad = json!({ "model": "gpt-test", "input_per_million": -1, "output_per_million": 1 });
    let (status, body) = org.admin(Method::PUT, "/api/admin/prices", Some(bad)).await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("input_per_million"))
    );
    let (status, _) = org
        .admin(
            Method::PUT,
            "/api/admin/budgets/user/nobody",
            Some(json!({ "tokens_per_day": 5 })),
        )
        .await;
    assert_eq!(status, 404);
    let (status, body) = org
        .admin(
            Method::PUT,
            &format!("/api/admin/budgets/user/{dee}"),
            Some(json!({ "tokens_per_day": 0 })),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("tokens_per_day"))
    );

    // 10 prompt tokens at 1000 and 90 completion tokens at 2000 per million: 0.19 a request.
    let price =
        json!({ "model": "gpt-test", "input_per_million": 1000, "output_per_million": 2000 });
    let (status, body) = org
        .admin(Method::PUT, "/api/admin/prices", Some(price))
        .await;
    assert_eq!(status, 200, "{body}");
    let (_, prices) = org.admin(Method::GET, "/api/admin/prices", None).await;
    assert_eq!(prices["currency"], "USD");
    assert_eq!(prices["items"][0]["output_per_million"], 2000.0);
    let budget = json!({ "cost_per_month": 0.5 });
    let (status, _) = org
        .admin(
            Method::PUT,
            &format!("/api/admin/budgets/user/{dee}"),
            Some(budget),
        )
        .await;
    assert_eq!(status, 200);

    for _ in 0..3 {
        let (status, body) = org.ask(&token, &chat).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, body) = org.ask(&token, &chat).await;
    assert_eq!(status, 429, "0.57 spent of 0.5: {body}");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("0.57 USD of 0.5 USD"), "{message}");
    let budget = &body["error"]["budget"];
    assert_eq!(
        (
            &budget["kind"],
            &budget["currency"],
            &budget["used"],
            &budget["limit"]
        ),
        (
            &json!("cost_per_month"),
            &json!("USD"),
            &json!(0.57),
            &json!(0.5)
        ),
        "{body}"
    );
    let (_, mine) = org
        .app
        .send(Method::GET, "/api/usage/budgets", &token, None)
        .await;
    let item = &mine["items"][0];
    assert_eq!(
        (item["kind"].as_str(), item["currency"].as_str()),
        (Some("cost_per_month"), Some("USD"))
    );
    assert!(
        (item["used"].as_f64().unwrap() - 0.57).abs() < 1e-9,
        "{mine}"
    );

    // Each usage record carries its cost once written.
    let store = org.app.store();
    let mut costs: Vec<i64> = Vec::new();
    for _ in 0..50 {
        costs = sqlx::query_scalar("SELECT cost_micros FROM usage_records WHERE user_id = $1")
            .bind(&dee)
            .fetch_all(store.pool())
            .await
            .unwrap();
        if costs.len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(costs, [190_000, 190_000, 190_000]);
    assert_eq!(
        org.admin(Method::DELETE, "/api/admin/prices?model=gpt-test", None)
            .await
            .0,
        204
    );
    assert_eq!(
        org.admin(Method::DELETE, "/api/admin/prices?model=gpt-test", None)
            .await
            .0,
        404
    );
}

/// PostgreSQL locks the group's row while a reservation is checked and taken (replicas share
/// one database); SQLite takes its write lock first. On SQLite this race also checks that
/// parallel turns wait for the write lock instead of failing with "database is locked" (a
/// deferred transaction once did, in about one run of six).
async fn parallel_requests_of_a_group_cannot_overspend_its_budget(backend: Backend) {
    let org = org(backend, "chunks=90,delay_ms=20", None).await;
    let mut members = Vec::new();
    for name in ["pat1", "pat2", "pat3", "pat4", "pat5"] {
        members.push(org.member(name).await);
    }
    let ids: Vec<&str> = members.iter().map(|(id, _, _)| id.as_str()).collect();
    let team = org.group("team", &ids).await;
    let path = format!("/api/admin/budgets/group/{team}");
    assert_eq!(
        org.admin(Method::PUT, &path, Some(json!({ "tokens_per_day": 50 })))
            .await
            .0,
        200
    );
    // Whichever reserves first holds more than the 50 tokens: the others must wait for tomorrow.
    let asks = members.iter().map(|(_, token, chat)| org.ask(token, chat));
    let answers = futures_util::future::join_all(asks).await;
    let statuses: Vec<u16> = answers.iter().map(|(status, _)| *status).collect();
    assert!(statuses.iter().all(|s| *s != 500), "{answers:?}");
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        4,
        "{statuses:?}"
    );
}

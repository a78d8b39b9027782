//! The admin dashboard (`GET /api/admin/stats`): exact counts of users, conversations,
//! messages, requests, tokens and errors, top agents, provider share and p95 time to first
//! token, over usage records placed at chosen times.

use serde_json::json;

use crate::helpers::Backend;
use crate::on_both_databases;
use crate::usage::{DAY, app_with_admin, day, get, insert, midnight, now_ms, rec, user};

on_both_databases!(admin_stats_count_users_messages_tokens_errors_and_p95);

async fn admin_stats_count_users_messages_tokens_errors_and_p95(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (alice, alice_id) = user(&app, "alice").await;
    let (_, bob_id) = user(&app, "bob").await;
    let ids = [("alice", alice_id.as_str()), ("bob", bob_id.as_str())];
    let now = now_ms();
    let mut records = Vec::new();
    // Last 24 h: 20 requests to `gpt` (openai), ttft 100 … 2000, two failed, 10 tokens each.
    for i in 1..=20 {
        let mut r = rec(Some("alice"), "gpt", now - i * 60_000, (4, 6));
        r.provider = "openai";
        r.ttft = Some(i as u64 * 100);
        r.error = i % 10 == 0;
        records.push(r);
    }
    // Three days ago: 10 requests to `claude` (anthropic), ttft 5000, one failed, 100 tokens each.
    for i in 0..10 {
        let mut r = rec(
            Some("alice"),
            "claude",
            now - 3 * DAY - i * 60_000,
            (40, 60),
        );
        r.provider = "anthropic";
        r.ttft = Some(5000);
        r.error = i == 0;
        records.push(r);
    }
    // Twenty days ago: bob's 5 requests to `old` (dify), outside the default 14 days.
    for i in 0..5 {
        let mut r = rec(Some("bob"), "old", now - 20 * DAY - i * 60_000, (1000, 0));
        r.provider = "dify";
        records.push(r);
    }
    insert(&app, &ids, &records).await;
    for title in ["one", "two"] {
        let (status, _) = app
            .send(
                reqwest::Method::POST,
                "/api/conversations",
                &alice,
                Some(json!({ "agent_id": "demo", "title": title })),
            )
            .await;
        assert_eq!(status, 201);
    }
    let (_, page) = app
        .send(reqwest::Method::GET, "/api/conversations", &alice, None)
        .await;
    let conversation = page["items"][0]["id"].as_str().unwrap().to_string();
    for text in ["hello", "again", "third"] {
        llmchat::store::messages::insert_message(
            &app.store(),
            llmchat::store::messages::NewMessage {
                conversation_id: &conversation,
                parent_id: None,
                role: "user",
                content: &json!([{ "type": "text", "text": text }]),
                status: "complete",
                agent_id: None,
            },
        )
        .await
        .unwrap();
    }

    let stats = get(&app, "/api/admin/stats", &admin).await;
    // Everyone signed in within 7 days: the admin logged in, alice and bob registered (which
    // signs in).
    assert_eq!(
        stats["users"],
        json!({"total": 3, "active_7d": 3}),
        "{stats}"
    );
    assert_eq!(
        (&stats["conversations"], &stats["messages"]),
        (&json!(2), &json!(3))
    );
    assert_eq!(
        stats["last_24h"],
        json!({"requests": 20, "errors": 2, "error_rate": 0.1, "p95_ttft_ms": 1900})
    );
    // 30 values: 100 … 2000 and ten times 5000; the 29th is 5000.
    assert_eq!(
        stats["last_7d"],
        json!({"requests": 30, "errors": 3, "error_rate": 0.1, "p95_ttft_ms": 5000})
    );
    assert_eq!(
        stats["top_agents"],
        json!({
            "by_requests": [{"agent_id": "gpt", "requests": 20, "tokens": 200}, {"agent_id": "claude", "requests": 10, "tokens": 1000}],
            "by_tokens": [{"agent_id": "claude", "requests": 10, "tokens": 1000}, {"agent_id": "gpt", "requests": 20, "tokens": 200}],
        })
    );
    let providers: Vec<(String, i64)> = stats["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["provider"].as_str().unwrap().into(),
                p["requests"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(providers, [("openai".into(), 20), ("anthropic".into(), 10)]);
    assert!((stats["providers"][0]["share"].as_f64().unwrap() - 2.0 / 3.0).abs() < 1e-9);

    let daily = stats["daily"].as_array().unwrap();
    assert_eq!(stats["days"], 14);
    assert_eq!(daily.len(), 14);
    assert_eq!(daily[13]["day"], day(now));
    assert_eq!(daily[0]["day"], day(now - 13 * DAY));
    let sum = |field: &str| {
        daily
            .iter()
            .map(|d| d[field].as_i64().unwrap())
            .sum::<i64>()
    };
    assert_eq!(
        (sum("requests"), sum("tokens"), sum("errors")),
        (30, 1200, 3)
    );
    assert_eq!(sum("messages"), 3);
    assert_eq!(daily[13]["messages"], 3);
    for r in &records {
        if r.at >= midnight(13) {
            let entry = daily.iter().find(|d| d["day"] == day(r.at)).unwrap();
            assert!(entry["requests"].as_i64().unwrap() > 0);
        }
    }

    // Thirty days take in bob's old requests too.
    let stats = get(&app, "/api/admin/stats?days=30", &admin).await;
    assert_eq!(stats["daily"].as_array().unwrap().len(), 30);
    assert_eq!(stats["providers"][2]["provider"], "dify");
    assert_eq!(stats["top_agents"]["by_tokens"][0]["agent_id"], "old");
    let stats = get(&app, "/api/admin/stats?tz=America/New_York", &admin).await;
    assert_eq!(stats["tz"], "America/New_York");
    let (status, _) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/stats?days=0",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 422);
}

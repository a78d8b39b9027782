//! API keys: shown once, stored hashed, accepted as Bearer and x-api-key, revoked at once.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, PASSWORD, spawn_app, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    a_new_key_is_shown_once_and_authenticates_as_its_owner,
    a_revoked_key_is_rejected_at_once,
    an_expired_key_is_rejected,
    keys_cannot_mint_keys_and_users_cannot_touch_others_keys,
    last_use_is_recorded_in_batches,
);

async fn create_key(
    app: &crate::helpers::TestApp,
    token: &str,
    body: serde_json::Value,
) -> (u16, serde_json::Value) {
    let response = app
        .client
        .post(app.url("/api/keys"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

async fn a_new_key_is_shown_once_and_authenticates_as_its_owner(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.register("keyowner", PASSWORD).await;
    let token = session["access_token"].as_str().unwrap();

    let (status, created) = create_key(
        &app,
        token,
        json!({ "name": "ci", "allowed_agents": ["demo"] }),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    assert!(key.starts_with("sk-llmc-") && key.len() > 40, "{key}");
    assert!(key.starts_with(created["prefix"].as_str().unwrap()));
    assert_eq!(created["allowed_agents"], json!(["demo"]));

    let (status, list) = status_and_json(app.authed_get("/api/keys", token).await).await;
    assert_eq!(status, 200);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["name"], "ci");
    assert!(
        !list.to_string().contains(key),
        "the key is never shown again"
    );
    assert!(list["items"][0].get("key").is_none());
    assert_eq!(list["next_cursor"], serde_json::Value::Null);

    let (status, me) = status_and_json(app.authed_get("/api/auth/me", key).await).await;
    assert_eq!((status, me["username"].as_str()), (200, Some("keyowner")));
    let (_, session) = status_and_json(app.authed_get("/api/auth/session", key).await).await;
    assert_eq!(session["auth"], "api_key");
    assert_eq!(session["api_key_id"], created["id"]);
    assert_eq!(session["allowed_agents"], json!(["demo"]));
    let (_, session) = status_and_json(app.authed_get("/api/auth/session", token).await).await;
    assert_eq!(session["auth"], "session");
    assert_eq!(session["username"], "keyowner");
    let via_header = app
        .client
        .get(app.url("/api/auth/me"))
        .header("x-api-key", key)
        .send()
        .await
        .unwrap();
    assert_eq!(via_header.status(), 200, "Anthropic clients send x-api-key");

    // Only the hash is stored.
    let db = app.store();
    let stored: String = sqlx::query_scalar("SELECT key_hash FROM api_keys")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(!stored.contains(&key[8..]));
    assert_eq!(stored.len(), 64);
}

async fn a_revoked_key_is_rejected_at_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register("revoker", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, created) = create_key(&app, &token, json!({ "name": "short-lived" })).await;
    let key = created["key"].as_str().unwrap();
    assert_eq!(app.authed_get("/api/auth/me", key).await.status(), 200);

    let id = created["id"].as_str().unwrap();
    let revoke = app
        .client
        .delete(app.url(&format!("/api/keys/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let (status, body) = status_and_json(app.authed_get("/api/auth/me", key).await).await;
    assert_eq!(status, 401, "revocation is immediate on this instance");
    assert_eq!(body["error"]["code"], "unauthorized");
    let (_, list) = status_and_json(app.authed_get("/api/keys", &token).await).await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

async fn an_expired_key_is_rejected(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register("expirer", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = create_key(
        &app,
        &token,
        json!({ "name": "past", "expires_at": "2020-01-01T00:00:00Z" }),
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("expires_at")
    );

    let soon = time::OffsetDateTime::now_utc() + time::Duration::milliseconds(1500);
    let soon = soon
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, created) =
        create_key(&app, &token, json!({ "name": "soon", "expires_at": soon })).await;
    assert_eq!(status, 201, "{created}");
    let key = created["key"].as_str().unwrap();
    assert_eq!(app.authed_get("/api/auth/me", key).await.status(), 200);
    tokio::time::sleep(Duration::from_millis(1700)).await;
    assert_eq!(app.authed_get("/api/auth/me", key).await.status(), 401);
}

async fn keys_cannot_mint_keys_and_users_cannot_touch_others_keys(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.register("alice", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let bob = app.register("bobby", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, created) = create_key(&app, &alice, json!({ "name": "alice's" })).await;
    let key = created["key"].as_str().unwrap();

    let (status, body) = create_key(&app, key, json!({ "name": "child" })).await;
    assert_eq!(status, 403, "{body}");

    let id = created["id"].as_str().unwrap();
    let response = app
        .client
        .delete(app.url(&format!("/api/keys/{id}")))
        .bearer_auth(&bob)
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        404,
        "another user's key is not found, not forbidden"
    );
    let (_, bobs) = status_and_json(app.authed_get("/api/keys", &bob).await).await;
    assert!(bobs["items"].as_array().unwrap().is_empty());
    assert_eq!(
        app.authed_get("/api/auth/me", key).await.status(),
        200,
        "still valid"
    );
}

async fn last_use_is_recorded_in_batches(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = app.register("batcher", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, created) = create_key(&app, &token, json!({ "name": "used" })).await;
    let key = created["key"].as_str().unwrap();
    for _ in 0..5 {
        assert_eq!(app.authed_get("/api/auth/me", key).await.status(), 200);
    }
    // The writer flushes every 5 s.
    let mut last_used = serde_json::Value::Null;
    for _ in 0..80 {
        let (_, list) = status_and_json(app.authed_get("/api/keys", &token).await).await;
        last_used = list["items"][0]["last_used_at"].clone();
        if !last_used.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        last_used.as_str().is_some_and(|t| t.ends_with('Z')),
        "{last_used}"
    );
}

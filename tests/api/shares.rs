//! Share links: a read-only snapshot of a conversation that anyone with the link (or only
//! signed-in members) can open, until it is revoked, expires, or the conversation goes.

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{Chat, FAST_DEMO, chat_app};
use crate::helpers::{Backend, PASSWORD};
use crate::on_both_databases;

on_both_databases!(
    a_shared_snapshot_opens_for_anyone_until_it_is_revoked,
    members_only_expired_and_deleted_shares_do_not_open
);

async fn say(chat: &Chat, conversation: &str, text: &str) {
    let response = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": text, "stream": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
}

async fn share(chat: &Chat, conversation: &str, body: Value) -> (u16, Value) {
    chat.app
        .send(
            Method::POST,
            &format!("/api/conversations/{conversation}/shares"),
            &chat.token,
            Some(body),
        )
        .await
}

/// `GET /api/shared/{id}` without credentials, or with `token`.
async fn open(chat: &Chat, id: &str, token: Option<&str>) -> (u16, Value) {
    let mut request = chat
        .app
        .client
        .get(chat.app.url(&format!("/api/shared/{id}")));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn a_shared_snapshot_opens_for_anyone_until_it_is_revoked(backend: Backend) {
    let chat = chat_app(backend, FAST_DEMO, |_| {}).await;
    let conversation = chat.conversation("fast").await;
    let (status, body) = share(&chat, &conversation, json!({})).await;
    assert_eq!(status, 422, "nothing to share yet: {body}");

    say(&chat, &conversation, "what is a share link?").await;
    let (status, link) = share(&chat, &conversation, json!({})).await;
    assert_eq!(status, 201, "{link}");
    let id = link["id"].as_str().unwrap().to_string();
    assert!(id.len() >= 40, "an unguessable id: {id}");
    assert_eq!(link["path"], format!("/share/{id}"));
    assert_eq!(
        (&link["message_count"], &link["status"], &link["expires_at"]),
        (&json!(2), &json!("live"), &Value::Null)
    );

    // Later messages are not in the snapshot.
    say(&chat, &conversation, "and another question").await;
    let (status, shared) = open(&chat, &id, None).await;
    assert_eq!(status, 200, "{shared}");
    assert_eq!(shared["agent_name"], "Fast");
    assert_eq!(shared["shared_by"], "chatter");
    assert_eq!(shared["title"], "what is a share link?");
    let messages = shared["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{shared}");
    assert_eq!(messages[0]["role"], "user");
    assert_eq!(messages[0]["content"][0]["text"], "what is a share link?");
    assert_eq!(messages[1]["role"], "assistant");
    assert_eq!(messages[1]["status"], "complete");
    assert!(
        !messages[1]["content"][0]["text"]
            .as_str()
            .unwrap()
            .is_empty()
    );

    // Only its owner lists or revokes it.
    let other = chat.app.register("stranger", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let path = format!("/api/shares/{id}");
    assert_eq!(
        chat.app.send(Method::DELETE, &path, &other, None).await.0,
        404
    );
    let listing = format!("/api/conversations/{conversation}/shares");
    assert_eq!(
        chat.app.send(Method::GET, &listing, &other, None).await.0,
        404
    );
    let (_, mine) = chat
        .app
        .send(Method::GET, "/api/shares", &chat.token, None)
        .await;
    assert_eq!(mine["items"][0]["id"], id.as_str());

    assert_eq!(
        chat.app
            .send(Method::DELETE, &path, &chat.token, None)
            .await
            .0,
        204
    );
    let (status, body) = open(&chat, &id, None).await;
    assert_eq!(status, 404, "a revoked link: {body}");
    let (_, listed) = chat
        .app
        .send(Method::GET, &listing, &chat.token, None)
        .await;
    assert_eq!(listed["items"][0]["status"], "revoked", "{listed}");
    assert_eq!(
        chat.app
            .send(Method::DELETE, &path, &chat.token, None)
            .await
            .0,
        204
    );
    assert_eq!(open(&chat, "no-such-link", None).await.0, 404);

    let db = chat.app.store();
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT action FROM audit_log WHERE action LIKE 'conversation.share%' ORDER BY created_at",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    assert_eq!(
        actions,
        ["conversation.share_create", "conversation.share_revoke"]
    );
}

async fn members_only_expired_and_deleted_shares_do_not_open(backend: Backend) {
    let chat = chat_app(backend, FAST_DEMO, |_| {}).await;
    let conversation = chat.conversation("fast").await;
    say(&chat, &conversation, "for members").await;

    let (status, link) = share(&chat, &conversation, json!({"members_only": true})).await;
    assert_eq!(status, 201, "{link}");
    let members = link["id"].as_str().unwrap().to_string();
    let (status, body) = open(&chat, &members, None).await;
    assert_eq!(
        (status, &body["error"]["code"]),
        (401, &json!("sign_in_required"))
    );
    let (status, _) = open(&chat, &members, Some("not-a-token")).await;
    assert_eq!(status, 401);
    let colleague = chat.app.register("colleague", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = open(&chat, &members, Some(&colleague)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["members_only"], true);

    for bad in [
        json!({"expires_in_days": 0}),
        json!({"expires_in_days": 366}),
    ] {
        let (status, body) = share(&chat, &conversation, bad).await;
        assert_eq!(
            (status, &body["error"]["field"]),
            (422, &json!("expires_in_days"))
        );
    }
    let (status, link) = share(&chat, &conversation, json!({"expires_in_days": 7})).await;
    assert_eq!(status, 201, "{link}");
    assert!(link["expires_at"].is_string());
    let expiring = link["id"].as_str().unwrap().to_string();
    assert_eq!(open(&chat, &expiring, None).await.0, 200);
    // A week later (moved back in the database).
    sqlx::query("UPDATE shares SET expires_at = 1 WHERE id = $1")
        .bind(&expiring)
        .execute(chat.app.store().pool())
        .await
        .unwrap();
    assert_eq!(open(&chat, &expiring, None).await.0, 404);
    let (_, listed) = chat
        .app
        .send(Method::GET, "/api/shares", &chat.token, None)
        .await;
    let status_of = |id: &str| {
        listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .map(|s| s["status"].clone())
    };
    assert_eq!(status_of(&expiring), Some(json!("expired")));

    // Deleting the conversation ends its links.
    let (status, link) = share(&chat, &conversation, json!({})).await;
    assert_eq!(status, 201);
    let open_one = link["id"].as_str().unwrap().to_string();
    assert_eq!(open(&chat, &open_one, None).await.0, 200);
    let path = format!("/api/conversations/{conversation}");
    assert_eq!(
        chat.app
            .send(Method::DELETE, &path, &chat.token, None)
            .await
            .0,
        204
    );
    assert_eq!(open(&chat, &open_one, None).await.0, 404);
    assert_eq!(open(&chat, &members, Some(&colleague)).await.0, 404);
}

//! API keys are for programs, not for running the account: a key has scopes (`chat` unless an
//! admin asks for `admin`), cannot manage keys, is capped per user, and can be revoked all at
//! once — on its own or with a password change.

use reqwest::Method;
use serde_json::{Value, json};

use crate::admin::{ADMIN, ADMIN_PASSWORD};
use crate::attacks::text;
use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    an_admins_key_reaches_the_admin_api_only_with_the_admin_scope,
    only_admins_may_ask_for_the_admin_scope,
    keys_cannot_list_or_revoke_keys,
    revoking_all_keys_alone_or_with_a_password_change_ends_every_key,
    a_user_holds_at_most_the_configured_number_of_keys,
);

/// An app with a first admin and at most three keys per user; the admin's access token.
async fn app(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(ADMIN_PASSWORD));
        s.auth.max_api_keys_per_user = 3;
    })
    .await;
    let (status, body) = status_and_json(app.login(ADMIN, ADMIN_PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
    let token = text(&body, "access_token").to_string();
    (app, token)
}

async fn new_key(app: &TestApp, token: &str, body: Value) -> (u16, Value) {
    app.send(Method::POST, "/api/keys", token, Some(body)).await
}

async fn key_of(app: &TestApp, token: &str, body: Value) -> String {
    let (status, created) = new_key(app, token, body).await;
    assert_eq!(status, 201, "{created}");
    text(&created, "key").to_string()
}

async fn an_admins_key_reaches_the_admin_api_only_with_the_admin_scope(backend: Backend) {
    let (app, admin) = app(backend).await;
    let (status, created) = new_key(&app, &admin, json!({ "name": "chat by default" })).await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["scopes"], json!(["chat"]));
    let chat_key = text(&created, "key").to_string();

    let (status, body) = app
        .send(Method::GET, "/api/admin/users", &chat_key, None)
        .await;
    assert_eq!(status, 403, "{body}");
    assert!(
        text(&body["error"], "message").contains("admin scope"),
        "{body}"
    );
    let escalation = json!({ "username": "mallory", "password": PASSWORD, "role": "admin" });
    let (status, body) = app
        .send(
            Method::POST,
            "/api/admin/users",
            &chat_key,
            Some(escalation),
        )
        .await;
    assert_eq!(status, 403, "a chat key creates no admin: {body}");
    let (status, _) = app
        .send(Method::POST, "/api/agents/reload", &chat_key, None)
        .await;
    assert_eq!(status, 403);
    // What it is for still works.
    let (status, agents) = app.send(Method::GET, "/api/agents", &chat_key, None).await;
    assert_eq!(status, 200, "{agents}");
    let (_, session) = app
        .send(Method::GET, "/api/auth/session", &chat_key, None)
        .await;
    assert_eq!(session["scopes"], json!(["chat"]));

    let admin_key = key_of(
        &app,
        &admin,
        json!({ "name": "automation", "scopes": ["admin"] }),
    )
    .await;
    let (status, users) = app
        .send(Method::GET, "/api/admin/users", &admin_key, None)
        .await;
    assert_eq!(status, 200, "{users}");
    let (status, _) = app
        .send(Method::POST, "/api/agents/reload", &admin_key, None)
        .await;
    assert_eq!(status, 200);
    let (_, session) = app
        .send(Method::GET, "/api/auth/session", &admin_key, None)
        .await;
    assert_eq!(session["scopes"], json!(["chat", "admin"]));
    let (_, list) = app.send(Method::GET, "/api/keys", &admin, None).await;
    let scopes: Vec<&Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| &k["scopes"])
        .collect();
    assert_eq!(scopes, [&json!(["chat", "admin"]), &json!(["chat"])]);
}

async fn only_admins_may_ask_for_the_admin_scope(backend: Backend) {
    let (app, _) = app(backend).await;
    let user = app.register("plainuser", PASSWORD).await;
    let token = text(&user, "access_token");
    let (status, body) = new_key(&app, token, json!({ "name": "x", "scopes": ["admin"] })).await;
    assert_eq!(status, 403, "{body}");
    assert!(
        text(&body["error"], "message").contains("admin scope"),
        "{body}"
    );
    let (status, body) = new_key(&app, token, json!({ "name": "x", "scopes": [] })).await;
    assert_eq!(
        (status, text(&body["error"], "field")),
        (422, "scopes"),
        "{body}"
    );
    let (status, body) = new_key(&app, token, json!({ "name": "x", "scopes": ["root"] })).await;
    assert_eq!(status, 422, "{body}");
    let (_, list) = app.send(Method::GET, "/api/keys", token, None).await;
    assert_eq!(list["items"], json!([]), "no key was made");
}

async fn keys_cannot_list_or_revoke_keys(backend: Backend) {
    let (app, admin) = app(backend).await;
    let (_, first) = new_key(
        &app,
        &admin,
        json!({ "name": "first", "scopes": ["admin"] }),
    )
    .await;
    let (_, second) = new_key(&app, &admin, json!({ "name": "second" })).await;
    let key = text(&first, "key");
    let other = format!("/api/keys/{}", text(&second, "id"));

    for (method, path) in [
        (Method::GET, "/api/keys"),
        (Method::DELETE, other.as_str()),
        (Method::DELETE, "/api/keys"),
    ] {
        let (status, body) = app.send(method.clone(), path, key, None).await;
        assert_eq!(status, 403, "{method} {path} with a key: {body}");
    }
    let (status, _) = app
        .send(Method::GET, "/api/auth/me", text(&second, "key"), None)
        .await;
    assert_eq!(status, 200, "the other key still works");
}

async fn revoking_all_keys_alone_or_with_a_password_change_ends_every_key(backend: Backend) {
    let (app, _) = app(backend).await;
    let session = app.register("leaky", PASSWORD).await;
    let token = text(&session, "access_token").to_string();
    let keys = [
        key_of(&app, &token, json!({ "name": "one" })).await,
        key_of(&app, &token, json!({ "name": "two" })).await,
    ];

    let (status, body) = app.send(Method::DELETE, "/api/keys", &token, None).await;
    assert_eq!((status, &body), (200, &json!({ "revoked": 2 })));
    for key in &keys {
        let (status, _) = app.send(Method::GET, "/api/auth/me", key, None).await;
        assert_eq!(status, 401, "revoked at once");
    }

    // A password change keeps keys unless asked…
    let kept = key_of(&app, &token, json!({ "name": "kept" })).await;
    let change = json!({ "current_password": PASSWORD, "new_password": "another long passphrase" });
    let (status, body) = app
        .send(Method::POST, "/api/auth/password", &token, Some(change))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = app.send(Method::GET, "/api/auth/me", &kept, None).await;
    assert_eq!(status, 200);
    // …and ends them all with `revoke_api_keys`.
    let change = json!({
        "current_password": "another long passphrase",
        "new_password": "a third long passphrase",
        "revoke_api_keys": true,
    });
    let (status, body) = app
        .send(Method::POST, "/api/auth/password", &token, Some(change))
        .await;
    assert_eq!(status, 204, "{body}");
    let (status, _) = app.send(Method::GET, "/api/auth/me", &kept, None).await;
    assert_eq!(status, 401, "the password change revoked the key");
    let (_, list) = app.send(Method::GET, "/api/keys", &token, None).await;
    assert_eq!(list["items"], json!([]));
}

async fn a_user_holds_at_most_the_configured_number_of_keys(backend: Backend) {
    let (app, _) = app(backend).await;
    let session = app.register("hoarder", PASSWORD).await;
    let token = text(&session, "access_token");
    let mut ids = Vec::new();
    for n in 0..3 {
        let (status, created) = new_key(&app, token, json!({ "name": format!("k{n}") })).await;
        assert_eq!(status, 201, "{created}");
        ids.push(text(&created, "id").to_string());
    }
    let (status, body) = new_key(&app, token, json!({ "name": "one too many" })).await;
    assert_eq!(status, 409, "{body}");
    assert!(
        text(&body["error"], "message").contains("max_api_keys_per_user"),
        "{body}"
    );

    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/keys/{}", ids[0]),
            token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = new_key(&app, token, json!({ "name": "room again" })).await;
    assert_eq!(status, 201, "a revoked key frees its place: {body}");
}

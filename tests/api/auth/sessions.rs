//! Sessions: refresh-token rotation (body or cookie), reuse detection, logout, and the
//! password change that signs out every other session.

use serde_json::json;

use crate::helpers::{
    Backend, PASSWORD, TestApp, refresh_cookie, spawn_app, spawn_app_with, status_and_json,
};
use crate::on_both_databases;

on_both_databases!(
    refreshing_hands_out_a_new_token_pair,
    the_refresh_cookie_alone_refreshes_the_session,
    a_refresh_token_works_only_once,
    reusing_a_refresh_token_signs_out_that_whole_session_only,
    an_expired_refresh_token_is_refused,
    logging_out_ends_the_session_and_clears_the_cookie,
    changing_the_password_needs_the_current_one_and_a_strong_new_one,
    changing_the_password_signs_out_other_sessions_but_not_this_one,
    signing_out_everywhere_ends_every_session_of_the_user_only,
);

fn text<'a>(body: &'a serde_json::Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
}

async fn assert_refresh_refused(app: &TestApp, refresh_token: &str, why: &str) {
    let (status, body) = status_and_json(app.refresh(refresh_token).await).await;
    assert_eq!(status, 401, "{why}: {body}");
    assert_eq!(body["error"]["code"], "unauthorized", "{why}");
}

async fn refreshing_hands_out_a_new_token_pair(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register("alice", PASSWORD).await;

    let response = app.refresh(text(&first, "refresh_token")).await;
    assert_eq!(response.status(), 200);
    let cookie = refresh_cookie(&response).expect("the cookie follows the rotation");
    let second: serde_json::Value = response.json().await.unwrap();

    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(second["token_type"], "Bearer");
    assert_eq!(second["user"]["id"], first["user"]["id"]);
    assert!(cookie.starts_with(&format!(
        "llmchat_refresh={};",
        text(&second, "refresh_token")
    )));
    let (status, me) = status_and_json(
        app.authed_get("/api/auth/me", text(&second, "access_token"))
            .await,
    )
    .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["username"], "alice");
    // The new refresh token rotates in turn.
    assert_eq!(
        app.refresh(text(&second, "refresh_token")).await.status(),
        200
    );
}

async fn the_refresh_cookie_alone_refreshes_the_session(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register("alice", PASSWORD).await;

    let response = app
        .client
        .post(app.url("/api/auth/refresh"))
        .header(
            "cookie",
            format!("llmchat_refresh={}", text(&first, "refresh_token")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "no body, only the cookie");
    let cookie = refresh_cookie(&response).expect("a new cookie");
    let second: serde_json::Value = response.json().await.unwrap();
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert!(cookie.contains(text(&second, "refresh_token")));
    assert_eq!(
        app.authed_get("/api/auth/me", text(&second, "access_token"))
            .await
            .status(),
        200
    );

    let nothing = app
        .client
        .post(app.url("/api/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(nothing.status(), 401, "neither body nor cookie");
}

async fn a_refresh_token_works_only_once(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register("alice", PASSWORD).await;
    assert_eq!(
        app.refresh(text(&first, "refresh_token")).await.status(),
        200
    );
    assert_refresh_refused(&app, text(&first, "refresh_token"), "already used").await;
    assert_refresh_refused(&app, "not-a-refresh-token", "never issued").await;
}

async fn reusing_a_refresh_token_signs_out_that_whole_session_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app.register("alice", PASSWORD).await;
    let (_, other_device) = status_and_json(app.login("alice", PASSWORD).await).await;

    let (status, second) = status_and_json(app.refresh(text(&first, "refresh_token")).await).await;
    assert_eq!(status, 200);
    let (status, third) = status_and_json(app.refresh(text(&second, "refresh_token")).await).await;
    assert_eq!(status, 200);

    // Someone replays the first token: the whole family goes, down to the newest token.
    assert_refresh_refused(&app, text(&first, "refresh_token"), "replayed").await;
    assert_refresh_refused(&app, text(&third, "refresh_token"), "newest of the family").await;
    // The session of the other login is untouched.
    assert_eq!(
        app.refresh(text(&other_device, "refresh_token"))
            .await
            .status(),
        200
    );
}

async fn an_expired_refresh_token_is_refused(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.refresh_token_ttl = std::time::Duration::from_secs(1)
    })
    .await;
    let session = app.register("alice", PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_refresh_refused(&app, text(&session, "refresh_token"), "expired").await;
    let (_, fresh) = status_and_json(app.login("alice", PASSWORD).await).await;
    assert_eq!(
        app.refresh(text(&fresh, "refresh_token")).await.status(),
        200,
        "a new login starts a new session"
    );
}

async fn logging_out_ends_the_session_and_clears_the_cookie(backend: Backend) {
    let app = spawn_app(backend).await;
    let by_body = app.register("alice", PASSWORD).await;
    let (_, by_cookie) = status_and_json(app.login("alice", PASSWORD).await).await;
    let (_, kept) = status_and_json(app.login("alice", PASSWORD).await).await;

    // A client without cookies (the CLI, an SDK) sends the token in the body.
    let response = app
        .post_json(
            "/api/auth/logout",
            &json!({ "refresh_token": text(&by_body, "refresh_token") }),
        )
        .await;
    assert_eq!(response.status(), 204);

    let response = app
        .client
        .post(app.url("/api/auth/logout"))
        .header(
            "cookie",
            format!("llmchat_refresh={}", text(&by_cookie, "refresh_token")),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cleared = refresh_cookie(&response).expect("the browser's cookie is cleared");
    assert!(cleared.starts_with("llmchat_refresh=;"), "{cleared}");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    assert!(cleared.contains("Path=/api/auth"), "{cleared}");

    assert_refresh_refused(&app, text(&by_body, "refresh_token"), "logged out by body").await;
    assert_refresh_refused(
        &app,
        text(&by_cookie, "refresh_token"),
        "logged out by cookie",
    )
    .await;
    assert_eq!(
        app.refresh(text(&kept, "refresh_token")).await.status(),
        200,
        "other sessions stay signed in"
    );
}

async fn change_password(
    app: &TestApp,
    access: &str,
    current: &str,
    new: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/auth/password"))
        .bearer_auth(access)
        .json(&json!({ "current_password": current, "new_password": new }))
        .send()
        .await
        .unwrap()
}

async fn changing_the_password_needs_the_current_one_and_a_strong_new_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.register("alice", PASSWORD).await;
    let access = text(&session, "access_token");

    let (status, body) = status_and_json(
        change_password(&app, access, "not my password", "a brand new passphrase").await,
    )
    .await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");

    for (new, reason) in [
        ("short", "at least 8 characters"),
        ("password123", "most common passwords"),
    ] {
        let (status, body) =
            status_and_json(change_password(&app, access, PASSWORD, new).await).await;
        assert_eq!(status, 422, "{new}: {body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(reason),
            "{new}: {body}"
        );
    }
    let named_alike = app.register("alice-smith", PASSWORD).await;
    let (status, body) = status_and_json(
        change_password(
            &app,
            text(&named_alike, "access_token"),
            PASSWORD,
            "Alice-Smith",
        )
        .await,
    )
    .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("same as the username"),
        "{body}"
    );

    let anonymous = app
        .post_json(
            "/api/auth/password",
            &json!({ "current_password": PASSWORD, "new_password": "a brand new passphrase" }),
        )
        .await;
    assert_eq!(anonymous.status(), 401);

    assert_eq!(
        app.login("alice", PASSWORD).await.status(),
        200,
        "the refused changes left the password as it was"
    );
}

async fn changing_the_password_signs_out_other_sessions_but_not_this_one(backend: Backend) {
    let app = spawn_app(backend).await;
    let this = app.register("alice", PASSWORD).await;
    let (_, other) = status_and_json(app.login("alice", PASSWORD).await).await;
    let new_password = "a brand new passphrase";

    let response = change_password(&app, text(&this, "access_token"), PASSWORD, new_password).await;
    assert_eq!(response.status(), 204);

    let (status, body) = status_and_json(app.login("alice", PASSWORD).await).await;
    assert_eq!(status, 401, "the old password no longer works: {body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");
    assert_eq!(app.login("alice", new_password).await.status(), 200);

    assert_refresh_refused(&app, text(&other, "refresh_token"), "another session").await;
    assert_eq!(
        app.refresh(text(&this, "refresh_token")).await.status(),
        200,
        "the session that changed the password stays signed in"
    );
}

async fn signing_out_everywhere_ends_every_session_of_the_user_only(backend: Backend) {
    let app = spawn_app(backend).await;
    let this = app.register("alice", PASSWORD).await;
    let (_, other) = status_and_json(app.login("alice", PASSWORD).await).await;
    let bob = app.register("bob", PASSWORD).await;

    let response = app
        .client
        .post(app.url("/api/auth/logout-all"))
        .bearer_auth(text(&this, "access_token"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cleared = refresh_cookie(&response).expect("the cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");

    assert_refresh_refused(&app, text(&this, "refresh_token"), "this session").await;
    assert_refresh_refused(&app, text(&other, "refresh_token"), "the other session").await;
    assert_eq!(
        app.refresh(text(&bob, "refresh_token")).await.status(),
        200,
        "another user's session is untouched"
    );
    let (status, _) = status_and_json(
        app.client
            .post(app.url("/api/auth/logout-all"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 401, "signing out everywhere needs a session");
}

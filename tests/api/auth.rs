//! Accounts: register, login, the current user. Sessions (refresh, logout, password change)
//! and lockout with its audit trail live in the submodules.

mod hashing;
mod lockout;
mod sessions;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use llmchat::config::Registration;
use serde_json::json;

use crate::helpers::{
    Backend, PASSWORD, refresh_cookie, spawn_app, spawn_app_with, status_and_json,
};
use crate::on_both_databases;

on_both_databases!(
    registering_signs_the_new_user_in_without_revealing_the_password_hash,
    the_refresh_cookie_is_http_only_strict_and_scoped_to_the_auth_routes,
    the_access_token_lifetime_follows_the_setting,
    usernames_are_unique_regardless_of_case,
    non_ascii_usernames_are_unique_regardless_of_case_too,
    emails_are_unique_regardless_of_case,
    weak_passwords_are_refused_with_the_reason,
    invalid_usernames_and_emails_are_refused,
    nobody_can_register_when_registration_is_closed,
    users_sign_in_by_username_or_email_in_any_case,
    a_wrong_password_and_an_unknown_user_get_the_same_answer,
    the_current_user_is_shown_only_with_an_access_token,
);

async fn registering_signs_the_new_user_in_without_revealing_the_password_hash(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "alice", "password": PASSWORD, "email": "alice@example.com" }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let text = response.text().await.unwrap();
    let body: serde_json::Value = serde_json::from_str(&text).unwrap();

    assert!(body["access_token"].as_str().unwrap().len() > 20, "{body}");
    assert!(body["refresh_token"].as_str().unwrap().len() > 20, "{body}");
    assert_ne!(body["access_token"], body["refresh_token"]);
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 15 * 60, "the default access token TTL");
    let user = &body["user"];
    assert_eq!(user["username"], "alice");
    assert_eq!(user["email"], "alice@example.com");
    assert_eq!(
        user["role"], "admin",
        "the first account of a development server administers it"
    );
    assert_eq!(user["disabled"], false);
    assert!(!user["id"].as_str().unwrap().is_empty());
    for secret in ["password", "argon2", PASSWORD] {
        assert!(!text.contains(secret), "{secret:?} in {text}");
    }

    // The new account is signed in at once.
    let access = body["access_token"].as_str().unwrap();
    let (status, me) = status_and_json(app.authed_get("/api/auth/me", access).await).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["id"], user["id"]);
}

async fn the_refresh_cookie_is_http_only_strict_and_scoped_to_the_auth_routes(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "alice", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 201);
    let cookie = refresh_cookie(&response).expect("the refresh cookie is set");
    let body: serde_json::Value = response.json().await.unwrap();

    let mut parts = cookie.split(';').map(str::trim);
    assert_eq!(
        parts.next().unwrap(),
        format!(
            "llmchat_refresh={}",
            body["refresh_token"].as_str().unwrap()
        ),
        "the cookie holds the refresh token"
    );
    let attributes: Vec<String> = parts.map(str::to_ascii_lowercase).collect();
    for expected in ["httponly", "samesite=strict", "path=/api/auth"] {
        assert!(
            attributes.iter().any(|a| a == expected),
            "{expected} in {cookie}"
        );
    }
    assert!(
        !attributes.iter().any(|a| a == "secure"),
        "no Secure in development (plain-HTTP localhost): {cookie}"
    );
    assert!(
        attributes.iter().any(|a| a == "max-age=2592000"),
        "lives as long as the refresh token (30 days): {cookie}"
    );
}

async fn the_access_token_lifetime_follows_the_setting(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.access_token_ttl = std::time::Duration::from_secs(120)
    })
    .await;
    let session = app.register("alice", PASSWORD).await;
    assert_eq!(session["expires_in"], 120);
    let payload = session["access_token"]
        .as_str()
        .unwrap()
        .split('.')
        .nth(1)
        .unwrap();
    let claims: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        120,
        "{claims}"
    );
}

async fn usernames_are_unique_regardless_of_case(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("Alice", PASSWORD).await;
    for taken in ["Alice", "alice", "ALICE"] {
        let (status, body) = status_and_json(
            app.post_json(
                "/api/auth/register",
                &json!({ "username": taken, "password": "another good passphrase" }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 409, "{taken}: {body}");
        assert_eq!(body["error"]["code"], "conflict");
        assert_eq!(body["error"]["field"], "username", "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("username is taken"),
            "{body}"
        );
    }
    let (status, body) = status_and_json(
        app.post_json(
            "/api/auth/register",
            &json!({ "username": "bob", "password": "another good passphrase",
                     "email": "Shared@example.com" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = status_and_json(
        app.post_json(
            "/api/auth/register",
            &json!({ "username": "carol", "password": "another good passphrase",
                     "email": "shared@example.com" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(
        body["error"]["field"], "email",
        "a taken email is about the email: {body}"
    );
}

/// Usernames may hold any letters, so "Élodie" and "élodie" must be one account on both
/// databases (SQLite's `lower()` folds only ASCII).
async fn non_ascii_usernames_are_unique_regardless_of_case_too(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("élodie", PASSWORD).await;
    let (status, body) = status_and_json(
        app.post_json(
            "/api/auth/register",
            &json!({ "username": "ÉLODIE", "password": "another good passphrase" }),
        )
        .await,
    )
    .await;
    assert_eq!(
        status, 409,
        "a second account differing only in case: {body}"
    );
    let (status, body) = status_and_json(app.login("Élodie", PASSWORD).await).await;
    assert_eq!(status, 200, "login is case-insensitive: {body}");
}

async fn emails_are_unique_regardless_of_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let first = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "alice", "password": PASSWORD, "email": "alice@example.com" }),
        )
        .await;
    assert_eq!(first.status(), 201);
    let (status, body) = status_and_json(
        app.post_json(
            "/api/auth/register",
            &json!({ "username": "alice2", "password": PASSWORD, "email": "ALICE@Example.com" }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "conflict");
}

async fn weak_passwords_are_refused_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let cases = [
        ("bobby", "Xq9!zz", "at least 8 characters"),
        ("bobby-tables", "Bobby-Tables", "same as the username"),
        ("bobby", "password123", "most common passwords"),
        ("bobby", "PassWord123", "most common passwords"),
    ];
    for (username, password, reason) in cases {
        let (status, body) = status_and_json(
            app.post_json(
                "/api/auth/register",
                &json!({ "username": username, "password": password }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{password}: {body}");
        assert_eq!(body["error"]["code"], "invalid");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("password") && message.contains(reason),
            "{password}: {message}"
        );
    }
    // None of the refused attempts created the account.
    app.register("bobby", PASSWORD).await;
    app.register("bobby-tables", PASSWORD).await;
}

async fn invalid_usernames_and_emails_are_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let long = "a".repeat(33);
    for username in ["", "ab", "has space", "a/b", "alice@example.com", &long] {
        let (status, body) = status_and_json(
            app.post_json(
                "/api/auth/register",
                &json!({ "username": username, "password": PASSWORD }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{username:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("username:"),
            "{username:?}: {body}"
        );
    }
    for email in [
        "not-an-email",
        "alice@localhost",
        "a b@example.com",
        "@example.com",
    ] {
        let (status, body) = status_and_json(
            app.post_json(
                "/api/auth/register",
                &json!({ "username": "alice", "password": PASSWORD, "email": email }),
            )
            .await,
        )
        .await;
        assert_eq!(status, 422, "{email:?}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .starts_with("email:"),
            "{email:?}: {body}"
        );
    }
    let (status, body) = status_and_json(
        app.post_json("/api/auth/register", &json!({ "username": "alice" }))
            .await,
    )
    .await;
    assert_eq!(status, 422, "a missing password: {body}");
    assert_eq!(body["error"]["code"], "invalid");
}

async fn nobody_can_register_when_registration_is_closed(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.registration = Some(Registration::Closed)
    })
    .await;
    let (status, body) = status_and_json(
        app.post_json(
            "/api/auth/register",
            &json!({ "username": "alice", "password": PASSWORD }),
        )
        .await,
    )
    .await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "registration_closed");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("registration is closed"),
        "{body}"
    );
    assert_eq!(
        app.login("alice", PASSWORD).await.status(),
        401,
        "no account was created"
    );
}

async fn users_sign_in_by_username_or_email_in_any_case(backend: Backend) {
    let app = spawn_app(backend).await;
    let registered = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "Alice", "password": PASSWORD, "email": "alice@example.com" }),
        )
        .await;
    let (_, registered) = status_and_json(registered).await;
    let mut refresh_tokens = vec![registered["refresh_token"].clone()];

    for login in [
        "Alice",
        "alice",
        "ALICE",
        "alice@example.com",
        "Alice@Example.COM",
    ] {
        let response = app.login(login, PASSWORD).await;
        assert_eq!(response.status(), 200, "{login}");
        assert!(refresh_cookie(&response).is_some(), "{login}: cookie set");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["user"]["id"], registered["user"]["id"], "{login}");
        assert_eq!(body["user"]["username"], "Alice");
        assert_eq!(body["token_type"], "Bearer");
        assert!(
            !refresh_tokens.contains(&body["refresh_token"]),
            "each login is a new session"
        );
        refresh_tokens.push(body["refresh_token"].clone());
        let access = body["access_token"].as_str().unwrap();
        let (status, me) = status_and_json(app.authed_get("/api/auth/me", access).await).await;
        assert_eq!(status, 200, "{login}: {me}");
        assert!(
            me["last_login_at"].is_string(),
            "the login is remembered: {me}"
        );
    }
}

async fn a_wrong_password_and_an_unknown_user_get_the_same_answer(backend: Backend) {
    let app = spawn_app(backend).await;
    app.register("alice", PASSWORD).await;

    let wrong_password = app.login("alice", "not the right password").await;
    let unknown_user = app.login("nobody", "not the right password").await;
    for response in [&wrong_password, &unknown_user] {
        assert_eq!(response.status(), 401);
        assert_eq!(response.headers()["www-authenticate"], "Bearer");
        assert!(refresh_cookie(response).is_none());
    }
    let (_, mut wrong_password) = status_and_json(wrong_password).await;
    let (_, mut unknown_user) = status_and_json(unknown_user).await;
    assert_eq!(wrong_password["error"]["code"], "invalid_credentials");
    assert_eq!(
        wrong_password["error"]["message"],
        "invalid username or password"
    );
    // Identical apart from the request id.
    wrong_password["error"]
        .as_object_mut()
        .unwrap()
        .remove("request_id");
    unknown_user["error"]
        .as_object_mut()
        .unwrap()
        .remove("request_id");
    assert_eq!(wrong_password, unknown_user);
}

async fn the_current_user_is_shown_only_with_an_access_token(backend: Backend) {
    let app = spawn_app(backend).await;
    let session = app.register("alice", PASSWORD).await;
    let access = session["access_token"].as_str().unwrap();

    let response = app.authed_get("/api/auth/me", access).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    let me: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(me["id"], session["user"]["id"]);
    assert_eq!(me["username"], "alice");
    assert_eq!(me["role"], "admin", "the first account");
    assert!(
        !text.contains("password_hash") && !text.contains("argon2"),
        "{text}"
    );
    assert_eq!(me["has_password"], true);

    let anonymous = app.get("/api/auth/me").await;
    assert_eq!(anonymous.status(), 401);
    assert_eq!(anonymous.headers()["www-authenticate"], "Bearer");
    let (_, body) = status_and_json(anonymous).await;
    assert_eq!(body["error"]["code"], "unauthorized");
}

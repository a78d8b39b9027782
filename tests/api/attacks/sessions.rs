//! Attacks on sessions and accounts: a stolen refresh token replayed, racing refreshes, a
//! disabled or deleted user's live tokens, mass assignment on register, and error bodies that
//! would echo a secret.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::{signed_in, text};
use crate::helpers::{
    Backend, JWT_SECRET, PASSWORD, TestApp, spawn_app_with_jwt_secret, status_and_json,
};
use crate::on_both_databases;

on_both_databases!(
    a_replayed_refresh_token_revokes_the_session_it_was_stolen_from,
    racing_refreshes_with_one_token_let_at_most_one_through,
    a_disabled_users_access_and_refresh_tokens_stop_working,
    a_deleted_users_tokens_stop_working,
    registering_cannot_choose_a_role_or_other_protected_fields,
    error_bodies_never_contain_the_presented_token_or_password,
    signing_out_ends_the_sessions_access_tokens_at_once_on_every_replica,
);

async fn execute(app: &TestApp, sql: &'static str, id: &str) {
    let db = app.store();
    sqlx::query(sql).bind(id).execute(db.pool()).await.unwrap();
    db.close().await;
}

async fn a_replayed_refresh_token_revokes_the_session_it_was_stolen_from(backend: Backend) {
    let (app, victim) = signed_in(backend).await;
    let stolen = text(&victim, "refresh_token").to_string();

    // The victim's client refreshes first; the thief replays the stolen token.
    let (status, rotated) = status_and_json(app.refresh(&stolen).await).await;
    assert_eq!(status, 200);
    let (status, body) = status_and_json(app.refresh(&stolen).await).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "unauthorized");
    // The reuse signs the session out: the victim's newest token is dead too, so whoever
    // holds the family must sign in again.
    let (status, _) = status_and_json(app.refresh(text(&rotated, "refresh_token")).await).await;
    assert_eq!(status, 401, "the family is revoked");

    let db = app.store();
    let reuse: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT result, actor_id FROM audit_log WHERE action = 'auth.refresh_reuse'",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    db.close().await;
    assert_eq!(
        reuse,
        [(
            "failure".to_string(),
            victim["user"]["id"].as_str().map(String::from)
        )],
        "the reuse is audited"
    );
}

async fn racing_refreshes_with_one_token_let_at_most_one_through(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let token = text(&session, "refresh_token");
    let (a, b, c, d) = tokio::join!(
        app.refresh(token),
        app.refresh(token),
        app.refresh(token),
        app.refresh(token)
    );
    let statuses: Vec<u16> = [a, b, c, d].iter().map(|r| r.status().as_u16()).collect();
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 401),
        "{statuses:?}"
    );
    assert!(
        statuses.iter().filter(|s| **s == 200).count() <= 1,
        "one refresh token bought several sessions: {statuses:?}"
    );
}

/// Polls `/api/auth/me` for up to 2.5 s until the token is refused; returns how long it took.
async fn refused_within(app: &TestApp, access: &str) -> Option<Duration> {
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        if app.authed_get("/api/auth/me", access).await.status() == 401 {
            return Some(started.elapsed());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

async fn a_disabled_users_access_and_refresh_tokens_stop_working(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let id = text(&session["user"], "id");
    let access = text(&session, "access_token");
    assert_eq!(app.authed_get("/api/auth/me", access).await.status(), 200);

    execute(&app, "UPDATE users SET disabled = 1 WHERE id = $1", id).await;
    let took = refused_within(&app, access).await;
    assert!(
        took.is_some_and(|t| t <= Duration::from_millis(2000)),
        "the access token of a disabled user is refused once the 1 s cache expires: {took:?}"
    );
    let (status, body) = status_and_json(app.refresh(text(&session, "refresh_token")).await).await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = status_and_json(app.login("alice", PASSWORD).await).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["message"], "this account is disabled");

    // Re-enabling the account does not bring the old session back.
    execute(&app, "UPDATE users SET disabled = 0 WHERE id = $1", id).await;
    let (status, _) = status_and_json(app.refresh(text(&session, "refresh_token")).await).await;
    assert_eq!(status, 401, "the session stays revoked");
}

async fn a_deleted_users_tokens_stop_working(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let id = text(&session["user"], "id");
    let access = text(&session, "access_token");
    assert_eq!(app.authed_get("/api/auth/me", access).await.status(), 200);

    execute(&app, "UPDATE users SET deleted_at = 1 WHERE id = $1", id).await;
    assert!(refused_within(&app, access).await.is_some());
    let (status, _) = status_and_json(app.refresh(text(&session, "refresh_token")).await).await;
    assert_eq!(status, 401);
    let (status, body) = status_and_json(app.login("alice", PASSWORD).await).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

async fn registering_cannot_choose_a_role_or_other_protected_fields(backend: Backend) {
    let app = spawn_app_with_jwt_secret(backend, |_| {}).await;
    let attempts = [
        json!({ "username": "mallory", "password": PASSWORD, "role": "admin" }),
        json!({ "username": "mallory", "password": PASSWORD, "Role": "admin" }),
        json!({ "username": "mallory", "password": PASSWORD, "disabled": 0, "failed_logins": -100 }),
        json!({ "username": "mallory", "password": PASSWORD, "id": "00000000-0000-0000-0000-000000000000" }),
        json!({ "username": "mallory", "password": PASSWORD, "user": { "role": "admin" } }),
    ];
    for attempt in &attempts {
        let (status, body) =
            status_and_json(app.post_json("/api/auth/register", attempt).await).await;
        assert_eq!(status, 422, "{attempt}: {body}");
        assert_eq!(body["error"]["code"], "invalid");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("unknown field"),
            "{body}"
        );
    }
    let db = app.store();
    let (users, admins): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN role = 'admin' THEN 1 ELSE 0 END), 0) FROM users",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    db.close().await;
    assert_eq!((users, admins), (0, 0), "no account was created");

    app.register("first", PASSWORD).await;
    let registered = app.register("mallory", PASSWORD).await;
    assert_eq!(registered["user"]["role"], "user");
}

async fn error_bodies_never_contain_the_presented_token_or_password(backend: Backend) {
    let app = spawn_app_with_jwt_secret(backend, |s| s.auth.max_failed_logins = 2).await;
    let session = app.register("alice", PASSWORD).await;
    let access = text(&session, "access_token").to_string();
    let refresh = text(&session, "refresh_token").to_string();
    let wrong = "Wr0ng-but-Secret-Passw0rd!";
    let weak = "Sh0rt!p";
    let mut exposed: Vec<(&str, reqwest::Response, Vec<String>)> = Vec::new();

    for login in ["alice", "nobody", "alice", "nobody", "alice"] {
        let response = app.login(login, wrong).await;
        exposed.push(("a failed login", response, secrets(&[wrong])));
    }
    let weak_register = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "bob", "password": weak }),
        )
        .await;
    exposed.push(("a weak password", weak_register, secrets(&[weak])));
    let unterminated = app
        .client
        .post(app.url("/api/auth/login"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"username":"alice","password":"{wrong}"#))
        .send()
        .await
        .unwrap();
    exposed.push(("a cut-off login body", unterminated, secrets(&[wrong])));
    for (current, new) in [(wrong, "a brand new passphrase"), (PASSWORD, weak)] {
        let response = app
            .client
            .post(app.url("/api/auth/password"))
            .bearer_auth(&access)
            .json(&json!({ "current_password": current, "new_password": new }))
            .send()
            .await
            .unwrap();
        exposed.push((
            "a refused password change",
            response,
            secrets(&[current, new]),
        ));
    }

    assert_eq!(app.refresh(&refresh).await.status(), 200);
    let replayed = app.refresh(&refresh).await;
    exposed.push((
        "a replayed refresh token",
        replayed,
        secrets(&[refresh.as_str()]),
    ));
    let extra_field = app
        .post_json(
            "/api/auth/refresh",
            &json!({ "refresh_token": refresh, "junk": true }),
        )
        .await;
    exposed.push((
        "a refresh body with junk",
        extra_field,
        secrets(&[refresh.as_str()]),
    ));
    let as_access = app.authed_get("/api/auth/me", &refresh).await;
    exposed.push((
        "a refresh token as access",
        as_access,
        secrets(&[refresh.as_str()]),
    ));
    let (signed, _) = access.rsplit_once('.').unwrap();
    let tampered = format!("{signed}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    let forged = app.authed_get("/api/auth/me", &tampered).await;
    exposed.push((
        "a forged token",
        forged,
        secrets(&[tampered.as_str(), signed]),
    ));

    for (what, response, secrets) in exposed {
        let status = response.status();
        assert!(status.is_client_error(), "{what}: {status}");
        let headers = format!("{:?}", response.headers());
        let body = response.text().await.unwrap();
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert!(parsed["error"]["code"].is_string(), "{what}: {body}");
        for secret in secrets {
            assert!(!body.contains(&secret), "{what} echoes {secret:?}: {body}");
            assert!(
                !headers.contains(&secret),
                "{what} echoes {secret:?}: {headers}"
            );
        }
    }
}

fn secrets(values: &[&str]) -> Vec<String> {
    values.iter().map(|s| s.to_string()).collect()
}

/// The review's finding: access tokens outlived logout-all and password changes until they
/// expired.
async fn signing_out_ends_the_sessions_access_tokens_at_once_on_every_replica(backend: Backend) {
    let (app, first) = signed_in(backend).await;
    let replica = app
        .spawn_replica(|s| {
            s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        })
        .await;
    let username = first["user"]["username"].as_str().unwrap().to_string();
    let sign_in = || async {
        let (status, session) = status_and_json(app.login(&username, PASSWORD).await).await;
        assert_eq!(status, 200, "{session}");
        session
    };
    let me_at = |base: String, token: String| {
        let client = app.client.clone();
        async move {
            client
                .get(format!("{base}/api/auth/me"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let here = app.url("");
    let there = replica.url("");
    let access = |session: &Value| text(session, "access_token").to_string();
    // Within this long another replica stops accepting a signed-out session's tokens.
    let on_replica_within = |token: String, expected: u16| {
        let there = there.clone();
        let me_at = &me_at;
        async move {
            let deadline = Instant::now() + Duration::from_secs(3);
            loop {
                let status = me_at(there.clone(), token.clone()).await;
                if status == expected || Instant::now() > deadline {
                    return status;
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    };

    // Logout of one session ends its access token, not the others.
    let second = sign_in().await;
    let third = sign_in().await;
    assert_eq!(me_at(there.clone(), access(&second)).await, 200);
    let response = app
        .client
        .post(app.url("/api/auth/logout"))
        .json(&json!({"refresh_token": text(&second, "refresh_token")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(
        me_at(here.clone(), access(&second)).await,
        401,
        "at once here"
    );
    assert_eq!(
        on_replica_within(access(&second), 401).await,
        401,
        "soon there"
    );
    assert_eq!(
        me_at(here.clone(), access(&third)).await,
        200,
        "other sessions stay"
    );

    // A password change ends every other session's access tokens, not the caller's.
    let response = app
        .client
        .post(app.url("/api/auth/password"))
        .bearer_auth(access(&first))
        .json(&json!({"current_password": PASSWORD, "new_password": "a brand new passphrase"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(me_at(here.clone(), access(&third)).await, 401);
    assert_eq!(on_replica_within(access(&third), 401).await, 401);
    assert_eq!(
        me_at(here.clone(), access(&first)).await,
        200,
        "the caller stays in"
    );

    // Logout-all ends the caller's too.
    let response = app
        .client
        .post(app.url("/api/auth/logout-all"))
        .bearer_auth(access(&first))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_eq!(me_at(here.clone(), access(&first)).await, 401);
    assert_eq!(on_replica_within(access(&first), 401).await, 401);
}

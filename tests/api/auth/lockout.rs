//! Failed logins slow down their source (per account and address, doubling waits) — the same
//! for names that match no account — without locking the owner out; and the audit trail of
//! sign-ins, failures, slow-downs and password changes.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{Backend, JWT_SECRET, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    repeated_wrong_passwords_slow_their_source_down,
    the_owner_signs_in_while_an_attacker_is_slowed_down,
    an_unknown_username_is_slowed_exactly_like_a_real_one,
    failures_spread_over_time_slow_unknown_names_like_real_ones,
    concurrent_guesses_cannot_outrun_the_count,
    an_unknown_username_is_slowed_like_a_real_one_across_replicas,
    sign_ins_failures_lockouts_and_password_changes_are_audited,
    oversized_logins_never_reach_the_store_and_audit_entries_are_bounded,
);

const WRONG: &str = "not the right password";

/// What a client sees of a refused login: status, code, message with digits masked, and
/// whether `Retry-After` was sent.
async fn answer(app: &TestApp, login: &str, password: &str) -> (u16, String, String, bool) {
    answer_at(app, &app.url("/api/auth/login"), login, password).await
}

async fn answer_at(
    app: &TestApp,
    url: &str,
    login: &str,
    password: &str,
) -> (u16, String, String, bool) {
    let response = app
        .client
        .post(url)
        .json(&json!({ "username": login, "password": password }))
        .send()
        .await
        .unwrap();
    let retry_after = response.headers().contains_key("retry-after");
    let (status, body) = status_and_json(response).await;
    let message = body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .replace(|c: char| c.is_ascii_digit(), "#");
    (
        status,
        body["error"]["code"].as_str().unwrap_or_default().into(),
        message,
        retry_after,
    )
}

fn retry_after(response: &reqwest::Response) -> u64 {
    response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

async fn repeated_wrong_passwords_slow_their_source_down(backend: Backend) {
    // Waits long enough that a slow machine's attempts cannot outlast them by accident.
    let app = spawn_app_with(backend, |s| {
        s.auth.login_backoff = Duration::from_secs(3);
        s.auth.lockout = Duration::from_secs(5);
    })
    .await;
    app.register("alice", PASSWORD).await;

    for attempt in 1..=5 {
        let (status, body) = status_and_json(app.login("alice", WRONG).await).await;
        assert_eq!(status, 401, "attempt {attempt}: {body}");
        assert_eq!(body["error"]["code"], "invalid_credentials");
    }
    // The fifth failure makes this source wait `login_backoff` before its next attempt.
    let waiting = app.login("alice", PASSWORD).await;
    assert_eq!(waiting.status(), 423, "not checked while the source waits");
    let first_wait = retry_after(&waiting);
    assert!((1..=3).contains(&first_wait), "{first_wait}");
    let (_, body) = status_and_json(waiting).await;
    assert_eq!(body["error"]["code"], "too_many_failed_logins");
    assert_eq!(
        body["error"]["message"],
        format!(
            "too many failed logins on this account from this address: try again in {first_wait} s"
        )
    );

    tokio::time::sleep(Duration::from_secs(first_wait) + Duration::from_millis(200)).await;
    assert_eq!(
        app.login("alice", WRONG).await.status(),
        401,
        "checked again"
    );
    let waiting = app.login("alice", WRONG).await;
    assert_eq!(waiting.status(), 423);
    let second_wait = retry_after(&waiting);
    assert!(
        (4..=5).contains(&second_wait),
        "the wait doubles, up to auth.lockout: {second_wait}"
    );

    tokio::time::sleep(Duration::from_secs(second_wait) + Duration::from_millis(200)).await;
    assert_eq!(app.login("alice", PASSWORD).await.status(), 200);
    assert_eq!(
        app.login("alice", WRONG).await.status(),
        401,
        "a success starts the count afresh"
    );
}

/// The review's finding: five bad passwords locked `admin` for everyone. An attacker's
/// failures now slow only the attacker's address; the owner signs in from theirs.
async fn the_owner_signs_in_while_an_attacker_is_slowed_down(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.login_backoff = Duration::from_secs(60);
        s.auth.lockout = Duration::from_secs(60);
    })
    .await;
    app.register("alice", PASSWORD).await;
    let from = |address: [u8; 4]| {
        reqwest::Client::builder()
            .local_address(std::net::IpAddr::from(address))
            .build()
            .unwrap()
    };
    let attacker = from([127, 0, 0, 2]);
    let owner = from([127, 0, 0, 3]);
    let login = |client: &reqwest::Client, password: &str| {
        client
            .post(app.url("/api/auth/login"))
            .json(&json!({ "username": "alice", "password": password }))
            .send()
    };
    let mut answers = Vec::new();
    for _ in 0..8 {
        answers.push(login(&attacker, WRONG).await.unwrap().status().as_u16());
    }
    assert_eq!(answers, [401, 401, 401, 401, 401, 423, 423, 423]);
    assert_eq!(
        login(&attacker, PASSWORD).await.unwrap().status(),
        423,
        "the attacker's address waits even with the right password"
    );

    assert_eq!(login(&owner, WRONG).await.unwrap().status(), 401, "a typo");
    assert_eq!(
        login(&owner, PASSWORD).await.unwrap().status(),
        200,
        "the owner, from another address, is not held up"
    );
    assert_eq!(login(&attacker, WRONG).await.unwrap().status(), 423);
}

async fn an_unknown_username_is_slowed_exactly_like_a_real_one(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.login_backoff = Duration::from_secs(30);
        s.auth.lockout = Duration::from_secs(30);
    })
    .await;
    app.register("alice", PASSWORD).await;

    let mut real = Vec::new();
    let mut unknown = Vec::new();
    for _ in 0..7 {
        real.push(answer(&app, "alice", WRONG).await);
        unknown.push(answer(&app, "nobody", WRONG).await);
    }
    assert_eq!(real[4].0, 401, "{real:?}");
    assert_eq!(real[5].0, 423, "{real:?}");
    assert_eq!(real[5].1, "too_many_failed_logins");
    assert!(real[5].3, "Retry-After is sent");
    assert_eq!(
        real, unknown,
        "an attacker cannot tell an account from a name that matches none"
    );
}

/// Real accounts count failures until a success; a name that matches no account must not
/// forget its failures sooner, or waiting out the lockout period between attempts tells the
/// two apart.
async fn failures_spread_over_time_slow_unknown_names_like_real_ones(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.max_failed_logins = 3;
        s.auth.lockout = Duration::from_millis(800);
    })
    .await;
    app.register("alice", PASSWORD).await;
    for _ in 0..2 {
        assert_eq!(app.login("alice", WRONG).await.status(), 401);
        assert_eq!(app.login("nobody", WRONG).await.status(), 401);
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    let real = answer(&app, "alice", WRONG).await;
    let unknown = answer(&app, "nobody", WRONG).await;
    assert_eq!(
        real, unknown,
        "the third failure answers alike for an account and for a name that matches none"
    );
}

/// Behind a load balancer consecutive attempts land on different replicas; a real account
/// counts them in the database, so a name that matches none must be slowed after as many.
async fn an_unknown_username_is_slowed_like_a_real_one_across_replicas(backend: Backend) {
    let configure = |s: &mut llmchat::config::Settings| {
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        s.auth.login_backoff = Duration::from_secs(30);
        s.auth.lockout = Duration::from_secs(30);
    };
    let app = spawn_app_with(backend, configure).await;
    let replica = app.spawn_replica(configure).await;
    app.register("alice", PASSWORD).await;
    let urls = [app.url("/api/auth/login"), replica.url("/api/auth/login")];

    let mut real = Vec::new();
    let mut unknown = Vec::new();
    for url in urls.iter().cycle().take(6) {
        real.push(answer_at(&app, url, "alice", WRONG).await);
        unknown.push(answer_at(&app, url, "nobody", WRONG).await);
    }
    assert_eq!(real[5].1, "too_many_failed_logins", "{real:?}");
    assert_eq!(
        real, unknown,
        "an attacker cannot tell an account from a name that matches none"
    );
}

/// The count caps how many passwords one source gets checked before it waits; sending the
/// guesses all at once must not get more of them checked.
async fn concurrent_guesses_cannot_outrun_the_count(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.login_backoff = Duration::from_secs(60);
        s.auth.lockout = Duration::from_secs(60);
        s.auth.login_attempts_per_ip = 1000;
    })
    .await;
    app.register("alice", PASSWORD).await;
    let mut guesses = tokio::task::JoinSet::new();
    for i in 0..20 {
        let request = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({ "username": "alice", "password": format!("wrong guess number {i}") }));
        guesses.spawn(async move { request.send().await.unwrap().status().as_u16() });
    }
    let answers = guesses.join_all().await;
    assert!(
        answers.iter().all(|s| *s == 401 || *s == 423),
        "{answers:?}"
    );
    let checked = answers.iter().filter(|s| **s == 401).count();
    assert!(
        checked <= 5,
        "{checked} of 20 simultaneous wrong guesses were answered 401; only 5 may be \
         before the source has to wait: {answers:?}"
    );
}

type AuditRow = (String, String, Option<String>, Option<String>, String);

async fn audit_rows(app: &TestApp) -> Vec<AuditRow> {
    let db = app.store();
    let rows = sqlx::query_as(
        "SELECT action, result, actor_id, ip, details FROM audit_log \
         WHERE action LIKE 'auth.%' ORDER BY created_at, id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap();
    db.close().await;
    rows
}

async fn sign_ins_failures_lockouts_and_password_changes_are_audited(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.auth.max_failed_logins = 2;
        s.auth.login_backoff = Duration::from_secs(60);
    })
    .await;
    let session = app.register("alice", PASSWORD).await;
    let alice = session["user"]["id"].as_str().unwrap().to_string();
    let access = session["access_token"].as_str().unwrap();

    assert_eq!(app.login("alice", PASSWORD).await.status(), 200);
    assert_eq!(app.login("alice", WRONG).await.status(), 401);
    assert_eq!(app.login("alice", WRONG).await.status(), 401);
    assert_eq!(app.login("alice", PASSWORD).await.status(), 423);
    assert_eq!(app.login("mallory", WRONG).await.status(), 401);
    let new_password = "a brand new passphrase";
    for (current, expected) in [(WRONG, 401), (PASSWORD, 204)] {
        let response = app
            .client
            .post(app.url("/api/auth/password"))
            .bearer_auth(access)
            .json(&json!({ "current_password": current, "new_password": new_password }))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), expected);
    }

    let rows = audit_rows(&app).await;
    let seen: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|(action, result, actor, _, _)| (action.as_str(), result.as_str(), actor.as_deref()))
        .collect();
    let me = Some(alice.as_str());
    assert_eq!(
        seen,
        [
            ("auth.register", "success", me),
            ("auth.login", "success", me),
            ("auth.login", "failure", me),
            ("auth.login", "failure", me),
            ("auth.lockout", "success", me),
            ("auth.login", "failure", me),
            ("auth.login", "failure", None),
            ("auth.password_change", "failure", me),
            ("auth.password_change", "success", me),
        ]
    );
    for (action, _, _, ip, details) in &rows {
        assert_eq!(ip.as_deref(), Some("127.0.0.1"), "{action}");
        for secret in [PASSWORD, WRONG, new_password] {
            assert!(!details.contains(secret), "{action}: {details}");
        }
    }
    let delayed: serde_json::Value = serde_json::from_str(&rows[5].4).unwrap();
    assert_eq!(delayed["reason"], "delayed");
    let unknown: serde_json::Value = serde_json::from_str(&rows[6].4).unwrap();
    assert_eq!(
        unknown["username"], "mallory",
        "the name tried is kept for the failed login of an unknown user"
    );
}

/// The review's finding: three anonymous logins with 3 MiB names grew the database by 36 MiB
/// (the name went into the failed-login table and the audit log).
async fn oversized_logins_never_reach_the_store_and_audit_entries_are_bounded(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let huge_name = "n".repeat(512 * 1024);
    let huge_password = "p".repeat(512 * 1024);
    for (login, password, field) in [
        (huge_name.as_str(), WRONG, "username"),
        ("x".repeat(255).as_str(), WRONG, "username"),
        ("mallory", huge_password.as_str(), "password"),
    ] {
        let response = app
            .client
            .post(app.url("/api/auth/login"))
            .json(&json!({ "username": login, "password": password }))
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
    }
    let db = app.store();
    let failures: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM login_throttle")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(failures, 0, "no oversized name was counted");

    // A name at the limit is counted; a huge user agent is cut in the audit entry.
    let at_limit = "y".repeat(254);
    let response = app
        .client
        .post(app.url("/api/auth/login"))
        .header("user-agent", "u".repeat(8 * 1024))
        .json(&json!({ "username": at_limit, "password": WRONG }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let (ua_bytes, details_bytes): (i64, i64) = sqlx::query_as(
        "SELECT MAX(LENGTH(user_agent)), MAX(LENGTH(details)) FROM audit_log \
         WHERE action = 'auth.login'",
    )
    .fetch_one(db.pool())
    .await
    .unwrap();
    assert!(ua_bytes <= 520, "user agent kept whole: {ua_bytes} bytes");
    assert!(details_bytes < 1024, "details: {details_bytes} bytes");
    let rows: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(rows, 1, "only the bounded attempt was audited");
    db.close().await;
}

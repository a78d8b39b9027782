//! A newcomer's first ten minutes: the first account administers a development server,
//! registration is open, closed or by invitation (set in the console, applied at once,
//! audited), and the audit log names people and keys. Adding an agent: `agent_setup.rs`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    the_first_account_of_a_development_server_is_its_admin,
    a_production_server_never_makes_an_admin_of_a_registration,
    registration_mode_changes_in_the_console_apply_at_once_and_are_audited,
    an_invitation_registers_one_account_with_its_role,
    the_audit_log_names_people_and_keys,
);

async fn registration_info(app: &TestApp) -> Value {
    let (status, info) = app.get_json("/api/auth/registration").await;
    assert_eq!(status, 200, "{info}");
    info
}

async fn register(app: &TestApp, body: Value) -> (u16, Value) {
    status_and_json(app.post_json("/api/auth/register", &body).await).await
}

fn token(session: &Value) -> String {
    session["access_token"].as_str().unwrap().to_string()
}

async fn the_first_account_of_a_development_server_is_its_admin(backend: Backend) {
    let app = spawn_app_with(backend, |_| {}).await;
    let info = registration_info(&app).await;
    assert_eq!(
        info,
        json!({
            "mode": "open", "first_account_admin": true, "needs_admin": true, "has_accounts": false,
            "password_login": true, "providers": [], "directory": null,
        })
    );

    let first = app.register("founder", PASSWORD).await;
    assert_eq!(first["user"]["role"], "admin", "{first}");
    assert!(
        first["user"]["last_login_at"].is_string(),
        "registering is signing in: {first}"
    );
    let (status, _) = app
        .send(Method::GET, "/api/admin/users", &token(&first), None)
        .await;
    assert_eq!(status, 200, "the first account reaches the console");

    let info = registration_info(&app).await;
    assert_eq!(info["first_account_admin"], false);
    assert_eq!(info["needs_admin"], false);
    assert_eq!(info["has_accounts"], true);
    let second = app.register("newcomer", PASSWORD).await;
    assert_eq!(second["user"]["role"], "user", "only the first: {second}");

    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=auth.register",
            &token(&first),
            None,
        )
        .await;
    let roles: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["user", "admin"], "{audit}");
}

async fn a_production_server_never_makes_an_admin_of_a_registration(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.environment = llmchat::config::Environment::Production;
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(crate::helpers::JWT_SECRET));
        s.auth.registration = Some(llmchat::config::Registration::Open);
    })
    .await;
    let info = registration_info(&app).await;
    assert_eq!(info["first_account_admin"], false);
    assert_eq!(info["needs_admin"], true, "the page tells how to make one");
    let first = app.register("someone", PASSWORD).await;
    assert_eq!(first["user"]["role"], "user");
}

/// An app whose admin comes from the configuration, and that admin's token.
pub(crate) async fn app_with_admin(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some("root".into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
    })
    .await;
    let session: Value = app.login("root", PASSWORD).await.json().await.unwrap();
    (app, token(&session))
}

async fn set_registration(app: &TestApp, admin: &str, mode: Value) -> Value {
    let (status, body) = app
        .send(
            Method::PATCH,
            "/api/admin/settings",
            admin,
            Some(json!({ "registration": mode })),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body
}

async fn registration_mode_changes_in_the_console_apply_at_once_and_are_audited(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (status, settings) = app
        .send(Method::GET, "/api/admin/settings", &admin, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        settings["registration"],
        json!({"mode": "open", "source": "config", "config_mode": "open"})
    );

    let closed = set_registration(&app, &admin, json!("closed")).await;
    assert_eq!(closed["registration"]["mode"], "closed");
    assert_eq!(closed["registration"]["source"], "console");
    assert_eq!(registration_info(&app).await["mode"], "closed");
    let (status, refused) = register(&app, json!({"username": "late", "password": PASSWORD})).await;
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "registration_closed");

    // Another replica on the same database sees the change at once.
    let replica = app.spawn_replica(|_| {}).await;
    let response = app
        .client
        .get(replica.url("/api/auth/registration"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.json::<Value>().await.unwrap()["mode"], "closed");

    let (status, bad) = app
        .send(
            Method::PATCH,
            "/api/admin/settings",
            &admin,
            Some(json!({"registration": "sometimes"})),
        )
        .await;
    assert_eq!(status, 422, "{bad}");

    let reset = set_registration(&app, &admin, Value::Null).await;
    assert_eq!(reset["registration"]["source"], "config");
    assert_eq!(reset["registration"]["mode"], "open");
    assert_eq!(
        register(&app, json!({"username": "late", "password": PASSWORD}))
            .await
            .0,
        201
    );

    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=admin.settings_update",
            &admin,
            None,
        )
        .await;
    let changes: Vec<(String, String)> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let r = &e["details"]["registration"];
            (
                r["from"].as_str().unwrap().into(),
                r["to"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        changes,
        [
            ("closed".into(), "open".into()),
            ("open".into(), "closed".into())
        ]
    );
    assert_eq!(audit["items"][0]["actor_name"], "root");

    let (status, _) = app
        .send(
            Method::PATCH,
            "/api/admin/settings",
            &token(&app.register("plain", PASSWORD).await),
            Some(json!({"registration": "open"})),
        )
        .await;
    assert_eq!(status, 403, "users cannot change it");
}

async fn an_invitation_registers_one_account_with_its_role(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    set_registration(&app, &admin, json!("invite")).await;
    let (status, refused) =
        register(&app, json!({"username": "guest", "password": PASSWORD})).await;
    assert_eq!(status, 422, "{refused}");
    assert_eq!(refused["error"]["field"], "invite_code");

    let (status, invitation) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({"role": "admin", "expires_in_days": 3, "note": "for the new ops lead"})),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(invitation["status"], "pending");
    let code = invitation["code"].as_str().unwrap().to_string();
    assert!(code.len() >= 32);

    let (status, wrong) = register(
        &app,
        json!({"username": "guest", "password": PASSWORD, "invite_code": "not-a-code"}),
    )
    .await;
    assert_eq!(
        (status, wrong["error"]["field"].as_str()),
        (404, Some("invite_code"))
    );

    let (status, lead) = register(
        &app,
        json!({"username": "opslead", "password": PASSWORD, "invite_code": code}),
    )
    .await;
    assert_eq!(status, 201, "{lead}");
    assert_eq!(lead["user"]["role"], "admin", "the invitation's role");

    let (status, again) = register(
        &app,
        json!({"username": "another", "password": PASSWORD, "invite_code": code}),
    )
    .await;
    assert_eq!(status, 404, "single use: {again}");

    let (_, list) = app
        .send(Method::GET, "/api/admin/invitations", &admin, None)
        .await;
    let item = &list["items"][0];
    assert_eq!(item["status"], "used");
    assert_eq!(item["used_by_name"], "opslead");
    assert!(item.get("code").is_none(), "codes are shown once: {item}");

    let (_, spare) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({})),
        )
        .await;
    let id = spare["id"].as_str().unwrap();
    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/admin/invitations/{id}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, revoked) = register(
        &app,
        json!({"username": "another", "password": PASSWORD, "invite_code": spare["code"]}),
    )
    .await;
    assert_eq!(status, 404, "a revoked invitation: {revoked}");

    set_registration(&app, &admin, json!("closed")).await;
    let (_, fresh) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({"expires_in_days": 1})),
        )
        .await;
    let (status, _) = register(
        &app,
        json!({"username": "another", "password": PASSWORD, "invite_code": fresh["code"]}),
    )
    .await;
    assert_eq!(status, 403, "closed means closed");
    let (status, _) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({"expires_in_days": 91})),
        )
        .await;
    assert_eq!(status, 422);
    // JSON Schema's integers include 7.0; 7.5 is not one.
    let (status, body) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({"expires_in_days": 7.0})),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let (status, body) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({"expires_in_days": 7.5})),
        )
        .await;
    assert_eq!(status, 422, "{body}");
}

async fn the_audit_log_names_people_and_keys(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (status, key) = app
        .send(
            Method::POST,
            "/api/keys",
            &admin,
            Some(json!({"name": "ci pipeline"})),
        )
        .await;
    assert_eq!(status, 201, "{key}");
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=api_key.create",
            &admin,
            None,
        )
        .await;
    let entry = &audit["items"][0];
    assert_eq!(entry["actor_name"], "root", "{entry}");
    assert_eq!(entry["target_type"], "api_key");
    assert_eq!(entry["target_name"], "ci pipeline", "{entry}");

    let (_, created) = app
        .send(
            Method::POST,
            "/api/admin/users",
            &admin,
            Some(json!({"username": "bob", "password": PASSWORD})),
        )
        .await;
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=admin.user_create",
            &admin,
            None,
        )
        .await;
    assert_eq!(audit["items"][0]["target_name"], "bob", "{audit} {created}");
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=user.create",
            &admin,
            None,
        )
        .await;
    assert_eq!(audit["items"][0]["target_name"], "root");
    assert_eq!(audit["items"][0]["details"]["via"], "config", "{audit}");
}

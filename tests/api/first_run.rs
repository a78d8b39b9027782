//! A newcomer's first ten minutes: the first account administers a development server,
//! registration is open, closed or by invitation (set in the console, applied at once,
//! audited), the audit log names people and keys, saving an agent tests its connection, and
//! the admin picks models from the provider's own list.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{
    Backend, Mock, PASSWORD, TestApp, closed_port, spawn_app_with, status_and_json,
};
use crate::on_both_databases;

on_both_databases!(
    the_first_account_of_a_development_server_is_its_admin,
    a_production_server_never_makes_an_admin_of_a_registration,
    registration_mode_changes_in_the_console_apply_at_once_and_are_audited,
    an_invitation_registers_one_account_with_its_role,
    the_audit_log_names_people_and_keys,
    saving_an_agent_tests_its_connection_and_disables_it_when_the_test_fails,
    the_admin_lists_a_providers_models_to_pick_from,
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
        json!({"mode": "open", "first_account_admin": true, "needs_admin": true, "has_accounts": false})
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
async fn app_with_admin(backend: Backend) -> (TestApp, String) {
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
        (422, Some("invite_code"))
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
    assert_eq!(status, 422, "single use: {again}");

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
    assert_eq!(status, 422, "a revoked invitation: {revoked}");

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

fn openai_agent(id: &str, base_url: &str) -> Value {
    json!({
        "id": id,
        "name": id,
        "provider": {"type": "openai", "base_url": base_url, "api_key": "sk-test-key-123", "model": "m1"},
    })
}

async fn saving_an_agent_tests_its_connection_and_disables_it_when_the_test_fails(
    backend: Backend,
) {
    let (app, admin) = app_with_admin(backend).await;
    let mock = Mock::start();

    let (status, good) = app
        .send(
            Method::POST,
            "/api/admin/agents",
            &admin,
            Some(openai_agent("good", &mock.url("", "openai/v1"))),
        )
        .await;
    assert_eq!(status, 201, "{good}");
    assert_eq!(good["enabled"], true);
    assert_eq!(good["connection_test"]["ok"], true, "{good}");

    let dead = format!("http://127.0.0.1:{}/v1", closed_port());
    let (status, saved) = app
        .send(
            Method::POST,
            "/api/admin/agents",
            &admin,
            Some(openai_agent("dead", &dead)),
        )
        .await;
    assert_eq!(status, 201, "{saved}");
    assert_eq!(saved["enabled"], false, "saved disabled: {saved}");
    let test = &saved["connection_test"];
    assert_eq!(test["ok"], false);
    assert_eq!(test["url"], format!("{dead}/chat/completions"));
    assert_eq!(test["error"]["kind"], "connection_refused");
    let message = test["error"]["message"].as_str().unwrap();
    assert!(
        message.starts_with("Connection refused by 127.0.0.1:"),
        "{message}"
    );
    assert!(
        message.contains(&dead) && !message.contains("os error"),
        "{message}"
    );
    assert!(!message.contains("sk-test-key-123"));
    let (_, listed) = app.send(Method::GET, "/api/agents", &admin, None).await;
    assert!(
        !listed.to_string().contains("\"dead\""),
        "a disabled agent is not offered: {listed}"
    );

    let (status, insisted) = app
        .send(
            Method::PUT,
            "/api/admin/agents/dead?force=true",
            &admin,
            Some(openai_agent("dead", &dead)),
        )
        .await;
    assert_eq!(status, 200, "{insisted}");
    assert_eq!(insisted["enabled"], true, "the admin insisted");
    assert_eq!(insisted["connection_test"]["ok"], false);

    let refused_key = mock.url("fault=401", "openai/v1");
    let (_, unauthorized) = app
        .send(
            Method::POST,
            "/api/admin/agents",
            &admin,
            Some(openai_agent("nokey", &refused_key)),
        )
        .await;
    assert_eq!(
        unauthorized["connection_test"]["error"]["kind"], "unauthorized",
        "{unauthorized}"
    );
    assert!(
        unauthorized["connection_test"]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("refused the API key (401 Unauthorized)")
    );

    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=admin.agent_create",
            &admin,
            None,
        )
        .await;
    let outcomes: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["details"]["connection_test"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["failed", "failed", "ok"]);
    assert_eq!(audit["items"][2]["target_name"], "good");
}

async fn the_admin_lists_a_providers_models_to_pick_from(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let mock = Mock::start();
    let list = |provider: Value| {
        let app = &app;
        let admin = admin.clone();
        async move {
            app.send(
                Method::POST,
                "/api/admin/agents/models",
                &admin,
                Some(json!({ "provider": provider })),
            )
            .await
        }
    };
    let (status, openai) =
        list(json!({"type": "openai", "base_url": mock.url("", "openai/v1"), "api_key": "sk-x"}))
            .await;
    assert_eq!(status, 200, "{openai}");
    assert_eq!(
        openai["url"],
        format!("{}/models", mock.url("", "openai/v1"))
    );
    let ids: Vec<&str> = openai["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["mock-gpt-4o", "mock-gpt-4o-mini"]);

    let (status, anthropic) = list(
        json!({"type": "anthropic", "base_url": mock.url("", "anthropic"), "api_key": "sk-ant"}),
    )
    .await;
    assert_eq!(status, 200, "{anthropic}");
    assert_eq!(
        anthropic["items"],
        json!([{"id": "mock-claude-sonnet", "name": "Mock Claude Sonnet"}])
    );
    let requests = mock.requests().await;
    let sent = requests.as_array().unwrap().iter().find(|r| {
        r["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/v1/models"))
            && r["headers"]["x-api-key"] == "sk-ant"
    });
    assert!(
        sent.is_some(),
        "Anthropic's key goes in x-api-key: {requests}"
    );

    let dead = format!("http://127.0.0.1:{}/v1", closed_port());
    let (status, failed) = list(json!({"type": "openai", "base_url": dead})).await;
    assert_eq!(status, 502, "{failed}");
    let message = failed["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("Connection refused") && message.contains(&format!("{dead}/models")),
        "{message}"
    );

    let (status, app_type) =
        list(json!({"type": "dify", "base_url": mock.url("", "dify/v1")})).await;
    assert_eq!(status, 422, "{app_type}");
    assert_eq!(app_type["error"]["field"], "provider.type");
}

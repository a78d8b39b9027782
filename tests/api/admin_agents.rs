//! Admin agent management: stored agents, write-only encrypted keys, file agents and their
//! overrides, validation and audit. Their upstreams do not exist, so saves say `force=true`
//! (the connection test on save is covered in `first_run.rs`).

use serde_json::{Value, json};

use crate::helpers::{
    Backend, JWT_SECRET, Mock, PASSWORD, TestApp, spawn_app_with, status_and_json,
};
use crate::on_both_databases;

on_both_databases!(
    an_admin_creates_an_agent_whose_key_is_encrypted_and_never_shown,
    a_file_agent_can_be_overridden_and_restored_but_not_deleted,
    an_invalid_agent_is_refused_and_nothing_is_stored,
    stored_agents_survive_a_restart,
    an_agent_written_through_the_api_cannot_read_the_servers_environment,
    allowed_placeholders_resolve_in_stored_agents,
    header_values_are_masked_kept_only_for_the_same_url_and_encrypted_at_rest,
);

const ADMIN: &str = "agents-root";

async fn app(
    backend: Backend,
    configure: impl FnOnce(&mut llmchat::config::Settings),
) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        configure(s);
    })
    .await;
    let session: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let token = session["access_token"].as_str().unwrap().to_string();
    (app, token)
}

fn openai_agent(id: &str, key: &str) -> Value {
    json!({
        "id": id,
        "name": "Stored agent",
        "description": "made by an admin",
        "provider": {"type": "openai", "base_url": "https://api.example.com/v1", "api_key": key, "model": "m1"},
        "fallbacks": ["demo"],
    })
}

async fn an_admin_creates_an_agent_whose_key_is_encrypted_and_never_shown(backend: Backend) {
    let (app, admin) = app(backend, |_| {}).await;
    let (status, created) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(openai_agent("stored", "sk-admin-secret-1")),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["source"], "database");
    assert_eq!(created["definition"]["provider"]["api_key"], "********");
    assert_eq!(
        created["definition"]["provider"]["base_url"],
        "https://api.example.com/v1"
    );

    let user = app.register("agent-consumer", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (_, visible) = status_and_json(app.authed_get("/api/agents", &user).await).await;
    let ids: Vec<&str> = visible["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["demo", "stored"], "in force at once");

    let (_, list) = app
        .send(reqwest::Method::GET, "/api/admin/agents", &admin, None)
        .await;
    assert!(!list.to_string().contains("sk-admin-secret-1"));
    let db = app.store();
    let stored: String = sqlx::query_scalar("SELECT definition FROM agents WHERE id = $1")
        .bind("stored")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        stored.contains("enc:v1:") && !stored.contains("sk-admin-secret-1"),
        "{stored}"
    );

    let (status, _) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(openai_agent("stored", "x")),
        )
        .await;
    assert_eq!(status, 409, "ids are unique");

    // A masked key in a PUT keeps the key; the rename applies.
    let mut renamed = openai_agent("stored", "********");
    renamed["name"] = json!("Renamed");
    let (status, updated) = app
        .send(
            reqwest::Method::PUT,
            "/api/admin/agents/stored?force=true",
            &admin,
            Some(renamed),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["name"], "Renamed");
    let stored_after: String = sqlx::query_scalar("SELECT definition FROM agents WHERE id = $1")
        .bind("stored")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        stored_after.contains("enc:v1:"),
        "the key is still there, encrypted"
    );

    let (status, _) = app
        .send(
            reqwest::Method::DELETE,
            "/api/admin/agents/stored",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, visible) = status_and_json(app.authed_get("/api/agents", &user).await).await;
    assert_eq!(visible["items"].as_array().unwrap().len(), 1);

    let (_, audit) =
        status_and_json(app.authed_get("/api/admin/audit?limit=10", &admin).await).await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "admin.agent_create",
        "admin.agent_update",
        "admin.agent_delete",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
    assert_eq!(
        app.send(reqwest::Method::GET, "/api/admin/agents", &user, None)
            .await
            .0,
        403
    );
}

async fn a_file_agent_can_be_overridden_and_restored_but_not_deleted(backend: Backend) {
    let (app, admin) = app(backend, |_| {}).await;
    let (status, body) = app
        .send(
            reqwest::Method::DELETE,
            "/api/admin/agents/demo",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("agents file")
    );

    let override_def =
        json!({"id": "demo", "name": "Demo (house style)", "provider": {"type": "demo"}});
    let (status, overridden) = app
        .send(
            reqwest::Method::PUT,
            "/api/admin/agents/demo?force=true",
            &admin,
            Some(override_def),
        )
        .await;
    assert_eq!(status, 200, "{overridden}");
    assert_eq!(overridden["source"], "database");
    assert_eq!(overridden["overrides_file"], true);
    assert_eq!(overridden["name"], "Demo (house style)");

    let (status, _) = app
        .send(
            reqwest::Method::DELETE,
            "/api/admin/agents/demo",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (_, restored) = app
        .send(reqwest::Method::GET, "/api/admin/agents/demo", &admin, None)
        .await;
    assert_eq!(restored["name"], "Demo", "the file's definition is back");
    assert_ne!(restored["source"], "database");

    let (status, _) = app
        .send(
            reqwest::Method::PUT,
            "/api/admin/agents/ghost?force=true",
            &admin,
            Some(json!({"id": "ghost", "name": "G", "provider": {"type": "demo"}})),
        )
        .await;
    assert_eq!(status, 404);
}

async fn an_invalid_agent_is_refused_and_nothing_is_stored(backend: Backend) {
    let (app, admin) = app(backend, |_| {}).await;
    let mut bad = openai_agent("broken", "sk-x");
    bad["fallbacks"] = json!(["nowhere"]);
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(bad),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("nowhere"),
        "{body}"
    );
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(json!({"id": "x", "name": "X", "provider": {"type": "demo"}, "colour": "red"})),
        )
        .await;
    assert_eq!(status, 422, "unknown keys are refused: {body}");
    // `limits` is an object, as documented, not the array serde would also read a struct from.
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(
                json!({"id": "x", "name": "X", "provider": {"type": "demo"}, "limits": [60, null]}),
            ),
        )
        .await;
    assert_eq!(status, 422, "limits as an array: {body}");
    // Listing a provider's models at a metadata address is the request's fault (422), not
    // the provider's (502).
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents/models",
            &admin,
            Some(json!({"provider": {"type": "openai", "base_url": "http://169.254.169.254/v1"}})),
        )
        .await;
    assert_eq!(
        (status, body["error"]["field"].as_str()),
        (422, Some("provider.base_url")),
        "{body}"
    );
    let db = app.store();
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM agents")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(count, 0);

    // Outside development a key cannot be stored without an encryption key.
    let (prod, prod_admin) = app_in_production(backend).await;
    let (status, body) = prod
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &prod_admin,
            Some(openai_agent("keyed", "sk-plain")),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("LLMCHAT_ENCRYPTION_KEY")
    );
    let placeholder = openai_agent("placeholder", "${SOME_KEY_ENV}");
    let (status, body) = prod
        .send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &prod_admin,
            Some(placeholder),
        )
        .await;
    assert_eq!(
        status, 422,
        "an unset placeholder in an enabled agent is refused: {body}"
    );
}

async fn app_in_production(backend: Backend) -> (TestApp, String) {
    app(backend, |s| {
        s.environment = llmchat::config::Environment::Production
    })
    .await
}

async fn stored_agents_survive_a_restart(backend: Backend) {
    let (app, admin) = app(backend, |_| {}).await;
    let def = json!({"id": "keeper", "name": "Keeper", "provider": {"type": "demo"}});
    assert_eq!(
        app.send(
            reqwest::Method::POST,
            "/api/admin/agents?force=true",
            &admin,
            Some(def)
        )
        .await
        .0,
        201
    );
    // Another instance on the same database (same secrets) loads it at start.
    let replica = app
        .spawn_replica(|s| {
            s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        })
        .await;
    let mut found = Vec::new();
    for _ in 0..50 {
        let response = app
            .client
            .get(format!("http://{}/api/agents", replica.addr))
            .bearer_auth(&admin)
            .send()
            .await
            .unwrap();
        let body: Value = response.json().await.unwrap();
        found = body["items"].as_array().cloned().unwrap_or_default();
        if found.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let ids: Vec<&str> = found.iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["demo", "keeper"]);
}

const LEAKY: &str = "hunter2-the-servers-own-secret";

fn with_leaky_env(s: &mut llmchat::config::Settings) {
    s.placeholders = llmchat::config::Placeholders::new([("LEAKY_SECRET".into(), LEAKY.into())]);
}

async fn stored_ids(app: &TestApp, admin: &str) -> Vec<String> {
    let (_, list) = status_and_json(app.authed_get("/api/admin/agents", admin).await).await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["source"] == "database")
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

/// The review's finding: `model: "${LLMCHAT_ADMIN_PASSWORD}"` in an admin's agent showed the
/// password to every user; `${DATABASE_URL}` in a header went to any URL.
async fn an_agent_written_through_the_api_cannot_read_the_servers_environment(backend: Backend) {
    let (app, admin) = app(backend, with_leaky_env).await;
    let mut in_model = openai_agent("leak-model", "sk-x");
    in_model["provider"]["model"] = json!("${LEAKY_SECRET}");
    let mut in_header = openai_agent("leak-header", "sk-x");
    in_header["provider"]["headers"] = json!({"X-Leak": "prefix ${LEAKY_SECRET}"});
    let mut in_url = openai_agent("leak-url", "sk-x");
    in_url["provider"]["base_url"] = json!("https://example.com/${LEAKY_SECRET}");
    let mut disabled = openai_agent("leak-disabled", "${LEAKY_SECRET}");
    disabled["enabled"] = json!(false);
    for (def, field) in [
        (in_model, "provider.model"),
        (in_header, "provider.headers.X-Leak"),
        (in_url, "provider.base_url"),
        (disabled, "provider.api_key"),
    ] {
        let (status, body) = app
            .send(
                reqwest::Method::POST,
                "/api/admin/agents?force=true",
                &admin,
                Some(def),
            )
            .await;
        assert_eq!(status, 422, "{body}");
        assert_eq!(body["error"]["field"], field, "{body}");
        let message = body["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("${LEAKY_SECRET}") && message.contains("agents.allowed_placeholders"),
            "{message}"
        );
        assert!(!body.to_string().contains(LEAKY), "{body}");
    }
    assert!(stored_ids(&app, &admin).await.is_empty(), "nothing stored");

    // A row written before the rule (or by hand) is not resolved either: the reload names it
    // and the agent is not in force.
    let mut old = openai_agent("old-row", "sk-x");
    old["provider"]["model"] = json!("${LEAKY_SECRET}");
    let (_, me) = status_and_json(app.authed_get("/api/auth/me", &admin).await).await;
    let admin_id = me["id"].as_str().unwrap_or_else(|| panic!("{me}"));
    llmchat::store::agents::upsert_agent(&app.store(), "old-row", &old.to_string(), true, admin_id)
        .await
        .unwrap();
    let (status, report) = app
        .send(reqwest::Method::POST, "/api/agents/reload", &admin, None)
        .await;
    assert_eq!(status, 422, "{report}");
    assert_eq!(report["problems"][0]["agent"], "old-row", "{report}");
    assert_eq!(report["problems"][0]["field"], "provider.model", "{report}");
    assert!(!report.to_string().contains(LEAKY), "{report}");
    let (_, list) = status_and_json(app.authed_get("/api/agents", &admin).await).await;
    assert!(!list.to_string().contains(LEAKY), "{list}");
}

async fn allowed_placeholders_resolve_in_stored_agents(backend: Backend) {
    let mock = Mock::start();
    let (app, admin) = app(backend, |s| {
        with_leaky_env(s);
        s.agents.allowed_placeholders = vec!["LEAKY_SECRET".into()];
    })
    .await;
    let def = json!({
        "id": "allowed",
        "name": "Allowed",
        "provider": {"type": "openai", "base_url": mock.url("", "openai/v1"),
                     "api_key": "${LEAKY_SECRET}", "model": "mock-gpt-4o-mini"},
    });
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents",
            &admin,
            Some(def),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["connection_test"]["ok"], true, "{body}");
    let requests = mock.requests().await;
    let bearer = format!("Bearer {LEAKY}");
    assert!(
        requests
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["headers"]["authorization"] == bearer.as_str()),
        "the allowed placeholder was resolved for the connection test: {requests}"
    );
    assert!(!body.to_string().contains(LEAKY), "{body}");
}

async fn header_values_are_masked_kept_only_for_the_same_url_and_encrypted_at_rest(
    backend: Backend,
) {
    let mock = Mock::start();
    let (app, admin) = app(backend, |_| {}).await;
    let mut def = json!({
        "id": "headed",
        "name": "Headed",
        "provider": {"type": "openai", "base_url": mock.url("", "openai/v1"), "api_key": "sk-h",
                     "model": "mock-gpt-4o-mini", "headers": {"X-Team-Token": "team-token-123"}},
    });
    let (status, created) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/agents",
            &admin,
            Some(def.clone()),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(
        created["definition"]["provider"]["headers"]["X-Team-Token"],
        "********"
    );
    let (_, got) = status_and_json(app.authed_get("/api/admin/agents/headed", &admin).await).await;
    assert!(!got.to_string().contains("team-token-123"), "{got}");
    let rows = llmchat::store::agents::list_agents(&app.store())
        .await
        .unwrap();
    let row = rows.iter().find(|r| r.id == "headed").unwrap();
    assert!(
        !row.definition.contains("team-token-123"),
        "encrypted at rest: {}",
        row.definition
    );

    // Saving the masked form back keeps the value: the connection test sends it again.
    def["provider"]["api_key"] = json!("********");
    def["provider"]["headers"]["X-Team-Token"] = json!("********");
    def["name"] = json!("Headed, renamed");
    let (status, updated) = app
        .send(
            reqwest::Method::PUT,
            "/api/admin/agents/headed",
            &admin,
            Some(def.clone()),
        )
        .await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["connection_test"]["ok"], true, "{updated}");
    let requests = mock.requests().await;
    let sent = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["headers"]["x-team-token"] == "team-token-123")
        .count();
    assert_eq!(
        sent, 2,
        "both connection tests carried the header: {requests}"
    );

    // Pointing the agent elsewhere needs the value typed again.
    def["provider"]["base_url"] = json!("https://elsewhere.example.com/v1");
    let (status, body) = app
        .send(
            reqwest::Method::PUT,
            "/api/admin/agents/headed?force=true",
            &admin,
            Some(def),
        )
        .await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(
        body["error"]["field"], "provider.headers.X-Team-Token",
        "{body}"
    );
}

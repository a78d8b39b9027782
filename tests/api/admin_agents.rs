//! Admin agent management: stored agents, write-only encrypted keys, file agents and their
//! overrides, validation and audit. Their upstreams do not exist, so saves say `force=true`
//! (the connection test on save is covered in `first_run.rs`). Placeholders and header values
//! in stored agents: `admin_agents_secrets.rs`.

use serde_json::{Value, json};

use crate::helpers::{Backend, JWT_SECRET, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    an_admin_creates_an_agent_whose_key_is_encrypted_and_never_shown,
    a_file_agent_can_be_overridden_and_restored_but_not_deleted,
    an_invalid_agent_is_refused_and_nothing_is_stored,
    stored_agents_survive_a_restart,
);

const ADMIN: &str = "agents-root";

pub(crate) async fn app(
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

pub(crate) fn openai_agent(id: &str, key: &str) -> Value {
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

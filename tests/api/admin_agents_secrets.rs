//! The review's finding 1: agents stored through the admin API must not read the server's
//! environment through `${VAR}` placeholders (unless allowed), and their header values are
//! secrets like keys: masked in reads, kept only for the same URL, encrypted at rest.

use serde_json::json;

use crate::admin_agents::{app, openai_agent};
use crate::helpers::{Backend, Mock, TestApp, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    an_agent_written_through_the_api_cannot_read_the_servers_environment,
    allowed_placeholders_resolve_in_stored_agents,
    header_values_are_masked_kept_only_for_the_same_url_and_encrypted_at_rest,
);

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

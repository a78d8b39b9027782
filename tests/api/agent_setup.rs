//! Adding an agent is safe and guided: saving tests its connection (and stores it disabled
//! when the test fails, unless the admin insists), and the admin picks the model from the
//! provider's own list. Failures are said in plain words naming the URL.

use reqwest::Method;
use serde_json::{Value, json};

use crate::first_run::app_with_admin;
use crate::helpers::{Backend, Mock, closed_port};
use crate::on_both_databases;

on_both_databases!(
    saving_an_agent_tests_its_connection_and_disables_it_when_the_test_fails,
    the_admin_lists_a_providers_models_to_pick_from,
);

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

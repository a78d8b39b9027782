//! Agents as users see them, and reloading them without a restart.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with, status_and_json};

const ADMIN: &str = "agent-admin";

const TWO_AGENTS: &str = r#"
agents:
  - id: demo
    name: Demo
    provider: {type: demo}
  - id: staff-only
    name: Staff
    description: For admins
    avatar: "🔒"
    provider:
      type: openai
      base_url: https://api.openai.com/v1
      api_key: sk-secret-upstream-key
      model: gpt-4o-mini
    visible_to: [admin]
"#;

/// An app reading its agents from a file of ours, with an admin and a user signed in.
pub(crate) async fn app_with_agents(yaml: &str) -> (TestApp, tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.yaml");
    std::fs::write(&path, yaml).unwrap();
    let app = spawn_app_with(Backend::Sqlite, |s| {
        s.agents.config = path.clone();
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
    })
    .await;
    let admin: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_string();
    let user = app.register("agent-user", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    (app, dir, admin, user)
}

async fn agent_ids(app: &TestApp, token: &str) -> Vec<String> {
    let (status, body) = status_and_json(app.authed_get("/api/agents", token).await).await;
    assert_eq!(status, 200, "{body}");
    body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_string())
        .collect()
}

async fn reload(app: &TestApp, token: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/agents/reload"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

#[tokio::test]
async fn users_see_the_agents_their_role_allows_and_never_keys_or_urls() {
    let (app, _dir, admin, user) = app_with_agents(TWO_AGENTS).await;
    assert_eq!(agent_ids(&app, &user).await, ["demo"]);
    assert_eq!(agent_ids(&app, &admin).await, ["demo", "staff-only"]);

    let (status, body) =
        status_and_json(app.authed_get("/api/agents/staff-only", &admin).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["provider"], "openai");
    assert_eq!(body["avatar"], "🔒");
    let text = body.to_string();
    assert!(
        !text.contains("sk-secret") && !text.contains("api.openai.com"),
        "{text}"
    );
    assert_eq!(
        app.authed_get("/api/agents/staff-only", &user)
            .await
            .status(),
        404
    );
    assert_eq!(
        app.authed_get("/api/agents/nope", &user).await.status(),
        404
    );
    assert_eq!(app.get("/api/agents").await.status(), 401);
}

#[tokio::test]
async fn an_api_key_limited_to_some_agents_sees_only_those() {
    let (app, _dir, admin, _) = app_with_agents(TWO_AGENTS).await;
    let created: Value = app
        .client
        .post(app.url("/api/keys"))
        .bearer_auth(&admin)
        .json(&json!({ "name": "scoped", "allowed_agents": ["staff-only"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = created["key"].as_str().unwrap();
    assert_eq!(agent_ids(&app, key).await, ["staff-only"]);
    assert_eq!(app.authed_get("/api/agents/demo", key).await.status(), 404);
}

#[tokio::test]
async fn a_valid_change_appears_at_once_and_an_invalid_one_changes_nothing() {
    let (app, dir, admin, user) = app_with_agents(TWO_AGENTS).await;
    let path = dir.path().join("agents.yaml");

    let added =
        format!("{TWO_AGENTS}  - id: newcomer\n    name: Newcomer\n    provider: {{type: demo}}\n");
    std::fs::write(&path, added).unwrap();
    let (status, body) = reload(&app, &admin).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["agents"], json!(["demo", "staff-only", "newcomer"]));
    assert_eq!(agent_ids(&app, &user).await, ["demo", "newcomer"]);

    std::fs::write(
        &path,
        "agents:\n  - id: broken\n    name: Broken\n    provider: {type: openai, base_url: nope}\n    fallbacks: [ghost]\n",
    )
    .unwrap();
    let (status, body) = reload(&app, &admin).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_configuration");
    assert!(body["error"]["request_id"].is_string());
    let fields: Vec<&str> = body["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"provider.base_url") && fields.contains(&"fallbacks"),
        "{body}"
    );
    assert_eq!(
        agent_ids(&app, &user).await,
        ["demo", "newcomer"],
        "the running set stays"
    );

    assert_eq!(reload(&app, &user).await.0, 403, "admins only");
    let (_, audit) = status_and_json(
        app.authed_get("/api/admin/audit?action=admin.agents_reload", &admin)
            .await,
    )
    .await;
    let results: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["failure", "success"]);
}

#[tokio::test]
async fn an_admin_api_key_can_reload_for_scripts() {
    let (app, _dir, admin, _) = app_with_agents(TWO_AGENTS).await;
    let created: Value = app
        .client
        .post(app.url("/api/keys"))
        .bearer_auth(&admin)
        .json(&json!({ "name": "deploy script", "scopes": ["admin"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (status, body) = reload(&app, created["key"].as_str().unwrap()).await;
    assert_eq!(status, 200, "{body}");
}

pub(crate) async fn connection_test(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    let response = app
        .client
        .post(app.url(&format!("/api/admin/agents/{id}/test")))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    status_and_json(response).await
}

#[tokio::test]
async fn the_connection_test_reports_success_refusals_and_dead_upstreams() {
    let closed = crate::helpers::closed_port();
    let yaml = format!(
        r#"
agents:
  - id: demo
    name: Demo
    provider: {{type: demo, chars_per_second: 100000}}
  - id: metadata
    name: Metadata thief
    provider: {{type: openai, base_url: "http://169.254.169.254/latest", api_key: sk-never-sent, model: m}}
  - id: dead
    name: Dead
    provider: {{type: openai, base_url: "http://127.0.0.1:{closed}/v1", api_key: sk-dead-key, model: gpt-x}}
"#
    );
    let (app, _dir, admin, user) = app_with_agents(&yaml).await;

    let (status, ok) = connection_test(&app, &admin, "demo").await;
    assert_eq!(status, 200, "{ok}");
    assert_eq!(ok["ok"], true);
    assert!(ok["latency_ms"].as_f64().unwrap() >= 0.0);

    let (_, refused) = connection_test(&app, &admin, "metadata").await;
    assert_eq!(refused["ok"], false);
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("metadata"),
        "the outbound guard says why: {message}"
    );

    let (_, dead) = connection_test(&app, &admin, "dead").await;
    assert_eq!(dead["ok"], false);
    assert_eq!(dead["model"], "gpt-x");
    assert!(!dead.to_string().contains("sk-dead-key"), "{dead}");

    assert_eq!(connection_test(&app, &user, "demo").await.0, 403);
    assert_eq!(connection_test(&app, &admin, "nope").await.0, 404);
}

#[tokio::test]
async fn a_request_in_flight_during_a_reload_completes_on_its_old_snapshot() {
    let mut mock = std::process::Command::new(env!("CARGO_BIN_EXE_llmchat-mock"))
        .args(["--port", "0", "--exit-on-eof"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(mock.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line.trim().trim_start_matches("listening on ").to_string();
    // The upstream takes 1.5 s to answer: long enough to reload meanwhile.
    let yaml = format!(
        "agents:\n  - id: slow\n    name: Slow\n    provider: {{type: openai, base_url: \"http://{addr}/k/first_delay_ms=1500/openai/v1\", model: m}}\n"
    );
    let (app, dir, admin, user) = app_with_agents(&yaml).await;

    let in_flight = {
        let client = app.client.clone();
        let url = app.url("/api/admin/agents/slow/test");
        let admin = admin.clone();
        tokio::spawn(async move {
            let response = client.post(url).bearer_auth(admin).send().await.unwrap();
            response.json::<Value>().await.unwrap()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    std::fs::write(
        dir.path().join("agents.yaml"),
        "agents:\n  - id: demo\n    name: Demo\n    provider: {type: demo}\n",
    )
    .unwrap();
    assert_eq!(reload(&app, &admin).await.0, 200);
    assert_eq!(
        agent_ids(&app, &user).await,
        ["demo"],
        "the new set is in force at once"
    );

    let outcome = in_flight.await.unwrap();
    assert_eq!(
        outcome["ok"], true,
        "the running request kept its agent: {outcome}"
    );
    assert!(outcome["latency_ms"].as_f64().unwrap() >= 1400.0);
    let _ = mock.kill();
    let _ = mock.wait();
}

#[tokio::test]
async fn a_new_conversation_shows_the_apps_opening_data_or_the_configured_one() {
    let mut mock = std::process::Command::new(env!("CARGO_BIN_EXE_llmchat-mock"))
        .args(["--port", "0", "--exit-on-eof"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(mock.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line.trim().trim_start_matches("listening on ").to_string();
    let yaml = format!(
        r#"
agents:
  - id: demo
    name: Demo
    provider: {{type: demo}}
    welcome: Try me.
    suggested_questions: [Hello?]
  - id: kb
    name: KB
    provider: {{type: fastgpt, base_url: "http://{addr}/fastgpt/api", api_key: k, app_id: app1}}
  - id: helpdesk
    name: Helpdesk
    provider: {{type: dify, base_url: "http://{addr}/dify/v1", api_key: k}}
    suggested_questions: [Our own question]
  - id: broken-app
    name: Broken
    provider: {{type: dify, base_url: "http://{addr}/k/fault=500/dify/v1", api_key: k}}
"#
    );
    let (app, _dir, _admin, user) = app_with_agents(&yaml).await;
    let init = |id: &'static str| {
        let app = &app;
        let user = &user;
        async move {
            status_and_json(
                app.authed_get(&format!("/api/agents/{id}/init"), user)
                    .await,
            )
            .await
        }
    };

    let (status, demo) = init("demo").await;
    assert_eq!(status, 200, "{demo}");
    assert_eq!(demo["welcome"], "Try me.");
    assert_eq!(demo["suggested_questions"], json!(["Hello?"]));

    let (status, kb) = init("kb").await;
    assert_eq!(status, 200, "{kb}");
    assert!(kb["welcome"].as_str().unwrap().contains("查询订单"), "{kb}");
    let (_, helpdesk) = init("helpdesk").await;
    assert!(
        helpdesk["welcome"].as_str().unwrap().contains("iPhones"),
        "{helpdesk}"
    );
    assert_eq!(
        helpdesk["suggested_questions"],
        json!(["Our own question"]),
        "the agent's own override"
    );

    let (status, broken) = init("broken-app").await;
    assert_eq!(status, 502, "{broken}");
    assert_eq!(broken["error"]["code"], "upstream_error");
    assert_eq!(init("nope").await.0, 404);
    let _ = mock.kill();
    let _ = mock.wait();
}

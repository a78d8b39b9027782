//! What the `/v1` tests share: an app whose agents (one per provider, plus tool-calling and
//! limited ones) all point at one `llmchat-mock`, a user with an unrestricted and a
//! demo-only API key, and readers for both APIs' streams and for usage rows.

use serde_json::Value;

use crate::helpers::{Backend, Mock, PASSWORD, TestApp, spawn_app_with, status_and_json};

pub struct Gateway {
    pub app: TestApp,
    pub mock: Mock,
    /// May use every agent.
    pub key: String,
    /// May use `demo` only.
    pub demo_key: String,
    /// The user's access token (JWT).
    pub token: String,
    _dir: tempfile::TempDir,
}

fn agents_yaml(mock: &Mock) -> String {
    let upstream = |kind: &str, knobs: &str, path: &str, model: &str| {
        format!(
            "{{type: {kind}, base_url: \"{}\", api_key: sk-upstream-secret, model: {model}, \
             app_id: mock-app, max_retries: 0, idle_timeout: 5s}}",
            mock.url(knobs, path)
        )
    };
    let agent = |id: &str, provider: String| {
        format!("  - id: {id}\n    name: Agent {id}\n    provider: {provider}\n")
    };
    let mut yaml = String::from("agents:\n");
    yaml += &agent("gpt", upstream("openai", "", "openai/v1", "gpt-4o-mini"));
    yaml += &agent(
        "gpt-tools",
        upstream(
            "openai",
            "scenario=stream_tool_calls",
            "openai/v1",
            "gpt-4o",
        ),
    );
    yaml += &agent(
        "claude",
        upstream("anthropic", "", "anthropic", "claude-sonnet-4-5"),
    );
    yaml += &agent(
        "claude-tools",
        upstream(
            "anthropic",
            "scenario=stream_tool_use",
            "anthropic",
            "claude-sonnet-4-5",
        ),
    );
    yaml += &agent(
        "claude-json",
        upstream(
            "anthropic",
            "scenario=json_reply",
            "anthropic",
            "claude-sonnet-4-5",
        ),
    );
    yaml += &agent(
        "gpt-capped",
        upstream("openai", "", "openai/v1", "gpt-4o-mini"),
    );
    yaml += "    max_tokens: 100\n";
    yaml += &agent(
        "claude-capped",
        upstream("anthropic", "", "anthropic", "claude-sonnet-4-5"),
    );
    yaml += "    max_tokens: 100\n";
    yaml += &agent("fastgpt-app", upstream("fastgpt", "", "fastgpt/api", "x"));
    yaml += &agent("dify-app", upstream("dify", "", "dify/v1", "x"));
    yaml += &agent(
        "broken",
        upstream("openai", "fault=500", "openai/v1", "gpt-4o-mini"),
    );
    yaml += &agent("demo", "{type: demo, chars_per_second: 1000000}".into());
    yaml += &agent("limited", "{type: demo, chars_per_second: 1000000}".into());
    yaml += "    limits: {requests_per_minute: 1}\n";
    yaml
}

pub async fn gateway(backend: Backend) -> Gateway {
    gateway_with(backend, |_| {}).await
}

pub async fn gateway_with(
    backend: Backend,
    configure: impl FnOnce(&mut llmchat::config::Settings),
) -> Gateway {
    let mock = Mock::start();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.yaml");
    std::fs::write(&path, agents_yaml(&mock)).unwrap();
    let app = spawn_app_with(backend, |s| {
        s.agents.config = path.clone();
        configure(s);
    })
    .await;
    let session = app.register("sdk-user", PASSWORD).await;
    let token = session["access_token"].as_str().unwrap().to_string();
    let key = create_key(&app, &token, serde_json::json!({"name": "all"})).await;
    let demo_key = create_key(
        &app,
        &token,
        serde_json::json!({"name": "demo only", "allowed_agents": ["demo"]}),
    )
    .await;
    Gateway {
        app,
        mock,
        key,
        demo_key,
        token,
        _dir: dir,
    }
}

async fn create_key(app: &TestApp, token: &str, body: Value) -> String {
    let response = app
        .client
        .post(app.url("/api/keys"))
        .bearer_auth(token)
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, created) = status_and_json(response).await;
    assert_eq!(status, 201, "{created}");
    created["key"].as_str().unwrap().to_string()
}

/// One SSE frame: its `event:` name, if any, and its data.
#[derive(Debug, Clone)]
pub struct Frame {
    pub event: Option<String>,
    pub data: String,
}

impl Frame {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).unwrap_or_else(|e| panic!("{e}: {}", self.data))
    }
}

pub fn frames(body: &str) -> Vec<Frame> {
    body.split("\n\n")
        .filter(|frame| !frame.trim().is_empty())
        .map(|frame| {
            let mut event = None;
            let mut data = Vec::new();
            for line in frame.lines() {
                if let Some(name) = line.strip_prefix("event: ") {
                    event = Some(name.to_string());
                } else if let Some(value) = line.strip_prefix("data: ") {
                    data.push(value);
                }
            }
            Frame {
                event,
                data: data.join("\n"),
            }
        })
        .collect()
}

impl Gateway {
    /// A POST with `headers` (name, value) and a raw body; status, headers and body text.
    pub async fn post_raw(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<reqwest::Body>,
    ) -> (u16, reqwest::header::HeaderMap, String) {
        let mut request = self.app.client.post(self.app.url(path)).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        (status, headers, response.text().await.unwrap())
    }

    /// The mock's recorded request bodies for `path_suffix` (`/chat/completions`, …), oldest first.
    pub async fn upstream_bodies(&self, path_suffix: &str) -> Vec<Value> {
        let requests = self.mock.requests().await;
        requests
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["path"].as_str().unwrap().ends_with(path_suffix))
            .map(|r| r["body"].clone())
            .collect()
    }

    /// Waits (up to 10 s) until `usage_records` has at least `n` rows, and returns them as
    /// (agent_id, provider, outcome, api_key_id, prompt_tokens, completion_tokens, estimated).
    pub async fn usage_rows(&self, n: usize) -> Vec<UsageRow> {
        let columns = "agent_id, provider, outcome, api_key_id, prompt_tokens, \
                       completion_tokens, estimated";
        self.app.usage_rows(columns, n).await
    }
}

pub type UsageRow = (String, String, String, Option<String>, i64, i64, i64);

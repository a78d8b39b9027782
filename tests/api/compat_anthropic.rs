//! The Anthropic-compatible API (`/v1/messages`) over real HTTP against `llmchat-mock`: every
//! provider behind it, the event stream, tools both ways, errors in Anthropic's shape, limits
//! and usage records.

use serde_json::{Value, json};

use crate::compat_setup::{Frame, Gateway, frames, gateway, gateway_with};
use crate::helpers::Backend;
use crate::on_both_databases;

on_both_databases!(
    every_kind_of_agent_answers_a_message_whole_and_as_events,
    tools_reach_an_anthropic_agent_and_tool_use_streams_back_with_input_json_deltas,
    tools_are_translated_for_an_openai_agent_and_its_tool_calls_come_back_as_tool_use,
    a_tool_result_round_trip_reaches_both_kinds_of_upstream,
    an_agent_that_cannot_take_tools_is_a_400_naming_it,
    errors_are_in_anthropic_shape_with_the_matching_status,
    the_rate_limit_and_agent_limits_are_429_rate_limit_errors,
);

const MESSAGES: &str = "/v1/messages";

impl Gateway {
    /// A `/v1/messages` call as Anthropic's SDK makes it (`x-api-key`, `anthropic-version`).
    async fn message(&self, key: &str, body: &str) -> (u16, reqwest::header::HeaderMap, String) {
        let headers = [
            ("x-api-key", key),
            ("anthropic-version", "2023-06-01"),
            ("content-type", "application/json"),
        ];
        self.post_raw(MESSAGES, &headers, body.to_string()).await
    }

    async fn message_json(&self, key: &str, body: Value) -> (u16, Value) {
        let (status, _, text) = self.message(key, &body.to_string()).await;
        (
            status,
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
        )
    }

    async fn message_events(&self, key: &str, mut body: Value) -> Vec<Frame> {
        body["stream"] = json!(true);
        let (status, headers, text) = self.message(key, &body.to_string()).await;
        assert_eq!(status, 200, "{text}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        let frames = frames(&text);
        for frame in &frames {
            assert_eq!(
                frame.json()["type"].as_str(),
                frame.event.as_deref(),
                "{text}"
            );
        }
        frames
    }
}

fn ask(model: &str) -> Value {
    json!({"model": model, "max_tokens": 64, "messages": [{"role": "user", "content": "Hello there"}]})
}

fn names(frames: &[Frame]) -> Vec<&str> {
    frames.iter().map(|f| f.event.as_deref().unwrap()).collect()
}

fn text_of(frames: &[Frame]) -> String {
    frames
        .iter()
        .map(Frame::json)
        .filter(|e| e["delta"]["type"] == "text_delta")
        .map(|e| e["delta"]["text"].as_str().unwrap().to_string())
        .collect()
}

async fn every_kind_of_agent_answers_a_message_whole_and_as_events(backend: Backend) {
    let gw = gateway(backend).await;
    let agents = ["gpt", "claude", "demo", "dify-app", "fastgpt-app"];
    for agent in agents {
        let mut body = ask(agent);
        body["system"] = json!("Be brief.");
        let (status, reply) = gw.message_json(&gw.key, body).await;
        assert_eq!(status, 200, "{agent}: {reply}");
        assert_eq!(
            (&reply["type"], &reply["role"]),
            (&json!("message"), &json!("assistant"))
        );
        assert_eq!(reply["model"], agent);
        assert_eq!(reply["stop_reason"], "end_turn", "{agent}");
        let text = reply["content"]
            .as_array()
            .unwrap()
            .iter()
            .find(|b| b["type"] == "text")
            .and_then(|b| b["text"].as_str())
            .unwrap();
        assert!(!text.is_empty(), "{agent}: {reply}");
        assert!(reply["usage"]["output_tokens"].as_u64().unwrap() > 0);

        let events = gw.message_events(&gw.key, ask(agent)).await;
        let names = names(&events);
        assert_eq!(names.first(), Some(&"message_start"), "{agent}");
        assert_eq!(
            &names[names.len() - 2..],
            ["message_delta", "message_stop"],
            "{agent}"
        );
        let starts = names
            .iter()
            .filter(|n| **n == "content_block_start")
            .count();
        let stops = names.iter().filter(|n| **n == "content_block_stop").count();
        assert_eq!(starts, stops, "{agent}: {names:?}");
        assert!(!text_of(&events).is_empty(), "{agent}");
        let delta = events[events.len() - 2].json();
        assert_eq!(delta["delta"]["stop_reason"], "end_turn");
        assert!(delta["usage"]["output_tokens"].as_u64().unwrap() > 0);
    }
    let system = &gw.upstream_bodies("/v1/messages").await[0]["system"];
    assert_eq!(
        system, "Be brief.",
        "the client's system prompt reaches Anthropic's system"
    );
    let rows = gw.usage_rows(2 * agents.len()).await;
    assert!(
        rows.iter().all(|r| r.2 == "ok" && r.3.is_some()),
        "{rows:?}"
    );
}

fn weather_tool() -> Value {
    json!([{"name": "get_weather", "description": "Current weather",
            "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}}}])
}

async fn tools_reach_an_anthropic_agent_and_tool_use_streams_back_with_input_json_deltas(
    backend: Backend,
) {
    let gw = gateway(backend).await;
    let mut body = ask("claude-tools");
    body["tools"] = weather_tool();
    body["tool_choice"] = json!({"type": "auto", "disable_parallel_tool_use": true});
    let events = gw.message_events(&gw.key, body.clone()).await;
    let upstream = &gw.upstream_bodies("/v1/messages").await[0];
    assert_eq!(upstream["tools"], weather_tool());
    assert_eq!(
        upstream["tool_choice"],
        json!({"type": "auto", "disable_parallel_tool_use": true})
    );

    let json: Vec<Value> = events.iter().map(Frame::json).collect();
    let tool_start = json
        .iter()
        .find(|e| e["content_block"]["type"] == "tool_use")
        .unwrap();
    assert_eq!(
        tool_start["content_block"]["id"],
        "toolu_01T1x1fJ34qAmk2tNTrN7Up6"
    );
    assert_eq!(tool_start["content_block"]["name"], "get_weather");
    let index = &tool_start["index"];
    let partial: String = json
        .iter()
        .filter(|e| e["delta"]["type"] == "input_json_delta" && &e["index"] == index)
        .map(|e| e["delta"]["partial_json"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        serde_json::from_str::<Value>(&partial).unwrap(),
        json!({"location": "San Francisco, CA", "unit": "fahrenheit"})
    );
    let stop = json.iter().find(|e| e["type"] == "message_delta").unwrap();
    assert_eq!(stop["delta"]["stop_reason"], "tool_use");
    assert_eq!(stop["usage"]["output_tokens"], 89);

    let (status, reply) = gw.message_json(&gw.key, body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["stop_reason"], "tool_use");
    let tool = reply["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "tool_use")
        .unwrap();
    assert_eq!(tool["input"]["unit"], "fahrenheit");
}

async fn tools_are_translated_for_an_openai_agent_and_its_tool_calls_come_back_as_tool_use(
    backend: Backend,
) {
    let gw = gateway(backend).await;
    let mut body = ask("gpt-tools");
    body["tools"] = weather_tool();
    body["tool_choice"] = json!({"type": "any"});
    let events = gw.message_events(&gw.key, body.clone()).await;
    let upstream = &gw.upstream_bodies("/chat/completions").await[0];
    assert_eq!(
        upstream["tools"],
        json!([{"type": "function", "function": {"name": "get_weather",
            "description": "Current weather",
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}}}])
    );
    assert_eq!(upstream["tool_choice"], "required");

    let json: Vec<Value> = events.iter().map(Frame::json).collect();
    let starts: Vec<&Value> = json
        .iter()
        .filter(|e| e["content_block"]["type"] == "tool_use")
        .collect();
    assert_eq!(starts.len(), 2, "two parallel calls become two blocks");
    assert_eq!(
        starts[0]["content_block"]["id"],
        "call_DdmO9pD3xa9XTPNJ32zg2hcA"
    );
    assert_eq!(starts[0]["content_block"]["input"], json!({}));
    let input = |index: &Value| -> Value {
        let partial: String = json
            .iter()
            .filter(|e| e["delta"]["type"] == "input_json_delta" && &e["index"] == index)
            .map(|e| e["delta"]["partial_json"].as_str().unwrap().to_string())
            .collect();
        serde_json::from_str(&partial).unwrap()
    };
    assert_eq!(
        input(&starts[1]["index"]),
        json!({"location": "Tokyo, Japan"})
    );
    let stop = json.iter().find(|e| e["type"] == "message_delta").unwrap();
    assert_eq!(stop["delta"]["stop_reason"], "tool_use");

    let (status, reply) = gw.message_json(&gw.key, body).await;
    assert_eq!(status, 200, "{reply}");
    let blocks = reply["content"].as_array().unwrap();
    assert_eq!(blocks.iter().filter(|b| b["type"] == "tool_use").count(), 2);
    assert_eq!(blocks[0]["input"], json!({"location": "Paris, France"}));
}

fn round_trip(model: &str) -> Value {
    json!({"model": model, "max_tokens": 64, "tools": weather_tool(), "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": [
            {"type": "text", "text": "Checking."},
            {"type": "tool_use", "id": "toolu_x", "name": "get_weather", "input": {"location": "Paris"}}
        ]},
        {"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_x", "content": "18 C"}
        ]}
    ]})
}

async fn a_tool_result_round_trip_reaches_both_kinds_of_upstream(backend: Backend) {
    let gw = gateway(backend).await;
    for model in ["claude", "gpt"] {
        let (status, reply) = gw.message_json(&gw.key, round_trip(model)).await;
        assert_eq!(status, 200, "{model}: {reply}");
    }
    let anthropic = &gw.upstream_bodies("/v1/messages").await[0]["messages"];
    assert_eq!(anthropic[1]["content"][1]["type"], "tool_use");
    assert_eq!(
        anthropic[1]["content"][1]["input"],
        json!({"location": "Paris"})
    );
    assert_eq!(
        anthropic[2]["content"],
        json!([{"type": "tool_result", "tool_use_id": "toolu_x", "content": "18 C"}])
    );
    let openai = &gw.upstream_bodies("/chat/completions").await[0]["messages"];
    assert_eq!(openai[1]["content"], "Checking.");
    assert_eq!(openai[1]["tool_calls"][0]["id"], "toolu_x");
    assert_eq!(
        openai[1]["tool_calls"][0]["function"]["arguments"],
        "{\"location\":\"Paris\"}"
    );
    assert_eq!(
        openai[2],
        json!({"role": "tool", "tool_call_id": "toolu_x", "content": "18 C"})
    );
}

async fn an_agent_that_cannot_take_tools_is_a_400_naming_it(backend: Backend) {
    let gw = gateway(backend).await;
    for agent in ["demo", "fastgpt-app"] {
        let mut body = ask(agent);
        body["tools"] = weather_tool();
        let (status, error) = gw.message_json(&gw.key, body).await;
        assert_eq!(status, 400, "{agent}: {error}");
        assert_eq!(error["type"], "error");
        assert_eq!(error["error"]["type"], "invalid_request_error");
        assert!(error["error"]["message"].as_str().unwrap().contains(agent));
    }
}

async fn errors_are_in_anthropic_shape_with_the_matching_status(backend: Backend) {
    let gw = gateway_with(backend, |s| {
        s.server.body_limit = bytesize::ByteSize::kib(4)
    })
    .await;
    let body = ask("demo").to_string();
    let big = json!({"model": "demo", "max_tokens": 1,
        "messages": [{"role": "user", "content": "x".repeat(8192)}]})
    .to_string();
    let cases = [
        ("", body.clone(), 401, "authentication_error"),
        (
            "sk-llmc-nonsense",
            body.clone(),
            401,
            "authentication_error",
        ),
        ("KEY", ask("nobody").to_string(), 404, "not_found_error"),
        (
            "DEMO_KEY",
            ask("claude").to_string(),
            404,
            "not_found_error",
        ),
        ("KEY", "{not json".to_string(), 400, "invalid_request_error"),
        (
            "KEY",
            json!({"model": "demo", "messages": []}).to_string(),
            400,
            "invalid_request_error",
        ),
        ("KEY", big, 413, "request_too_large"),
    ];
    for (key, body, status, kind) in cases {
        let key = match key {
            "KEY" => gw.key.clone(),
            "DEMO_KEY" => gw.demo_key.clone(),
            other => other.to_string(),
        };
        let (got, headers, text) = gw.message(&key, &body).await;
        assert_eq!(got, status, "{text}");
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(error["type"], "error", "{text}");
        assert_eq!(error["error"]["type"], kind, "{text}");
        assert!(!error["error"]["message"].as_str().unwrap().is_empty());
        assert_eq!(
            error["request_id"].as_str(),
            headers["x-request-id"].to_str().ok()
        );
    }
    let models: Value = gw
        .app
        .client
        .get(gw.app.url("/v1/models"))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(models["error"]["type"], "authentication_error", "{models}");
}

async fn the_rate_limit_and_agent_limits_are_429_rate_limit_errors(backend: Backend) {
    // The user's budget is shared with the session that made the two keys: 5 - 2 = 3 left.
    let gw = gateway_with(backend, |s| s.rate_limit.requests_per_minute = 5).await;
    assert_eq!(gw.message_json(&gw.key, ask("limited")).await.0, 200);
    let (status, headers, text) = gw.message(&gw.key, &ask("limited").to_string()).await;
    assert_eq!(status, 429, "{text}");
    assert!(headers.contains_key("retry-after"));
    assert!(
        text.contains("rate_limit_error") && text.contains("requests per minute"),
        "{text}"
    );
    assert_eq!(gw.message_json(&gw.key, ask("demo")).await.0, 200);
    let (status, headers, text) = gw.message(&gw.key, &ask("demo").to_string()).await;
    assert_eq!(status, 429, "{text}");
    assert!(headers.contains_key("retry-after"));
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["type"], "rate_limit_error");
}

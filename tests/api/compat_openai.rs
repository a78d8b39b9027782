//! The OpenAI-compatible API (`/v1/models`, `/v1/chat/completions`) over real HTTP against
//! `llmchat-mock`: every provider behind it, streams with usage, tools both ways, errors in
//! OpenAI's shape, limits, usage records and stored conversations.

use serde_json::{Value, json};

use crate::compat_setup::{Gateway, frames, gateway, gateway_with};
use crate::helpers::Backend;
use crate::on_both_databases;

on_both_databases!(
    every_kind_of_agent_answers_whole_and_streamed_and_each_call_is_a_usage_record,
    tools_reach_an_openai_agent_as_given_and_tool_call_deltas_stream_back,
    tools_are_translated_for_an_anthropic_agent_and_its_tool_use_comes_back_as_tool_calls,
    a_json_schema_response_format_reaches_an_anthropic_agent_as_a_forced_tool_and_comes_back_as_text,
    a_tool_result_round_trip_reaches_both_kinds_of_upstream,
    an_agent_that_cannot_take_tools_is_a_400_naming_it,
    authentication_and_request_errors_are_in_openai_shape,
    the_rate_limit_and_agent_limits_are_429_with_retry_after,
    models_lists_the_agents_the_key_may_use_in_either_shape,
    an_upstream_failure_is_a_502_and_recorded,
    exchanges_are_stored_as_conversations_when_configured,
    the_agents_max_tokens_caps_what_a_client_asks_for,
);

const COMPLETIONS: &str = "/v1/chat/completions";

impl Gateway {
    async fn complete(&self, key: &str, body: Value) -> (u16, Value) {
        let auth = format!("Bearer {key}");
        let (status, _, text) = self
            .post_raw(
                COMPLETIONS,
                &[
                    ("authorization", &auth),
                    ("content-type", "application/json"),
                ],
                body.to_string(),
            )
            .await;
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, json)
    }

    /// The `data:` payloads of a streamed completion (the last one is `[DONE]`).
    async fn complete_stream(&self, key: &str, mut body: Value) -> Vec<String> {
        body["stream"] = json!(true);
        let auth = format!("Bearer {key}");
        let (status, headers, text) = self
            .post_raw(COMPLETIONS, &[("authorization", &auth)], body.to_string())
            .await;
        assert_eq!(status, 200, "{text}");
        assert!(
            headers["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        frames(&text).into_iter().map(|f| f.data).collect()
    }
}

fn ask(model: &str) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": "Hello there"}]})
}

fn chunks(data: &[String]) -> Vec<Value> {
    data.iter()
        .filter(|d| *d != "[DONE]")
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

fn streamed_text(chunks: &[Value]) -> String {
    chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect()
}

const AGENTS: [(&str, &str); 5] = [
    ("gpt", "openai"),
    ("claude", "anthropic"),
    ("demo", "demo"),
    ("dify-app", "dify"),
    ("fastgpt-app", "fastgpt"),
];

async fn every_kind_of_agent_answers_whole_and_streamed_and_each_call_is_a_usage_record(
    backend: Backend,
) {
    let gw = gateway(backend).await;
    for (agent, _) in AGENTS {
        let (status, reply) = gw
            .complete(
                &gw.key,
                json!({"model": agent, "temperature": 0.2, "max_tokens": 50,
                "messages": [{"role": "system", "content": "Be brief."},
                             {"role": "user", "content": "Hello there"}]}),
            )
            .await;
        assert_eq!(status, 200, "{agent}: {reply}");
        assert_eq!(reply["object"], "chat.completion");
        assert_eq!(reply["model"], agent);
        let text = reply["choices"][0]["message"]["content"].as_str().unwrap();
        assert!(!text.is_empty(), "{agent}: {reply}");
        assert_eq!(reply["choices"][0]["message"]["role"], "assistant");
        assert_eq!(reply["choices"][0]["finish_reason"], "stop", "{agent}");
        let usage = &reply["usage"];
        assert_eq!(
            usage["total_tokens"].as_u64().unwrap(),
            usage["prompt_tokens"].as_u64().unwrap() + usage["completion_tokens"].as_u64().unwrap()
        );

        let mut body = ask(agent);
        body["stream_options"] = json!({"include_usage": true});
        let data = gw.complete_stream(&gw.key, body).await;
        assert_eq!(data.last().unwrap(), "[DONE]", "{agent}");
        let chunks = chunks(&data);
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert!(
            chunks
                .iter()
                .all(|c| c["object"] == "chat.completion.chunk" && c["model"] == agent)
        );
        assert!(!streamed_text(&chunks).is_empty(), "{agent}: {data:?}");
        let finishes: Vec<&Value> = chunks
            .iter()
            .map(|c| &c["choices"][0]["finish_reason"])
            .filter(|r| !r.is_null())
            .collect();
        assert_eq!(finishes, [&json!("stop")], "{agent}");
        let last = chunks.last().unwrap();
        assert_eq!(
            last["choices"],
            json!([]),
            "{agent}: the usage chunk comes last"
        );
        assert!(
            last["usage"]["completion_tokens"].as_u64().unwrap() > 0,
            "{agent}: {last}"
        );
    }
    let upstream = gw.upstream_bodies("/chat/completions").await;
    let first = &upstream[0];
    assert_eq!(
        first["model"], "gpt-4o-mini",
        "the agent's model goes upstream"
    );
    assert_eq!(first["max_tokens"], 50);
    assert_eq!(first["temperature"], 0.2);

    let rows = gw.usage_rows(2 * AGENTS.len()).await;
    assert_eq!(rows.len(), 2 * AGENTS.len());
    for (agent, provider) in AGENTS {
        let mine: Vec<_> = rows.iter().filter(|r| r.0 == agent).collect();
        assert_eq!(mine.len(), 2, "{agent}: {rows:?}");
        for row in mine {
            assert_eq!(
                (row.1.as_str(), row.2.as_str()),
                (provider, "ok"),
                "{row:?}"
            );
            assert!(row.3.is_some(), "the API key is recorded: {row:?}");
            assert!(row.5 > 0, "completion tokens: {row:?}");
        }
    }
}

fn weather_tools() -> Value {
    json!([{"type": "function", "function": {
        "name": "get_weather", "description": "Current weather", "strict": true,
        "parameters": {"type": "object", "properties": {"location": {"type": "string"}},
                       "required": ["location"]}}}])
}

async fn tools_reach_an_openai_agent_as_given_and_tool_call_deltas_stream_back(backend: Backend) {
    let gw = gateway(backend).await;
    let mut body = ask("gpt-tools");
    body["tools"] = weather_tools();
    body["tool_choice"] = json!("required");
    body["parallel_tool_calls"] = json!(true);
    body["response_format"] = json!({"type": "json_object"});
    let data = gw.complete_stream(&gw.key, body.clone()).await;
    let upstream = gw.upstream_bodies("/chat/completions").await;
    assert_eq!(upstream[0]["tools"], weather_tools());
    assert_eq!(upstream[0]["tool_choice"], "required");
    assert_eq!(upstream[0]["parallel_tool_calls"], true);
    assert_eq!(
        upstream[0]["response_format"],
        json!({"type": "json_object"})
    );

    let chunks = chunks(&data);
    let calls: Vec<&Value> = chunks
        .iter()
        .flat_map(|c| {
            c["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .collect();
    assert_eq!(calls[0]["index"], 0);
    assert_eq!(calls[0]["id"], "call_DdmO9pD3xa9XTPNJ32zg2hcA");
    assert_eq!(calls[0]["type"], "function");
    assert_eq!(calls[0]["function"]["name"], "get_weather");
    let arguments = |index: u64| -> String {
        calls
            .iter()
            .filter(|c| c["index"] == index)
            .filter_map(|c| c["function"]["arguments"].as_str())
            .collect()
    };
    assert_eq!(arguments(0), r#"{"location": "Paris, France"}"#);
    assert_eq!(arguments(1), r#"{"location": "Tokyo, Japan"}"#);
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "tool_calls")
    );

    body["stream"] = json!(false);
    let (status, reply) = gw.complete(&gw.key, body).await;
    assert_eq!(status, 200, "{reply}");
    let message = &reply["choices"][0]["message"];
    assert_eq!(
        message["tool_calls"][1]["function"]["arguments"],
        r#"{"location": "Tokyo, Japan"}"#
    );
    assert_eq!(reply["choices"][0]["finish_reason"], "tool_calls");
}

async fn tools_are_translated_for_an_anthropic_agent_and_its_tool_use_comes_back_as_tool_calls(
    backend: Backend,
) {
    let gw = gateway(backend).await;
    let mut body = ask("claude-tools");
    body["tools"] = weather_tools();
    body["tool_choice"] = json!({"type": "function", "function": {"name": "get_weather"}});
    let data = gw.complete_stream(&gw.key, body.clone()).await;
    let upstream = gw.upstream_bodies("/v1/messages").await;
    assert_eq!(
        upstream[0]["tools"],
        json!([{"name": "get_weather", "description": "Current weather",
                "input_schema": {"type": "object", "properties": {"location": {"type": "string"}},
                                 "required": ["location"]}}])
    );
    assert_eq!(
        upstream[0]["tool_choice"],
        json!({"type": "tool", "name": "get_weather"})
    );

    let chunks = chunks(&data);
    let calls: Vec<&Value> = chunks
        .iter()
        .flat_map(|c| {
            c["choices"][0]["delta"]["tool_calls"]
                .as_array()
                .into_iter()
                .flatten()
        })
        .collect();
    assert_eq!(calls[0]["index"], 0, "block indexes become call ordinals");
    assert!(calls[0]["id"].as_str().unwrap().starts_with("toolu_"));
    let arguments: String = calls
        .iter()
        .filter_map(|c| c["function"]["arguments"].as_str())
        .collect();
    let arguments: Value = serde_json::from_str(&arguments).unwrap();
    assert!(arguments.is_object());
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "tool_calls")
    );

    body["stream"] = json!(false);
    let (status, reply) = gw.complete(&gw.key, body).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(
        reply["choices"][0]["message"]["tool_calls"][0]["type"],
        "function"
    );
}

async fn a_json_schema_response_format_reaches_an_anthropic_agent_as_a_forced_tool_and_comes_back_as_text(
    backend: Backend,
) {
    let gw = gateway(backend).await;
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"},
                        "temperature_c": {"type": "number"}}, "required": ["city"]});
    let mut body = ask("claude-json");
    body["response_format"] = json!({"type": "json_schema",
                                     "json_schema": {"name": "weather", "schema": schema}});
    let data = gw.complete_stream(&gw.key, body.clone()).await;
    let upstream = gw.upstream_bodies("/v1/messages").await;
    assert_eq!(upstream[0]["tools"][0]["input_schema"], schema);
    assert_eq!(
        upstream[0]["tool_choice"],
        json!({"type": "tool", "name": upstream[0]["tools"][0]["name"]})
    );

    let chunks = chunks(&data);
    let text: String = chunks
        .iter()
        .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
        .collect();
    let reply: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(reply, json!({"city": "Paris", "temperature_c": 18}));
    assert!(
        chunks
            .iter()
            .all(|c| c["choices"][0]["delta"].get("tool_calls").is_none()),
        "the forced tool is not shown as a tool call"
    );
    assert!(
        chunks
            .iter()
            .any(|c| c["choices"][0]["finish_reason"] == "stop")
    );

    body["stream"] = json!(false);
    let (status, reply) = gw.complete(&gw.key, body).await;
    assert_eq!(status, 200, "{reply}");
    let message = &reply["choices"][0]["message"];
    assert!(
        message.get("tool_calls").is_none_or(Value::is_null),
        "{reply}"
    );
    let content: Value = serde_json::from_str(message["content"].as_str().unwrap()).unwrap();
    assert_eq!(content, json!({"city": "Paris", "temperature_c": 18}));
    assert_eq!(reply["choices"][0]["finish_reason"], "stop");
}

fn round_trip(model: &str) -> Value {
    json!({"model": model, "tools": weather_tools(), "messages": [
        {"role": "user", "content": "Weather in Paris?"},
        {"role": "assistant", "content": null, "tool_calls": [{"id": "call_abc", "type": "function",
            "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}}]},
        {"role": "tool", "tool_call_id": "call_abc", "content": "18 C and sunny"}
    ]})
}

async fn a_tool_result_round_trip_reaches_both_kinds_of_upstream(backend: Backend) {
    let gw = gateway(backend).await;
    let (status, reply) = gw.complete(&gw.key, round_trip("gpt")).await;
    assert_eq!(status, 200, "{reply}");
    let (status, reply) = gw.complete(&gw.key, round_trip("claude")).await;
    assert_eq!(status, 200, "{reply}");

    let openai = &gw.upstream_bodies("/chat/completions").await[0]["messages"];
    assert_eq!(openai[1]["tool_calls"][0]["id"], "call_abc");
    assert_eq!(
        openai[1]["tool_calls"][0]["function"]["arguments"],
        "{\"location\":\"Paris\"}"
    );
    assert_eq!(
        openai[2],
        json!({"role": "tool", "tool_call_id": "call_abc", "content": "18 C and sunny"})
    );
    let anthropic = &gw.upstream_bodies("/v1/messages").await[0]["messages"];
    assert_eq!(
        anthropic[1]["content"],
        json!([{"type": "tool_use", "id": "call_abc", "name": "get_weather",
                "input": {"location": "Paris"}}])
    );
    assert_eq!(
        anthropic[2]["content"],
        json!([{"type": "tool_result", "tool_use_id": "call_abc", "content": "18 C and sunny"}])
    );
}

async fn an_agent_that_cannot_take_tools_is_a_400_naming_it(backend: Backend) {
    let gw = gateway(backend).await;
    for agent in ["demo", "dify-app", "fastgpt-app"] {
        let mut body = ask(agent);
        body["tools"] = weather_tools();
        let (status, error) = gw.complete(&gw.key, body).await;
        assert_eq!(status, 400, "{agent}: {error}");
        assert_eq!(error["error"]["type"], "invalid_request_error");
        let message = error["error"]["message"].as_str().unwrap();
        assert!(
            message.contains(agent) && message.contains("tools"),
            "{message}"
        );
    }
    assert!(
        gw.upstream_bodies("").await.is_empty(),
        "nothing went upstream"
    );
}

/// Headers (`KEY` and `DEMO_KEY` stand for the keys), body, status, error type.
type Case = (Vec<(&'static str, &'static str)>, String, u16, &'static str);

async fn authentication_and_request_errors_are_in_openai_shape(backend: Backend) {
    let gw = gateway(backend).await;
    let cases: Vec<Case> = vec![
        (vec![], ask("demo").to_string(), 401, "authentication_error"),
        (
            vec![("authorization", "Bearer sk-llmc-not-a-real-key")],
            ask("demo").to_string(),
            401,
            "authentication_error",
        ),
        (
            vec![("authorization", "Bearer KEY")],
            ask("no-such-agent").to_string(),
            404,
            "not_found_error",
        ),
        (
            vec![("authorization", "Bearer DEMO_KEY")],
            ask("gpt").to_string(),
            404,
            "not_found_error",
        ),
        (
            vec![("authorization", "Bearer KEY")],
            "{\"model\": \"demo\", \"messages\": [".to_string(),
            400,
            "invalid_request_error",
        ),
        (
            vec![("authorization", "Bearer KEY")],
            json!({"model": "demo"}).to_string(),
            400,
            "invalid_request_error",
        ),
    ];
    for (headers, body, status, kind) in cases {
        let auth: Vec<(String, String)> = headers
            .iter()
            .map(|(n, v)| {
                let v = v.replace("DEMO_KEY", &gw.demo_key).replace("KEY", &gw.key);
                (n.to_string(), v)
            })
            .collect();
        let auth: Vec<(&str, &str)> = auth.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let (got, _, text) = gw.post_raw(COMPLETIONS, &auth, body.clone()).await;
        let error: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(got, status, "{body}: {text}");
        assert_eq!(error["error"]["type"], kind, "{text}");
        assert!(
            error["error"]["message"].as_str().unwrap().len() > 3,
            "{text}"
        );
        assert!(error["error"].get("param").is_some() && error["error"].get("code").is_some());
        assert!(!text.contains("sk-upstream-secret"));
    }
    let (status, not_found) = gw
        .app
        .send(reqwest::Method::GET, COMPLETIONS, &gw.key, None)
        .await;
    assert_eq!(status, 405);
    assert_eq!(not_found["error"]["type"], "invalid_request_error");
    let (status, nothing) = gw
        .app
        .send(reqwest::Method::GET, "/v1/nothing", &gw.key, None)
        .await;
    assert_eq!(
        (status, &nothing["error"]["type"]),
        (404, &json!("not_found_error"))
    );
    let (_, model_error) = gw.complete(&gw.key, ask("no-such-agent")).await;
    assert_eq!(model_error["error"]["code"], "model_not_found");
}

async fn the_rate_limit_and_agent_limits_are_429_with_retry_after(backend: Backend) {
    let gw = gateway(backend).await;
    let (status, _) = gw.complete(&gw.key, ask("limited")).await;
    assert_eq!(status, 200);
    let auth = format!("Bearer {}", gw.key);
    let (status, headers, text) = gw
        .post_raw(
            COMPLETIONS,
            &[("authorization", &auth)],
            ask("limited").to_string(),
        )
        .await;
    assert_eq!(status, 429, "{text}");
    assert!(headers.contains_key("retry-after"));
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(error["error"]["type"], "rate_limit_error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("limited"),
        "{text}"
    );

    // The user's budget is shared with the session that made the two keys: 4 - 2 = 2 left.
    let gw = gateway_with(backend, |s| s.rate_limit.requests_per_minute = 4).await;
    for _ in 0..2 {
        assert_eq!(gw.complete(&gw.key, ask("demo")).await.0, 200);
    }
    let auth = format!("Bearer {}", gw.key);
    let (status, headers, text) = gw
        .post_raw(
            COMPLETIONS,
            &[("authorization", &auth)],
            ask("demo").to_string(),
        )
        .await;
    assert_eq!(status, 429, "{text}");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            >= 1
    );
    let error: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (&error["error"]["type"], &error["error"]["code"]),
        (&json!("rate_limit_error"), &json!("rate_limit_exceeded"))
    );
}

async fn models_lists_the_agents_the_key_may_use_in_either_shape(backend: Backend) {
    let gw = gateway(backend).await;
    let (status, list) = gw
        .app
        .send(reqwest::Method::GET, "/v1/models", &gw.key, None)
        .await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["object"], "list");
    let ids: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"gpt") && ids.contains(&"claude") && ids.contains(&"demo"),
        "{ids:?}"
    );
    let gpt = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "gpt")
        .unwrap();
    assert_eq!(
        (&gpt["object"], &gpt["owned_by"]),
        (&json!("model"), &json!("openai"))
    );

    let (_, scoped) = gw
        .app
        .send(reqwest::Method::GET, "/v1/models", &gw.demo_key, None)
        .await;
    assert_eq!(scoped["data"].as_array().unwrap().len(), 1);
    assert_eq!(scoped["data"][0]["id"], "demo");

    let anthropic: Value = gw
        .app
        .client
        .get(gw.app.url("/v1/models"))
        .header("x-api-key", &gw.demo_key)
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(anthropic["data"][0]["type"], "model");
    assert_eq!(anthropic["data"][0]["display_name"], "Agent demo");
    assert_eq!(
        (&anthropic["first_id"], &anthropic["has_more"]),
        (&json!("demo"), &json!(false))
    );
}

async fn an_upstream_failure_is_a_502_and_recorded(backend: Backend) {
    let gw = gateway(backend).await;
    let (status, error) = gw.complete(&gw.key, ask("broken")).await;
    assert_eq!(status, 502, "{error}");
    assert_eq!(error["error"]["type"], "api_error");
    // The review's finding: the upstream's error body reached end users verbatim. They get
    // the agent and the upstream status; the body's text stays in the logs.
    assert_eq!(
        error["error"]["message"],
        "agent \"broken\": the provider answered with an error (HTTP 500)",
        "{error}"
    );
    assert!(!error.to_string().contains("Sorry about that"), "{error}");
    let rows = gw.usage_rows(1).await;
    assert_eq!(
        (rows[0].0.as_str(), rows[0].2.as_str()),
        ("broken", "error")
    );
}

async fn exchanges_are_stored_as_conversations_when_configured(backend: Backend) {
    let gw = gateway_with(backend, |s| s.compat.store_conversations = true).await;
    let (status, _) = gw.complete(&gw.key, ask("demo")).await;
    assert_eq!(status, 200);
    for _ in 0..50 {
        let (_, list) = gw
            .app
            .send(reqwest::Method::GET, "/api/conversations", &gw.token, None)
            .await;
        if let Some(first) = list["items"].as_array().and_then(|items| items.first()) {
            assert_eq!(first["agent_id"], "demo");
            assert_eq!(first["title"], "Hello there");
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("no conversation was stored");
}

/// The review's finding: a client's `max_tokens` overrode the agent's, so one request could
/// buy as much output as it liked.
async fn the_agents_max_tokens_caps_what_a_client_asks_for(backend: Backend) {
    let gw = gateway(backend).await;
    let asks = [
        json!({"max_tokens": 100000}),
        json!({"max_completion_tokens": 4096}),
        json!({"max_tokens": 20}),
        json!({}),
    ];
    for ask_for in &asks {
        let mut body = ask("gpt-capped");
        body.as_object_mut()
            .unwrap()
            .extend(ask_for.as_object().unwrap().clone());
        let (status, reply) = gw.complete(&gw.key, body).await;
        assert_eq!(status, 200, "{ask_for}: {reply}");
    }
    let upstream = gw.upstream_bodies("/chat/completions").await;
    let sent: Vec<&Value> = upstream.iter().map(|b| &b["max_tokens"]).collect();
    assert_eq!(sent, [&json!(100), &json!(100), &json!(20), &json!(100)]);

    // The Anthropic-shaped endpoint is capped the same way.
    let auth = format!("Bearer {}", gw.key);
    let (status, _, text) = gw
        .post_raw(
            "/v1/messages",
            &[
                ("authorization", &auth),
                ("anthropic-version", "2023-06-01"),
                ("content-type", "application/json"),
            ],
            json!({"model": "claude-capped", "max_tokens": 64000,
                   "messages": [{"role": "user", "content": "Hello there"}]})
            .to_string(),
        )
        .await;
    assert_eq!(status, 200, "{text}");
    let upstream = gw.upstream_bodies("/messages").await;
    assert_eq!(upstream.last().unwrap()["max_tokens"], 100, "{upstream:?}");
}

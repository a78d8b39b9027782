use serde_json::json;

use super::*;
use crate::llm::sse::SseEvent;
use crate::llm::sse::testing;
use crate::llm::{ChatEvent, ChatMessage, FinishReason, LlmError, Usage};

const KEY: &str = "sk-ant-api03-test-SECRET-0123456789";

fn endpoint<'a>(api_key: Option<&'a str>, headers: &'a [(String, String)]) -> Endpoint<'a> {
    Endpoint {
        base_url: "https://api.anthropic.com",
        api_key,
        headers,
        app_id: None,
    }
}

fn fixture(name: &str) -> Vec<u8> {
    testing::fixture("anthropic", name)
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// Feeds a recorded stream to the decoder one byte at a time (then `finish()`), and each event
/// to `parse_event`; stops at the first error, which it returns beside the events before it.
fn replay(name: &str) -> (Vec<ChatEvent>, Option<LlmError>) {
    let sse = testing::bytewise(&fixture(name));
    for event in &sse {
        let data: Value = serde_json::from_str(&event.data).unwrap();
        assert_eq!(event.event.as_deref(), data["type"].as_str(), "{name}");
    }
    replay_events(&sse)
}

fn replay_events(sse: &[SseEvent]) -> (Vec<ChatEvent>, Option<LlmError>) {
    testing::parse_all(sse, parse_event)
}

fn replay_ok(name: &str) -> Vec<ChatEvent> {
    let (events, error) = replay(name);
    assert_eq!(error, None, "{name}");
    let finishes = events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Finish(_)))
        .count();
    assert_eq!(finishes, 1, "{name}: exactly one Finish in {events:?}");
    events
}

/// Consecutive text (and reasoning) deltas joined, so expectations read like the answer.
fn collapse(events: &[ChatEvent]) -> Vec<ChatEvent> {
    let mut out: Vec<ChatEvent> = Vec::new();
    for event in events {
        match (out.last_mut(), event) {
            (Some(ChatEvent::Text(all)), ChatEvent::Text(more))
            | (Some(ChatEvent::Reasoning(all)), ChatEvent::Reasoning(more)) => all.push_str(more),
            _ => out.push(event.clone()),
        }
    }
    out
}

/// An event as the API sends it: named, with the name repeated as the JSON `type`.
fn named(data: Value) -> SseEvent {
    SseEvent {
        event: data["type"].as_str().map(str::to_string),
        data: data.to_string(),
        id: None,
    }
}

fn text(value: &str) -> ChatEvent {
    ChatEvent::Text(value.to_string())
}

fn usage(prompt_tokens: u64, completion_tokens: u64) -> ChatEvent {
    ChatEvent::Usage(Usage {
        prompt_tokens,
        completion_tokens,
    })
}

fn call(index: u32, id: Option<&str>, name: Option<&str>, arguments: &str) -> ChatEvent {
    ChatEvent::ToolCall {
        index,
        id: id.map(str::to_string),
        name: name.map(str::to_string),
        arguments_delta: arguments.to_string(),
    }
}

fn user(text: &str) -> ChatMessage {
    ChatMessage::text(MessageRole::User, text)
}

fn assistant(text: &str) -> ChatMessage {
    ChatMessage::text(MessageRole::Assistant, text)
}

#[test]
fn a_request_has_the_version_header_and_every_system_instruction_in_the_top_level_system() {
    let extra = [(
        "anthropic-beta".to_string(),
        "prompt-caching-2024-07-31".to_string(),
    )];
    let request = ChatRequest {
        model: "claude-sonnet-4-5".into(),
        system: Some("You are terse.".into()),
        messages: vec![
            user("Hi"),
            assistant("Hello."),
            ChatMessage::text(MessageRole::System, "Answer in French."),
            user("Why is the sky blue?"),
        ],
        temperature: Some(0.3),
        max_tokens: Some(1024),
        stream: true,
        ..ChatRequest::default()
    };
    let http = to_request(&endpoint(Some(KEY), &extra), &request);
    assert_eq!(http.method, HttpMethod::Post);
    assert_eq!(http.url, "https://api.anthropic.com/v1/messages");
    assert_eq!(
        http.headers,
        [
            (
                "anthropic-beta".to_string(),
                "prompt-caching-2024-07-31".to_string()
            ),
            ("x-api-key".to_string(), KEY.to_string()),
            ("anthropic-version".to_string(), "2023-06-01".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ]
    );
    assert_eq!(
        http.body,
        Some(json!({
            "model": "claude-sonnet-4-5",
            "max_tokens": 1024,
            "system": "You are terse.\n\nAnswer in French.",
            "messages": [
                { "role": "user", "content": "Hi" },
                { "role": "assistant", "content": "Hello." },
                { "role": "user", "content": "Why is the sky blue?" },
            ],
            "stream": true,
            "temperature": 0.3,
        }))
    );
}

#[test]
fn max_tokens_defaults_to_4096_and_a_temperature_of_zero_is_sent() {
    let request = ChatRequest {
        model: "claude-haiku-4-5".into(),
        messages: vec![user("Hi")],
        temperature: Some(0.0),
        ..ChatRequest::default()
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &request)
        .body
        .unwrap();
    assert_eq!(
        body,
        json!({
            "model": "claude-haiku-4-5",
            "max_tokens": 4096,
            "messages": [{ "role": "user", "content": "Hi" }],
            "stream": false,
            "temperature": 0.0,
        }),
        "no system key without a system prompt"
    );
    let unset = ChatRequest {
        temperature: None,
        ..request
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &unset).body.unwrap();
    assert!(body.get("temperature").is_none());
}

#[test]
fn messages_in_a_row_from_one_side_become_one_turn_and_the_first_turn_is_the_users() {
    let request = ChatRequest {
        model: "claude-sonnet-4-5".into(),
        messages: vec![
            assistant("Welcome! Ask me anything."),
            assistant("   "),
            user("First question"),
            ChatMessage::text(MessageRole::System, ""),
            user("and a second one"),
            assistant("Answer."),
            ChatMessage {
                role: MessageRole::User,
                content: vec![],
            },
            user("Thanks"),
        ],
        ..ChatRequest::default()
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &request)
        .body
        .unwrap();
    assert_eq!(
        body.get("system"),
        None,
        "an empty system message adds nothing"
    );
    assert_eq!(
        body["messages"],
        json!([
            { "role": "user", "content": "(start of conversation)" },
            { "role": "assistant", "content": "Welcome! Ask me anything." },
            {
                "role": "user",
                "content": [
                    { "type": "text", "text": "First question" },
                    { "type": "text", "text": "and a second one" },
                ],
            },
            { "role": "assistant", "content": "Answer." },
            { "role": "user", "content": "Thanks" },
        ])
    );
}

#[test]
fn images_become_base64_or_url_sources() {
    let request = ChatRequest {
        model: "claude-sonnet-4-5".into(),
        messages: vec![ChatMessage {
            role: MessageRole::User,
            content: vec![
                ContentPart::Image {
                    url: "data:image/png;base64,iVBORw0KGgo=".into(),
                    mime: None,
                },
                ContentPart::Image {
                    url: "data:;base64,/9j/4AAQ".into(),
                    mime: Some("image/jpeg".into()),
                },
                ContentPart::Image {
                    url: "https://upload.wikimedia.org/ant.jpg".into(),
                    mime: Some("image/jpeg".into()),
                },
                ContentPart::Image {
                    url: "data:image/svg+xml,%3Csvg%3E".into(),
                    mime: None,
                },
                ContentPart::Text("What are these?".into()),
            ],
        }],
        ..ChatRequest::default()
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &request)
        .body
        .unwrap();
    assert_eq!(
        body["messages"],
        json!([{
            "role": "user",
            "content": [
                {
                    "type": "image",
                    "source": { "type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo=" },
                },
                {
                    "type": "image",
                    "source": { "type": "base64", "media_type": "image/jpeg", "data": "/9j/4AAQ" },
                },
                {
                    "type": "image",
                    "source": { "type": "url", "url": "https://upload.wikimedia.org/ant.jpg" },
                },
                { "type": "text", "text": "What are these?" },
            ],
        }]),
        "a data URL that is not base64 is dropped"
    );
}

#[test]
fn a_base_url_ending_in_v1_gets_no_second_v1_and_no_key_means_no_key_header() {
    let gateway = Endpoint {
        base_url: "https://gateway.example.com/anthropic/v1/",
        ..endpoint(None, &[])
    };
    let http = to_request(&gateway, &ChatRequest::default());
    assert_eq!(
        http.url,
        "https://gateway.example.com/anthropic/v1/messages"
    );
    assert_eq!(
        http.headers,
        [
            ("anthropic-version".to_string(), "2023-06-01".to_string()),
            ("content-type".to_string(), "application/json".to_string()),
        ]
    );
}

#[test]
fn a_text_stream_gives_every_delta_then_usage_then_one_finish() {
    let events = replay_ok("stream_text.sse");
    assert_eq!(
        events,
        [
            text("Hello"),
            text("!"),
            text(" Comment ça va ?"),
            usage(25, 15),
            ChatEvent::Finish(FinishReason::Stop),
        ],
        "ping, block starts and stops give nothing"
    );
}

#[test]
fn thinking_is_reasoning_the_signature_is_dropped_and_cached_input_counts_as_prompt() {
    let events = replay_ok("stream_thinking.sse");
    assert_eq!(
        events.len(),
        5,
        "two thinking deltas, one text delta, usage, finish"
    );
    assert_eq!(
        collapse(&events),
        [
            ChatEvent::Reasoning(
                "I need to find the GCD of 1071 and 462 using the Euclidean algorithm.\n\n\
                 1071 = 2 × 462 + 147\n462 = 3 × 147 + 21\n147 = 7 × 21 + 0\n\n\
                 So GCD(1071, 462) = 21"
                    .into()
            ),
            text("The greatest common divisor of 1071 and 462 is **21**."),
            usage(40 + 2048, 178),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_tool_use_block_streams_its_input_in_pieces_under_the_block_index() {
    let events = replay_ok("stream_tool_use.sse");
    assert_eq!(
        events,
        [
            text("Okay"),
            text(","),
            text(" let's check the weather for San Francisco, CA:"),
            call(
                1,
                Some("toolu_01T1x1fJ34qAmk2tNTrN7Up6"),
                Some("get_weather"),
                ""
            ),
            call(1, None, None, "{\"location\":"),
            call(1, None, None, " \"San Fra"),
            call(1, None, None, "ncisco, CA\""),
            call(1, None, None, ", "),
            call(1, None, None, "\"unit\": \"fah"),
            call(1, None, None, "renheit\"}"),
            usage(472, 89),
            ChatEvent::Finish(FinishReason::ToolCalls),
        ],
        "the empty first input delta gives nothing"
    );
}

#[test]
fn an_overloaded_error_event_is_an_upstream_error_after_the_text_so_far() {
    let (events, error) = replay("stream_overloaded.sse");
    assert_eq!(events, [text("Once upon")]);
    assert_eq!(
        error,
        Some(LlmError::Upstream {
            status: None,
            code: Some("overloaded_error".into()),
            message: "Overloaded".into(),
            retry_after_s: None,
        })
    );
}

#[test]
fn a_server_tools_input_is_not_a_tool_call_for_us() {
    let (events, _) = replay_events(&[
        named(json!({
            "type": "content_block_start", "index": 0,
            "content_block": { "type": "server_tool_use", "id": "srvtoolu_01", "name": "web_search", "input": {} },
        })),
        named(json!({
            "type": "content_block_delta", "index": 0,
            "delta": { "type": "input_json_delta", "partial_json": "{\"query\": \"weather\"}" },
        })),
    ]);
    assert_eq!(events, []);
}

#[test]
fn stop_reasons_map_to_the_neutral_ones_and_message_stop_finishes_once() {
    for (wire, reason) in [
        ("stop_sequence", FinishReason::Stop),
        ("max_tokens", FinishReason::Length),
        ("model_context_window_exceeded", FinishReason::Length),
        ("refusal", FinishReason::ContentFilter),
        ("pause_turn", FinishReason::Other("pause_turn".into())),
    ] {
        let (events, error) = replay_events(&[
            named(
                json!({ "type": "message_delta", "delta": { "stop_reason": wire, "stop_sequence": null } }),
            ),
            named(json!({ "type": "message_stop" })),
            named(json!({ "type": "message_stop" })),
        ]);
        assert_eq!(error, None);
        assert_eq!(events, [ChatEvent::Finish(reason)], "{wire}");
    }
    let (events, _) = replay_events(&[named(json!({ "type": "message_stop" }))]);
    assert_eq!(
        events,
        [ChatEvent::Finish(FinishReason::Stop)],
        "no message_delta"
    );
}

#[test]
fn the_json_type_decides_even_when_the_event_name_is_missing() {
    let unnamed = SseEvent {
        data: json!({ "type": "content_block_delta", "index": 0, "delta": { "type": "text_delta", "text": "hi" } })
            .to_string(),
        ..SseEvent::default()
    };
    assert_eq!(
        parse_event(&mut StreamState::default(), &unnamed),
        Ok(vec![text("hi")])
    );
}

#[test]
fn invalid_json_in_an_event_is_a_protocol_error() {
    let broken = SseEvent {
        event: Some("content_block_delta".into()),
        data: "{\"type\": \"content_block_delta\", \"index\": 0, \"delta\": {".into(),
        id: None,
    };
    assert!(matches!(
        parse_event(&mut StreamState::default(), &broken),
        Err(LlmError::Protocol(_))
    ));
}

#[test]
fn a_whole_response_gives_the_events_the_stream_would() {
    assert_eq!(
        parse_response(&fixture_json("response_text.json")),
        Ok(vec![
            text("Hi! My name is Claude."),
            usage(2095, 503),
            ChatEvent::Finish(FinishReason::Stop),
        ])
    );
    assert_eq!(
        parse_response(&fixture_json("response_thinking_tool_use.json")),
        Ok(vec![
            ChatEvent::Reasoning(
                "The user wants the current weather in Paris; I should call get_weather.".into()
            ),
            text("I'll check the current weather in Paris for you."),
            call(
                3,
                Some("toolu_01A09q90qw90lq917835lq9"),
                Some("get_weather"),
                r#"{"location":"Paris, France","unit":"celsius"}"#
            ),
            usage(384 + 1024, 96),
            ChatEvent::Finish(FinishReason::ToolCalls),
        ]),
        "redacted thinking gives nothing"
    );
}

#[test]
fn a_whole_response_that_is_an_error_or_has_no_content_is_an_error() {
    assert_eq!(
        parse_response(&fixture_json("error_529.json")),
        Err(LlmError::Upstream {
            status: None,
            code: Some("overloaded_error".into()),
            message: "Overloaded".into(),
            retry_after_s: None,
        })
    );
    assert!(matches!(
        parse_response(&json!({ "type": "message" })),
        Err(LlmError::Protocol(_))
    ));
}

#[test]
fn error_bodies_give_the_apis_message_and_error_type() {
    for (status, file, code, message) in [
        (
            401,
            "error_401.json",
            "authentication_error",
            "invalid x-api-key",
        ),
        (529, "error_529.json", "overloaded_error", "Overloaded"),
        (
            400,
            "error_400.json",
            "invalid_request_error",
            "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row",
        ),
    ] {
        let error = parse_error(status, &fixture(file));
        assert_eq!(
            error,
            LlmError::Upstream {
                status: Some(status),
                code: Some(code.into()),
                message: message.into(),
                retry_after_s: None,
            },
            "{file}"
        );
        assert!(!error.to_string().contains(KEY));
    }
}

#[test]
fn a_body_that_is_not_json_becomes_the_message() {
    assert_eq!(
        parse_error(502, b"<html>Bad Gateway</html>").to_string(),
        "upstream error 502: <html>Bad Gateway</html>"
    );
}

#[test]
fn a_json_reply_tools_input_streams_as_the_reply_text_and_ends_as_a_stop() {
    let events = replay_ok("json_reply.sse");
    assert_eq!(
        collapse(&events),
        vec![
            text(r#"{"city": "Paris", "temperature_c": 18}"#),
            usage(388, 21),
            ChatEvent::Finish(FinishReason::Stop),
        ],
        "no tool call, and a stop rather than tool_calls"
    );
    assert_eq!(
        parse_response(&fixture_json("json_reply.json")),
        Ok(vec![
            text(r#"{"city":"Paris","temperature_c":18}"#),
            usage(388, 21),
            ChatEvent::Finish(FinishReason::Stop),
        ])
    );
}

#[test]
fn a_real_tool_call_beside_a_json_reply_still_ends_as_tool_calls() {
    let start = |index: u32, name: &str| {
        named(json!({"type": "content_block_start", "index": index,
                     "content_block": {"type": "tool_use", "id": format!("toolu_{index}"), "name": name, "input": {}}}))
    };
    let (events, error) = replay_events(&[
        start(0, JSON_REPLY_TOOL),
        start(1, "get_weather"),
        named(json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}})),
        named(json!({"type": "message_stop"})),
    ]);
    assert_eq!(error, None);
    assert_eq!(
        events,
        vec![
            call(1, Some("toolu_1"), Some("get_weather"), ""),
            ChatEvent::Finish(FinishReason::ToolCalls),
        ]
    );
}

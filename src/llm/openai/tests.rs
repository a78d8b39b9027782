use serde_json::json;

use super::*;
use crate::llm::sse::testing;

const KEY: &str = "sk-proj-test-SECRET-0123456789wxyz";

fn endpoint<'a>(api_key: Option<&'a str>, headers: &'a [(String, String)]) -> Endpoint<'a> {
    Endpoint {
        base_url: "https://api.openai.com/v1",
        api_key,
        headers,
        app_id: None,
    }
}

fn fixture(name: &str) -> Vec<u8> {
    testing::fixture("openai", name)
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_slice(&fixture(name)).unwrap()
}

/// Feeds a recorded stream to the decoder one byte at a time (then `finish()`), and each event
/// to `parse_event`; stops at the first error, which it returns beside the events before it.
fn replay(name: &str) -> (Vec<ChatEvent>, Option<LlmError>) {
    testing::parse_all(&testing::bytewise(&fixture(name)), parse_event)
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

fn data(text: &str) -> SseEvent {
    SseEvent {
        data: text.to_string(),
        ..SseEvent::default()
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

fn upstream(status: Option<u16>, code: &str, message: &str) -> LlmError {
    LlmError::Upstream {
        status,
        code: Some(code.to_string()),
        message: message.to_string(),
        retry_after_s: None,
    }
}

#[test]
fn a_streaming_request_puts_the_system_prompt_first_and_sends_plain_string_contents() {
    let extra = [("X-Team".to_string(), "research".to_string())];
    let request = ChatRequest {
        model: "gpt-4o-mini".into(),
        system: Some("You are terse.".into()),
        messages: vec![
            ChatMessage::text(MessageRole::User, "Hi"),
            ChatMessage::text(MessageRole::Assistant, "Hello."),
            ChatMessage::text(MessageRole::System, "Answer in French."),
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("Two".into()),
                    ContentPart::Text("lines".into()),
                ],
            },
        ],
        temperature: Some(0.7),
        max_tokens: Some(256),
        stream: true,
        ..ChatRequest::default()
    };
    let http = to_request(&endpoint(Some(KEY), &extra), &request);
    assert_eq!(http.method, HttpMethod::Post);
    assert_eq!(http.url, "https://api.openai.com/v1/chat/completions");
    assert_eq!(
        http.headers,
        [
            ("X-Team".to_string(), "research".to_string()),
            ("Authorization".to_string(), format!("Bearer {KEY}")),
            ("Content-Type".to_string(), "application/json".to_string()),
        ]
    );
    assert_eq!(
        http.body,
        Some(json!({
            "model": "gpt-4o-mini",
            "messages": [
                { "role": "system", "content": "You are terse." },
                { "role": "user", "content": "Hi" },
                { "role": "assistant", "content": "Hello." },
                { "role": "system", "content": "Answer in French." },
                { "role": "user", "content": "Two\nlines" },
            ],
            "stream": true,
            "stream_options": { "include_usage": true },
            "temperature": 0.7,
            "max_tokens": 256,
        }))
    );
}

#[test]
fn without_a_key_there_is_no_authorization_header_and_unset_options_are_left_out() {
    let local = Endpoint {
        base_url: "http://localhost:11434/v1/",
        ..endpoint(None, &[])
    };
    let request = ChatRequest {
        model: "llama3.2".into(),
        messages: vec![ChatMessage::text(MessageRole::User, "Hi")],
        ..ChatRequest::default()
    };
    let http = to_request(&local, &request);
    assert_eq!(http.url, "http://localhost:11434/v1/chat/completions");
    assert_eq!(
        http.headers,
        [("Content-Type".to_string(), "application/json".to_string())]
    );
    assert_eq!(
        http.body,
        Some(json!({
            "model": "llama3.2",
            "messages": [{ "role": "user", "content": "Hi" }],
            "stream": false,
        }))
    );
    let empty_key = to_request(&endpoint(Some(""), &[]), &request);
    assert!(
        !empty_key
            .headers
            .iter()
            .any(|(name, _)| name == "Authorization")
    );
}

#[test]
fn a_temperature_of_zero_is_sent() {
    let request = ChatRequest {
        model: "deepseek-chat".into(),
        temperature: Some(0.0),
        ..ChatRequest::default()
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &request)
        .body
        .unwrap();
    assert_eq!(body["temperature"], json!(0.0));
}

#[test]
fn a_user_message_with_images_uses_the_content_array_and_other_roles_keep_their_text() {
    let png = "data:image/png;base64,iVBORw0KGgo=";
    let request = ChatRequest {
        model: "gpt-4o".into(),
        messages: vec![
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("What is in these?".into()),
                    ContentPart::Image {
                        url: "https://example.com/boardwalk.jpg".into(),
                        mime: None,
                    },
                    ContentPart::Image {
                        url: png.into(),
                        mime: Some("image/png".into()),
                    },
                ],
            },
            ChatMessage {
                role: MessageRole::Assistant,
                content: vec![
                    ContentPart::Text("A boardwalk.".into()),
                    ContentPart::Image {
                        url: "https://example.com/echo.jpg".into(),
                        mime: None,
                    },
                ],
            },
        ],
        ..ChatRequest::default()
    };
    let body = to_request(&endpoint(Some(KEY), &[]), &request)
        .body
        .unwrap();
    assert_eq!(
        body["messages"],
        json!([
            {
                "role": "user",
                "content": [
                    { "type": "text", "text": "What is in these?" },
                    { "type": "image_url", "image_url": { "url": "https://example.com/boardwalk.jpg" } },
                    { "type": "image_url", "image_url": { "url": png } },
                ],
            },
            { "role": "assistant", "content": "A boardwalk." },
        ])
    );
}

#[test]
fn a_configured_header_cannot_replace_the_key() {
    let extra = [
        (
            "authorization".to_string(),
            "Bearer someone-else".to_string(),
        ),
        ("OpenAI-Organization".to_string(), "org-1".to_string()),
    ];
    let http = to_request(&endpoint(Some(KEY), &extra), &ChatRequest::default());
    assert_eq!(
        http.headers,
        [
            ("OpenAI-Organization".to_string(), "org-1".to_string()),
            ("Authorization".to_string(), format!("Bearer {KEY}")),
            ("Content-Type".to_string(), "application/json".to_string()),
        ]
    );
}

#[test]
fn a_text_stream_gives_every_delta_then_one_finish_then_the_usage() {
    let events = replay_ok("stream_text.sse");
    let mut expected: Vec<ChatEvent> = [
        "Hello", "!", " How", " can", " I", " help", " you", " today", "?",
    ]
    .into_iter()
    .map(text)
    .collect();
    expected.push(ChatEvent::Finish(FinishReason::Stop));
    expected.push(usage(19, 10));
    assert_eq!(events, expected, "the role-only first delta gives nothing");
}

#[test]
fn deepseek_reasoning_comes_before_the_answer_and_usage_on_the_finish_chunk_before_finish() {
    let events = replay_ok("stream_reasoning_deepseek.sse");
    let reasoning = events
        .iter()
        .filter(|e| matches!(e, ChatEvent::Reasoning(_)))
        .count();
    assert_eq!(
        reasoning, 4,
        "the empty first reasoning delta gives nothing"
    );
    assert_eq!(
        collapse(&events),
        [
            ChatEvent::Reasoning(
                "Compare 9.11 and 9.8：the integer parts are equal, so look at the tenths — 8 > 1."
                    .into()
            ),
            text("9.8 is greater than 9.11."),
            usage(18, 64),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn ollama_reasoning_field_is_reasoning_and_an_emoji_split_across_reads_survives() {
    let events = replay_ok("stream_reasoning_ollama.sse");
    assert_eq!(
        collapse(&events),
        [
            ChatEvent::Reasoning("The user greets me. Reply briefly.".into()),
            text("Hi there! 👋"),
            ChatEvent::Finish(FinishReason::Stop),
            usage(68, 21),
        ]
    );
}

#[test]
fn parallel_tool_calls_stream_their_arguments_by_index() {
    let events = replay_ok("stream_tool_calls.sse");
    let paris = Some("call_DdmO9pD3xa9XTPNJ32zg2hcA");
    let tokyo = Some("call_ABCDEFGHIJKLMNOPQRSTUVWX");
    let weather = Some("get_weather");
    assert_eq!(
        events,
        [
            call(0, paris, weather, ""),
            call(0, None, None, "{\"lo"),
            call(0, None, None, "cation"),
            call(0, None, None, "\": \"Pa"),
            call(0, None, None, "ris, France"),
            call(0, None, None, "\"}"),
            call(1, tokyo, weather, ""),
            call(1, None, None, "{\"lo"),
            call(1, None, None, "cation\": \"Tok"),
            call(1, None, None, "yo, Japan\"}"),
            ChatEvent::Finish(FinishReason::ToolCalls),
            usage(82, 51),
        ]
    );
}

#[test]
fn an_error_object_in_the_stream_is_an_upstream_error_after_the_text_so_far() {
    let (events, error) = replay("stream_error.sse");
    assert_eq!(events, [text("Once upon"), text(" a time")]);
    assert_eq!(
        error,
        Some(upstream(
            None,
            "server_error",
            "The server had an error while processing your request. Sorry about that!"
        ))
    );
}

#[test]
fn done_without_a_finish_reason_finishes_with_stop() {
    let events = replay_ok("stream_no_finish_reason.sse");
    assert_eq!(events, [text("ok"), ChatEvent::Finish(FinishReason::Stop)]);
}

#[test]
fn a_repeated_finish_reason_and_done_add_no_second_finish() {
    let mut state = StreamState::default();
    let length = r#"{"choices":[{"index":0,"delta":{},"finish_reason":"length"}]}"#;
    assert_eq!(
        parse_event(&mut state, &data(length)),
        Ok(vec![ChatEvent::Finish(FinishReason::Length)])
    );
    assert_eq!(parse_event(&mut state, &data(length)), Ok(vec![]));
    assert_eq!(parse_event(&mut state, &data("[DONE]")), Ok(vec![]));
}

#[test]
fn finish_reasons_map_to_the_neutral_ones() {
    for (wire, reason) in [
        ("content_filter", FinishReason::ContentFilter),
        ("function_call", FinishReason::ToolCalls),
        (
            "insufficient_system_resource",
            FinishReason::Other("insufficient_system_resource".into()),
        ),
    ] {
        let chunk = json!({ "choices": [{ "index": 0, "delta": {}, "finish_reason": wire }] });
        let events = parse_event(&mut StreamState::default(), &data(&chunk.to_string()));
        assert_eq!(events, Ok(vec![ChatEvent::Finish(reason)]), "{wire}");
    }
}

#[test]
fn usage_inside_the_choice_is_read_too() {
    let chunk = r#"{"choices":[{"index":0,"delta":{},"finish_reason":"stop","usage":{"prompt_tokens":19,"completion_tokens":13,"total_tokens":32}}]}"#;
    assert_eq!(
        parse_event(&mut StreamState::default(), &data(chunk)),
        Ok(vec![usage(19, 13), ChatEvent::Finish(FinishReason::Stop)])
    );
}

#[test]
fn invalid_json_in_a_chunk_is_a_protocol_error() {
    let result = parse_event(&mut StreamState::default(), &data("{\"choices\": [tru"));
    assert!(
        matches!(&result, Err(LlmError::Protocol(message)) if message.contains("{\"choices\": [tru")),
        "{result:?}"
    );
}

#[test]
fn an_event_named_error_is_an_upstream_error_even_without_json() {
    let event = SseEvent {
        event: Some("error".into()),
        data: r#"{"message":"engine overloaded","type":"ServiceUnavailableError","code":503}"#
            .into(),
        id: None,
    };
    assert_eq!(
        parse_event(&mut StreamState::default(), &event),
        Err(upstream(None, "503", "engine overloaded"))
    );
    let plain = SseEvent {
        event: Some("error".into()),
        data: "upstream timed out".into(),
        id: None,
    };
    assert!(matches!(
        parse_event(&mut StreamState::default(), &plain),
        Err(LlmError::Upstream { message, code: None, .. }) if message == "upstream timed out"
    ));
}

#[test]
fn a_whole_response_gives_the_events_the_stream_would() {
    assert_eq!(
        parse_response(&fixture_json("response_text.json")),
        Ok(vec![
            text("The image shows a wooden boardwalk extending through a lush green marshland."),
            ChatEvent::Finish(FinishReason::Stop),
            usage(1117, 46),
        ])
    );
    assert_eq!(
        parse_response(&fixture_json("response_tool_calls.json")),
        Ok(vec![
            call(
                0,
                Some("call_DdmO9pD3xa9XTPNJ32zg2hcA"),
                Some("get_weather"),
                "{\"location\": \"Paris, France\"}"
            ),
            call(
                1,
                Some("call_ABCDEFGHIJKLMNOPQRSTUVWX"),
                Some("get_weather"),
                "{\"location\": \"Tokyo, Japan\"}"
            ),
            ChatEvent::Finish(FinishReason::ToolCalls),
            usage(82, 51),
        ])
    );
    assert_eq!(
        parse_response(&fixture_json("response_reasoning_deepseek.json")),
        Ok(vec![
            ChatEvent::Reasoning(
                "Compare 9.11 and 9.8: the integer parts are equal, so look at the tenths — 8 > 1."
                    .into()
            ),
            text("9.8 is greater than 9.11."),
            ChatEvent::Finish(FinishReason::Length),
            usage(18, 64),
        ])
    );
}

#[test]
fn a_whole_response_that_is_an_error_or_has_no_choices_is_an_error() {
    assert_eq!(
        parse_response(&fixture_json("error_401.json")).map_err(|e| e.to_string()),
        Err(
            "upstream error: Incorrect API key provided: sk-proj-********************************************wxyz. You can find your API key at https://platform.openai.com/account/api-keys."
                .to_string()
        )
    );
    assert!(matches!(
        parse_response(&json!({ "choices": [] })),
        Err(LlmError::Protocol(_))
    ));
}

#[test]
fn error_bodies_give_the_providers_message_and_code() {
    let error = parse_error(401, &fixture("error_401.json"));
    assert!(matches!(
        &error,
        LlmError::Upstream { status: Some(401), code: Some(code), message, retry_after_s: None }
            if code == "invalid_api_key" && message.starts_with("Incorrect API key provided")
    ));
    // OpenAI echoes the key masked; the masked form shares the key's prefix and suffix only.
    assert!(!error.to_string().contains(KEY));

    let error = parse_error(429, &fixture("error_429.json"));
    assert!(matches!(
        &error,
        LlmError::Upstream { status: Some(429), code: Some(code), message, .. }
            if code == "rate_limit_exceeded" && message.starts_with("Rate limit reached for gpt-4o-mini")
    ));
}

#[test]
fn an_error_code_may_be_null_a_number_or_missing() {
    assert_eq!(
        parse_error(404, &fixture("error_404_ollama.json")),
        upstream(
            Some(404),
            "not_found_error",
            "model \"llama3.2\" not found, try pulling it first"
        )
    );
    let vllm = parse_error(400, &fixture("error_400_vllm.json"));
    assert!(matches!(
        &vllm,
        LlmError::Upstream { code: Some(code), message, .. }
            if code == "400" && message.starts_with("This model's maximum context length is 4096 tokens")
    ));
    assert_eq!(
        parse_error(404, br#"{"error":"model 'qwen3' not found"}"#),
        LlmError::Upstream {
            status: Some(404),
            code: None,
            message: "model 'qwen3' not found".into(),
            retry_after_s: None,
        }
    );
}

#[test]
fn a_body_that_is_not_json_becomes_the_message() {
    assert_eq!(
        parse_error(502, b"<html><body>502 Bad Gateway</body></html>\n").to_string(),
        "upstream error 502: <html><body>502 Bad Gateway</body></html>"
    );
    assert_eq!(
        parse_error(503, b"").to_string(),
        "upstream error 503: no error message"
    );
    let long = "x".repeat(1000);
    let LlmError::Upstream { message, .. } = parse_error(500, long.as_bytes()) else {
        panic!("not an upstream error");
    };
    assert_eq!(
        message.chars().count(),
        301,
        "300 characters and an ellipsis"
    );
}

#[test]
fn an_f32_is_sent_as_the_number_it_was_written_as() {
    assert_eq!(json_number(0.7), json!(0.7));
    assert_eq!(json_number(1.0), json!(1.0));
    assert_eq!(json_number(f32::NAN), Value::Null);
}

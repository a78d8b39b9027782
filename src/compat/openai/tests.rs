use bytes::BytesMut;
use serde_json::{Value, json};

use super::*;
use crate::compat::{Collected, Encoder};
use crate::llm::{ChatEvent, FinishReason, LlmError, Usage};

fn request(body: Value) -> Result<ChatRequest, ApiError> {
    serde_json::from_value::<ChatCompletionRequest>(body)
        .unwrap()
        .to_chat_request()
}

#[test]
fn roles_contents_tool_calls_and_tool_results_become_neutral_messages() {
    let request = request(json!({
        "model": "m",
        "messages": [
            {"role": "developer", "content": "Be brief."},
            {"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image_url", "image_url": {"url": "https://x/a.png"}},
                {"type": "input_audio", "input_audio": {}}
            ]},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "lookup", "arguments": "{\"q\":1}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": [{"type": "text", "text": "42"}]}
        ],
        "max_tokens": 10, "max_completion_tokens": 20, "temperature": 0.5,
        "tools": [{"type": "function", "function": {"name": "lookup", "parameters": {"type": "object"}}}],
        "tool_choice": {"type": "function", "function": {"name": "lookup"}},
        "response_format": {"type": "json_object"},
        "n": 1, "seed": 7
    }))
    .unwrap();
    assert_eq!(request.max_tokens, Some(20));
    assert_eq!(request.temperature, Some(0.5));
    assert_eq!(request.tool_choice, Some(ToolChoice::Tool("lookup".into())));
    assert_eq!(request.tools[0].parameters, json!({"type": "object"}));
    assert_eq!(
        request.response_format,
        Some(json!({"type": "json_object"}))
    );
    assert_eq!(
        request.messages,
        vec![
            ChatMessage::text(MessageRole::System, "Be brief."),
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("What is this?".into()),
                    ContentPart::Image {
                        url: "https://x/a.png".into(),
                        mime: None
                    },
                ],
            },
            ChatMessage {
                role: MessageRole::Assistant,
                content: vec![ContentPart::ToolCall {
                    id: "call_1".into(),
                    name: "lookup".into(),
                    arguments: "{\"q\":1}".into(),
                }],
            },
            ChatMessage {
                role: MessageRole::User,
                content: vec![ContentPart::ToolResult {
                    id: "call_1".into(),
                    content: "42".into(),
                    is_error: false,
                }],
            },
        ]
    );
}

#[test]
fn mistakes_are_explained() {
    let no_messages = request(json!({"model": "m", "messages": []})).unwrap_err();
    assert!(format!("{no_messages:?}").contains("must not be empty"));
    let tool_without_id =
        request(json!({"model": "m", "messages": [{"role": "tool", "content": "x"}]}));
    assert!(format!("{:?}", tool_without_id.unwrap_err()).contains("tool_call_id"));
    let bad_choice = request(
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
                                    "tool_choice": "sometimes"}),
    );
    assert!(format!("{:?}", bad_choice.unwrap_err()).contains("tool_choice"));
    let other_tool = request(
        json!({"model": "m", "messages": [{"role": "user", "content": "x"}],
                                    "tools": [{"type": "web_search"}]}),
    );
    assert!(format!("{:?}", other_tool.unwrap_err()).contains("web_search"));
}

/// The `data:` payloads an encoder wrote for `events`, then the end.
fn encode(events: Vec<ChatEvent>, include_usage: bool) -> Vec<String> {
    let mut encoder = stream_encoder("agent-1".into(), include_usage);
    let mut out = BytesMut::new();
    for event in events {
        encoder.event(event, &mut out);
    }
    let usage = Usage {
        prompt_tokens: 3,
        completion_tokens: 4,
    };
    encoder.end(usage, &mut out);
    let text = String::from_utf8(out.to_vec()).unwrap();
    assert!(text.ends_with("\n\n"));
    text.split("\n\n")
        .filter(|f| !f.is_empty())
        .map(|f| f.strip_prefix("data: ").unwrap().to_string())
        .collect()
}

fn json(frame: &str) -> Value {
    serde_json::from_str(frame).unwrap()
}

#[test]
fn a_text_stream_has_the_role_first_one_finish_the_usage_when_asked_and_done() {
    let frames = encode(
        vec![
            ChatEvent::Text("Hel".into()),
            ChatEvent::Text("lo".into()),
            ChatEvent::Usage(Usage::default()),
            ChatEvent::Finish(FinishReason::Length),
        ],
        true,
    );
    assert_eq!(frames.len(), 5, "{frames:?}");
    let first = json(&frames[0]);
    assert_eq!(first["object"], "chat.completion.chunk");
    assert_eq!(first["model"], "agent-1");
    assert_eq!(
        first["choices"][0]["delta"],
        json!({"role": "assistant", "content": "Hel"})
    );
    assert_eq!(first["choices"][0]["finish_reason"], Value::Null);
    assert_eq!(
        json(&frames[1])["choices"][0]["delta"],
        json!({"content": "lo"})
    );
    assert_eq!(json(&frames[2])["choices"][0]["finish_reason"], "length");
    let usage = json(&frames[3]);
    assert_eq!(usage["choices"], json!([]));
    assert_eq!(
        usage["usage"],
        json!({"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7})
    );
    assert_eq!(frames[4], "[DONE]");
    assert_eq!(first["id"], usage["id"]);
}

#[test]
fn tool_call_pieces_stream_under_their_ordinal_with_id_type_and_name_first() {
    let call = |index, id: Option<&str>, name: Option<&str>, args: &str| ChatEvent::ToolCall {
        index,
        id: id.map(Into::into),
        name: name.map(Into::into),
        arguments_delta: args.into(),
    };
    let frames = encode(
        vec![
            call(1, Some("toolu_1"), Some("lookup"), ""),
            call(1, None, None, "{\"q\":"),
            call(4, None, Some("other"), "{}"),
            ChatEvent::Finish(FinishReason::ToolCalls),
        ],
        false,
    );
    assert_eq!(frames.len(), 5, "no usage chunk unless asked: {frames:?}");
    assert_eq!(
        json(&frames[0])["choices"][0]["delta"]["tool_calls"],
        json!([{"index": 0, "id": "toolu_1", "type": "function",
                "function": {"name": "lookup", "arguments": ""}}])
    );
    assert_eq!(
        json(&frames[1])["choices"][0]["delta"]["tool_calls"],
        json!([{"index": 0, "function": {"arguments": "{\"q\":"}}])
    );
    let third = &json(&frames[2])["choices"][0]["delta"]["tool_calls"][0];
    assert_eq!(third["index"], 1);
    assert!(third["id"].as_str().unwrap().starts_with("call_"));
    assert_eq!(
        json(&frames[3])["choices"][0]["finish_reason"],
        "tool_calls"
    );
}

#[test]
fn a_stream_without_a_finish_gets_stop_and_an_error_is_an_error_chunk() {
    let frames = encode(vec![ChatEvent::Text("x".into())], false);
    assert_eq!(json(&frames[1])["choices"][0]["finish_reason"], "stop");
    let mut encoder = stream_encoder("a".into(), false);
    let mut out = BytesMut::new();
    encoder.error(&LlmError::Connect("reset".into()), &mut out);
    let text = String::from_utf8(out.to_vec()).unwrap();
    let error = json(text.trim().strip_prefix("data: ").unwrap());
    assert_eq!(error["error"]["type"], "api_error");
    assert!(
        error["error"]["message"]
            .as_str()
            .unwrap()
            .contains("reset")
    );
}

#[test]
fn a_whole_reply_with_tool_calls_has_null_content_and_the_reason() {
    let mut collected = Collected::default();
    collected.push(ChatEvent::Reasoning("hmm".into()));
    collected.push(ChatEvent::ToolCall {
        index: 0,
        id: None,
        name: Some("lookup".into()),
        arguments_delta: "{}".into(),
    });
    collected.push(ChatEvent::Finish(FinishReason::ToolCalls));
    let reply = serde_json::to_value(completion(collected, Usage::default(), "a".into())).unwrap();
    let message = &reply["choices"][0]["message"];
    assert_eq!(message["content"], Value::Null);
    assert_eq!(message["reasoning_content"], "hmm");
    assert_eq!(message["tool_calls"][0]["function"]["name"], "lookup");
    assert!(
        message["tool_calls"][0]["id"]
            .as_str()
            .unwrap()
            .starts_with("call_")
    );
    assert_eq!(reply["choices"][0]["finish_reason"], "tool_calls");
    assert_eq!(reply["object"], "chat.completion");
}

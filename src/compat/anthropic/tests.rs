use bytes::BytesMut;
use serde_json::{Value, json};

use super::*;
use crate::compat::{Collected, Encoder};
use crate::llm::{ChatEvent, FinishReason, LlmError, Usage};

fn request(body: Value) -> Result<ChatRequest, ApiError> {
    serde_json::from_value::<MessagesRequest>(body)
        .unwrap()
        .to_chat_request()
}

#[test]
fn system_blocks_tool_use_and_tool_results_become_neutral_messages() {
    let request = request(json!({
        "model": "m", "max_tokens": 100,
        "system": [{"type": "text", "text": "Be brief."}],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "What is this?"},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"}}
            ]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "hm", "signature": "s"},
                {"type": "tool_use", "id": "toolu_1", "name": "lookup", "input": {"q": 1}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "is_error": true,
                 "content": [{"type": "text", "text": "boom"}]}
            ]}
        ],
        "tools": [{"name": "lookup", "input_schema": {"type": "object"}}],
        "tool_choice": {"type": "any", "disable_parallel_tool_use": true},
        "metadata": {"user_id": "u"}
    }))
    .unwrap();
    assert_eq!(request.max_tokens, Some(100));
    assert_eq!(request.tool_choice, Some(ToolChoice::Required));
    assert_eq!(request.parallel_tool_calls, Some(false));
    assert_eq!(request.tools[0].parameters, json!({"type": "object"}));
    assert_eq!(
        request.messages,
        vec![
            ChatMessage::text(MessageRole::System, "Be brief."),
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("What is this?".into()),
                    ContentPart::Image {
                        url: "data:image/png;base64,AAAA".into(),
                        mime: Some("image/png".into())
                    },
                ],
            },
            ChatMessage {
                role: MessageRole::Assistant,
                content: vec![ContentPart::ToolCall {
                    id: "toolu_1".into(),
                    name: "lookup".into(),
                    arguments: "{\"q\":1}".into(),
                }],
            },
            ChatMessage {
                role: MessageRole::User,
                content: vec![ContentPart::ToolResult {
                    id: "toolu_1".into(),
                    content: "boom".into(),
                    is_error: true,
                }],
            },
        ]
    );
}

#[test]
fn server_tools_and_empty_conversations_are_refused() {
    let server = request(json!({"model": "m", "max_tokens": 1,
        "messages": [{"role": "user", "content": "x"}],
        "tools": [{"type": "web_search_20250305", "name": "web_search"}]}));
    assert!(format!("{:?}", server.unwrap_err()).contains("web_search_20250305"));
    let empty = request(json!({"model": "m", "max_tokens": 1, "messages": []}));
    assert!(format!("{:?}", empty.unwrap_err()).contains("at least one message"));
}

/// (event name, data) of everything the encoder wrote for `events` and the end.
fn encode(events: Vec<ChatEvent>) -> Vec<(String, Value)> {
    let mut encoder = stream_encoder("agent-1".into(), 9);
    let mut out = BytesMut::new();
    for event in events {
        encoder.event(event, &mut out);
    }
    let usage = Usage {
        prompt_tokens: 12,
        completion_tokens: 5,
    };
    encoder.end(usage, &mut out);
    parse(&out)
}

fn parse(out: &BytesMut) -> Vec<(String, Value)> {
    let text = String::from_utf8(out.to_vec()).unwrap();
    text.split("\n\n")
        .filter(|f| !f.is_empty())
        .map(|frame| {
            let (event, data) = frame.split_once('\n').unwrap();
            let event = event.strip_prefix("event: ").unwrap().to_string();
            let data: Value = serde_json::from_str(data.strip_prefix("data: ").unwrap()).unwrap();
            assert_eq!(data["type"], event.as_str());
            (event, data)
        })
        .collect()
}

#[test]
fn thinking_text_and_tool_calls_become_consecutive_blocks() {
    let call = |index, id: Option<&str>, name: Option<&str>, args: &str| ChatEvent::ToolCall {
        index,
        id: id.map(Into::into),
        name: name.map(Into::into),
        arguments_delta: args.into(),
    };
    let events = encode(vec![
        ChatEvent::Reasoning("hm".into()),
        ChatEvent::Text("Let me ".into()),
        ChatEvent::Text("look.".into()),
        call(0, Some("call_9"), Some("lookup"), ""),
        call(0, None, None, "{\"q\":"),
        call(0, None, None, "1}"),
        ChatEvent::Finish(FinishReason::ToolCalls),
    ]);
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "content_block_start",
            "content_block_delta",
            "content_block_delta",
            "content_block_stop",
            "message_delta",
            "message_stop"
        ]
    );
    let start = &events[0].1["message"];
    assert_eq!(start["model"], "agent-1");
    assert_eq!(start["usage"]["input_tokens"], 9);
    assert_eq!(start["content"], json!([]));
    assert_eq!(events[1].1["content_block"]["type"], "thinking");
    assert_eq!(
        events[5].1["delta"],
        json!({"type": "text_delta", "text": "Let me "})
    );
    assert_eq!(events[5].1["index"], 1);
    assert_eq!(
        events[8].1["content_block"],
        json!({"type": "tool_use", "id": "call_9", "name": "lookup", "input": {}})
    );
    assert_eq!(
        events[9].1["delta"],
        json!({"type": "input_json_delta", "partial_json": "{\"q\":"})
    );
    assert_eq!(events[10].1["index"], 2);
    assert_eq!(events[12].1["delta"]["stop_reason"], "tool_use");
    assert_eq!(
        events[12].1["usage"],
        json!({"input_tokens": 12, "output_tokens": 5})
    );
}

#[test]
fn an_empty_reply_still_has_a_text_block_and_an_error_is_an_error_event() {
    let events = encode(vec![ChatEvent::Finish(FinishReason::Length)]);
    assert_eq!(
        events[1].1["content_block"],
        json!({"type": "text", "text": ""})
    );
    assert_eq!(events[3].1["delta"]["stop_reason"], "max_tokens");
    let mut encoder = stream_encoder("a".into(), 0);
    let mut out = BytesMut::new();
    encoder.event(ChatEvent::Text("x".into()), &mut out);
    encoder.error(&LlmError::IdleTimeout(60), &mut out);
    let events = parse(&out);
    let (name, error) = events.last().unwrap();
    assert_eq!(name, "error");
    assert_eq!(error["error"]["type"], "api_error");
}

#[test]
fn a_whole_reply_lists_thinking_text_and_tool_use_with_parsed_input() {
    let mut collected = Collected::default();
    collected.push(ChatEvent::Reasoning("hm".into()));
    collected.push(ChatEvent::Text("Looking.".into()));
    collected.push(ChatEvent::ToolCall {
        index: 0,
        id: Some("call_1".into()),
        name: Some("lookup".into()),
        arguments_delta: "{\"q\":1}".into(),
    });
    let usage = Usage {
        prompt_tokens: 1,
        completion_tokens: 2,
    };
    let reply = serde_json::to_value(message(collected, usage, "agent-1".into())).unwrap();
    assert_eq!(reply["type"], "message");
    assert_eq!(reply["stop_reason"], "tool_use");
    assert_eq!(
        reply["content"],
        json!([
            {"type": "thinking", "thinking": "hm", "signature": ""},
            {"type": "text", "text": "Looking."},
            {"type": "tool_use", "id": "call_1", "name": "lookup", "input": {"q": 1}}
        ])
    );
    assert_eq!(
        reply["usage"],
        json!({"input_tokens": 1, "output_tokens": 2})
    );
}

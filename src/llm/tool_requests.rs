//! Tests: tool definitions, tool choices and the tool-call round trip (an assistant message
//! that called tools, then the results) in the OpenAI and Anthropic request bodies.

use serde_json::{Value, json};

use super::{
    ChatMessage, ChatRequest, ContentPart, Endpoint, MessageRole, ToolChoice, ToolSpec, anthropic,
    openai,
};

fn endpoint() -> Endpoint<'static> {
    Endpoint {
        base_url: "https://upstream.example/v1",
        api_key: Some("sk-test"),
        headers: &[],
        app_id: None,
    }
}

fn weather_tool() -> ToolSpec {
    ToolSpec {
        name: "get_weather".into(),
        description: Some("Current weather".into()),
        parameters: json!({"type": "object", "properties": {"location": {"type": "string"}}}),
        strict: Some(true),
    }
}

/// A user question, the assistant's text and two tool calls, both results, then more text.
fn round_trip() -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        messages: vec![
            ChatMessage::text(MessageRole::User, "Weather in Paris and Tokyo?"),
            ChatMessage {
                role: MessageRole::Assistant,
                content: vec![
                    ContentPart::Text("Checking.".into()),
                    ContentPart::ToolCall {
                        id: "call_1".into(),
                        name: "get_weather".into(),
                        arguments: r#"{"location":"Paris"}"#.into(),
                    },
                    ContentPart::ToolCall {
                        id: "call_2".into(),
                        name: "get_weather".into(),
                        arguments: String::new(),
                    },
                ],
            },
            ChatMessage {
                role: MessageRole::User,
                content: vec![ContentPart::ToolResult {
                    id: "call_1".into(),
                    content: "18 C".into(),
                    is_error: false,
                }],
            },
            ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("And be brief.".into()),
                    ContentPart::ToolResult {
                        id: "call_2".into(),
                        content: "no such city".into(),
                        is_error: true,
                    },
                ],
            },
        ],
        tools: vec![weather_tool()],
        tool_choice: Some(ToolChoice::Tool("get_weather".into())),
        parallel_tool_calls: Some(false),
        response_format: Some(json!({"type": "json_object"})),
        ..ChatRequest::default()
    }
}

fn openai_body(request: &ChatRequest) -> Value {
    openai::to_request(&endpoint(), request).body.unwrap()
}

fn anthropic_body(request: &ChatRequest) -> Value {
    anthropic::to_request(&endpoint(), request).body.unwrap()
}

#[test]
fn openai_gets_tools_choice_parallelism_and_response_format_as_given() {
    let body = openai_body(&round_trip());
    assert_eq!(
        body["tools"],
        json!([{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather", "strict": true,
            "parameters": {"type": "object", "properties": {"location": {"type": "string"}}}
        }}])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "function", "function": {"name": "get_weather"}})
    );
    assert_eq!(body["parallel_tool_calls"], false);
    assert_eq!(body["response_format"], json!({"type": "json_object"}));
}

#[test]
fn openai_carries_tool_calls_on_the_assistant_and_results_as_tool_messages() {
    let body = openai_body(&round_trip());
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Weather in Paris and Tokyo?"},
            {"role": "assistant", "content": "Checking.", "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "get_weather", "arguments": "{\"location\":\"Paris\"}"}},
                {"id": "call_2", "type": "function",
                 "function": {"name": "get_weather", "arguments": ""}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "18 C"},
            {"role": "tool", "tool_call_id": "call_2", "content": "no such city"},
            {"role": "user", "content": "And be brief."}
        ])
    );
}

#[test]
fn an_openai_assistant_turn_with_only_tool_calls_has_null_content() {
    let mut request = round_trip();
    request.messages[1].content.remove(0);
    let body = openai_body(&request);
    assert_eq!(body["messages"][1]["content"], Value::Null);
    assert_eq!(body["messages"][1]["tool_calls"][0]["id"], "call_1");
}

#[test]
fn openai_choices_are_the_protocol_words_and_nothing_is_sent_unasked() {
    for (choice, expected) in [
        (ToolChoice::Auto, json!("auto")),
        (ToolChoice::None, json!("none")),
        (ToolChoice::Required, json!("required")),
    ] {
        let request = ChatRequest {
            tool_choice: Some(choice),
            ..ChatRequest::default()
        };
        assert_eq!(openai_body(&request)["tool_choice"], expected);
    }
    let plain = openai_body(&ChatRequest::default());
    for field in [
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "response_format",
    ] {
        assert!(plain.get(field).is_none(), "{field} in {plain}");
    }
}

#[test]
fn anthropic_gets_tools_with_input_schema_and_a_choice_that_disables_parallel_use() {
    let body = anthropic_body(&round_trip());
    assert_eq!(
        body["tools"],
        json!([{"name": "get_weather", "description": "Current weather",
                "input_schema": {"type": "object", "properties": {"location": {"type": "string"}}}}])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": "get_weather", "disable_parallel_tool_use": true})
    );
    assert!(body.get("response_format").is_none());
}

#[test]
fn anthropic_carries_tool_use_blocks_and_results_first_in_the_next_user_turn() {
    let body = anthropic_body(&round_trip());
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Weather in Paris and Tokyo?"},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Checking."},
                {"type": "tool_use", "id": "call_1", "name": "get_weather",
                 "input": {"location": "Paris"}},
                {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {}}
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "call_1", "content": "18 C"},
                {"type": "tool_result", "tool_use_id": "call_2", "content": "no such city",
                 "is_error": true},
                {"type": "text", "text": "And be brief."}
            ]}
        ])
    );
}

#[test]
fn anthropic_choices_translate_and_a_tool_without_schema_gets_an_empty_object_schema() {
    for (choice, expected) in [
        (ToolChoice::Auto, json!({"type": "auto"})),
        (ToolChoice::None, json!({"type": "none"})),
        (ToolChoice::Required, json!({"type": "any"})),
    ] {
        let request = ChatRequest {
            tool_choice: Some(choice),
            ..ChatRequest::default()
        };
        assert_eq!(anthropic_body(&request)["tool_choice"], expected);
    }
    let bare = ChatRequest {
        tools: vec![ToolSpec {
            name: "now".into(),
            description: None,
            parameters: Value::Null,
            strict: None,
        }],
        parallel_tool_calls: Some(false),
        ..ChatRequest::default()
    };
    let body = anthropic_body(&bare);
    assert_eq!(
        body["tools"],
        json!([{"name": "now", "input_schema": {"type": "object", "properties": {}}}])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "auto", "disable_parallel_tool_use": true})
    );
}

fn asking_for(format: Value) -> ChatRequest {
    ChatRequest {
        model: "m".into(),
        system: Some("Be helpful.".into()),
        messages: vec![ChatMessage::text(MessageRole::User, "Weather in Paris?")],
        response_format: Some(format),
        ..ChatRequest::default()
    }
}

#[test]
fn anthropic_gets_an_object_schema_as_a_tool_it_must_call() {
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}},
                        "required": ["city"]});
    let body = anthropic_body(&asking_for(json!({
        "type": "json_schema",
        "json_schema": {"name": "weather", "description": "The weather report", "schema": schema, "strict": true},
    })));
    assert_eq!(
        body["tools"],
        json!([{"name": anthropic::JSON_REPLY_TOOL,
                "description": "Reply with JSON matching this schema: The weather report",
                "input_schema": schema}])
    );
    assert_eq!(
        body["tool_choice"],
        json!({"type": "tool", "name": anthropic::JSON_REPLY_TOOL})
    );
    assert_eq!(body["system"], "Be helpful.");
    assert!(body.get("response_format").is_none());
}

#[test]
fn anthropic_gets_json_object_other_schemas_and_schemas_beside_tools_as_an_instruction() {
    let body = anthropic_body(&asking_for(json!({"type": "json_object"})));
    assert_eq!(
        body["system"],
        "Be helpful.\n\nReply with a single valid JSON object and nothing else."
    );
    assert!(body.get("tools").is_none());

    let list = json!({"type": "array", "items": {"type": "string"}});
    let body = anthropic_body(&asking_for(
        json!({"type": "json_schema", "json_schema": {"name": "cities", "schema": list}}),
    ));
    let system = body["system"].as_str().unwrap();
    assert!(
        system.contains(r#"{"items":{"type":"string"},"type":"array"}"#),
        "{system}"
    );
    assert!(
        body.get("tools").is_none(),
        "only objects can be a tool's input"
    );

    let mut with_tools = asking_for(json!({"type": "json_schema", "json_schema": {
        "name": "weather", "schema": {"type": "object", "properties": {}}}}));
    with_tools.tools = vec![weather_tool()];
    let body = anthropic_body(&with_tools);
    assert_eq!(body["tools"][0]["name"], "get_weather");
    assert_eq!(
        body["tools"].as_array().unwrap().len(),
        1,
        "the caller's tools only"
    );
    assert!(body["system"].as_str().unwrap().contains("JSON Schema"));

    let body = anthropic_body(&asking_for(json!({"type": "text"})));
    assert_eq!(body["system"], "Be helpful.");
    assert!(body.get("tools").is_none());
}

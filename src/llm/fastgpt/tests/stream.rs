use super::*;

#[test]
fn a_workflow_stream_gives_progress_reasoning_text_citations_usage_then_one_finish() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/fastgpt/stream_workflow_dataset_reasoning.sse"
    ));
    assert_eq!(error, None);
    assert_eq!(
        events,
        [
            status("知识库搜索", NodeState::Running),
            status("AI 对话", NodeState::Running),
            ChatEvent::Reasoning("用户问导演，".into()),
            ChatEvent::Reasoning("引用里有答案。".into()),
            text("电影《铃芽之旅》"),
            text("的导演是新海诚。"),
            status("知识库搜索", NodeState::Done),
            status("AI 对话", NodeState::Done),
            ChatEvent::Citations(vec![
                Citation {
                    title: "data (81).csv".into(),
                    snippet: Some(
                        "电影《铃芽之旅》的导演是谁？\n电影《铃芽之旅》的导演是新海诚!".into()
                    ),
                    url: None,
                    score: Some(0.8935586214065552),
                },
                Citation {
                    title: "铃芽之旅 - 维基百科".into(),
                    snippet: Some(
                        "《铃芽之旅》于 2022 年 11 月 11 日在日本上映，由新海诚执导。".into()
                    ),
                    url: Some("https://zh.wikipedia.org/wiki/铃芽之旅".into()),
                    score: Some(0.9731),
                },
            ]),
            ChatEvent::Usage(Usage {
                prompt_tokens: 356,
                completion_tokens: 56
            }),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_user_select_node_asks_the_user_to_choose_by_option_text() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/fastgpt/stream_interactive_user_select.sse"
    ));
    assert_eq!(error, None);
    let choice = |text: &str| InteractiveOption {
        label: text.into(),
        value: text.into(),
    };
    assert_eq!(
        events,
        [
            status("指定回复", NodeState::Running),
            text("您的订单已发货。"),
            status("用户选择", NodeState::Running),
            ChatEvent::Interactive(Interactive {
                kind: InteractiveKind::Select,
                prompt: Some("确认要申请退款吗？".into()),
                options: vec![choice("确认退款"), choice("取消")],
                fields: vec![],
            }),
            status("指定回复", NodeState::Done),
            status("用户选择", NodeState::Done),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_form_input_node_asks_for_its_fields_with_select_options_only_where_there_are_some() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/fastgpt/stream_interactive_user_input.sse"
    ));
    assert_eq!(error, None);
    let field = |name: &str, label: &str, kind: &str, required: bool, options| InteractiveField {
        name: name.into(),
        label: label.into(),
        kind: kind.into(),
        required,
        options,
    };
    let option = |label: &str, value: &str| InteractiveOption {
        label: label.into(),
        value: value.into(),
    };
    assert_eq!(
        events,
        [
            status("表单输入", NodeState::Running),
            ChatEvent::Interactive(Interactive {
                kind: InteractiveKind::Form,
                prompt: Some("请填写退款信息".into()),
                options: vec![],
                fields: vec![
                    field("订单号", "订单号", "input", true, vec![]),
                    field("数量", "数量", "numberInput", false, vec![]),
                    field(
                        "原因",
                        "退款原因",
                        "select",
                        true,
                        vec![
                            option("质量问题", "quality"),
                            option("不想要了", "unwanted")
                        ],
                    ),
                ],
            }),
            status("表单输入", NodeState::Done),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_tool_run_by_fastgpt_shows_its_call_argument_deltas_and_result() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/fastgpt/stream_tool_call.sse"
    ));
    assert_eq!(error, None);
    let args = |delta: &str| ChatEvent::ToolCall {
        index: 0,
        id: None,
        name: None,
        arguments_delta: delta.into(),
    };
    assert_eq!(
        events,
        [
            status("工具调用", NodeState::Running),
            ChatEvent::ToolCall {
                index: 0,
                id: Some("call_k3YzQ0hD".into()),
                name: Some("天气查询".into()),
                arguments_delta: String::new(),
            },
            args("{\"city\":"),
            args("\"杭州\"}"),
            ChatEvent::ToolResult {
                id: "call_k3YzQ0hD".into(),
                result: "{\"temperature\":21,\"weather\":\"晴\"}".into(),
            },
            text("杭州今天晴，"),
            text("气温 21℃。"),
            status("工具调用", NodeState::Done),
            ChatEvent::Usage(Usage {
                prompt_tokens: 210,
                completion_tokens: 25
            }),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn an_error_event_ends_the_stream_with_the_upstream_message() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/fastgpt/stream_error.sse"
    ));
    assert_eq!(
        events,
        [status("AI 对话", NodeState::Running), text("让我想")]
    );
    assert_eq!(
        error,
        Some(LlmError::Upstream {
            status: None,
            code: None,
            message: "AI 积分不足，请充值后重试".into(),
            retry_after_s: None,
        })
    );
}

#[test]
fn every_stream_fixture_that_completes_has_exactly_one_finish_and_it_comes_last() {
    for bytes in [
        &include_bytes!("../../../../tests/fixtures/fastgpt/stream_workflow_dataset_reasoning.sse")
            [..],
        include_bytes!("../../../../tests/fixtures/fastgpt/stream_interactive_user_select.sse"),
        include_bytes!("../../../../tests/fixtures/fastgpt/stream_interactive_user_input.sse"),
        include_bytes!("../../../../tests/fixtures/fastgpt/stream_tool_call.sse"),
    ] {
        let (events, _) = replay(bytes);
        assert_eq!(finishes(&events), 1);
        assert!(matches!(events.last(), Some(ChatEvent::Finish(_))));
    }
}

#[test]
fn a_chunk_that_is_not_json_is_a_protocol_error() {
    let mut state = StreamState::default();
    let event = SseEvent {
        event: Some("answer".into()),
        data: "{\"choices\":[".into(),
        id: None,
    };
    assert!(matches!(
        parse_event(&mut state, &event),
        Err(LlmError::Protocol(_))
    ));
}

#[test]
fn a_length_finish_reason_is_kept_until_the_node_results_close_the_reply() {
    let mut state = StreamState::default();
    let answer = |data: &str| SseEvent {
        event: Some("answer".into()),
        data: data.into(),
        id: None,
    };
    let chunk = r#"{"choices":[{"delta":{"role":"assistant","content":null},"index":0,"finish_reason":"length"}]}"#;
    assert_eq!(parse_event(&mut state, &answer(chunk)).ok(), Some(vec![]));
    assert_eq!(
        parse_event(&mut state, &answer("[DONE]")).ok(),
        Some(vec![])
    );
    let results = SseEvent {
        event: Some("flowResponses".into()),
        data: "[]".into(),
        id: None,
    };
    assert_eq!(
        parse_event(&mut state, &results).ok(),
        Some(vec![ChatEvent::Finish(FinishReason::Length)])
    );
    assert_eq!(
        parse_event(&mut state, &results).ok(),
        Some(vec![]),
        "nothing after the finish"
    );
}

#[test]
fn a_quote_listed_by_two_nodes_is_cited_once() {
    let quote = json!({ "id": "q1", "q": "问", "a": "答", "sourceName": "faq.md", "score": 0.5 });
    let nodes = [
        json!({ "moduleName": "知识库搜索", "quoteList": [quote] }),
        json!({ "moduleName": "AI 对话", "quoteList": [quote] }),
    ];
    let citations: Vec<_> = nodes::node_results(&nodes)
        .into_iter()
        .filter(|e| matches!(e, ChatEvent::Citations(_)))
        .collect();
    assert_eq!(
        citations,
        [ChatEvent::Citations(vec![Citation {
            title: "faq.md".into(),
            snippet: Some("问\n答".into()),
            url: None,
            score: Some(0.5),
        }])]
    );
}

#[test]
fn a_detail_response_gives_the_answer_node_results_and_a_failed_node_with_its_error() {
    let body = fixture_json(include_bytes!(
        "../../../../tests/fixtures/fastgpt/response_detail.json"
    ));
    assert_eq!(
        parse_response(&body),
        Ok(vec![
            text("电影《铃芽之旅》的导演是新海诚。"),
            status("知识库搜索", NodeState::Done),
            status("AI 对话", NodeState::Done),
            ChatEvent::Status {
                node: "HTTP 请求".into(),
                state: NodeState::Failed,
                detail: Some("connect ETIMEDOUT 10.0.0.7:443".into()),
            },
            ChatEvent::Citations(vec![Citation {
                title: "铃芽之旅问答.csv".into(),
                snippet: Some(
                    "电影《铃芽之旅》的导演是谁？\n电影《铃芽之旅》的导演是新海诚。".into()
                ),
                url: None,
                score: Some(0.8935586214065552),
            }]),
            // From the nodes: the top-level `usage` is FastGPT's placeholder of 1 token.
            ChatEvent::Usage(Usage {
                prompt_tokens: 10,
                completion_tokens: 54
            }),
            ChatEvent::Finish(FinishReason::Stop),
        ])
    );
}

#[test]
fn a_response_with_answer_parts_gives_them_in_order() {
    let body = fixture_json(include_bytes!(
        "../../../../tests/fixtures/fastgpt/response_parts_interactive.json"
    ));
    let choice = |text: &str| InteractiveOption {
        label: text.into(),
        value: text.into(),
    };
    assert_eq!(
        parse_response(&body),
        Ok(vec![
            ChatEvent::Reasoning("需要先确认。".into()),
            text("您的订单已发货。"),
            ChatEvent::ToolCall {
                index: 0,
                id: Some("call_k3YzQ0hD".into()),
                name: Some("订单查询".into()),
                arguments_delta: "{\"id\":\"A1\"}".into(),
            },
            ChatEvent::ToolResult {
                id: "call_k3YzQ0hD".into(),
                result: "{\"status\":\"shipped\"}".into(),
            },
            ChatEvent::Interactive(Interactive {
                kind: InteractiveKind::Select,
                prompt: Some("确认要申请退款吗？".into()),
                options: vec![choice("确认退款"), choice("取消")],
                fields: vec![],
            }),
            status("用户选择", NodeState::Done),
            ChatEvent::Finish(FinishReason::Stop),
        ])
    );
}

#[test]
fn an_error_body_names_the_error_by_its_status_text() {
    let body = include_bytes!("../../../../tests/fixtures/fastgpt/error_body.json");
    assert_eq!(
        parse_error(500, body),
        LlmError::Upstream {
            status: Some(500),
            code: Some("unAuthApiKey".into()),
            message: "Api Key 不合法".into(),
            retry_after_s: None,
        }
    );
    assert_eq!(
        parse_error(502, b"<html>Bad Gateway</html>"),
        LlmError::Upstream {
            status: Some(502),
            code: None,
            message: "<html>Bad Gateway</html>".into(),
            retry_after_s: None,
        }
    );
}

use super::*;

#[test]
fn a_chat_stream_gives_the_ids_once_text_citations_usage_and_one_finish() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/dify/stream_chat.sse"
    ));
    assert_eq!(error, None);
    assert_eq!(
        events,
        [
            ids(),
            text(" I"),
            text("'m"),
            text(" glad — café?"),
            ChatEvent::Citations(vec![specs_citation(), battery_citation()]),
            usage(),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_chatflow_stream_shows_each_node_running_then_done_or_failed() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/dify/stream_advanced_chat.sse"
    ));
    assert_eq!(error, None);
    let running = |node: &str| status(node, NodeState::Running, None);
    let done = |node: &str| status(node, NodeState::Done, None);
    assert_eq!(
        events,
        [
            ids(),
            running("Start"),
            done("Start"),
            running("Knowledge Retrieval"),
            done("Knowledge Retrieval"),
            running("Stock API"),
            status(
                "Stock API",
                NodeState::Failed,
                Some("Reached maximum retries (0) for URL https://stock.example.com/api"),
            ),
            running("LLM"),
            text("The battery"),
            text(" is 4352 mAh."),
            done("LLM"),
            running("Answer"),
            done("Answer"),
            ChatEvent::Citations(vec![battery_citation()]),
            usage(),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn a_moderated_answer_is_replaced_before_the_finish() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/dify/stream_message_replace.sse"
    ));
    assert_eq!(error, None);
    assert_eq!(
        events,
        [
            ids(),
            text("Here is how to pick"),
            text(" a lock:"),
            ChatEvent::Replace("Sorry, I can't help with that.".into()),
            usage(),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn an_error_event_ends_the_stream_with_dify_s_status_code_and_message() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/dify/stream_error.sse"
    ));
    assert_eq!(events, [ids(), text("Working on")]);
    assert_eq!(
        error,
        Some(LlmError::Upstream {
            status: Some(400),
            code: Some("completion_request_error".into()),
            message: "[openai] Rate Limit Error, Error code: 429 - Rate limit reached for gpt-4o"
                .into(),
            retry_after_s: None,
        })
    );
}

#[test]
fn an_agent_shows_each_tool_once_running_and_once_done_without_repeating_its_thoughts() {
    let (events, error) = replay(include_bytes!(
        "../../../../tests/fixtures/dify/stream_agent.sse"
    ));
    assert_eq!(error, None);
    let input = Some("{\"dalle3\": {\"prompt\": \"a cute cat\"}}");
    assert_eq!(
        events,
        [
            ids(),
            text("Let me draw that."),
            status("dalle3", NodeState::Running, input),
            status(
                "file",
                NodeState::Done,
                Some(
                    "https://upload.dify.ai/files/tools/bf6a7ddb.png?timestamp=1705398421&nonce=9c1e&sign=Zm9v"
                ),
            ),
            status("dalle3", NodeState::Done, input),
            text(" Here is your cat."),
            usage(),
            ChatEvent::Finish(FinishReason::Stop),
        ]
    );
}

#[test]
fn ids_that_arrive_on_later_events_are_passed_on_when_they_first_appear() {
    let mut state = StreamState::default();
    let event = |data: Value| SseEvent {
        event: None,
        data: data.to_string(),
        id: None,
    };
    let started = event(json!({ "event": "workflow_started", "task_id": TASK, "data": {} }));
    assert_eq!(
        parse_event(&mut state, &started).ok(),
        Some(vec![ChatEvent::Upstream(UpstreamIds {
            task_id: Some(TASK.into()),
            ..UpstreamIds::default()
        })])
    );
    let message = event(json!({
        "event": "message", "task_id": TASK, "message_id": MESSAGE,
        "conversation_id": CONVERSATION, "answer": "Hi"
    }));
    assert_eq!(
        parse_event(&mut state, &message).ok(),
        Some(vec![ids(), text("Hi")])
    );
    assert_eq!(
        parse_event(&mut state, &message).ok(),
        Some(vec![text("Hi")])
    );
}

#[test]
fn a_chunk_that_is_not_json_is_a_protocol_error() {
    let mut state = StreamState::default();
    let event = SseEvent {
        event: None,
        data: "{\"event\": \"message\", ".into(),
        id: None,
    };
    assert!(matches!(
        parse_event(&mut state, &event),
        Err(LlmError::Protocol(_))
    ));
}

#[test]
fn a_blocking_reply_gives_the_same_events_as_a_stream() {
    let body = fixture_json(include_bytes!(
        "../../../../tests/fixtures/dify/response_blocking.json"
    ));
    assert_eq!(
        parse_response(&body),
        Ok(vec![
            ChatEvent::Upstream(UpstreamIds {
                chat_id: None,
                conversation_id: Some(CONVERSATION.into()),
                task_id: Some("c3800678-a077-43df-a102-53f23ed20b88".into()),
                message_id: Some("9da23599-e713-473b-982c-4328d4f5c78a".into()),
            }),
            text("iPhone 13 Pro Max specs are listed here:..."),
            ChatEvent::Citations(vec![specs_citation()]),
            ChatEvent::Usage(Usage {
                prompt_tokens: 1033,
                completion_tokens: 128
            }),
            ChatEvent::Finish(FinishReason::Stop),
        ])
    );
}

#[test]
fn an_error_body_keeps_dify_s_code_and_message() {
    let body = include_bytes!("../../../../tests/fixtures/dify/error_404.json");
    assert_eq!(
        parse_error(404, body),
        LlmError::Upstream {
            status: Some(404),
            code: Some("not_found".into()),
            message: "Conversation Not Exists.".into(),
            retry_after_s: None,
        }
    );
    assert_eq!(
        parse_error(502, b""),
        LlmError::Upstream {
            status: Some(502),
            code: None,
            message: "no error message".into(),
            retry_after_s: None,
        }
    );
}

#[test]
fn every_stream_fixture_that_completes_has_exactly_one_finish_and_it_comes_last() {
    for bytes in [
        &include_bytes!("../../../../tests/fixtures/dify/stream_chat.sse")[..],
        include_bytes!("../../../../tests/fixtures/dify/stream_advanced_chat.sse"),
        include_bytes!("../../../../tests/fixtures/dify/stream_message_replace.sse"),
        include_bytes!("../../../../tests/fixtures/dify/stream_agent.sse"),
    ] {
        let (events, error) = replay(bytes);
        assert_eq!(error, None);
        let finishes = events
            .iter()
            .filter(|e| matches!(e, ChatEvent::Finish(_)))
            .count();
        assert_eq!(finishes, 1);
        assert!(matches!(events.last(), Some(ChatEvent::Finish(_))));
    }
}

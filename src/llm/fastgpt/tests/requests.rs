use super::*;

#[test]
fn a_stateless_request_carries_the_whole_history_with_the_system_prompt() {
    let request = to_request(&endpoint(), &conversation());
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(
        request.url,
        "https://fastgpt.example.com/api/v1/chat/completions"
    );
    assert_eq!(request.headers, auth_headers(true));
    assert_eq!(
        request.body,
        Some(json!({
            "stream": true,
            "detail": true,
            "variables": { "uid": "u-42", "name": "张三" },
            "messages": [
                { "role": "system", "content": "你是售后助手" },
                { "role": "user", "content": "你好" },
                { "role": "assistant", "content": "你好！有什么可以帮你？" },
                { "role": "user", "content": [
                    { "type": "text", "text": "这张发票能报销吗" },
                    { "type": "image_url", "image_url": { "url": "https://img.example.com/invoice.png" } }
                ] }
            ]
        }))
    );
}

#[test]
fn with_a_chat_id_only_the_new_user_message_is_sent_and_the_reply_id_is_chosen() {
    let mut conversation = conversation();
    conversation.stream = false;
    conversation.messages.truncate(2);
    conversation
        .messages
        .push(ChatMessage::text(MessageRole::User, "导演是谁"));
    conversation.upstream = UpstreamIds {
        chat_id: Some("conv-7f3a".into()),
        message_id: Some("reply-0192".into()),
        ..UpstreamIds::default()
    };
    let request = to_request(&endpoint(), &conversation);
    assert_eq!(
        request.body,
        Some(json!({
            "chatId": "conv-7f3a",
            "stream": false,
            "detail": true,
            "variables": { "uid": "u-42", "name": "张三" },
            "responseChatItemId": "reply-0192",
            "messages": [{ "role": "user", "content": "导演是谁" }]
        }))
    );
}

#[test]
fn init_asks_for_the_app_and_chat_and_gives_welcome_quick_questions_and_variables() {
    let request = init_request(&endpoint(), Some("conv 7f3a"));
    assert_eq!(request.method, HttpMethod::Get);
    assert_eq!(
        request.url,
        "https://fastgpt.example.com/api/core/chat/init?appId=66e29b870b24ce35330c0f08&chatId=conv+7f3a"
    );
    assert_eq!(request.headers, auth_headers(false));
    assert_eq!(request.body, None);

    let body = fixture_json(include_bytes!(
        "../../../../tests/fixtures/fastgpt/init.json"
    ));
    let option = |label: &str, value: &str| InteractiveOption {
        label: label.into(),
        value: value.into(),
    };
    assert_eq!(
        parse_init(&body),
        Ok(AppInit {
            welcome: Some(
                "你好，我可以帮你查询订单和售后政策。\n详见 [帮助中心](https://example.com/help)。"
                    .into()
            ),
            suggested_questions: vec!["如何申请售后？".into(), "产品支持哪些使用场景？".into()],
            variables: vec![
                InteractiveField {
                    name: "name".into(),
                    label: "你的称呼".into(),
                    kind: "input".into(),
                    required: true,
                    options: vec![],
                },
                InteractiveField {
                    name: "plan".into(),
                    label: "套餐".into(),
                    kind: "select".into(),
                    required: false,
                    options: vec![option("基础版", "basic"), option("专业版", "pro")],
                },
                InteractiveField {
                    name: "lang".into(),
                    label: "语言".into(),
                    kind: "select".into(),
                    required: false,
                    options: vec![option("中文", "中文"), option("English", "English")],
                },
            ],
        })
    );
}

#[test]
fn an_init_reply_without_data_is_the_upstream_error_it_carries() {
    let body = json!({ "code": 500, "statusText": "", "message": "应用不存在", "data": null });
    assert!(matches!(
        parse_init(&body),
        Err(LlmError::Upstream { message, .. }) if message == "应用不存在"
    ));
}

#[test]
fn feedback_sets_a_like_a_dislike_or_clears_both() {
    let request = feedback_request(&endpoint(), "conv-7f3a", "reply-0192", Some(true));
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(
        request.url,
        "https://fastgpt.example.com/api/core/chat/feedback/updateUserFeedback"
    );
    assert_eq!(request.headers, auth_headers(true));
    let base = json!({
        "appId": "66e29b870b24ce35330c0f08",
        "chatId": "conv-7f3a",
        "dataId": "reply-0192",
    });
    let with = |field: &str| {
        let mut body = base.clone();
        if let Some(body) = body.as_object_mut() {
            body.insert(field.into(), "yes".into());
        }
        body
    };
    assert_eq!(request.body, Some(with("userGoodFeedback")));
    let bad = feedback_request(&endpoint(), "conv-7f3a", "reply-0192", Some(false));
    assert_eq!(bad.body, Some(with("userBadFeedback")));
    let cleared = feedback_request(&endpoint(), "conv-7f3a", "reply-0192", None);
    assert_eq!(cleared.body, Some(base));
}

use super::*;

#[test]
fn a_first_turn_sends_the_last_user_message_with_an_empty_conversation_id() {
    let request = to_request(&endpoint(), &conversation());
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(request.url, "https://api.dify.ai/v1/chat-messages");
    assert_eq!(request.headers, auth_headers(true));
    assert_eq!(
        request.body,
        Some(json!({
            "query": "What phone is this?",
            "inputs": { "name": "dify" },
            "response_mode": "streaming",
            "conversation_id": "",
            "user": "user-0192",
            // The data: URL cannot be fetched by Dify, so only the https image goes.
            "files": [{
                "type": "image",
                "transfer_method": "remote_url",
                "url": "https://cloud.dify.ai/logo/logo-site.png"
            }]
        }))
    );
}

#[test]
fn a_later_turn_continues_dify_s_conversation_and_a_missing_user_falls_back() {
    let mut request = conversation();
    request
        .messages
        .push(ChatMessage::text(MessageRole::Assistant, "An iPhone."));
    request
        .messages
        .push(ChatMessage::text(MessageRole::User, "Battery?"));
    request.stream = false;
    request.user = None;
    request.variables.clear();
    request.upstream.conversation_id = Some(CONVERSATION.into());
    assert_eq!(
        to_request(&endpoint(), &request).body,
        Some(json!({
            "query": "Battery?",
            "inputs": {},
            "response_mode": "blocking",
            "conversation_id": CONVERSATION,
            "user": "llmchat",
        }))
    );
}

#[test]
fn parameters_give_the_opening_statement_suggestions_and_input_form() {
    let request = parameters_request(&endpoint());
    assert_eq!(request.method, HttpMethod::Get);
    assert_eq!(request.url, "https://api.dify.ai/v1/parameters");
    assert_eq!(request.headers, auth_headers(false));
    assert_eq!(request.body, None);

    let body = fixture_json(include_bytes!(
        "../../../../tests/fixtures/dify/parameters.json"
    ));
    let field =
        |name: &str, label: &str, kind: &str, required: bool, options: &[&str]| InteractiveField {
            name: name.into(),
            label: label.into(),
            kind: kind.into(),
            required,
            options: options
                .iter()
                .map(|o| InteractiveOption {
                    label: (*o).into(),
                    value: (*o).into(),
                })
                .collect(),
        };
    assert_eq!(
        parse_parameters(&body),
        Ok(AppInit {
            welcome: Some("Hello! I can answer questions about iPhones.".into()),
            suggested_questions: vec![
                "What are the specs of the iPhone 13 Pro Max?".into(),
                "How long does the battery last?".into(),
            ],
            variables: vec![
                field("name", "Your name", "text-input", true, &[]),
                field("background", "Background", "paragraph", false, &[]),
                field(
                    "model",
                    "Model",
                    "select",
                    true,
                    &["iPhone 13", "iPhone 13 Pro Max"]
                ),
                field("budget", "Budget", "number", false, &[]),
            ],
        })
    );
}

#[test]
fn stop_names_the_task_and_the_user_it_ran_for() {
    let request = stop_request(&endpoint(), TASK, "user-0192");
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(
        request.url,
        format!("https://api.dify.ai/v1/chat-messages/{TASK}/stop")
    );
    assert_eq!(request.headers, auth_headers(true));
    assert_eq!(request.body, Some(json!({ "user": "user-0192" })));
    let odd = stop_request(&endpoint(), "a/b?c", DEFAULT_USER);
    assert_eq!(
        odd.url,
        "https://api.dify.ai/v1/chat-messages/a%2Fb%3Fc/stop"
    );
}

#[test]
fn feedback_rates_like_dislike_or_withdraws_the_rating() {
    let request = feedback_request(&endpoint(), MESSAGE, Some(true), "user-0192");
    assert_eq!(request.method, HttpMethod::Post);
    assert_eq!(
        request.url,
        format!("https://api.dify.ai/v1/messages/{MESSAGE}/feedbacks")
    );
    assert_eq!(request.headers, auth_headers(true));
    assert_eq!(
        request.body,
        Some(json!({ "rating": "like", "user": "user-0192" }))
    );
    let disliked = feedback_request(&endpoint(), MESSAGE, Some(false), "user-0192");
    assert_eq!(
        disliked.body,
        Some(json!({ "rating": "dislike", "user": "user-0192" }))
    );
    let withdrawn = feedback_request(&endpoint(), MESSAGE, None, "user-0192");
    assert_eq!(
        withdrawn.body,
        Some(json!({ "rating": null, "user": "user-0192" }))
    );
}

//! Turns with apps and limits: FastGPT and Dify keep their upstream conversation and get
//! feedback and interactive answers, failures are saved as failed, agent limits and quotas
//! answer 429, titles can come from the agent.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{FAST_DEMO, chat_app};
use crate::helpers::{Backend, Mock};
use crate::on_both_databases;

on_both_databases!(
    apps_keep_their_upstream_conversation_and_get_feedback,
    an_upstream_failure_is_an_error_event_and_a_failed_message,
);

async fn apps_keep_their_upstream_conversation_and_get_feedback(backend: Backend) {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: app, name: App, provider: {{type: dify, base_url: \"{}\", api_key: app-key}}}}\n  - {{id: flow, name: Flow, provider: {{type: fastgpt, base_url: \"{}\", api_key: fg-key}}}}\n",
        mock.url("chunks=2,tag=state", "dify/v1"),
        mock.url("chunks=2,tag=state", "fastgpt/api"),
    );
    let chat = chat_app(backend, &agents, |_| {}).await;
    let dify = chat.conversation("app").await;
    chat.say(
        &dify,
        json!({"content": "first", "variables": {"lang": "zh"}}),
    )
    .await
    .all()
    .await;
    let second = chat
        .say(&dify, json!({"content": "second"}))
        .await
        .all()
        .await;
    let answer = second[0].data["message_id"].as_str().unwrap().to_string();
    let requests = mock.requests().await;
    let chats: Vec<&Value> = requests
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["path"] == "/dify/v1/chat-messages")
        .collect();
    assert_eq!(
        chats[0]["body"]["conversation_id"], "",
        "Dify chooses it on the first turn"
    );
    assert_eq!(
        chats[1]["body"]["conversation_id"],
        "6b2b2c5e-0000-4000-8000-00000000c0de"
    );
    assert_eq!(chats[1]["body"]["query"], "second");
    assert_eq!(
        chats[1]["body"]["inputs"],
        json!({"lang": "zh"}),
        "variables kept for the conversation"
    );

    let rated = chat
        .post(
            &format!("/api/messages/{answer}/feedback"),
            json!({"rating": "up", "comment": "nice"}),
        )
        .await;
    assert_eq!(rated.status(), 200);
    let rated: Value = rated.json().await.unwrap();
    assert_eq!(rated["forwarded"], true);
    let requests = mock.requests().await;
    let feedback = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("/feedbacks"))
        .expect("feedback forwarded to Dify");
    assert_eq!(
        feedback["path"],
        "/dify/v1/messages/6b2b2c5e-0000-4000-8000-0000000000a1/feedbacks"
    );
    assert_eq!(feedback["body"]["rating"], "like");
    let list = chat.messages(&dify, false).await;
    assert_eq!(list["items"][3]["feedback"], "up");
    assert_eq!(list["items"][3]["feedback_comment"], "nice");
    let bad = chat
        .post(
            &format!("/api/messages/{answer}/feedback"),
            json!({"rating": "meh"}),
        )
        .await;
    assert_eq!(bad.status(), 422);

    // FastGPT: our conversation id is its chatId; feedback names our message as dataId.
    let flow = chat.conversation("flow").await;
    let events = chat.say(&flow, json!({"content": "hi"})).await.all().await;
    let answer = events[0].data["message_id"].as_str().unwrap().to_string();
    let rated: Value = chat
        .post(
            &format!("/api/messages/{answer}/feedback"),
            json!({"rating": "down"}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rated["forwarded"], true);
    let requests = mock.requests().await;
    let all = requests.as_array().unwrap();
    let sent = all
        .iter()
        .find(|r| r["path"] == "/fastgpt/api/v1/chat/completions")
        .unwrap();
    assert_eq!(sent["body"]["chatId"], flow.as_str());
    assert_eq!(sent["body"]["responseChatItemId"], answer.as_str());
    let feedback = all
        .iter()
        .find(|r| r["path"] == "/fastgpt/api/core/chat/feedback/updateUserFeedback")
        .unwrap();
    assert_eq!(feedback["body"]["chatId"], flow.as_str());
    assert_eq!(feedback["body"]["dataId"], answer.as_str());
    assert_eq!(feedback["body"]["userBadFeedback"], "yes");
}

async fn an_upstream_failure_is_an_error_event_and_a_failed_message(backend: Backend) {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: broken, name: Broken, provider: {{type: openai, base_url: \"{}\", api_key: k, model: m, max_retries: 0}}}}\n  - {{id: cut, name: Cut, provider: {{type: openai, base_url: \"{}\", api_key: k, model: m}}}}\n",
        mock.url("fault=401", "openai/v1"),
        mock.url("chunks=10,fault=cut:4", "openai/v1"),
    );
    let chat = chat_app(backend, &agents, |_| {}).await;
    let conversation = chat.conversation("broken").await;
    let events = chat
        .say(&conversation, json!({"content": "hi"}))
        .await
        .all()
        .await;
    let error = events
        .iter()
        .find(|e| e.event == "error")
        .expect("an error event");
    assert_eq!(error.data["code"], "upstream_auth_failed");
    assert_eq!(error.data["agent_id"], "broken");
    // A clear generic sentence, never the upstream's body ("invalid api key (llmchat-mock
    // fault)" here), which can hold internal details.
    assert_eq!(
        error.data["message"],
        "agent \"broken\": the provider refused the agent's credentials; tell an administrator"
    );
    assert_eq!(events.last().unwrap().data["status"], "failed");
    let list = chat.messages(&conversation, false).await;
    assert_eq!(list["items"][1]["status"], "failed");
    assert_eq!(list["items"][1]["error"]["code"], "upstream_auth_failed");
    assert!(!list.to_string().contains("llmchat-mock fault"), "{list}");

    // Cut mid-answer: what arrived is kept.
    let conversation = chat.conversation("cut").await;
    let events = chat
        .say(&conversation, json!({"content": "hi"}))
        .await
        .all()
        .await;
    assert_eq!(events.last().unwrap().data["status"], "failed");
    let error = events
        .iter()
        .find(|e| e.event == "error")
        .expect("an error event");
    assert_eq!(
        error.data["code"], "upstream_interrupted",
        "{:?}",
        error.data
    );
    let list = chat.messages(&conversation, false).await;
    assert_eq!(
        list["items"][1]["content"],
        json!([{"type": "text", "text": "tok1 tok2 tok3 tok4 "}])
    );

    let metrics = chat.app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(
            "llm_requests_total{agent=\"broken\",provider=\"openai\",status=\"error\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "llm_upstream_errors_total{agent=\"broken\",provider=\"openai\",kind=\"status_4xx\"}"
    ));
    assert!(metrics.contains("llm_active_streams"));
}

#[tokio::test]
async fn stream_false_answers_with_the_finished_message() {
    let chat = chat_app(Backend::Sqlite, FAST_DEMO, |_| {}).await;
    let conversation = chat.conversation("fast").await;
    let response = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "json please", "stream": false}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let message: Value = response.json().await.unwrap();
    assert_eq!(message["role"], "assistant");
    assert_eq!(message["status"], "complete");
    assert!(message["usage"]["completion_tokens"].as_i64().unwrap() > 0);
    let empty = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "  "}),
        )
        .await;
    assert_eq!(empty.status(), 422);
    let bad_parent = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "x", "parent_id": "nope"}),
        )
        .await;
    assert_eq!(bad_parent.status(), 422);
}

#[tokio::test]
async fn agent_limits_and_the_daily_quota_answer_429_naming_the_limit() {
    let agents = "  - {id: limited, name: Limited, limits: {requests_per_minute: 2}, provider: {type: demo, chars_per_second: 100000}}\n  - {id: fast, name: Fast, provider: {type: demo, chars_per_second: 100000}}\n";
    let chat = chat_app(Backend::Sqlite, agents, |s| {
        s.chat.daily_token_quota = Some(400)
    })
    .await;
    let conversation = chat.conversation("limited").await;
    for _ in 0..2 {
        chat.say(&conversation, json!({"content": "hi"}))
            .await
            .all()
            .await;
    }
    let refused = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "hi"}),
        )
        .await;
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "agent_rate_limited");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("2 requests per minute"),
        "{body}"
    );

    // The demo answers cost a few hundred tokens each; the quota of 400 is soon spent.
    let other = chat.conversation("fast").await;
    let mut last = 200;
    for _ in 0..5 {
        let response = chat
            .post(
                &format!("/api/conversations/{other}/messages"),
                json!({"content": "hi", "stream": false}),
            )
            .await;
        last = response.status().as_u16();
        if last == 429 {
            let body: Value = response.json().await.unwrap();
            assert_eq!(body["error"]["code"], "daily_quota_exceeded");
            assert!(
                body["error"]["message"]
                    .as_str()
                    .unwrap()
                    .contains("of 400 tokens"),
                "{body}"
            );
            break;
        }
        // Usage is written in batches.
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(last, 429);
}

#[tokio::test]
async fn a_workflow_question_is_answered_by_the_next_message() {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: flow, name: Flow, provider: {{type: fastgpt, base_url: \"{}\", api_key: fg-key}}}}\n",
        mock.url(
            "scenario=stream_interactive_user_select,tag=ask",
            "fastgpt/api"
        ),
    );
    let chat = chat_app(Backend::Sqlite, &agents, |_| {}).await;
    let conversation = chat.conversation("flow").await;
    let events = chat
        .say(&conversation, json!({"content": "我要退款"}))
        .await
        .all()
        .await;
    let status: Vec<&Value> = events
        .iter()
        .filter(|e| e.event == "status")
        .map(|e| &e.data)
        .collect();
    assert!(
        status
            .iter()
            .any(|s| s["node"] == "用户选择" && s["state"] == "running"),
        "{status:?}"
    );
    let question = events
        .iter()
        .find(|e| e.event == "interactive")
        .expect("an interactive event");
    assert_eq!(question.data["kind"], "select");
    assert_eq!(question.data["prompt"], "确认要申请退款吗？");
    assert_eq!(question.data["options"][0]["value"], "确认退款");
    let asked = events[0].data["message_id"].as_str().unwrap().to_string();

    let answer = chat
        .say(&conversation, json!({"interactive_answer": "确认退款"}))
        .await
        .all()
        .await;
    assert_eq!(answer.last().unwrap().data["status"], "complete");
    let list = chat.messages(&conversation, false).await;
    let asked_parts = list["items"][1]["content"].as_array().unwrap();
    assert_eq!(list["items"][1]["id"], asked.as_str());
    let part = asked_parts
        .iter()
        .find(|p| p["type"] == "interactive")
        .unwrap();
    assert_eq!(
        part["answer"], "确认退款",
        "the answer is kept with the question"
    );
    assert_eq!(
        list["items"][2]["content"],
        json!([{"type": "text", "text": "确认退款"}])
    );
    let requests = mock.requests().await;
    let last = &requests.as_array().unwrap().last().unwrap()["body"];
    assert_eq!(
        last["messages"],
        json!([{"role": "user", "content": "确认退款"}])
    );
    assert_eq!(last["chatId"], conversation.as_str());
}

#[tokio::test]
async fn the_agent_can_be_asked_for_the_title() {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: gpt, name: GPT, provider: {{type: openai, base_url: \"{}\", api_key: k, model: m}}}}\n",
        mock.url("chunks=2,tag=title", "openai/v1"),
    );
    let chat = chat_app(Backend::Sqlite, &agents, |s| {
        s.chat.titles = llmchat::config::TitleMode::Agent;
    })
    .await;
    let conversation = chat.conversation("gpt").await;
    chat.say(&conversation, json!({"content": "name this chat"}))
        .await
        .all()
        .await;
    let mut title = Value::Null;
    for _ in 0..50 {
        let (_, conv) = chat
            .app
            .send(
                Method::GET,
                &format!("/api/conversations/{conversation}"),
                &chat.token,
                None,
            )
            .await;
        title = conv["title"].clone();
        if title != "" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(title, "tok1 tok2", "the agent's words, trimmed");
    let requests = mock.requests().await;
    let ask = &requests.as_array().unwrap().last().unwrap()["body"];
    assert!(
        ask["messages"][0]["content"]
            .as_str()
            .unwrap()
            .contains("title")
    );
}

//! Turns beyond the first answer: regenerate and edit make branches that navigation shows,
//! the history sent upstream is trimmed to the agent's window, apps keep their upstream
//! conversation id, feedback reaches the app, limits answer 429, failures are saved, and
//! another user's messages are 404.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat::{Chat, FAST_DEMO, SLOW_DEMO, SseReader, answer_text, chat_app};
use crate::helpers::{Backend, Mock, PASSWORD};
use crate::on_both_databases;

on_both_databases!(
    regenerate_and_edit_create_branches_that_navigation_shows,
    history_sent_upstream_is_trimmed_to_the_context_window,
    apps_keep_their_upstream_conversation_and_get_feedback,
    an_upstream_failure_is_an_error_event_and_a_failed_message,
    another_users_conversation_and_messages_are_404_on_every_chat_route,
);

fn ids(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_string())
        .collect()
}

async fn regenerate_and_edit_create_branches_that_navigation_shows(backend: Backend) {
    let chat = chat_app(backend, FAST_DEMO, |_| {}).await;
    let conversation = chat.conversation("fast").await;
    let first = chat
        .say(&conversation, json!({"content": "one"}))
        .await
        .all()
        .await;
    let question = first[0].data["user_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let answer_a = first[0].data["message_id"].as_str().unwrap().to_string();

    // Regenerate: a second answer to the same question.
    let regenerated = SseReader::new(
        chat.post(&format!("/api/messages/{answer_a}/regenerate"), json!({}))
            .await,
    )
    .all()
    .await;
    assert_eq!(regenerated[0].data["user_message_id"], question.as_str());
    let answer_b = regenerated[0].data["message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = chat.messages(&conversation, false).await;
    assert_eq!(ids(&list), vec![question.clone(), answer_b.clone()]);
    assert_eq!(list["items"][1]["sibling_ids"], json!([answer_a, answer_b]));

    // Switch back to the first answer.
    let (status, _) = chat
        .app
        .send(
            Method::PATCH,
            &format!("/api/conversations/{conversation}"),
            &chat.token,
            Some(json!({"current_message_id": answer_a})),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(&chat.messages(&conversation, false).await),
        vec![question.clone(), answer_a.clone()]
    );

    // A follow-up continues the branch shown.
    let follow = chat
        .say(&conversation, json!({"content": "two"}))
        .await
        .all()
        .await;
    let follow_q = follow[0].data["user_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let follow_a = follow[0].data["message_id"].as_str().unwrap().to_string();
    assert_eq!(
        ids(&chat.messages(&conversation, false).await),
        vec![
            question.clone(),
            answer_a.clone(),
            follow_q.clone(),
            follow_a.clone()
        ]
    );

    // Edit the first question: a sibling root with its own answer.
    let edited = chat
        .say(
            &conversation,
            json!({"content": "one, edited", "parent_id": null}),
        )
        .await
        .all()
        .await;
    let edited_q = edited[0].data["user_message_id"]
        .as_str()
        .unwrap()
        .to_string();
    let list = chat.messages(&conversation, false).await;
    assert_eq!(list["items"][0]["id"], edited_q.as_str());
    assert_eq!(list["items"][0]["sibling_ids"], json!([question, edited_q]));
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert!(answer_text(&edited).contains("one, edited"));

    // Choosing the old question shows its branch down to its latest tip.
    chat.app
        .send(
            Method::PATCH,
            &format!("/api/conversations/{conversation}"),
            &chat.token,
            Some(json!({"current_message_id": question})),
        )
        .await;
    let list = chat.messages(&conversation, false).await;
    assert_eq!(ids(&list).len(), 2, "question and its newest answer");
    assert_eq!(list["items"][1]["id"], answer_b.as_str());
    assert_eq!(
        chat.messages(&conversation, true).await["items"]
            .as_array()
            .unwrap()
            .len(),
        7
    );

    // Exports of the branch shown.
    let markdown = chat
        .app
        .authed_get(
            &format!("/api/conversations/{conversation}/export?format=markdown"),
            &chat.token,
        )
        .await;
    assert!(
        markdown.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/markdown")
    );
    assert!(
        markdown.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".md")
    );
    let markdown = markdown.text().await.unwrap();
    assert!(markdown.starts_with("# one\n"), "{markdown}");
    assert!(markdown.contains("## User") && markdown.contains("## Assistant (fast)"));
    let (status, exported) = chat
        .app
        .send(
            Method::GET,
            &format!("/api/conversations/{conversation}/export?format=json"),
            &chat.token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(exported["messages"].as_array().unwrap().len(), 2);
    assert_eq!(exported["conversation"]["id"], conversation.as_str());
    let (status, _) = chat
        .app
        .send(
            Method::GET,
            &format!("/api/conversations/{conversation}/export?format=pdf"),
            &chat.token,
            None,
        )
        .await;
    assert_eq!(status, 422);
}

async fn history_sent_upstream_is_trimmed_to_the_context_window(backend: Backend) {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: gpt, name: GPT, system_prompt: Be brief., context_window: 300, provider: {{type: openai, base_url: \"{}\", api_key: k, model: gpt-test}}}}\n",
        mock.url("chunks=3,tag=trim", "openai/v1")
    );
    let chat = chat_app(backend, &agents, |_| {}).await;
    let conversation = chat.conversation("gpt").await;
    let long = "lorem ipsum dolor sit amet ".repeat(30); // ~200 tokens
    for content in [
        format!("first {long}"),
        format!("second {long}"),
        "third".to_string(),
    ] {
        let events = chat
            .say(&conversation, json!({"content": content}))
            .await
            .all()
            .await;
        assert_eq!(events.last().unwrap()["status"], "complete");
    }
    let requests = mock.requests().await;
    let last = &requests.as_array().unwrap().last().unwrap()["body"];
    let messages = last["messages"].as_array().unwrap();
    assert_eq!(
        messages[0],
        json!({"role": "system", "content": "Be brief."})
    );
    let texts: Vec<&str> = messages
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert!(texts.iter().any(|t| t.starts_with("second")), "{texts:?}");
    assert!(
        !texts.iter().any(|t| t.starts_with("first")),
        "the oldest went first: {texts:?}"
    );
    assert_eq!(*texts.last().unwrap(), "third");
    assert_eq!(
        messages[1]["role"], "user",
        "trimmed history starts with a question"
    );
    assert_eq!(last["model"], "gpt-test");
}

impl std::ops::Index<&str> for crate::chat::Ev {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.data[key]
    }
}

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
    assert!(!error.data["message"].as_str().unwrap().contains("Bearer"));
    assert_eq!(events.last().unwrap().data["status"], "failed");
    let list = chat.messages(&conversation, false).await;
    assert_eq!(list["items"][1]["status"], "failed");
    assert_eq!(list["items"][1]["error"]["code"], "upstream_auth_failed");

    // Cut mid-answer: what arrived is kept.
    let conversation = chat.conversation("cut").await;
    let events = chat
        .say(&conversation, json!({"content": "hi"}))
        .await
        .all()
        .await;
    assert_eq!(events.last().unwrap().data["status"], "failed");
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
    assert!(metrics.contains("llm_upstream_errors_total{provider=\"openai\",kind=\"status_4xx\"}"));
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

async fn another_users_conversation_and_messages_are_404_on_every_chat_route(backend: Backend) {
    let chat = chat_app(backend, SLOW_DEMO, |_| {}).await;
    let conversation = chat.conversation("slow").await;
    let mut reader = chat.say(&conversation, json!({"content": "mine"})).await;
    let start = reader.next().await.unwrap();
    let message = start.data["message_id"].as_str().unwrap().to_string();
    let question = start.data["user_message_id"].as_str().unwrap().to_string();
    let mallory: Value = chat.app.register("mallory", PASSWORD).await;
    let mallory = Chat {
        token: mallory["access_token"].as_str().unwrap().to_string(),
        ..chat
    };
    for (method, path, body) in [
        (
            Method::POST,
            format!("/api/conversations/{conversation}/messages"),
            Some(json!({"content": "x"})),
        ),
        (
            Method::GET,
            format!("/api/conversations/{conversation}/messages"),
            None,
        ),
        (
            Method::GET,
            format!("/api/conversations/{conversation}/stream"),
            None,
        ),
        (
            Method::POST,
            format!("/api/conversations/{conversation}/stop"),
            None,
        ),
        (
            Method::GET,
            format!("/api/conversations/{conversation}/export"),
            None,
        ),
        (
            Method::POST,
            format!("/api/messages/{message}/regenerate"),
            None,
        ),
        (
            Method::POST,
            format!("/api/messages/{question}/regenerate"),
            None,
        ),
        (
            Method::POST,
            format!("/api/messages/{message}/feedback"),
            Some(json!({"rating": "down"})),
        ),
    ] {
        let (status, body) = mallory
            .app
            .send(method.clone(), &path, &mallory.token, body)
            .await;
        assert_eq!(status, 404, "{method} {path}: {body}");
    }
    // Her attempts changed nothing: the turn still runs and finishes.
    let rest = reader.all().await;
    assert_eq!(rest.last().unwrap().data["status"], "complete");
}

//! Turns beyond the first answer: regenerate and edit make branches that navigation shows,
//! the history sent upstream is trimmed to the agent's window, apps keep their upstream
//! conversation id, feedback reaches the app, limits answer 429, failures are saved, and
//! another user's messages are 404.

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{Chat, FAST_DEMO, SLOW_DEMO, SseReader, answer_text, chat_app};
use crate::helpers::{Backend, Mock, PASSWORD};
use crate::on_both_databases;

on_both_databases!(
    regenerate_and_edit_create_branches_that_navigation_shows,
    history_sent_upstream_is_trimmed_to_the_context_window,
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

impl std::ops::Index<&str> for crate::chat_support::Ev {
    type Output = Value;
    fn index(&self, key: &str) -> &Value {
        &self.data[key]
    }
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

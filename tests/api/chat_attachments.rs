//! Attachments in turns: images reach vision agents as image parts (OpenAI `image_url` data
//! URL, Anthropic base64 `image`), text files as text with their name, and stay in the
//! history of follow-up questions; a non-vision agent given an image is a clear 422.

use base64::Engine;
use serde_json::{Value, json};

use crate::chat_support::chat_app;
use crate::helpers::{Backend, Mock, PASSWORD};
use crate::on_both_databases;
use crate::uploads::{PNG, upload};

on_both_databases!(
    images_and_text_files_reach_a_vision_agent_and_stay_in_its_history,
    an_image_for_an_agent_without_vision_is_refused_and_nothing_is_saved,
    earlier_files_are_sent_again_only_within_the_request_budget,
    a_message_or_a_conversation_past_its_file_budget_is_refused,
);

fn agents(mock: &Mock) -> String {
    format!(
        "  - {{id: eyes, name: Eyes, capabilities: [vision], provider: {{type: openai, base_url: \"{}\", api_key: k, model: m}}}}\n  - {{id: claude, name: Claude, capabilities: [vision], provider: {{type: anthropic, base_url: \"{}\", api_key: k, model: m}}}}\n  - {{id: blind, name: Blind, provider: {{type: openai, base_url: \"{}\", api_key: k, model: m}}}}\n",
        mock.url("chunks=2,tag=eyes", "openai/v1"),
        mock.url("chunks=2,tag=claude", "anthropic"),
        mock.url("chunks=2,tag=blind", "openai/v1"),
    )
}

async fn last_request(mock: &Mock, tag: &str) -> Value {
    let requests = mock.requests().await;
    requests
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|r| r["tag"] == tag)
        .unwrap()["body"]
        .clone()
}

async fn images_and_text_files_reach_a_vision_agent_and_stay_in_its_history(backend: Backend) {
    let mock = Mock::start();
    let chat = chat_app(backend, &agents(&mock), |_| {}).await;
    let (status, image) = upload(&chat.app, &chat.token, "pixel.png", PNG).await;
    assert_eq!(status, 201, "{image}");
    let (_, notes) = upload(
        &chat.app,
        &chat.token,
        "notes.md",
        "# 部署\n步骤一".as_bytes(),
    )
    .await;
    let conversation = chat.conversation("eyes").await;
    let events = chat
        .say(
            &conversation,
            json!({"content": "what is this?", "attachments": [image["id"], notes["id"]]}),
        )
        .await
        .all()
        .await;
    assert_eq!(events.last().unwrap().data["status"], "complete");
    let sent = last_request(&mock, "eyes").await;
    let content = sent["messages"][0]["content"].as_array().unwrap();
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(PNG)
    );
    assert!(
        content
            .iter()
            .any(|p| p["type"] == "image_url" && p["image_url"]["url"] == data_url.as_str()),
        "{content:?}"
    );
    assert!(content.iter().any(|p| {
        p["type"] == "text"
            && p["text"]
                .as_str()
                .unwrap()
                .starts_with("File notes.md:\n```\n# 部署\n步骤一")
    }));
    assert!(content.iter().any(|p| p["text"] == "what is this?"));

    let list = chat.messages(&conversation, false).await;
    let stored = list["items"][0]["content"].as_array().unwrap();
    assert_eq!(stored[0]["type"], "attachment");
    assert_eq!(stored[0]["upload_id"], image["id"]);
    assert_eq!(stored[0]["name"], "pixel.png");
    assert_eq!(stored[0]["mime"], "image/png");
    assert_eq!(stored[1]["name"], "notes.md");

    // A follow-up still shows the model the image.
    chat.say(&conversation, json!({"content": "and now?"}))
        .await
        .all()
        .await;
    let sent = last_request(&mock, "eyes").await;
    let first = sent["messages"][0]["content"].as_array().unwrap();
    assert!(first.iter().any(|p| p["type"] == "image_url"), "{sent}");

    // Anthropic gets a base64 image block.
    let conversation = chat.conversation("claude").await;
    chat.say(
        &conversation,
        json!({"content": "describe", "attachments": [image["id"]]}),
    )
    .await
    .all()
    .await;
    let sent = last_request(&mock, "claude").await;
    let blocks = sent["messages"][0]["content"].as_array().unwrap();
    let block = blocks
        .iter()
        .find(|b| b["type"] == "image")
        .expect("an image block");
    assert_eq!(block["source"]["type"], "base64");
    assert_eq!(block["source"]["media_type"], "image/png");
    assert_eq!(
        block["source"]["data"],
        base64::engine::general_purpose::STANDARD.encode(PNG)
    );
}

async fn an_image_for_an_agent_without_vision_is_refused_and_nothing_is_saved(backend: Backend) {
    let mock = Mock::start();
    let chat = chat_app(backend, &agents(&mock), |_| {}).await;
    let (_, image) = upload(&chat.app, &chat.token, "pixel.png", PNG).await;
    let conversation = chat.conversation("blind").await;
    let path = format!("/api/conversations/{conversation}/messages");
    let refused = chat
        .post(
            &path,
            json!({"content": "look", "attachments": [image["id"]]}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("\"blind\"") && message.contains("vision"),
        "{message}"
    );
    assert!(
        chat.messages(&conversation, true).await["items"]
            .as_array()
            .unwrap()
            .is_empty()
    );

    // Text files are fine for any agent; someone else's upload is not.
    let (_, notes) = upload(&chat.app, &chat.token, "a.txt", b"plain").await;
    let ok = chat
        .post(
            &path,
            json!({"content": "read", "attachments": [notes["id"]], "stream": false}),
        )
        .await;
    assert_eq!(ok.status(), 200);
    let other = chat.app.register("other", PASSWORD).await;
    let other_token = other["access_token"].as_str().unwrap();
    let (_, theirs) = upload(&chat.app, other_token, "theirs.txt", b"secret").await;
    let refused = chat
        .post(
            &path,
            json!({"content": "read", "attachments": [theirs["id"]]}),
        )
        .await;
    assert_eq!(refused.status(), 422);
    let sent = last_request(&mock, "blind").await;
    assert!(!sent.to_string().contains("secret"));
}

/// 30 KiB of text whose lines all read `marker`.
fn text_file(marker: &str) -> Vec<u8> {
    let line = format!("{marker} {}\n", "x".repeat(60));
    line.repeat(30 * 1024 / line.len()).into_bytes()
}

/// An app where one file may take 40 KiB, a request's files 100 KiB and a conversation's
/// 250 KiB; the Chat and the mock.
async fn budget_app(backend: Backend) -> (crate::chat_support::Chat, Mock) {
    let mock = Mock::start();
    let chat = chat_app(backend, &agents(&mock), |s| {
        s.uploads.max_size = bytesize::ByteSize::kib(40);
        s.uploads.max_per_request = bytesize::ByteSize::kib(100);
        s.uploads.max_per_conversation = bytesize::ByteSize::kib(250);
    })
    .await;
    (chat, mock)
}

async fn files(chat: &crate::chat_support::Chat, names: &[&str]) -> Vec<Value> {
    let mut ids = Vec::new();
    for name in names {
        let (status, body) = upload(
            &chat.app,
            &chat.token,
            &format!("{name}.txt"),
            &text_file(name),
        )
        .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].clone());
    }
    ids
}

async fn earlier_files_are_sent_again_only_within_the_request_budget(backend: Backend) {
    let (chat, mock) = budget_app(backend).await;
    let conversation = chat.conversation("blind").await;
    for (question, names) in [
        ("first", &["alpha", "bravo"][..]),
        ("second", &["charlie"][..]),
        ("third", &["delta", "echo"][..]),
    ] {
        let ids = files(&chat, names).await;
        let events = chat
            .say(
                &conversation,
                json!({"content": question, "attachments": ids}),
            )
            .await
            .all()
            .await;
        assert_eq!(
            events.last().unwrap().data["status"],
            "complete",
            "{question}"
        );
    }
    // The third request: its own 60 KiB, then 40 KiB left for the history — the second
    // message's file (30 KiB) fits, the first message's two do not and are only named.
    let sent = last_request(&mock, "blind").await;
    let messages = sent["messages"].as_array().unwrap();
    let first = messages[0]["content"].as_str().unwrap();
    assert!(
        !first.contains("alpha xxx") && !first.contains("bravo xxx"),
        "{first:.300}"
    );
    assert!(
        first.contains("[File alpha.txt was attached here; it is not sent again.]")
            && first.contains("[File bravo.txt was attached here; it is not sent again.]"),
        "{first:.300}"
    );
    let second = messages[2]["content"].as_str().unwrap();
    assert!(
        second.contains("File charlie.txt:\n```\ncharlie xxx"),
        "{second:.300}"
    );
    let third = messages[4]["content"].as_str().unwrap();
    assert!(
        third.contains("delta xxx") && third.contains("echo xxx"),
        "{third:.300}"
    );
    assert!(
        sent.to_string().len() < 110 * 1024,
        "the request carries {} bytes",
        sent.to_string().len()
    );
}

async fn a_message_or_a_conversation_past_its_file_budget_is_refused(backend: Backend) {
    let (chat, _mock) = budget_app(backend).await;
    let conversation = chat.conversation("blind").await;
    let path = format!("/api/conversations/{conversation}/messages");
    let four = files(&chat, &["a", "b", "c", "d"]).await;
    let refused = chat
        .post(&path, json!({"content": "all four", "attachments": four}))
        .await;
    assert_eq!(refused.status(), 422);
    let body: Value = refused.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("at most 100.0 KiB together"), "{message}");

    // 3 × 3 files of 30 KiB: 270 KiB would pass the conversation's 250 KiB.
    for round in 0..3 {
        let ids = files(&chat, &["f", "g", "h"]).await;
        let response = chat
            .post(
                &path,
                json!({"content": "three more", "attachments": ids, "stream": false}),
            )
            .await;
        if round < 2 {
            assert_eq!(response.status(), 200, "round {round}");
            continue;
        }
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        let message = body["error"]["message"].as_str().unwrap();
        assert!(message.contains("start a new conversation"), "{message}");
    }
    let kept = chat.messages(&conversation, true).await;
    assert_eq!(
        kept["items"].as_array().unwrap().len(),
        4,
        "the refused messages are not saved: {kept}"
    );
}

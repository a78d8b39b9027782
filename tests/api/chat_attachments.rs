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

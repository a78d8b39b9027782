//! One meter for both doors: the same question to the same agent records the same usage
//! whether it came through the chat API or `/v1`, also when the upstream reports no usage and
//! the numbers are our estimate (an image counts 800 tokens through either door).

use base64::Engine;
use serde_json::json;

use crate::chat_support::chat_app;
use crate::helpers::{Backend, Mock};
use crate::on_both_databases;
use crate::uploads::{PNG, upload};

on_both_databases!(the_same_request_records_the_same_usage_through_either_door);

/// (door, prompt_tokens, completion_tokens, estimated, outcome)
type Row = (Option<String>, i64, i64, i64, String);

async fn the_same_request_records_the_same_usage_through_either_door(backend: Backend) {
    let mock = Mock::start();
    // An upstream that reports no usage, as minimal OpenAI-compatible servers do.
    let agents = format!(
        "  - {{id: eyes, name: Eyes, capabilities: [vision], system_prompt: \"Be brief.\", \
         provider: {{type: openai, base_url: \"{}\", api_key: k, model: m}}}}\n",
        mock.url("scenario=stream_no_finish_reason", "openai/v1"),
    );
    let chat = chat_app(backend, &agents, |_| {}).await;
    let question = "What is on this picture?";

    // Through the chat API: an uploaded image attached to a message.
    let (status, image) = upload(&chat.app, &chat.token, "pixel.png", PNG).await;
    assert_eq!(status, 201, "{image}");
    let conversation = chat.conversation("eyes").await;
    let events = chat
        .say(
            &conversation,
            json!({"content": question, "attachments": [image["id"]]}),
        )
        .await
        .all()
        .await;
    assert_eq!(events.last().unwrap().data["status"], "complete");

    // Through `/v1`: the same image as a data URL, streamed.
    let data_url = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(PNG)
    );
    let response = chat
        .post(
            "/v1/chat/completions",
            json!({"model": "eyes", "stream": true, "messages": [{"role": "user", "content": [
                {"type": "text", "text": question},
                {"type": "image_url", "image_url": {"url": data_url}},
            ]}]}),
        )
        .await;
    assert_eq!(response.status(), 200);
    let body = response.text().await.unwrap();
    assert!(body.contains("data: [DONE]"), "{body}");

    let rows = usage_rows(&chat.app, 2).await;
    let chat_row = rows
        .iter()
        .find(|r| r.0.is_some())
        .expect("the turn's record");
    let v1_row = rows.iter().find(|r| r.0.is_none()).expect("the /v1 record");
    // "Be brief." 3, the message 4, the question 6, the image 800; the answer "ok" 1.
    let expected = (3 + 4 + 6 + 800, 1, 1, "ok".to_string());
    assert_eq!(
        (chat_row.1, chat_row.2, chat_row.3, chat_row.4.clone()),
        expected,
        "{rows:?}"
    );
    assert_eq!(
        (v1_row.1, v1_row.2, v1_row.3, v1_row.4.clone()),
        expected,
        "{rows:?}"
    );
}

/// Waits (up to 10 s) for `n` usage records; the conversation id tells the doors apart.
async fn usage_rows(app: &crate::helpers::TestApp, n: usize) -> Vec<Row> {
    let columns = "conversation_id, prompt_tokens, completion_tokens, estimated, outcome";
    app.usage_rows(columns, n).await
}

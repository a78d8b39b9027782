//! Turns end to end: SSE events and their ids, the answer saved whatever the client does
//! (disconnect, reattach with Last-Event-ID, stop), branches, context, apps' upstream ids,
//! feedback, limits, and another user's resources being 404 — on SQLite and PostgreSQL.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{
    Ev, FAST_DEMO, SLOW_DEMO, SseReader, answer_text, chat_app, chat_user_id,
};
use crate::helpers::{Backend, Mock};
use crate::on_both_databases;

on_both_databases!(
    a_turn_streams_numbered_events_and_saves_the_answer,
    the_answer_is_saved_when_the_client_disconnects,
    reattaching_with_last_event_id_gets_the_exact_remainder,
    stop_saves_the_partial_answer_as_stopped,
);

async fn a_turn_streams_numbered_events_and_saves_the_answer(backend: Backend) {
    let chat = chat_app(backend, FAST_DEMO, |_| {}).await;
    let conversation = chat.conversation("fast").await;
    let events = chat
        .say(&conversation, json!({"content": "如何部署服务？"}))
        .await
        .all()
        .await;

    let start = &events[0];
    assert_eq!(start.event, "start");
    let message_id = start.data["message_id"].as_str().unwrap();
    assert_eq!(start.data["conversation_id"], conversation.as_str());
    assert_eq!(start.data["agent_id"], "fast");
    for (i, ev) in events.iter().enumerate() {
        assert_eq!(
            ev.id,
            format!("{message_id}:{}", i + 1),
            "ids are <message>:<seq> from 1"
        );
    }
    assert!(events.iter().any(|e| e.event == "reasoning"));
    let done = events.last().unwrap();
    assert_eq!(done.event, "done");
    assert_eq!(done.data["status"], "complete");
    assert!(done.data["usage"]["completion_tokens"].as_u64().unwrap() > 0);
    let text = answer_text(&events);
    assert!(text.contains("如何部署服务？"), "{text}");

    let list = chat.messages(&conversation, false).await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["role"], "user");
    assert_eq!(
        items[0]["content"],
        json!([{"type": "text", "text": "如何部署服务？"}])
    );
    assert_eq!(items[1]["status"], "complete");
    assert_eq!(items[1]["id"], message_id);
    let saved: Vec<&Value> = items[1]["content"].as_array().unwrap().iter().collect();
    assert!(saved.iter().any(|p| p["type"] == "reasoning"));
    assert_eq!(
        saved.iter().find(|p| p["type"] == "text").unwrap()["text"],
        text.as_str()
    );
    assert!(items[1]["ttft_ms"].is_number() && items[1]["duration_ms"].is_number());
    assert_eq!(list["current_message_id"], message_id);

    let (_, conv) = chat
        .app
        .send(
            Method::GET,
            &format!("/api/conversations/{conversation}"),
            &chat.token,
            None,
        )
        .await;
    assert_eq!(
        conv["title"], "如何部署服务？",
        "titled from the first message"
    );
    assert_eq!(conv["active_turn"], Value::Null);
    // Searchable by the answer's text.
    let (_, found) = chat
        .app
        .send(
            Method::GET,
            "/api/conversations?q=demo%20agent",
            &chat.token,
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1);
}

async fn the_answer_is_saved_when_the_client_disconnects(backend: Backend) {
    let chat = chat_app(backend, SLOW_DEMO, |_| {}).await;
    let conversation = chat.conversation("slow").await;
    let mut reader = chat.say(&conversation, json!({"content": "hello"})).await;
    let start = reader.next().await.unwrap();
    let message_id = start.data["message_id"].as_str().unwrap().to_string();
    reader.next().await.unwrap();
    drop(reader);

    // While it runs, the conversation says so and a second message is refused.
    let (_, conv) = chat
        .app
        .send(
            Method::GET,
            &format!("/api/conversations/{conversation}"),
            &chat.token,
            None,
        )
        .await;
    assert_eq!(conv["active_turn"], message_id.as_str());
    let refused = chat
        .post(
            &format!("/api/conversations/{conversation}/messages"),
            json!({"content": "again"}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"]["code"], "turn_running");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&message_id)
    );

    // The partial answer reaches the database before the end.
    let mut partial = String::new();
    for _ in 0..100 {
        let list = chat.messages(&conversation, false).await;
        let answer = &list["items"][1];
        if let Some(text) = answer["content"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["type"] == "reasoning")
        {
            partial = text["text"].as_str().unwrap().to_string();
            assert_eq!(answer["status"], "streaming");
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        !partial.is_empty(),
        "partial text is flushed while streaming"
    );

    let message = chat.settled(&conversation, &message_id).await;
    assert_eq!(message["status"], "complete");
    let text = message["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "text")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(text.contains("You said: *hello*"), "{text}");
}

async fn reattaching_with_last_event_id_gets_the_exact_remainder(backend: Backend) {
    let chat = chat_app(backend, SLOW_DEMO, |_| {}).await;
    let conversation = chat.conversation("slow").await;
    let mut reader = chat
        .say(&conversation, json!({"content": "resume me"}))
        .await;
    let mut first = Vec::new();
    for _ in 0..5 {
        first.push(reader.next().await.unwrap());
    }
    drop(reader);
    let last_id = first.last().unwrap().id.clone();
    let rest = SseReader::new(
        chat.app
            .client
            .get(
                chat.app
                    .url(&format!("/api/conversations/{conversation}/stream")),
            )
            .bearer_auth(&chat.token)
            .header("last-event-id", &last_id)
            .send()
            .await
            .unwrap(),
    )
    .all()
    .await;
    assert_eq!(
        rest[0].seq(),
        6,
        "continues right after the last event received"
    );
    let mut seqs: Vec<u64> = first.iter().chain(&rest).map(Ev::seq).collect();
    let n = seqs.len() as u64;
    seqs.dedup();
    assert_eq!(seqs, (1..=n).collect::<Vec<_>>(), "no gap, no duplicate");
    let whole: Vec<Ev> = first.into_iter().chain(rest).collect();
    let message_id = whole[0].data["message_id"].as_str().unwrap();
    let saved = chat.settled(&conversation, message_id).await;
    let saved_text = saved["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "text")
        .unwrap()["text"]
        .clone();
    assert_eq!(answer_text(&whole), saved_text.as_str().unwrap());

    // Without Last-Event-ID, the finished turn is replayed from its start.
    let replay = SseReader::new(
        chat.app
            .client
            .get(
                chat.app
                    .url(&format!("/api/conversations/{conversation}/stream")),
            )
            .bearer_auth(&chat.token)
            .send()
            .await
            .unwrap(),
    )
    .all()
    .await;
    assert_eq!(replay.len(), n as usize);
    assert_eq!(replay[0].event, "start");
}

#[tokio::test]
async fn nothing_to_replay_is_204() {
    let chat = chat_app(Backend::Sqlite, FAST_DEMO, |s| {
        s.chat.replay_retention = Duration::ZERO;
    })
    .await;
    let conversation = chat.conversation("fast").await;
    let stream = format!("/api/conversations/{conversation}/stream");
    assert_eq!(
        chat.app.authed_get(&stream, &chat.token).await.status(),
        204
    );
    chat.say(&conversation, json!({"content": "hi"}))
        .await
        .all()
        .await;
    // The sweep (every heartbeat) forgets finished turns after the retention.
    let mut status = 0;
    for _ in 0..50 {
        status = chat
            .app
            .authed_get(&stream, &chat.token)
            .await
            .status()
            .as_u16();
        if status == 204 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, 204);
}

async fn stop_saves_the_partial_answer_as_stopped(backend: Backend) {
    let chat = chat_app(backend, SLOW_DEMO, |_| {}).await;
    let conversation = chat.conversation("slow").await;
    let mut reader = chat.say(&conversation, json!({"content": "stop me"})).await;
    let start = reader.next().await.unwrap();
    let message_id = start.data["message_id"].as_str().unwrap().to_string();
    for _ in 0..3 {
        reader.next().await.unwrap();
    }
    let stopped = chat
        .post(
            &format!("/api/conversations/{conversation}/stop"),
            json!({}),
        )
        .await;
    assert_eq!(stopped.status(), 202);
    let rest = reader.all().await;
    let done = rest.last().unwrap();
    assert_eq!(done.event, "done");
    assert_eq!(done.data["status"], "stopped");
    let message = chat.settled(&conversation, &message_id).await;
    assert_eq!(message["status"], "stopped");
    let reasoning = message["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["type"] == "reasoning")
        .unwrap()["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(reasoning.starts_with("The user asked"), "{reasoning}");
    assert!(
        !message["content"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["type"] == "text"),
        "stopped before the answer"
    );
    // Nothing runs now: stop is a 409, and a new message is accepted.
    let again = chat
        .post(
            &format!("/api/conversations/{conversation}/stop"),
            json!({}),
        )
        .await;
    assert_eq!(again.status(), 409);
}

#[tokio::test]
async fn stopping_a_dify_turn_stops_the_task_upstream() {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: app, name: App, provider: {{type: dify, base_url: \"{}\", api_key: app-key}}}}\n",
        mock.url("chunks=400,delay_ms=20,tag=difystop", "dify/v1")
    );
    let chat = chat_app(Backend::Sqlite, &agents, |_| {}).await;
    let conversation = chat.conversation("app").await;
    let mut reader = chat
        .say(&conversation, json!({"content": "long job"}))
        .await;
    for _ in 0..4 {
        reader.next().await.unwrap();
    }
    chat.post(
        &format!("/api/conversations/{conversation}/stop"),
        json!({}),
    )
    .await;
    let rest = reader.all().await;
    assert_eq!(rest.last().unwrap().data["status"], "stopped");
    let requests = mock.requests().await;
    let stop = requests
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["path"].as_str().unwrap().ends_with("/stop"))
        .expect("Dify's stop API was called");
    assert_eq!(
        stop["path"],
        "/dify/v1/chat-messages/6b2b2c5e-0000-4000-8000-00000000007a/stop"
    );
    assert_eq!(stop["body"]["user"], chat_user_id(&chat).await.as_str());
}

#[tokio::test]
async fn deleting_a_conversation_mid_answer_stops_it_and_its_usage_still_counts() {
    let chat = chat_app(Backend::Postgres, SLOW_DEMO, |_| {}).await;
    let doomed = chat.conversation("slow").await;
    let kept = chat.conversation("slow").await;
    let mut reader = chat.say(&doomed, json!({"content": "bye"})).await;
    reader.next().await.unwrap();
    let (status, _) = chat
        .app
        .send(
            Method::DELETE,
            &format!("/api/conversations/{doomed}"),
            &chat.token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(reader.all().await.last().unwrap().data["status"], "stopped");
    // Another turn's record lands in the same batch; neither may be lost.
    chat.say(&kept, json!({"content": "stay"}))
        .await
        .all()
        .await;
    let mut requests = 0;
    for _ in 0..40 {
        let (_, usage) = chat
            .app
            .send(Method::GET, "/api/usage", &chat.token, None)
            .await;
        requests = usage["totals"]["requests"].as_u64().unwrap_or(0);
        if requests == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(requests, 2);
}

//! A turn must never be lost: when the server process dies mid-answer, the restarted server
//! marks the answer `interrupted` and keeps the text that had arrived; when it is asked to
//! stop, running answers are saved before it exits.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::SseReader;
use crate::helpers::{Backend, PASSWORD, TestDatabase, http_client};
use crate::on_both_databases;
use crate::process::{signal, start_server, wait_with_timeout};

on_both_databases!(
    a_turn_cut_by_a_crash_is_interrupted_with_its_partial_text,
    another_instance_never_interrupts_a_live_instances_turn,
);

const SLOW_AGENT: &str =
    "agents:\n  - {id: slow, name: Slow, provider: {type: demo, chars_per_second: 150}}\n";

async fn a_turn_cut_by_a_crash_is_interrupted_with_its_partial_text(backend: Backend) {
    let db = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, SLOW_AGENT).unwrap();
    let data = dir.path().join("data");
    let vars = [
        ("DATABASE_URL", db.url.as_str()),
        ("AGENTS_CONFIG", agents.to_str().unwrap()),
        ("LLMCHAT_DATA_DIR", data.to_str().unwrap()),
        ("LLMCHAT_CHAT__FLUSH_INTERVAL", "100ms"),
        ("LLMCHAT_CHAT__HEARTBEAT_INTERVAL", "200ms"),
        ("LLMCHAT_CHAT__HEARTBEAT_TIMEOUT", "1s"),
    ];
    let mut server = start_server(dir.path(), &vars);
    let base = format!("http://{}", server.addr);
    let client = http_client();
    let registered: Value = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": "crash", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["access_token"].as_str().unwrap().to_string();
    let conversation: Value = client
        .post(format!("{base}/api/conversations"))
        .bearer_auth(&token)
        .json(&json!({"agent_id": "slow"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conversation["id"].as_str().unwrap().to_string();
    let mut reader = SseReader::new(
        client
            .post(format!("{base}/api/conversations/{conversation}/messages"))
            .bearer_auth(&token)
            .json(&json!({"content": "crash during this"}))
            .send()
            .await
            .unwrap(),
    );
    let start = reader.next().await.unwrap();
    let message_id = start.data["message_id"].as_str().unwrap().to_string();
    let mut received = String::new();
    while received.len() < 40 {
        let ev = reader.next().await.unwrap();
        received.push_str(ev.data["text"].as_str().unwrap_or_default());
    }
    // Past a flush, then kill -9: no chance to save anything more.
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&server.child, "KILL");
    wait_with_timeout(&mut server.child, Duration::from_secs(10));
    drop(reader);

    let restarted = start_server(dir.path(), &vars);
    let base = format!("http://{}", restarted.addr);
    let mut message = Value::Null;
    for _ in 0..100 {
        let response = client
            .request(
                Method::GET,
                format!("{base}/api/conversations/{conversation}/messages"),
            )
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        let list: Value = response.json().await.unwrap();
        message = list["items"][1].clone();
        if message["status"] != "streaming" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(message["id"], message_id.as_str());
    assert_eq!(message["status"], "interrupted");
    assert_eq!(message["error"]["code"], "interrupted");
    let partial = message["content"][0]["text"].as_str().unwrap_or_default();
    assert!(
        partial.len() >= 20 && received.starts_with(&partial[..20]),
        "the text received before the crash is kept: {partial:?} vs {received:?}"
    );
    // The conversation is free again.
    let again = client
        .post(format!("{base}/api/conversations/{conversation}/messages"))
        .bearer_auth(&token)
        .json(&json!({"content": "again", "stream": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 200);
    let mut restarted = restarted;
    signal(&restarted.child, "TERM");
    wait_with_timeout(&mut restarted.child, Duration::from_secs(15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_saves_running_turns_before_exiting() {
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, SLOW_AGENT).unwrap();
    let vars = [
        ("AGENTS_CONFIG", agents.to_str().unwrap()),
        ("LLMCHAT_SHUTDOWN_GRACE", "2s"),
    ];
    let mut server = start_server(dir.path(), &vars);
    let base = format!("http://{}", server.addr);
    let client = http_client();
    let registered: Value = client
        .post(format!("{base}/api/auth/register"))
        .json(&json!({"username": "term", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["access_token"].as_str().unwrap().to_string();
    let conversation: Value = client
        .post(format!("{base}/api/conversations"))
        .bearer_auth(&token)
        .json(&json!({"agent_id": "slow"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conversation["id"].as_str().unwrap().to_string();
    let mut reader = SseReader::new(
        client
            .post(format!("{base}/api/conversations/{conversation}/messages"))
            .bearer_auth(&token)
            .json(&json!({"content": "a long one"}))
            .send()
            .await
            .unwrap(),
    );
    reader.next().await.unwrap();
    reader.next().await.unwrap();
    signal(&server.child, "TERM");
    // The open stream ends with the turn, saved as interrupted, within the grace.
    let rest = reader.all().await;
    let done = rest.last().unwrap();
    assert_eq!(done.event, "done");
    assert_eq!(done.data["status"], "interrupted");
    let status = wait_with_timeout(&mut server.child, Duration::from_secs(15));
    assert!(status.success(), "exit 0 after saving: {status:?}");

    let restarted = start_server(dir.path(), &vars);
    let list: Value = client
        .get(format!(
            "http://{}/api/conversations/{conversation}/messages",
            restarted.addr
        ))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"][1]["status"], "interrupted");
    assert!(!list["items"][1]["content"].as_array().unwrap().is_empty());
    let mut restarted = restarted;
    signal(&restarted.child, "TERM");
    wait_with_timeout(&mut restarted.child, Duration::from_secs(15));
}

async fn another_instance_never_interrupts_a_live_instances_turn(backend: Backend) {
    let fast_beats = |s: &mut llmchat::config::Settings| {
        s.chat.heartbeat_interval = Duration::from_millis(100);
        s.chat.heartbeat_timeout = Duration::from_millis(600);
    };
    let chat =
        crate::chat_support::chat_app(backend, crate::chat_support::SLOW_DEMO, fast_beats).await;
    // A second instance on the same database, sweeping for orphans every 100 ms.
    let _replica = chat.app.spawn_replica(fast_beats).await;
    let conversation = chat.conversation("slow").await;
    let events = chat
        .say(
            &conversation,
            json!({"content": "a turn that outlives several sweeps"}),
        )
        .await
        .all()
        .await;
    assert_eq!(events.last().unwrap().data["status"], "complete");
    let list = chat.messages(&conversation, false).await;
    assert_eq!(list["items"][1]["status"], "complete");
    let (_, me) = chat
        .app
        .send(Method::GET, "/api/auth/me", &chat.token, None)
        .await;
    assert!(me.is_object());
}

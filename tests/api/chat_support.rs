//! Helpers for the chat tests: an SSE reader that parses events as they arrive, and an app
//! with agents of the test's choosing and a signed-in user.

use std::time::Duration;

use futures_util::StreamExt;
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with};

/// One parsed SSE event.
#[derive(Debug, Clone)]
pub struct Ev {
    pub id: String,
    pub event: String,
    pub data: Value,
}

impl Ev {
    pub fn seq(&self) -> u64 {
        self.id.rsplit_once(':').unwrap().1.parse().unwrap()
    }
}

/// Reads SSE events from a response as they arrive.
pub struct SseReader {
    body: std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<Vec<u8>>> + Send>>,
    buffer: Vec<u8>,
}

impl SseReader {
    pub fn new(response: reqwest::Response) -> SseReader {
        assert_eq!(response.status(), 200, "an SSE response");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        SseReader {
            body: Box::pin(
                response
                    .bytes_stream()
                    .map(|chunk| chunk.map(|b| b.to_vec())),
            ),
            buffer: Vec::new(),
        }
    }

    /// The next event (comments skipped), or `None` at the end of the stream.
    pub async fn next(&mut self) -> Option<Ev> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = String::from_utf8(block).unwrap();
                let mut ev = Ev {
                    id: String::new(),
                    event: String::new(),
                    data: Value::Null,
                };
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id: ").or(line.strip_prefix("id:")) {
                        ev.id = v.to_string();
                    } else if let Some(v) =
                        line.strip_prefix("event: ").or(line.strip_prefix("event:"))
                    {
                        ev.event = v.to_string();
                    } else if let Some(v) =
                        line.strip_prefix("data: ").or(line.strip_prefix("data:"))
                    {
                        data.push_str(v);
                    }
                }
                if ev.event.is_empty() {
                    continue;
                }
                ev.data = serde_json::from_str(&data).unwrap();
                return Some(ev);
            }
            let chunk = tokio::time::timeout(Duration::from_secs(20), self.body.next())
                .await
                .expect("an event within 20 s")?;
            self.buffer.extend_from_slice(&chunk.unwrap());
        }
    }

    pub async fn all(mut self) -> Vec<Ev> {
        let mut events = Vec::new();
        while let Some(ev) = self.next().await {
            events.push(ev);
        }
        events
    }
}

/// The text the `delta`/`replace` events spell.
pub fn answer_text(events: &[Ev]) -> String {
    let mut text = String::new();
    for ev in events {
        match ev.event.as_str() {
            "delta" => text.push_str(ev.data["text"].as_str().unwrap()),
            "replace" => text = ev.data["text"].as_str().unwrap().to_string(),
            _ => {}
        }
    }
    text
}

pub struct Chat {
    pub app: TestApp,
    pub token: String,
    pub _dir: tempfile::TempDir,
}

/// An app with these agents (YAML list items), a signed-in user, fast heartbeats.
pub async fn chat_app(
    backend: Backend,
    agents: &str,
    configure: impl FnOnce(&mut llmchat::config::Settings),
) -> Chat {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.yaml");
    std::fs::write(&path, format!("agents:\n{agents}")).unwrap();
    let app = spawn_app_with(backend, |s| {
        s.agents.config = path.clone();
        s.chat.flush_interval = Duration::from_millis(100);
        s.chat.heartbeat_interval = Duration::from_millis(200);
        configure(s);
    })
    .await;
    let token = app.register("chatter", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    Chat {
        app,
        token,
        _dir: dir,
    }
}

pub const FAST_DEMO: &str =
    "  - {id: fast, name: Fast, provider: {type: demo, chars_per_second: 100000}}\n";
pub const SLOW_DEMO: &str =
    "  - {id: slow, name: Slow, provider: {type: demo, chars_per_second: 300}}\n";

impl Chat {
    pub async fn conversation(&self, agent: &str) -> String {
        let (status, body) = self
            .app
            .send(
                Method::POST,
                "/api/conversations",
                &self.token,
                Some(json!({"agent_id": agent})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    pub async fn post(&self, path: &str, body: Value) -> reqwest::Response {
        self.app
            .client
            .post(self.app.url(path))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn say(&self, conversation: &str, body: Value) -> SseReader {
        SseReader::new(
            self.post(&format!("/api/conversations/{conversation}/messages"), body)
                .await,
        )
    }

    pub async fn messages(&self, conversation: &str, all: bool) -> Value {
        let (status, body) = self
            .app
            .send(
                Method::GET,
                &format!("/api/conversations/{conversation}/messages?all={all}"),
                &self.token,
                None,
            )
            .await;
        assert_eq!(status, 200, "{body}");
        body
    }

    /// Polls until the message leaves `streaming`.
    pub async fn settled(&self, conversation: &str, message_id: &str) -> Value {
        for _ in 0..200 {
            let list = self.messages(conversation, true).await;
            let message = list["items"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["id"] == message_id)
                .cloned()
                .unwrap();
            if message["status"] != "streaming" {
                return message;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("message {message_id} still streaming");
    }
}

pub async fn chat_user_id(chat: &Chat) -> String {
    let (_, me) = chat
        .app
        .send(Method::GET, "/api/auth/me", &chat.token, None)
        .await;
    me["id"]
        .as_str()
        .or(me["user"]["id"].as_str())
        .unwrap()
        .to_string()
}

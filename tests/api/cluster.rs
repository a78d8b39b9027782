//! Replicas sharing one PostgreSQL and one Redis act as one server: a turn is read, resumed
//! and stopped through any replica, reloads and revoked keys reach every replica at once, and
//! when the replica running a turn dies another closes it (Redis trouble: `cluster_redis`).

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{Ev, SseReader, answer_text};
use crate::helpers::{
    Backend, JWT_SECRET, PASSWORD, Replica, TestApp, TestDatabase, http_client, spawn_app_with,
    test_redis_url,
};
use crate::process::{signal, start_server, wait_with_timeout};

pub(crate) const AGENTS: &str =
    "agents:\n  - {id: slow, name: Slow, provider: {type: demo, chars_per_second: 400}}\n";

/// Two replicas on one PostgreSQL database and one Redis (with a prefix of the test's own),
/// with the same agents file and JWT secret.
struct Pair {
    a: TestApp,
    b: Replica,
    agents: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

fn prefix() -> String {
    format!("llmchat-test-{}:", uuid::Uuid::new_v4().simple())
}

async fn pair() -> Pair {
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, AGENTS).unwrap();
    let prefix = prefix();
    let configure = |s: &mut llmchat::config::Settings| {
        s.agents.config = agents.clone();
        s.redis.url = Some(test_redis_url());
        s.redis.key_prefix = prefix.clone();
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        s.chat.flush_interval = Duration::from_millis(100);
        s.chat.heartbeat_interval = Duration::from_millis(200);
    };
    let a = spawn_app_with(Backend::Postgres, configure).await;
    let b = a.spawn_replica(configure).await;
    Pair {
        a,
        b,
        agents,
        _dir: dir,
    }
}

impl Pair {
    async fn user(&self, name: &str) -> String {
        self.a.register(name, PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn conversation(&self, token: &str) -> String {
        let (status, body) = self
            .a
            .send(
                Method::POST,
                "/api/conversations",
                token,
                Some(json!({"agent_id": "slow"})),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_turn_started_on_one_replica_is_resumed_and_stopped_through_another() {
    let pair = pair().await;
    let token = pair.user("roamer").await;
    let conversation = pair.conversation(&token).await;
    let client = http_client();
    let mut on_a = SseReader::new(
        client
            .post(
                pair.a
                    .url(&format!("/api/conversations/{conversation}/messages")),
            )
            .bearer_auth(&token)
            .json(&json!({"content": "tell me a long story"}))
            .send()
            .await
            .unwrap(),
    );
    let mut seen = vec![on_a.next().await.unwrap()];
    while answer_text(&seen).len() < 30 {
        seen.push(on_a.next().await.unwrap());
    }
    let last = seen.last().unwrap().clone();

    // Through the other replica, after the last event this client had: no gap, no repeat.
    let mut on_b = SseReader::new(
        client
            .get(
                pair.b
                    .url(&format!("/api/conversations/{conversation}/stream")),
            )
            .bearer_auth(&token)
            .header("last-event-id", &last.id)
            .send()
            .await
            .unwrap(),
    );
    let mut resumed = Vec::new();
    while answer_text(&resumed).len() < 30 {
        let event = on_b
            .next()
            .await
            .expect("the stream goes on through replica B");
        resumed.push(event);
    }
    assert_eq!(
        resumed[0].seq(),
        last.seq() + 1,
        "B resumes right after {}",
        last.id
    );

    // Stop through B: the turn runs on A, which ends it within a second.
    let asked = Instant::now();
    let stop = client
        .post(
            pair.b
                .url(&format!("/api/conversations/{conversation}/stop")),
        )
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), 202);
    let rest_a = tokio::time::timeout(Duration::from_secs(5), on_a.all())
        .await
        .expect("A's stream ends after the stop");
    let stopped_after = asked.elapsed();
    assert!(
        stopped_after < Duration::from_secs(1),
        "the owner stopped within 1 s (took {stopped_after:?})"
    );
    let rest_b = tokio::time::timeout(Duration::from_secs(5), on_b.all())
        .await
        .expect("B's stream ends too");
    let done_a = rest_a.last().unwrap();
    let done_b = rest_b.last().unwrap();
    assert_eq!(
        (done_a.event.as_str(), done_b.event.as_str()),
        ("done", "done")
    );
    assert_eq!(done_a.data["status"], "stopped");
    assert_eq!(done_b.data, done_a.data);

    // Both clients have the same answer, byte for byte.
    let all_a: Vec<Ev> = seen.iter().chain(&rest_a).cloned().collect();
    let all_b: Vec<Ev> = seen
        .iter()
        .chain(&resumed)
        .chain(&rest_b)
        .cloned()
        .collect();
    assert_eq!(answer_text(&all_a), answer_text(&all_b));
    let seqs: Vec<u64> = all_b.iter().map(Ev::seq).collect();
    assert_eq!(seqs, (1..=seqs.len() as u64).collect::<Vec<_>>());

    // After the end, a late reader on B replays the whole turn.
    let replay = SseReader::new(
        client
            .get(
                pair.b
                    .url(&format!("/api/conversations/{conversation}/stream")),
            )
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .all()
    .await;
    assert_eq!(answer_text(&replay), answer_text(&all_a));
    assert_eq!(replay.first().unwrap().event, "start");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conversation_without_a_held_turn_streams_nothing_on_any_replica() {
    let pair = pair().await;
    let token = pair.user("idle").await;
    let conversation = pair.conversation(&token).await;
    let response = http_client()
        .get(
            pair.b
                .url(&format!("/api/conversations/{conversation}/stream")),
        )
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let stop = http_client()
        .post(
            pair.b
                .url(&format!("/api/conversations/{conversation}/stop")),
        )
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stop.status(), 409);
}

/// Polls `check` every 20 ms for up to 1 s; how long it took to hold.
async fn within_a_second<F, Fut>(mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(1) {
        if check().await {
            return started.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("not on every replica within 1 s");
}

async fn agent_ids(base: &str, token: &str) -> Vec<String> {
    let body: Value = http_client()
        .get(format!("{base}/api/agents"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = body["items"]
        .as_array()
        .or(body.as_array())
        .cloned()
        .unwrap_or_default();
    list.iter()
        .map(|a| a["id"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_and_revoked_keys_reach_every_replica_within_a_second() {
    let pair = pair().await;
    let admin = pair.user("boss").await; // the first user is the admin
    let client = http_client();
    let a_base = format!("http://{}", pair.a.addr);
    let b_base = format!("http://{}", pair.b.addr);

    // A new agent in the file, reloaded through A, is on B at once.
    std::fs::write(
        &pair.agents,
        format!("{AGENTS}  - {{id: fresh, name: Fresh, provider: {{type: demo}}}}\n"),
    )
    .unwrap();
    let reload = client
        .post(format!("{a_base}/api/agents/reload"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(reload.status(), 200);
    within_a_second(|| async {
        agent_ids(&b_base, &admin)
            .await
            .contains(&"fresh".to_string())
    })
    .await;

    // A key made on A works on B; revoked through B, it fails on both within a second.
    let (status, key) = pair
        .a
        .send(
            Method::POST,
            "/api/keys",
            &admin,
            Some(json!({"name": "roaming"})),
        )
        .await;
    assert_eq!(status, 201, "{key}");
    let secret = key["key"].as_str().unwrap().to_string();
    let id = key["id"].as_str().unwrap().to_string();
    for base in [&a_base, &b_base] {
        let ok = client
            .get(format!("{base}/api/agents"))
            .bearer_auth(&secret)
            .send()
            .await
            .unwrap();
        assert_eq!(ok.status(), 200);
    }
    let revoked = client
        .delete(format!("{b_base}/api/keys/{id}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), 204);
    within_a_second(|| async {
        let mut all = true;
        for base in [&a_base, &b_base] {
            let status = client
                .get(format!("{base}/api/agents"))
                .bearer_auth(&secret)
                .send()
                .await
                .unwrap()
                .status();
            all &= status == 401;
        }
        all
    })
    .await;
}

/// Two `llmchat serve` processes on one database and Redis; kill -9 of the one running a turn
/// leaves the other to close it for the reader that follows it there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn when_the_owner_is_killed_another_replica_closes_the_turn_for_its_readers() {
    let db = TestDatabase::create(Backend::Postgres).await;
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(&agents, AGENTS).unwrap();
    let prefix = prefix();
    let redis = test_redis_url();
    let vars = |data: &str| {
        vec![
            ("DATABASE_URL".to_string(), db.url.clone()),
            ("REDIS_URL".into(), redis.clone()),
            ("LLMCHAT_REDIS__KEY_PREFIX".into(), prefix.clone()),
            ("JWT_SECRET".into(), JWT_SECRET.into()),
            ("AGENTS_CONFIG".into(), agents.to_str().unwrap().into()),
            (
                "LLMCHAT_DATA_DIR".into(),
                dir.path().join(data).to_str().unwrap().into(),
            ),
            ("LLMCHAT_CHAT__FLUSH_INTERVAL".into(), "100ms".into()),
            ("LLMCHAT_CHAT__HEARTBEAT_INTERVAL".into(), "200ms".into()),
            ("LLMCHAT_CHAT__HEARTBEAT_TIMEOUT".into(), "1s".into()),
        ]
    };
    let start = |data: &str| {
        let owned = vars(data);
        let borrowed: Vec<(&str, &str)> = owned
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        start_server(dir.path(), &borrowed)
    };
    let mut owner = start("a");
    let mut other = start("b");
    let a = format!("http://{}", owner.addr);
    let b = format!("http://{}", other.addr);
    let client = http_client();
    let registered: Value = client
        .post(format!("{a}/api/auth/register"))
        .json(&json!({"username": "victim", "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = registered["access_token"].as_str().unwrap().to_string();
    let conversation: Value = client
        .post(format!("{a}/api/conversations"))
        .bearer_auth(&token)
        .json(&json!({"agent_id": "slow"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let conversation = conversation["id"].as_str().unwrap().to_string();
    let mut on_a = SseReader::new(
        client
            .post(format!("{a}/api/conversations/{conversation}/messages"))
            .bearer_auth(&token)
            .json(&json!({"content": "a long one"}))
            .send()
            .await
            .unwrap(),
    );
    let start_event = on_a.next().await.unwrap();
    let message_id = start_event.data["message_id"].as_str().unwrap().to_string();
    let mut on_b = SseReader::new(
        client
            .get(format!("{b}/api/conversations/{conversation}/stream"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    );
    let mut from_b = Vec::new();
    while answer_text(&from_b).len() < 40 {
        from_b.push(on_b.next().await.unwrap());
    }
    tokio::time::sleep(Duration::from_millis(300)).await; // past a flush
    signal(&owner.child, "KILL");
    wait_with_timeout(&mut owner.child, Duration::from_secs(10));
    drop(on_a);

    // B notices the silent owner, marks the turn interrupted and ends B's reader.
    let rest = tokio::time::timeout(Duration::from_secs(15), on_b.all())
        .await
        .expect("the reader on B is not left hanging");
    let done = rest.last().expect("closing events");
    assert_eq!(done.event, "done");
    assert_eq!(done.data["status"], "interrupted");
    assert_eq!(done.data["message_id"], message_id.as_str());
    assert!(
        rest.iter()
            .any(|e| e.event == "error" && e.data["code"] == "interrupted")
    );

    let list: Value = client
        .get(format!("{b}/api/conversations/{conversation}/messages"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let answer = &list["items"][1];
    assert_eq!(answer["status"], "interrupted");
    let kept = answer["content"]
        .as_array()
        .unwrap()
        .iter()
        .find(|part| part["type"] == "text")
        .and_then(|part| part["text"].as_str())
        .unwrap_or_default();
    // Everything the reader was sent is kept, not only what the owner had flushed.
    let streamed: Vec<Ev> = from_b.iter().chain(&rest).cloned().collect();
    assert_eq!(kept, answer_text(&streamed));
    assert!(kept.len() > 40, "{kept:?}");
    signal(&other.child, "TERM");
    wait_with_timeout(&mut other.child, Duration::from_secs(15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_that_ran_the_previous_turn_follows_the_next_one_run_elsewhere() {
    let pair = pair().await;
    let token = pair.user("alternating").await;
    let conversation = pair.conversation(&token).await;
    let client = http_client();
    let send = |base: String| {
        let client = client.clone();
        let token = token.clone();
        let conversation = conversation.clone();
        async move {
            SseReader::new(
                client
                    .post(format!("{base}/api/conversations/{conversation}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"content": "again"}))
                    .send()
                    .await
                    .unwrap(),
            )
        }
    };
    // The first turn on A, to its end: A keeps it for replay.
    send(format!("http://{}", pair.a.addr)).await.all().await;
    // The second on B; a reader on A must follow it, not replay the first.
    let mut on_b = send(format!("http://{}", pair.b.addr)).await;
    let start = on_b.next().await.unwrap();
    let on_a = SseReader::new(
        client
            .get(
                pair.a
                    .url(&format!("/api/conversations/{conversation}/stream")),
            )
            .bearer_auth(&token)
            .send()
            .await
            .unwrap(),
    )
    .all()
    .await;
    assert_eq!(on_a[0].data["message_id"], start.data["message_id"]);
    let rest_b = on_b.all().await;
    assert_eq!(on_a.last().unwrap().data, rest_b.last().unwrap().data);
}

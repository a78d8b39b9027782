//! The hub's shared copy: the owner of a turn appends each event to a Redis Stream,
//! `{prefix}turn:{message_id}`, under the entry id `0-{seq}`, and points
//! `{prefix}conv:{conversation_id}` at the turn; a reader on any replica replays from after its
//! `Last-Event-ID` and then follows with `XREAD BLOCK` on a connection of its own. The owner
//! ends the stream with an `_end` entry and lets both keys expire after the replay retention.
//!
//! A reader never hangs: when a turn's stream falls silent it asks the database, and a turn
//! that is no longer `streaming` there (its owner died, or could not write to Redis) ends with
//! a `done` event made from the saved answer. A replica that marks a dead owner's turns
//! interrupted closes their streams ([`Shared::close_orphan`]).
//!
//! Redis trouble never stops a turn: the owner keeps serving its own readers from memory, and
//! new turns skip Redis until it has answered again.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::StreamExt;
use redis::aio::MultiplexedConnection;
use tokio::sync::mpsc;

use super::{EventStream, HubEvent, StartAt};
use crate::chat::events::{DoneEvent, EventName, UsageEvent, data};
use crate::content::MessageStatus;
use crate::shared::Redis;
use crate::store::Db;

/// The longest the owner waits for Redis to take a batch of events.
const WRITE_TIMEOUT: Duration = Duration::from_secs(1);
/// The longest a reader waits for Redis before giving up (connecting, looking up the turn).
const READ_TIMEOUT: Duration = Duration::from_millis(500);
/// How long a reader waits for the next event before it checks the turn in the database.
const QUIET: Duration = Duration::from_secs(5);
/// After a failure, new turns skip Redis for this long.
const SKIP_AFTER_FAILURE: Duration = Duration::from_secs(1);
/// A turn's keys live at most this long while it runs (an owner that dies leaves them).
const RUNNING_TTL_MS: u64 = 24 * 3600 * 1000;
/// The entry that ends a turn's stream; never sent to clients.
const END: &str = "_end";

/// Closes a turn's stream unless it is closed: appends `error`, `done` and the end entry after
/// its last event, and sets its expiry. KEYS[1]: the stream; ARGV: error JSON, done JSON, TTL
/// (ms). Returns 1 when it closed the stream, 0 when there was none or it was closed.
const CLOSE_LUA: &str = r"
local last = redis.call('XREVRANGE', KEYS[1], '+', '-', 'COUNT', 1)
if #last == 0 then return 0 end
local fields = last[1][2]
for i = 1, #fields, 2 do
  if fields[i] == 'n' and fields[i + 1] == '_end' then return 0 end
end
local seq = tonumber(string.match(last[1][1], '-(%d+)$'))
redis.call('XADD', KEYS[1], '0-' .. (seq + 1), 'n', 'error', 'd', ARGV[1])
redis.call('XADD', KEYS[1], '0-' .. (seq + 2), 'n', 'done', 'd', ARGV[2])
redis.call('XADD', KEYS[1], '0-' .. (seq + 3), 'n', '_end', 'd', '')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
";

/// The shared side of the hub: Redis, with the database to ask about silent turns.
pub struct Shared {
    redis: Arc<Redis>,
    prefix: String,
    db: Db,
    /// How long finished turns stay readable (ms); follows `chat.replay_retention`.
    retention_ms: AtomicU64,
    /// The server's tasks: shutdown waits for the writers to copy turns' last events.
    tasks: tokio_util::task::TaskTracker,
}

/// What the owner's turn task hands its Redis writer.
enum Out {
    Event(Arc<HubEvent>),
    /// The turn ended; the end entry takes this seq.
    End(u64),
}

/// The owner's side of one turn's shared copy.
pub(super) struct Mirror {
    tx: mpsc::UnboundedSender<Out>,
}

impl Mirror {
    pub(super) fn send(&self, event: Arc<HubEvent>) {
        // The writer only stops once the turn has ended.
        let _ = self.tx.send(Out::Event(event));
    }

    pub(super) fn finish(self, end_seq: u64) {
        let _ = self.tx.send(Out::End(end_seq));
    }
}

impl Shared {
    pub fn new(
        redis: Arc<Redis>,
        prefix: &str,
        db: Db,
        retention: Duration,
        tasks: tokio_util::task::TaskTracker,
    ) -> Shared {
        Shared {
            redis,
            prefix: prefix.to_string(),
            db,
            retention_ms: AtomicU64::new(retention.as_millis() as u64),
            tasks,
        }
    }

    pub(super) fn set_retention(&self, retention: Duration) {
        self.retention_ms
            .store(retention.as_millis() as u64, Ordering::Relaxed);
    }

    fn retention_ms(&self) -> u64 {
        self.retention_ms.load(Ordering::Relaxed).max(1)
    }

    fn turn_key(&self, message_id: &str) -> String {
        format!("{}turn:{message_id}", self.prefix)
    }

    fn conversation_key(&self, conversation_id: &str) -> String {
        format!("{}conv:{conversation_id}", self.prefix)
    }

    /// Starts copying a new turn to Redis; `None` (this process only) while Redis fails.
    pub(super) fn mirror(
        self: &Arc<Self>,
        conversation_id: &str,
        message_id: &str,
    ) -> Option<Mirror> {
        if self.redis.failed_within(SKIP_AFTER_FAILURE) {
            tracing::debug!(
                message_id,
                "Redis failed recently: this turn is readable here only"
            );
            return None;
        }
        let (tx, rx) = mpsc::unbounded_channel();
        self.tasks.spawn(write(
            self.clone(),
            self.conversation_key(conversation_id),
            self.turn_key(message_id),
            message_id.to_string(),
            rx,
        ));
        Some(Mirror { tx })
    }

    /// Replays and follows the conversation's current (or last held) turn of any replica.
    pub(super) async fn subscribe(
        self: &Arc<Self>,
        conversation_id: &str,
        from: StartAt<'_>,
    ) -> Option<(String, EventStream)> {
        let mut get = redis::cmd("GET");
        get.arg(self.conversation_key(conversation_id));
        let message_id: Option<String> =
            self.redis.run("find turn", READ_TIMEOUT, &get).await.ok()?;
        let message_id = message_id?;
        let key = self.turn_key(&message_id);
        let mut exists = redis::cmd("EXISTS");
        exists.arg(&key);
        let found: u64 = self
            .redis
            .run("find turn", READ_TIMEOUT, &exists)
            .await
            .ok()?;
        if found == 0 {
            return None;
        }
        let conn = self.redis.dedicated(READ_TIMEOUT).await;
        self.redis.note("follow turn", &conn);
        let after = match from {
            StartAt::After { message_id: m, seq } if m == message_id => seq,
            _ => 0,
        };
        let reader = Reader {
            shared: self.clone(),
            conn: conn.ok()?,
            key,
            message_id: message_id.clone(),
            last: after,
            buffer: VecDeque::new(),
            ended: false,
        };
        let events = futures_util::stream::unfold(reader, |mut reader| async move {
            let event = reader.next().await?;
            Some((event, reader))
        });
        Some((message_id, events.boxed()))
    }

    /// The answer text a turn's readers were sent (its `delta` and `replace` events), when
    /// its events are still in Redis.
    pub async fn streamed_text(&self, message_id: &str) -> Option<String> {
        let mut range = redis::cmd("XRANGE");
        range.arg(self.turn_key(message_id)).arg("-").arg("+");
        let entries: Vec<(String, Vec<String>)> = self
            .redis
            .run("read turn", WRITE_TIMEOUT, &range)
            .await
            .ok()?;
        if entries.is_empty() {
            return None;
        }
        let mut text = String::new();
        for (_, fields) in entries {
            let field = |key: &str| {
                fields
                    .chunks(2)
                    .find(|pair| pair[0] == key)
                    .and_then(|pair| pair.get(1))
            };
            let (Some(name), Some(payload)) = (field("n"), field("d")) else {
                continue;
            };
            let piece = || {
                serde_json::from_str::<serde_json::Value>(payload)
                    .ok()
                    .and_then(|v| v["text"].as_str().map(str::to_string))
            };
            match name.as_str() {
                "delta" => text.push_str(&piece().unwrap_or_default()),
                "replace" => text = piece().unwrap_or_default(),
                _ => {}
            }
        }
        Some(text)
    }

    /// Closes the stream of a turn whose owner died (after the database marked it
    /// `interrupted`): its readers get `error` and `done` and end.
    pub async fn close_orphan(&self, message_id: &str) {
        let error = serde_json::json!({
            "code": "interrupted",
            "message": "the server stopped during this answer",
        });
        let done = data(&DoneEvent {
            message_id: message_id.to_string(),
            status: MessageStatus::Interrupted,
            usage: UsageEvent {
                prompt_tokens: 0,
                completion_tokens: 0,
                estimated: true,
            },
        });
        let mut command = redis::cmd("EVAL");
        command
            .arg(CLOSE_LUA)
            .arg(1)
            .arg(self.turn_key(message_id))
            .arg(error.to_string())
            .arg(done)
            .arg(self.retention_ms());
        match self
            .redis
            .run::<u64>("close turn", WRITE_TIMEOUT, &command)
            .await
        {
            Ok(1) => tracing::info!(message_id, "closed the stream of an interrupted turn"),
            Ok(_) => {}
            Err(e) => {
                tracing::warn!(message_id, error = %e, "cannot close the stream of an interrupted turn")
            }
        }
    }
}

/// Copies one turn's events to Redis in batches, until the turn ends; after a failure the
/// rest of the turn stays in this process only.
async fn write(
    shared: Arc<Shared>,
    conversation_key: String,
    key: String,
    message_id: String,
    mut rx: mpsc::UnboundedReceiver<Out>,
) {
    let mut first = true;
    let mut failed = false;
    while let Some(out) = rx.recv().await {
        let mut batch = vec![out];
        while batch.len() < 256
            && let Ok(out) = rx.try_recv()
        {
            batch.push(out);
        }
        let ended = batch.iter().any(|out| matches!(out, Out::End(_)));
        if failed {
            if ended {
                return;
            }
            continue;
        }
        let mut pipe = redis::pipe();
        pipe.atomic();
        if first {
            pipe.cmd("SET")
                .arg(&conversation_key)
                .arg(&message_id)
                .arg("PX")
                .arg(RUNNING_TTL_MS)
                .ignore();
        }
        for out in &batch {
            let (seq, name, payload) = match out {
                Out::Event(event) => (event.seq, event.name.as_str(), event.data.as_str()),
                Out::End(seq) => (*seq, END, ""),
            };
            pipe.cmd("XADD")
                .arg(&key)
                .arg(format!("0-{seq}"))
                .arg("n")
                .arg(name)
                .arg("d")
                .arg(payload)
                .ignore();
        }
        let ttl = if ended {
            shared.retention_ms()
        } else {
            RUNNING_TTL_MS
        };
        if ended || first {
            pipe.cmd("PEXPIRE").arg(&key).arg(ttl).ignore();
            pipe.cmd("PEXPIRE").arg(&conversation_key).arg(ttl).ignore();
        }
        first = false;
        let result = async {
            let mut conn = shared.redis.connection(WRITE_TIMEOUT).await?;
            tokio::time::timeout(WRITE_TIMEOUT, pipe.query_async::<()>(&mut conn))
                .await
                .map_err(|_| anyhow::anyhow!("no answer within {} ms", WRITE_TIMEOUT.as_millis()))?
                .map_err(|e| anyhow::anyhow!("Redis error: {e}"))
        }
        .await;
        shared.redis.note("stream events", &result);
        if let Err(e) = result {
            tracing::warn!(%message_id, error = %e, "cannot copy the turn's events to Redis; it is readable on this replica only");
            failed = true;
        }
        if ended {
            return;
        }
    }
}

/// One reader of a turn on another replica.
struct Reader {
    shared: Arc<Shared>,
    conn: MultiplexedConnection,
    key: String,
    message_id: String,
    /// The seq of the last event handed out.
    last: u64,
    buffer: VecDeque<Arc<HubEvent>>,
    ended: bool,
}

/// `XREAD` reply: per stream, its name and entries; an entry is its id and flat fields.
type XreadReply = Option<Vec<(String, Vec<(String, Vec<String>)>)>>;

impl Reader {
    async fn next(&mut self) -> Option<Arc<HubEvent>> {
        loop {
            if let Some(event) = self.buffer.pop_front() {
                self.last = event.seq;
                return Some(event);
            }
            if self.ended {
                return None;
            }
            let mut read = redis::cmd("XREAD");
            read.arg("COUNT")
                .arg(512)
                .arg("BLOCK")
                .arg(QUIET.as_millis() as u64)
                .arg("STREAMS")
                .arg(&self.key)
                .arg(format!("0-{}", self.last));
            let reply = tokio::time::timeout(
                QUIET + Duration::from_secs(2),
                read.query_async::<XreadReply>(&mut self.conn),
            )
            .await;
            match reply {
                Ok(Ok(Some(streams))) => {
                    for (_, entries) in streams {
                        self.take(entries);
                    }
                }
                Ok(Ok(None)) => self.check_silent_turn().await,
                Ok(Err(e)) => {
                    let failure: anyhow::Result<()> = Err(anyhow::anyhow!("Redis error: {e}"));
                    self.shared.redis.note("follow turn", &failure);
                    return None;
                }
                Err(_) => {
                    let failure: anyhow::Result<()> = Err(anyhow::anyhow!("XREAD did not return"));
                    self.shared.redis.note("follow turn", &failure);
                    return None;
                }
            }
        }
    }

    fn take(&mut self, entries: Vec<(String, Vec<String>)>) {
        for (id, fields) in entries {
            let Some(seq) = id.rsplit_once('-').and_then(|(_, s)| s.parse::<u64>().ok()) else {
                continue;
            };
            let mut name = None;
            let mut payload = String::new();
            for pair in fields.chunks(2) {
                match (pair[0].as_str(), pair.get(1)) {
                    ("n", Some(n)) => name = Some(n.clone()),
                    ("d", Some(d)) => payload = d.clone(),
                    _ => {}
                }
            }
            match name.as_deref() {
                Some(END) => {
                    self.ended = true;
                    return;
                }
                Some(n) => match EventName::parse(n) {
                    Some(name) => self.buffer.push_back(Arc::new(HubEvent {
                        seq,
                        name,
                        data: payload,
                    })),
                    None => tracing::warn!(event = n, "skipped a shared event of an unknown kind"),
                },
                None => {}
            }
        }
    }

    /// The turn said nothing for a while: when the database no longer has it streaming, its
    /// owner is gone (or could not write here) and the reader ends with the saved status.
    async fn check_silent_turn(&mut self) {
        match crate::store::messages::get_message_by_id(&self.shared.db, &self.message_id).await {
            Ok(Some(row)) if row.status() != MessageStatus::Streaming => {
                let done = DoneEvent {
                    message_id: self.message_id.clone(),
                    status: row.status(),
                    usage: UsageEvent {
                        prompt_tokens: row.prompt_tokens.unwrap_or(0).max(0) as u64,
                        completion_tokens: row.completion_tokens.unwrap_or(0).max(0) as u64,
                        estimated: false,
                    },
                };
                self.buffer.push_back(Arc::new(HubEvent {
                    seq: self.last + 1,
                    name: EventName::Done,
                    data: data(&done),
                }));
                self.ended = true;
            }
            Ok(None) => self.ended = true,
            Ok(Some(_)) => {}
            Err(e) => tracing::debug!(error = %e, "cannot check a silent turn; waiting on"),
        }
    }
}

//! The stream hub: where a turn's events go, and where every SSE response reads them from.
//! A turn writes numbered events (seq from 1); readers start from the beginning or after any
//! event they already have, so a reconnecting client gets the exact remainder. Finished turns
//! stay readable for a while so that a late reader still sees the whole answer.
//!
//! Every turn's events live in the process that runs it (the owner), which serves its own
//! readers from memory. With Redis (`REDIS_URL`), the owner also copies each event to a Redis
//! Stream keyed by the turn (`redis.rs`), so that a reader on any replica replays and follows
//! it; without Redis, or while Redis fails, a turn's stream is readable on its owner only.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures_util::{Stream, StreamExt};
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

use super::events::EventName;

mod redis;

pub use self::redis::Shared;

/// A turn's events as a reader gets them.
pub type EventStream = Pin<Box<dyn Stream<Item = Arc<HubEvent>> + Send + 'static>>;

/// One event of a turn, its payload already serialised.
#[derive(Debug, Clone, PartialEq)]
pub struct HubEvent {
    pub seq: u64,
    /// `start`, `delta`, `reasoning`, …
    pub name: EventName,
    /// The JSON payload.
    pub data: String,
}

/// The hub; cheap to clone.
#[derive(Clone, Default)]
pub struct Hub {
    /// The turns this process runs (or ran, kept for replay).
    turns: Arc<Mutex<HashMap<String, Arc<TurnLog>>>>,
    /// Where the turns of every replica are copied; `None` without Redis.
    shared: Option<Arc<Shared>>,
}

/// One turn's events, by conversation.
struct TurnLog {
    message_id: String,
    events: Mutex<TurnEvents>,
    /// The number of events so far; readers wait for it to change.
    published: watch::Sender<u64>,
    /// Cancelled by [`Hub::stop`].
    cancel: CancellationToken,
}

#[derive(Default)]
struct TurnEvents {
    list: Vec<Arc<HubEvent>>,
    finished_at: Option<Instant>,
}

/// The writing end of one turn, held by its task.
pub struct Publisher {
    turn: Arc<TurnLog>,
    next_seq: u64,
    /// Copies the events to Redis; `None` for a turn kept in this process only.
    mirror: Option<self::redis::Mirror>,
}

/// Where a reader starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartAt<'a> {
    /// The turn's first event.
    Start,
    /// After event `seq` of the turn of message `message_id` (a `Last-Event-ID`); another
    /// turn's id means the reader has nothing of this one yet.
    After { message_id: &'a str, seq: u64 },
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave these maps half-changed.
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Hub {
    /// A hub of this process only.
    pub fn new() -> Hub {
        Hub::default()
    }

    /// A hub whose turns every replica sharing `shared` can read.
    pub fn with_shared(shared: Shared) -> Hub {
        Hub {
            turns: Arc::default(),
            shared: Some(Arc::new(shared)),
        }
    }

    /// The shared part, when there is one.
    pub fn shared(&self) -> Option<&Arc<Shared>> {
        self.shared.as_ref()
    }

    /// Registers a new turn of `conversation_id`; `Err` with the running turn's message id when
    /// one is still running there.
    pub fn begin(&self, conversation_id: &str, message_id: &str) -> Result<Publisher, String> {
        let mut turns = lock(&self.turns);
        if let Some(turn) = turns.get(conversation_id)
            && lock(&turn.events).finished_at.is_none()
        {
            return Err(turn.message_id.clone());
        }
        let (published, _) = watch::channel(0);
        let turn = Arc::new(TurnLog {
            message_id: message_id.to_string(),
            events: Mutex::new(TurnEvents::default()),
            published,
            cancel: CancellationToken::new(),
        });
        turns.insert(conversation_id.to_string(), turn.clone());
        let mirror = self
            .shared
            .as_ref()
            .and_then(|shared| shared.mirror(conversation_id, message_id));
        Ok(Publisher {
            turn,
            next_seq: 1,
            mirror,
        })
    }

    /// Forgets a turn that never started (its message could not be saved).
    pub fn abandon(&self, conversation_id: &str, message_id: &str) {
        let mut turns = lock(&self.turns);
        if turns
            .get(conversation_id)
            .is_some_and(|t| t.message_id == message_id)
        {
            turns.remove(conversation_id);
        }
    }

    /// The message id of the turn running in `conversation_id`, if any.
    pub fn running(&self, conversation_id: &str) -> Option<String> {
        let turns = lock(&self.turns);
        turns
            .get(conversation_id)
            .filter(|t| lock(&t.events).finished_at.is_none())
            .map(|t| t.message_id.clone())
    }

    /// Asks the turn of `conversation_id` running here to stop; its message id when there was
    /// one. (`cluster::stop` also reaches turns of other replicas.)
    pub fn stop(&self, conversation_id: &str) -> Option<String> {
        let turns = lock(&self.turns);
        let turn = turns
            .get(conversation_id)
            .filter(|t| lock(&t.events).finished_at.is_none())?;
        turn.cancel.cancel();
        Some(turn.message_id.clone())
    }

    /// The answer's message id and the events of the conversation's current (or last, if
    /// still held) turn from `from`, as a stream that ends after the turn's last event; `None`
    /// when no turn is held here, nor (with Redis) by any replica.
    pub async fn subscribe(
        &self,
        conversation_id: &str,
        from: StartAt<'_>,
    ) -> Option<(String, EventStream)> {
        // A turn that ended here may have been followed by one on another replica.
        let ended_here = self.running(conversation_id).is_none();
        if ended_here
            && let Some(shared) = &self.shared
            && let Some(found) = shared.subscribe(conversation_id, from).await
        {
            return Some(found);
        }
        self.subscribe_here(conversation_id, from)
            .map(|(message_id, events)| (message_id, events.boxed()))
    }

    /// Like [`Hub::subscribe`], for turns this process runs or holds.
    fn subscribe_here(
        &self,
        conversation_id: &str,
        from: StartAt<'_>,
    ) -> Option<(String, impl Stream<Item = Arc<HubEvent>> + Send + 'static)> {
        let turn = lock(&self.turns).get(conversation_id)?.clone();
        let next = match from {
            StartAt::After { message_id, seq } if message_id == turn.message_id => seq as usize,
            _ => 0,
        };
        Some((turn.message_id.clone(), read(turn, next)))
    }

    /// Drops finished turns older than `retention` (the shared copies expire by themselves
    /// after the same time).
    pub fn sweep(&self, retention: Duration) {
        if let Some(shared) = &self.shared {
            shared.set_retention(retention);
        }
        let mut turns = lock(&self.turns);
        turns.retain(|_, turn| {
            lock(&turn.events)
                .finished_at
                .is_none_or(|at| at.elapsed() < retention)
        });
    }

    /// Turns still running.
    pub fn running_count(&self) -> usize {
        lock(&self.turns)
            .values()
            .filter(|t| lock(&t.events).finished_at.is_none())
            .count()
    }

    /// Turns held (running or kept for replay).
    pub fn len(&self) -> usize {
        lock(&self.turns).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Events from index `next` on, waiting for more until the turn finishes.
fn read(turn: Arc<TurnLog>, next: usize) -> impl Stream<Item = Arc<HubEvent>> + Send + 'static {
    let changes = turn.published.subscribe();
    futures_util::stream::unfold(
        (turn, changes, next),
        |(turn, mut changes, next)| async move {
            loop {
                {
                    let events = lock(&turn.events);
                    if let Some(event) = events.list.get(next) {
                        let event = event.clone();
                        drop(events);
                        return Some((event, (turn, changes, next + 1)));
                    }
                    if events.finished_at.is_some() {
                        return None;
                    }
                }
                // Marks the current value seen before waiting, so no publish is missed.
                changes.borrow_and_update();
                {
                    let events = lock(&turn.events);
                    if events.list.len() > next || events.finished_at.is_some() {
                        continue;
                    }
                }
                if changes.changed().await.is_err() {
                    return None;
                }
            }
        },
    )
}

impl Publisher {
    /// The token that [`Hub::stop`] cancels.
    pub fn cancelled(&self) -> CancellationToken {
        self.turn.cancel.clone()
    }

    pub fn message_id(&self) -> &str {
        &self.turn.message_id
    }

    /// Appends an event and wakes the readers; returns its seq.
    pub fn publish(&mut self, name: EventName, data: String) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        let event = Arc::new(HubEvent { seq, name, data });
        if let Some(mirror) = &self.mirror {
            mirror.send(event.clone());
        }
        let count = {
            let mut events = lock(&self.turn.events);
            events.list.push(event);
            events.list.len() as u64
        };
        self.turn.published.send_replace(count);
        seq
    }

    /// Marks the turn finished: readers end after the last event, and a new turn may begin.
    pub fn finish(self) {
        drop(self);
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        let count = {
            let mut events = lock(&self.turn.events);
            events.finished_at.get_or_insert_with(Instant::now);
            events.list.len() as u64
        };
        // Wakes waiting readers so they see the end.
        self.turn.published.send_replace(count + 1);
        if let Some(mirror) = self.mirror.take() {
            mirror.finish(self.next_seq);
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    fn seqs(events: &[Arc<HubEvent>]) -> Vec<u64> {
        events.iter().map(|e| e.seq).collect()
    }

    #[tokio::test]
    async fn a_reader_gets_every_event_then_the_end() {
        let hub = Hub::new();
        let mut publisher = hub.begin("c1", "m1").unwrap();
        let (_, reader) = hub.subscribe_here("c1", StartAt::Start).unwrap();
        let collected = tokio::spawn(reader.collect::<Vec<_>>());
        for _ in 0..100 {
            publisher.publish(EventName::Delta, "{}".into());
            tokio::task::yield_now().await;
        }
        publisher.finish();
        let events = collected.await.unwrap();
        assert_eq!(seqs(&events), (1..=100).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_reader_resumes_after_the_last_event_it_had() {
        let hub = Hub::new();
        let mut publisher = hub.begin("c1", "m1").unwrap();
        for _ in 0..5 {
            publisher.publish(EventName::Delta, "{}".into());
        }
        publisher.finish();
        let (_, after) = hub
            .subscribe_here(
                "c1",
                StartAt::After {
                    message_id: "m1",
                    seq: 3,
                },
            )
            .unwrap();
        assert_eq!(seqs(&after.collect::<Vec<_>>().await), vec![4, 5]);
        let (_, other_turn) = hub
            .subscribe_here(
                "c1",
                StartAt::After {
                    message_id: "m0",
                    seq: 3,
                },
            )
            .unwrap();
        assert_eq!(other_turn.collect::<Vec<_>>().await.len(), 5);
    }

    #[tokio::test]
    async fn only_one_turn_runs_per_conversation() {
        let hub = Hub::new();
        let publisher = hub.begin("c1", "m1").unwrap();
        assert_eq!(hub.begin("c1", "m2").err().as_deref(), Some("m1"));
        assert!(hub.begin("c2", "m3").is_ok());
        assert_eq!(hub.stop("c1").as_deref(), Some("m1"));
        assert!(publisher.cancelled().is_cancelled());
        publisher.finish();
        assert_eq!(hub.running("c1"), None);
        assert!(hub.begin("c1", "m4").is_ok());
    }

    #[tokio::test]
    async fn finished_turns_are_swept_after_their_retention() {
        let hub = Hub::new();
        hub.begin("c1", "m1").unwrap().finish();
        hub.sweep(Duration::from_secs(60));
        assert!(hub.subscribe_here("c1", StartAt::Start).is_some());
        hub.sweep(Duration::ZERO);
        assert!(hub.subscribe_here("c1", StartAt::Start).is_none());
    }
}

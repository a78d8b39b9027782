//! Writing a reply body: a sequence of events (a fixture's SSE events, generated chunks, or a
//! JSON body as one event) sent with the requested pacing and body faults. A body that needs
//! neither goes out whole, with its `Content-Length`.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use futures_util::stream;

use crate::fixtures::is_comment_only;
use crate::knobs::{Cut, Faults, Knobs, Stall};
use crate::synthetic::Synthetic;

/// What a reply body is made of.
#[derive(Debug, Clone)]
pub enum Events {
    Sse(Arc<[Bytes]>),
    Synthetic(Synthetic),
    /// A JSON body: one event.
    Whole(Bytes),
}

impl Events {
    fn len(&self) -> usize {
        match self {
            Events::Sse(events) => events.len(),
            Events::Synthetic(synthetic) => synthetic.len(),
            Events::Whole(_) => 1,
        }
    }

    fn get(&self, index: usize) -> Bytes {
        match self {
            Events::Sse(events) => events.get(index).cloned().unwrap_or_default(),
            Events::Synthetic(synthetic) => synthetic.event(index),
            Events::Whole(body) => body.clone(),
        }
    }

    /// Event `index` with its data replaced by invalid JSON: SSE events keep their other
    /// fields (`event:`, `id:`), so the decoder still delivers an event, whose data then fails.
    fn corrupted(&self, index: usize) -> Bytes {
        const BAD: &str = "{this is not json}";
        if let Events::Whole(_) = self {
            return Bytes::from_static(BAD.as_bytes());
        }
        let event = self.get(index);
        let mut out = Vec::with_capacity(event.len().min(256) + 32);
        for line in event.split(|&b| b == b'\n' || b == b'\r') {
            if !line.is_empty() && !line.starts_with(b"data") && !is_comment_only(line) {
                out.extend_from_slice(line);
                out.push(b'\n');
            }
        }
        out.extend_from_slice(format!("data: {BAD}\n\n").as_bytes());
        Bytes::from(out)
    }
}

/// How the body is sent.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    pub delay: Duration,
    pub bytewise: bool,
    pub cut: Option<Cut>,
    pub end: Option<usize>,
    pub badjson: Option<usize>,
    pub stall: Option<Stall>,
}

impl Plan {
    /// The knobs' pacing, with `faults` (the stream faults in force for this request).
    pub fn new(knobs: &Knobs, faults: &Faults) -> Plan {
        Plan {
            delay: knobs.delay,
            bytewise: knobs.bytewise,
            cut: faults.cut,
            end: faults.end,
            badjson: faults.badjson,
            stall: faults.stall,
        }
    }

    fn is_plain(&self) -> bool {
        self.delay.is_zero()
            && !self.bytewise
            && self.cut.is_none()
            && self.end.is_none()
            && self.badjson.is_none()
            && self.stall.is_none()
    }
}

/// The body for `events` sent as `plan` says.
pub fn body(events: Events, plan: Plan) -> Body {
    if plan.is_plain()
        && let Events::Whole(bytes) = events
    {
        return Body::from(bytes);
    }
    let replay = Replay {
        events,
        plan,
        next: 0,
        pending: Bytes::new(),
        aborting: false,
        done: false,
    };
    Body::from_stream(stream::unfold(replay, Replay::advance))
}

struct Replay {
    events: Events,
    plan: Plan,
    /// Index of the next event to start.
    next: usize,
    /// What is left to write of the current event.
    pending: Bytes,
    /// A cut is due once `pending` is written.
    aborting: bool,
    done: bool,
}

impl Replay {
    async fn advance(mut self) -> Option<(Result<Bytes, std::io::Error>, Replay)> {
        loop {
            if !self.pending.is_empty() {
                let piece = if self.plan.bytewise {
                    // Returning Pending once makes hyper flush, so each byte is its own write.
                    tokio::task::yield_now().await;
                    self.pending.split_to(1)
                } else {
                    std::mem::take(&mut self.pending)
                };
                return Some((Ok(piece), self));
            }
            if self.done {
                return None;
            }
            if self.aborting {
                // An error ends the body without its terminating chunk: hyper drops the
                // connection, and the client sees a body cut short. Pending once first, so
                // hyper flushes what it holds rather than dropping it with the connection.
                tokio::task::yield_now().await;
                self.done = true;
                let cut = std::io::Error::other("llmchat-mock: fault=cut");
                return Some((Err(cut), self));
            }
            let index = self.next;
            let len = self.events.len();
            // A cut past the end still cuts, after the last event.
            let cut_here = self.plan.cut.filter(|cut| cut.events.min(len) == index);
            if cut_here.is_none() && (index >= len || self.plan.end == Some(index)) {
                return None;
            }
            self.pace(index).await;
            self.next += 1;
            let event = if self.plan.badjson == Some(index + 1) {
                self.events.corrupted(index)
            } else if index < len {
                self.events.get(index)
            } else {
                Bytes::new()
            };
            self.pending = match cut_here {
                Some(cut) => {
                    self.aborting = true;
                    event.slice(..cut.bytes.min(event.len()))
                }
                None => event,
            };
        }
    }

    /// Waits before event `index`: the delay between events, plus a stall aimed at it.
    async fn pace(&self, index: usize) {
        let mut wait = if index > 0 {
            self.plan.delay
        } else {
            Duration::ZERO
        };
        if let Some(stall) = self.plan.stall.filter(|s| s.before == index + 1) {
            wait += stall.duration;
        }
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures_util::StreamExt;

    fn sse(events: &[&'static str]) -> Events {
        Events::Sse(
            events
                .iter()
                .map(|e| Bytes::from_static(e.as_bytes()))
                .collect(),
        )
    }

    /// The body's pieces as text, and whether it ended in an error.
    async fn pieces(events: Events, plan: Plan) -> (Vec<String>, bool) {
        let mut stream = body(events, plan).into_data_stream();
        let mut out = Vec::new();
        while let Some(piece) = stream.next().await {
            match piece {
                Ok(bytes) => out.push(String::from_utf8(bytes.to_vec()).unwrap()),
                Err(_) => return (out, true),
            }
        }
        (out, false)
    }

    const EVENTS: [&str; 3] = [
        "event: a\ndata: {}\n\n",
        "data: {\"x\":1}\n\n",
        "data: [DONE]\n\n",
    ];

    #[tokio::test]
    async fn a_plain_stream_sends_every_event_once() {
        let (out, cut) = pieces(sse(&EVENTS), Plan::default()).await;
        assert_eq!((out.concat(), cut), (EVENTS.concat(), false));
    }

    #[tokio::test]
    async fn a_cut_drops_the_connection_after_n_events_and_b_bytes() {
        let plan = Plan {
            cut: Some(Cut {
                events: 1,
                bytes: 4,
            }),
            ..Plan::default()
        };
        let (out, cut) = pieces(sse(&EVENTS), plan).await;
        assert_eq!(
            (out.concat(), cut),
            ("event: a\ndata: {}\n\ndata".to_string(), true)
        );
    }

    #[tokio::test]
    async fn a_cut_past_the_end_cuts_after_the_last_event() {
        let plan = Plan {
            cut: Some(Cut {
                events: 9,
                bytes: 0,
            }),
            ..Plan::default()
        };
        let (out, cut) = pieces(sse(&EVENTS), plan).await;
        assert_eq!((out.concat(), cut), (EVENTS.concat(), true));
    }

    #[tokio::test]
    async fn end_stops_cleanly_after_n_events() {
        let plan = Plan {
            end: Some(2),
            ..Plan::default()
        };
        let (out, cut) = pieces(sse(&EVENTS), plan).await;
        assert_eq!((out.concat(), cut), (EVENTS[..2].concat(), false));
    }

    #[tokio::test]
    async fn badjson_replaces_the_data_and_keeps_the_event_name() {
        let plan = Plan {
            badjson: Some(1),
            ..Plan::default()
        };
        let (out, _) = pieces(sse(&EVENTS), plan).await;
        assert_eq!(out[0], "event: a\ndata: {this is not json}\n\n");
        assert_eq!(out[1..].concat(), EVENTS[1..].concat());
        let plan = Plan {
            badjson: Some(1),
            ..Plan::default()
        };
        let (out, _) = pieces(Events::Whole(Bytes::from_static(b"{}")), plan).await;
        assert_eq!(out, ["{this is not json}"]);
    }

    #[tokio::test]
    async fn bytewise_writes_one_byte_at_a_time() {
        let plan = Plan {
            bytewise: true,
            ..Plan::default()
        };
        let (out, _) = pieces(sse(&EVENTS[2..]), plan).await;
        assert_eq!(out.len(), EVENTS[2].len());
        assert!(out.iter().all(|piece| piece.len() == 1));
    }

    #[tokio::test(start_paused = true)]
    async fn a_stall_waits_before_its_event_only() {
        let plan = Plan {
            delay: Duration::from_millis(10),
            stall: Some(Stall {
                duration: Duration::from_secs(30),
                before: 2,
            }),
            ..Plan::default()
        };
        let start = tokio::time::Instant::now();
        let (out, _) = pieces(sse(&EVENTS), plan).await;
        assert_eq!(out.concat(), EVENTS.concat());
        assert_eq!(start.elapsed(), Duration::from_millis(30_020));
    }

    #[tokio::test]
    async fn a_synthetic_stream_is_generated_whole() {
        let synthetic = Synthetic {
            protocol: crate::protocol::Protocol::OpenAi,
            chunks: 3,
        };
        let (out, cut) = pieces(Events::Synthetic(synthetic), Plan::default()).await;
        assert_eq!((out.len(), cut), (6, false));
        assert!(out.concat().ends_with("data: [DONE]\n\n"));
    }
}

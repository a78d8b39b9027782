//! A metered reply as a `text/event-stream` response: each API supplies an [`Encoder`] that
//! writes its own frames straight into one reused byte buffer.

use axum::body::Body;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use bytes::BytesMut;
use futures_util::StreamExt;

use super::gateway::Metered;
use crate::llm::{ChatEvent, LlmError, Usage};

/// Writes one API's stream frames.
pub trait Encoder: Send + 'static {
    /// Frames for one event (possibly none).
    fn event(&mut self, event: ChatEvent, out: &mut BytesMut);
    /// The stream failed after it started: the API's in-stream error frame.
    fn error(&mut self, error: &LlmError, out: &mut BytesMut);
    /// The reply is complete; `usage` is final (the provider's counts, or our estimate).
    fn end(&mut self, usage: Usage, out: &mut BytesMut);
}

/// Streams `reply` through `encoder`. The usage record is written when the stream ends or the
/// client goes away (the [`Metered`] is dropped with the body).
pub fn sse_response(reply: Metered, encoder: impl Encoder) -> Response {
    let state = (reply, encoder, BytesMut::with_capacity(1024), false);
    let body = futures_util::stream::unfold(
        state,
        |(mut reply, mut encoder, mut buf, done)| async move {
            if done {
                return None;
            }
            loop {
                let done = match reply.next().await {
                    Some(Ok(event)) => {
                        encoder.event(event, &mut buf);
                        false
                    }
                    Some(Err(error)) => {
                        encoder.error(&error, &mut buf);
                        true
                    }
                    None => {
                        encoder.end(reply.usage(), &mut buf);
                        true
                    }
                };
                if done || !buf.is_empty() {
                    let chunk = buf.split().freeze();
                    return Some((
                        Ok::<_, std::convert::Infallible>(chunk),
                        (reply, encoder, buf, done),
                    ));
                }
            }
        },
    );
    let headers = [
        (
            CONTENT_TYPE,
            HeaderValue::from_static("text/event-stream; charset=utf-8"),
        ),
        (CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    (headers, Body::from_stream(body)).into_response()
}

//! The recent requests, so tests can assert what the transport sent (`GET /_mock/requests`):
//! a bounded queue, oldest dropped first. Bodies are kept as bytes and parsed only when listed,
//! so recording costs the hot path one lock and a few reference counts.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method};
use serde_json::{Map, Value, json};

use crate::protocol::Protocol;

#[derive(Debug)]
pub struct Recorder {
    keep: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    next_seq: u64,
    requests: VecDeque<Recorded>,
}

/// One request as it arrived, its path without the `/k/<knobs>` segment.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub seq: u64,
    pub method: Method,
    pub path: String,
    pub query: Option<String>,
    pub knobs: Option<String>,
    pub tag: Option<String>,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Which recorded requests to list.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filter {
    pub tag: Option<String>,
    pub protocol: Option<String>,
}

impl Recorder {
    pub fn new(keep: usize) -> Recorder {
        Recorder {
            keep,
            inner: Mutex::default(),
        }
    }

    /// Keeps `request` (its `seq` is assigned here) and returns its sequence number.
    pub fn record(&self, mut request: Recorded) -> u64 {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.next_seq += 1;
        request.seq = inner.next_seq;
        if self.keep > 0 {
            if inner.requests.len() == self.keep {
                inner.requests.pop_front();
            }
            inner.requests.push_back(request);
        }
        inner.next_seq
    }

    pub fn clear(&self) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.requests.clear();
    }

    /// The kept requests matching `filter`, oldest first, as JSON.
    pub fn list(&self, filter: &Filter) -> Value {
        let matching: Vec<Recorded> = {
            let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
            inner
                .requests
                .iter()
                .filter(|r| filter.tag.is_none() || r.tag == filter.tag)
                .filter(|r| {
                    filter
                        .protocol
                        .as_deref()
                        .is_none_or(|p| Protocol::of_path(&r.path).is_some_and(|of| of.name() == p))
                })
                .cloned()
                .collect()
        };
        Value::Array(matching.iter().map(Recorded::to_json).collect())
    }
}

impl Recorded {
    fn to_json(&self) -> Value {
        let headers: Map<String, Value> = self
            .headers
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_string(), Value::String(value))
            })
            .collect();
        // JSON bodies as JSON, anything else as text, no body as null.
        let body = if self.body.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&self.body)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&self.body).into_owned()))
        };
        json!({
            "seq": self.seq,
            "protocol": Protocol::of_path(&self.path).map(Protocol::name),
            "method": self.method.as_str(),
            "path": self.path,
            "query": self.query,
            "knobs": self.knobs,
            "tag": self.tag,
            "headers": headers,
            "body": body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, tag: Option<&str>, body: &'static str) -> Recorded {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", "Bearer sk-test".parse().unwrap());
        Recorded {
            seq: 0,
            method: Method::POST,
            path: path.into(),
            query: None,
            knobs: tag.map(|t| format!("tag={t}")),
            tag: tag.map(str::to_string),
            headers,
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn the_newest_requests_are_kept_oldest_first() {
        let recorder = Recorder::new(2);
        for n in 1..=3 {
            assert_eq!(
                recorder.record(request("/openai/v1/chat/completions", None, "{}")),
                n
            );
        }
        let seqs: Vec<_> = recorder
            .list(&Filter::default())
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["seq"].as_u64().unwrap())
            .collect();
        assert_eq!(seqs, [2, 3]);
        recorder.clear();
        assert_eq!(recorder.list(&Filter::default()), json!([]));
    }

    #[test]
    fn requests_are_listed_with_headers_and_parsed_bodies_and_can_be_filtered() {
        let recorder = Recorder::new(10);
        recorder.record(request(
            "/openai/v1/chat/completions",
            Some("a"),
            r#"{"stream":true}"#,
        ));
        recorder.record(request("/dify/v1/parameters", Some("b"), ""));
        recorder.record(request("/dify/v1/chat-messages", None, "not json"));

        let a = recorder.list(&Filter {
            tag: Some("a".into()),
            protocol: None,
        });
        assert_eq!(a[0]["protocol"], "openai");
        assert_eq!(a[0]["headers"]["authorization"], "Bearer sk-test");
        assert_eq!(a[0]["body"]["stream"], true);

        let dify = recorder.list(&Filter {
            tag: None,
            protocol: Some("dify".into()),
        });
        assert_eq!(dify.as_array().unwrap().len(), 2);
        assert_eq!(dify[0]["body"], Value::Null);
        assert_eq!(dify[1]["body"], "not json");
    }
}

//! The recorded replies, read once at start from `<dir>/<protocol>/`: each `*.sse` file split
//! into its events (byte for byte, so replaying them sends exactly the file), each `*.json` file
//! kept whole. A fixture is named by its file stem (`stream_text`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Bytes;

use crate::protocol::Protocol;

/// Every protocol's fixtures, by stem.
#[derive(Debug, Default)]
pub struct Fixtures {
    sse: [HashMap<String, Arc<[Bytes]>>; 4],
    json: [HashMap<String, Bytes>; 4],
}

impl Fixtures {
    /// Reads `dir/<protocol>/*.{sse,json}`. A missing directory is no error: the mock still
    /// answers synthetic streams (`chunks=N`) and built-in error bodies.
    pub fn load(dir: &Path) -> anyhow::Result<Fixtures> {
        let mut fixtures = Fixtures::default();
        for protocol in Protocol::ALL {
            let subdir = dir.join(protocol.name());
            let Ok(entries) = std::fs::read_dir(&subdir) else {
                continue;
            };
            for entry in entries {
                let path = entry
                    .with_context(|| format!("reading {}", subdir.display()))?
                    .path();
                let (Some(stem), Some(ext)) = (
                    path.file_stem().and_then(|s| s.to_str()),
                    path.extension().and_then(|s| s.to_str()),
                ) else {
                    continue;
                };
                let read = || -> anyhow::Result<Bytes> {
                    let bytes = std::fs::read(&path)
                        .with_context(|| format!("reading {}", path.display()))?;
                    Ok(Bytes::from(bytes))
                };
                let i = protocol.index();
                match ext {
                    "sse" => {
                        fixtures.sse[i].insert(stem.to_string(), replay_events(&read()?).into());
                    }
                    "json" => {
                        fixtures.json[i].insert(stem.to_string(), read()?);
                    }
                    _ => {}
                }
            }
        }
        Ok(fixtures)
    }

    pub fn sse(&self, protocol: Protocol, stem: &str) -> Option<&Arc<[Bytes]>> {
        self.sse[protocol.index()].get(stem)
    }

    pub fn json(&self, protocol: Protocol, stem: &str) -> Option<&Bytes> {
        self.json[protocol.index()].get(stem)
    }

    /// `(protocol, stem, kind, events)` for every fixture, sorted, for `GET /_mock/fixtures`
    /// and error messages.
    pub fn list(&self, only: Option<Protocol>) -> Vec<(Protocol, String, &'static str, usize)> {
        let mut all = Vec::new();
        for protocol in Protocol::ALL
            .into_iter()
            .filter(|p| only.is_none_or(|o| o == *p))
        {
            let i = protocol.index();
            all.extend(
                self.sse[i]
                    .iter()
                    .map(|(s, e)| (protocol, s.clone(), "sse", e.len())),
            );
            all.extend(
                self.json[i]
                    .keys()
                    .map(|s| (protocol, s.clone(), "json", 1)),
            );
        }
        all.sort_by(|a, b| (a.0.index(), &a.1, a.2).cmp(&(b.0.index(), &b.1, b.2)));
        all
    }

    pub fn count(&self) -> usize {
        self.sse.iter().map(HashMap::len).sum::<usize>()
            + self.json.iter().map(HashMap::len).sum::<usize>()
    }
}

/// The events of an `.sse` file as the mock replays them: [`split_events`], less the file's
/// leading provenance comment (`: written from … docs`), which documents the fixture and is
/// no part of the vendor's stream.
pub fn replay_events(file: &Bytes) -> Vec<Bytes> {
    let mut events = split_events(file);
    if events.first().is_some_and(|first| is_comment_only(first)) {
        events.remove(0);
    }
    events
}

/// Splits SSE bytes into events: each runs up to and including the blank line that ends it
/// (`\n`, `\r\n` or `\r` line endings). Extra blank lines stay with the event before them and a
/// last event without its blank line is kept, so the events joined are the input exactly.
pub fn split_events(file: &Bytes) -> Vec<Bytes> {
    let bytes = &file[..];
    let mut events = Vec::new();
    let mut start = 0; // where the event being read begins
    let mut last_start = 0; // where the event pushed last begins
    let mut has_lines = false;
    let mut pos = 0;
    while pos < bytes.len() {
        let line_start = pos;
        let (line_end, next) = match bytes[pos..].iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(offset) => {
                let end = pos + offset;
                let crlf = bytes[end] == b'\r' && bytes.get(end + 1) == Some(&b'\n');
                (end, end + if crlf { 2 } else { 1 })
            }
            None => (bytes.len(), bytes.len()),
        };
        pos = next;
        if line_end > line_start {
            has_lines = true;
        } else if has_lines {
            events.push(file.slice(start..next));
            last_start = start;
            start = next;
            has_lines = false;
        } else if !events.is_empty() {
            // A second blank line in a row: it belongs to the event it follows.
            if let Some(last) = events.last_mut() {
                *last = file.slice(last_start..next);
            }
            start = next;
        }
    }
    if start < bytes.len() {
        events.push(file.slice(start..));
    }
    events
}

/// Whether an event has only comment lines (`: …`) besides blank ones.
pub fn is_comment_only(event: &[u8]) -> bool {
    event
        .split(|&b| b == b'\n' || b == b'\r')
        .filter(|line| !line.is_empty())
        .all(|line| line.starts_with(b":"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &'static str) -> Vec<&'static str> {
        let file = Bytes::from_static(text.as_bytes());
        split_events(&file)
            .into_iter()
            .map(|event| {
                let offset = event.as_ptr() as usize - text.as_ptr() as usize;
                &text[offset..offset + event.len()]
            })
            .collect()
    }

    #[test]
    fn events_end_at_blank_lines_and_keep_their_fields() {
        assert_eq!(
            split("event: ping\ndata: {}\n\ndata: [DONE]\n\n"),
            ["event: ping\ndata: {}\n\n", "data: [DONE]\n\n"]
        );
    }

    #[test]
    fn every_line_ending_is_a_line_ending() {
        assert_eq!(
            split("data: a\r\n\r\ndata: b\r\rdata: c\n\n"),
            ["data: a\r\n\r\n", "data: b\r\r", "data: c\n\n"]
        );
    }

    #[test]
    fn a_last_event_without_its_blank_line_is_kept_as_is() {
        assert_eq!(
            split("data: a\n\ndata: [DONE]\n"),
            ["data: a\n\n", "data: [DONE]\n"]
        );
        assert_eq!(
            split("data: a\n\ndata: [DONE]"),
            ["data: a\n\n", "data: [DONE]"]
        );
    }

    #[test]
    fn extra_blank_lines_stay_with_the_event_before_them() {
        assert_eq!(
            split("\ndata: a\n\n\n\ndata: b\n\n\n"),
            ["\ndata: a\n\n\n\n", "data: b\n\n\n"]
        );
    }

    #[test]
    fn the_provenance_comment_is_dropped_but_keep_alive_comments_are_replayed() {
        let file = Bytes::from_static(b": written from the docs\n\n: keep-alive\n\ndata: x\n\n");
        let events = replay_events(&file);
        assert_eq!(events, [&b": keep-alive\n\n"[..], &b"data: x\n\n"[..]]);
    }

    #[test]
    fn every_fixture_replays_byte_for_byte_after_its_comment() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
        let fixtures = Fixtures::load(&dir).unwrap();
        assert!(fixtures.sse(Protocol::OpenAi, "stream_text").is_some());
        for protocol in Protocol::ALL {
            for entry in std::fs::read_dir(dir.join(protocol.name())).unwrap() {
                let path = entry.unwrap().path();
                if path.extension().is_some_and(|e| e == "sse") {
                    let file = Bytes::from(std::fs::read(&path).unwrap());
                    let events = split_events(&file);
                    assert_eq!(events.concat(), file.to_vec(), "{}", path.display());
                    assert!(
                        is_comment_only(&events[0]),
                        "{} has no provenance",
                        path.display()
                    );
                }
            }
        }
    }
}

//! Server-sent events decoding for upstream streams, byte by byte: `\n`, `\r\n` and `\r` line
//! endings, multi-line `data:`, comments, `event:` and `id:` fields, events split across
//! network reads at any byte — including inside a multi-byte UTF-8 character — and a final event
//! that arrives without its blank line.
//!
//! Written here rather than taken from a crate because upstreams need two departures from the
//! browser algorithm: an unterminated last event is delivered (some gateways close the stream
//! without the blank line), and `event:` names are kept even when empty lines are missing.

/// One decoded event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if any (FastGPT sends `answer`, `flowNodeStatus`, …).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The `id:` field, if any.
    pub id: Option<String>,
}

/// Turns bytes into events; feed it whatever the network delivers.
#[derive(Debug, Default)]
pub struct SseDecoder {
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The previous byte was a `\r`, so a following `\n` belongs to the same line break.
    after_cr: bool,
    event: Option<String>,
    data: Option<String>,
    id: Option<String>,
}

impl SseDecoder {
    pub fn new() -> SseDecoder {
        SseDecoder::default()
    }

    /// Consumes `bytes`, returning every event completed by them.
    pub fn feed(&mut self, bytes: &[u8]) -> Vec<SseEvent> {
        let mut events = Vec::new();
        for &byte in bytes {
            match byte {
                b'\n' if self.after_cr => self.after_cr = false,
                b'\n' | b'\r' => {
                    self.after_cr = byte == b'\r';
                    if let Some(event) = self.end_line() {
                        events.push(event);
                    }
                }
                _ => {
                    self.after_cr = false;
                    self.line.push(byte);
                }
            }
        }
        events
    }

    /// The stream ended: delivers an event still being built, if it has data.
    pub fn finish(&mut self) -> Option<SseEvent> {
        let pending = if self.line.is_empty() {
            None
        } else {
            self.end_line()
        };
        pending.or_else(|| self.dispatch())
    }

    /// Handles one complete line; a blank line dispatches the event.
    fn end_line(&mut self) -> Option<SseEvent> {
        let line = std::mem::take(&mut self.line);
        if line.is_empty() {
            return self.dispatch();
        }
        // Lines are decoded whole, so a character split across reads is never cut.
        let line = String::from_utf8_lossy(&line);
        if line.starts_with(':') {
            return None;
        }
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => match &mut self.data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => self.data = Some(value.to_string()),
            },
            "event" => self.event = Some(value.to_string()),
            "id" if !value.contains('\0') => self.id = Some(value.to_string()),
            _ => {}
        }
        None
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        let id = self.id.take();
        let data = self.data.take()?;
        Some(SseEvent {
            event: event.filter(|e| !e.is_empty()),
            data,
            id,
        })
    }
}

/// Shared by the provider modules' tests: fixtures fed one byte at a time.
#[cfg(test)]
pub(crate) mod testing {
    use super::{SseDecoder, SseEvent};
    use crate::llm::{ChatEvent, LlmError};

    /// `tests/fixtures/{provider}/{name}`.
    pub fn fixture(provider: &str, name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/{provider}/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    /// Decodes `bytes` fed one byte at a time, then `finish()`.
    pub fn bytewise(bytes: &[u8]) -> Vec<SseEvent> {
        let mut decoder = SseDecoder::new();
        let mut events = Vec::new();
        for byte in bytes {
            events.extend(decoder.feed(std::slice::from_ref(byte)));
        }
        events.extend(decoder.finish());
        events
    }

    /// Parses every event with a fresh `S`; stops at the first error, returned beside the
    /// events before it.
    pub fn parse_all<S: Default>(
        sse: &[SseEvent],
        parse: impl Fn(&mut S, &SseEvent) -> Result<Vec<ChatEvent>, LlmError>,
    ) -> (Vec<ChatEvent>, Option<LlmError>) {
        let mut state = S::default();
        let mut events = Vec::new();
        for event in sse {
            match parse(&mut state, event) {
                Ok(more) => events.extend(more),
                Err(error) => return (events, Some(error)),
            }
        }
        (events, None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed one byte at a time, and whole, and checks both agree.
    fn decode(input: &[u8]) -> Vec<SseEvent> {
        let mut whole = SseDecoder::new();
        let mut expected = whole.feed(input);
        expected.extend(whole.finish());
        let mut bytewise = SseDecoder::new();
        let mut events = Vec::new();
        for byte in input {
            events.extend(bytewise.feed(std::slice::from_ref(byte)));
        }
        events.extend(bytewise.finish());
        assert_eq!(events, expected, "byte-at-a-time and whole input disagree");
        events
    }

    fn data(text: &str) -> SseEvent {
        SseEvent {
            data: text.into(),
            ..SseEvent::default()
        }
    }

    #[test]
    fn every_line_ending_separates_events() {
        for input in [
            "data: a\n\ndata: b\n\n",
            "data: a\r\n\r\ndata: b\r\n\r\n",
            "data: a\r\rdata: b\r\r",
            "data: a\r\n\ndata: b\n\r\n",
        ] {
            assert_eq!(
                decode(input.as_bytes()),
                [data("a"), data("b")],
                "{input:?}"
            );
        }
    }

    #[test]
    fn data_lines_join_with_newlines_and_fields_are_kept() {
        let events = decode(b"event: answer\nid: 7\ndata: line one\ndata:line two\ndata\n\n");
        assert_eq!(
            events,
            [SseEvent {
                event: Some("answer".into()),
                data: "line one\nline two\n".into(),
                id: Some("7".into()),
            }]
        );
    }

    #[test]
    fn comments_and_unknown_fields_are_ignored() {
        let events = decode(b": ping\n\n:keep-alive\nretry: 100\nfoo: bar\ndata: x\n\n");
        assert_eq!(events, [data("x")]);
    }

    #[test]
    fn an_event_without_data_is_not_dispatched() {
        assert_eq!(decode(b"event: ping\n\ndata: y\n\n"), [data("y")]);
    }

    #[test]
    fn a_multibyte_character_split_across_reads_survives() {
        let text = "data: 你好，世界 🌍\n\n".as_bytes();
        for cut in 0..text.len() {
            let mut decoder = SseDecoder::new();
            let mut events = decoder.feed(&text[..cut]);
            events.extend(decoder.feed(&text[cut..]));
            assert_eq!(events, [data("你好，世界 🌍")], "cut at {cut}");
        }
    }

    #[test]
    fn a_final_event_without_its_blank_line_is_delivered() {
        assert_eq!(
            decode(b"data: a\n\ndata: [DONE]"),
            [data("a"), data("[DONE]")]
        );
        assert_eq!(decode(b"data: last\n"), [data("last")]);
        assert_eq!(
            decode(b"data: a\n\n"),
            [data("a")],
            "nothing extra at the end"
        );
    }

    #[test]
    fn a_space_after_the_colon_is_optional_and_only_one_is_removed() {
        assert_eq!(decode(b"data:x\n\ndata:  y\n\n"), [data("x"), data(" y")]);
    }

    #[test]
    fn json_payloads_pass_through_untouched() {
        let chunk = r#"{"choices":[{"delta":{"content":"a:b\\n"}}]}"#;
        let input = format!("data: {chunk}\n\n");
        assert_eq!(decode(input.as_bytes()), [data(chunk)]);
    }
}

//! One meter for a reply, whichever door it came through (a chat turn or `/v1`): time to the
//! first content, the provider's token counts or our estimate of them, and the duration — the
//! numbers a [`UsageRecord`] keeps.

use std::time::Instant;

use super::{UsageRecord, estimate_prompt, estimate_tokens};
use crate::llm::{ChatEvent, ChatRequest, Usage};

/// Measures one reply. Feed it every event with [`Meter::observe`]; read the result with
/// [`Meter::usage`] or write it into a record with [`Meter::fill`].
#[derive(Debug, Clone)]
pub struct Meter {
    started: Instant,
    prompt_estimate: u64,
    /// The answer text's tokens (a `Replace` starts them over).
    text_estimate: u64,
    /// Reasoning and tool-call arguments: generated, and billed, as output too.
    other_estimate: u64,
    reported: Option<Usage>,
    ttft_ms: Option<u64>,
    /// Set by [`Meter::stop`].
    duration_ms: Option<u64>,
}

impl Meter {
    /// Starts measuring the reply to `request` now.
    pub fn start(request: &ChatRequest) -> Meter {
        Meter {
            started: Instant::now(),
            prompt_estimate: estimate_prompt(request),
            text_estimate: 0,
            other_estimate: 0,
            reported: None,
            ttft_ms: None,
            duration_ms: None,
        }
    }

    /// Our estimate of the prompt, known before the reply starts (admission uses it).
    pub fn prompt_estimate(&self) -> u64 {
        self.prompt_estimate
    }

    pub fn observe(&mut self, event: &ChatEvent) {
        if self.ttft_ms.is_none() && event.is_content() {
            self.ttft_ms = Some(self.elapsed_ms());
        }
        match event {
            ChatEvent::Text(text) => self.text_estimate += estimate_tokens(text),
            ChatEvent::Replace(text) => self.text_estimate = estimate_tokens(text),
            ChatEvent::Reasoning(text) => self.other_estimate += estimate_tokens(text),
            ChatEvent::ToolCall {
                name,
                arguments_delta,
                ..
            } => {
                self.other_estimate +=
                    name.as_deref().map_or(0, estimate_tokens) + estimate_tokens(arguments_delta);
            }
            ChatEvent::Usage(usage) => self.reported = Some(*usage),
            _ => {}
        }
    }

    /// The provider's counts, or our estimate (and `true`) when it sent none.
    pub fn usage(&self) -> (Usage, bool) {
        match self.reported {
            Some(usage) => (usage, false),
            None => (
                Usage {
                    prompt_tokens: self.prompt_estimate,
                    completion_tokens: self.text_estimate + self.other_estimate,
                },
                true,
            ),
        }
    }

    /// Milliseconds from the start to the first content (text, reasoning, a tool call, an
    /// interactive node), if any came.
    pub fn ttft_ms(&self) -> Option<u64> {
        self.ttft_ms
    }

    /// Milliseconds since the start, or until [`Meter::stop`].
    pub fn elapsed_ms(&self) -> u64 {
        self.duration_ms.unwrap_or_else(|| {
            u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
        })
    }

    /// Stops the clock: the reply is over, whatever is still done about it.
    pub fn stop(&mut self) {
        self.duration_ms = Some(self.elapsed_ms());
    }

    /// Writes the tokens (and whether they are estimated), TTFT and duration into `record`.
    pub fn fill(&self, record: &mut UsageRecord) {
        let (usage, estimated) = self.usage();
        record.prompt_tokens = usage.prompt_tokens;
        record.completion_tokens = usage.completion_tokens;
        record.estimated = estimated;
        record.ttft_ms = self.ttft_ms;
        record.duration_ms = Some(self.elapsed_ms());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::{ChatMessage, ContentPart, MessageRole};

    fn request() -> ChatRequest {
        ChatRequest {
            system: Some("Be brief.".into()),
            messages: vec![ChatMessage {
                role: MessageRole::User,
                content: vec![
                    ContentPart::Text("What is on this picture?".into()),
                    ContentPart::Image {
                        url: "data:image/png;base64,aGVsbG8=".into(),
                        mime: Some("image/png".into()),
                    },
                ],
            }],
            ..ChatRequest::default()
        }
    }

    #[test]
    fn estimates_until_the_provider_counts() {
        let mut meter = Meter::start(&request());
        // "Be brief." 3 + (4 per message + 6 for the text + 800 for the image).
        assert_eq!(meter.prompt_estimate(), 3 + 4 + 6 + 800);
        meter.observe(&ChatEvent::Reasoning("Looking closely".into()));
        meter.observe(&ChatEvent::Text("A cat on a mat".into()));
        let (usage, estimated) = meter.usage();
        assert!(estimated);
        assert_eq!(usage.completion_tokens, 4 + 4);
        meter.observe(&ChatEvent::Replace("A dog".into()));
        assert_eq!(meter.usage().0.completion_tokens, 4 + 2);

        meter.observe(&ChatEvent::Usage(Usage {
            prompt_tokens: 900,
            completion_tokens: 12,
        }));
        let (usage, estimated) = meter.usage();
        assert!(!estimated);
        assert_eq!((usage.prompt_tokens, usage.completion_tokens), (900, 12));
    }

    #[test]
    fn time_to_first_token_waits_for_content() {
        let mut meter = Meter::start(&request());
        meter.observe(&ChatEvent::Upstream(crate::llm::UpstreamIds::default()));
        assert_eq!(meter.ttft_ms(), None);
        meter.observe(&ChatEvent::Text("Hi".into()));
        assert!(meter.ttft_ms().is_some());
    }
}

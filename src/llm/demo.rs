//! The built-in demo provider: local, no network. It streams a realistic Markdown answer — a
//! reasoning section, a heading, a code block, a table — at a human typing pace, and says
//! plainly that it is the demo, so a new installation can be tried at once. Like a model, it
//! varies its answers (a regenerated answer differs), except at temperature 0.

use std::time::Duration;

use futures_util::StreamExt;

use super::{ChatEvent, ChatRequest, ChatStream, FinishReason, MessageRole, Usage};

/// Characters per second when the agent does not say.
const DEFAULT_PACE: u32 = 200;

/// Ways the answer starts, and code samples it shows: one of each is picked per answer.
const OPENINGS: &[&str] = &[
    "This is **LLMChat's built-in demo agent**. It runs inside the server and calls no model",
    "You are talking to **LLMChat's built-in demo agent**: it lives in the server and calls no model",
    "**LLMChat's built-in demo agent** here. Nothing left this server to write this",
    "Hello from **LLMChat's built-in demo agent**, which needs no provider and calls no model",
];
const SAMPLES: &[(&str, &str)] = &[
    (
        "rust",
        "fn main() {\n    println!(\"Hello from LLMChat\");\n}",
    ),
    (
        "python",
        "from openai import OpenAI\n\nclient = OpenAI(base_url=\"http://localhost:3001/v1\")\nprint(client.models.list())",
    ),
    (
        "typescript",
        "const reply = await fetch('/api/health');\nconsole.log(await reply.json());",
    ),
    (
        "sql",
        "SELECT agent_id, SUM(total_tokens)\nFROM usage_records\nGROUP BY agent_id;",
    ),
];

/// The reply as events, without pacing: variant `seed` of the answer (the same request and
/// seed always give the same reply).
pub fn script(request: &ChatRequest, seed: usize) -> Vec<ChatEvent> {
    let question = request
        .messages
        .iter()
        .rev()
        .find(|m| m.role == MessageRole::User)
        .map(|m| m.joined_text())
        .unwrap_or_default();
    let quoted = one_line(&question, 80);
    let opening = OPENINGS[seed % OPENINGS.len()];
    let (language, code) = SAMPLES[(seed / OPENINGS.len()) % SAMPLES.len()];
    let reasoning = format!(
        "The user asked: \"{quoted}\". I am the built-in demo agent, so I cannot really answer; \
         I will show what a reply can contain: Markdown, some {language} code and a table."
    );
    let answer = format!(
        "## Demo reply\n\n\
         You said: *{quoted}*\n\n\
         {opening}, so that you can try the interface before configuring a real provider in \
         `config/agents.yaml` or the admin console.\n\n\
         Here is some code:\n\n\
         ```{language}\n{code}\n```\n\n\
         And a table of the providers LLMChat speaks:\n\n\
         | Provider | Protocol | Streams |\n\
         |---|---|---|\n\
         | OpenAI-compatible | `/chat/completions` | yes |\n\
         | Anthropic | `/v1/messages` | yes |\n\
         | FastGPT | workflow events | yes |\n\
         | Dify | chat-messages | yes |\n\n\
         - [x] Markdown rendered\n\
         - [ ] A real model configured\n\n\
         你好！这是内置演示智能体的回复。\n"
    );
    let prompt_chars: usize = request
        .messages
        .iter()
        .map(|m| m.joined_text().chars().count())
        .sum();
    let mut events: Vec<ChatEvent> = pieces(&reasoning).map(ChatEvent::Reasoning).collect();
    events.extend(pieces(&answer).map(ChatEvent::Text));
    events.push(ChatEvent::Usage(Usage {
        prompt_tokens: estimate_tokens(prompt_chars),
        completion_tokens: estimate_tokens(reasoning.chars().count() + answer.chars().count()),
    }));
    events.push(ChatEvent::Finish(FinishReason::Stop));
    events
}

/// The reply, paced at `chars_per_second` (default 200).
pub fn stream(chars_per_second: Option<u32>, request: &ChatRequest) -> ChatStream {
    let pace = f64::from(chars_per_second.unwrap_or(DEFAULT_PACE).max(1));
    // Temperature 0 asks for the same answer every time, as it does of a model.
    let seed = if request.temperature == Some(0.0) {
        0
    } else {
        fastrand::usize(..OPENINGS.len() * SAMPLES.len())
    };
    let events = script(request, seed);
    Box::pin(
        futures_util::stream::iter(events).then(move |event| async move {
            let chars = match &event {
                ChatEvent::Text(t) | ChatEvent::Reasoning(t) => t.chars().count(),
                _ => 0,
            };
            if chars > 0 {
                tokio::time::sleep(Duration::from_secs_f64(chars as f64 / pace)).await;
            }
            Ok(event)
        }),
    )
}

/// Word-sized pieces, keeping whitespace and line breaks with the word before them.
fn pieces(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split_inclusive([' ', '\n']).map(String::from)
}

fn one_line(text: &str, max: usize) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= max {
        flat
    } else {
        format!("{}…", flat.chars().take(max).collect::<String>())
    }
}

/// About four characters per token, as the usual rule of thumb.
fn estimate_tokens(chars: usize) -> u64 {
    u64::try_from(chars.div_ceil(4)).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::llm::ChatMessage;

    fn ask(text: &str) -> ChatRequest {
        ChatRequest {
            messages: vec![ChatMessage::text(MessageRole::User, text)],
            stream: true,
            ..ChatRequest::default()
        }
    }

    fn text_of(events: &[ChatEvent], reasoning: bool) -> String {
        events
            .iter()
            .filter_map(|e| match e {
                ChatEvent::Text(t) if !reasoning => Some(t.as_str()),
                ChatEvent::Reasoning(t) if reasoning => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn the_reply_varies_with_the_seed_and_says_it_is_the_demo() {
        let first = script(&ask("如何部署服务？"), 0);
        assert_eq!(first, script(&ask("如何部署服务？"), 0));
        let variants: std::collections::HashSet<String> = (0..OPENINGS.len() * SAMPLES.len())
            .map(|seed| text_of(&script(&ask("如何部署服务？"), seed), false))
            .collect();
        assert_eq!(
            variants.len(),
            OPENINGS.len() * SAMPLES.len(),
            "every variant differs"
        );
        for variant in &variants {
            assert!(variant.contains("built-in demo agent") && variant.contains("## Demo reply"));
        }
        let answer = text_of(&first, false);
        assert!(answer.contains("built-in demo agent"), "{answer}");
        assert!(answer.contains("如何部署服务？"));
        assert!(answer.contains("```rust\n") && answer.contains("| Provider |"));
        assert!(text_of(&first, true).contains("built-in demo agent"));
    }

    #[test]
    fn reasoning_comes_first_and_the_reply_ends_with_usage_then_one_finish() {
        let events = script(&ask("hello"), 5);
        assert!(matches!(events[0], ChatEvent::Reasoning(_)));
        let finishes = events
            .iter()
            .filter(|e| matches!(e, ChatEvent::Finish(_)))
            .count();
        assert_eq!(finishes, 1);
        assert_eq!(events.last(), Some(&ChatEvent::Finish(FinishReason::Stop)));
        assert!(
            matches!(events[events.len() - 2], ChatEvent::Usage(u) if u.completion_tokens > 100)
        );
    }

    #[tokio::test]
    async fn regenerated_answers_differ_unless_the_temperature_is_zero() {
        let request = ask("again");
        let mut answers = std::collections::HashSet::new();
        for _ in 0..8 {
            let events: Vec<_> = stream(Some(1_000_000), &request).collect().await;
            let events: Vec<ChatEvent> = events.into_iter().map(Result::unwrap).collect();
            answers.insert(text_of(&events, false));
        }
        assert!(answers.len() > 1, "eight answers were all the same");
        let cold = ChatRequest {
            temperature: Some(0.0),
            ..ask("again")
        };
        let mut answers = std::collections::HashSet::new();
        for _ in 0..4 {
            let events: Vec<_> = stream(Some(1_000_000), &cold).collect().await;
            let events: Vec<ChatEvent> = events.into_iter().map(Result::unwrap).collect();
            answers.insert(text_of(&events, false));
        }
        assert_eq!(answers.len(), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_stream_types_at_the_configured_pace() {
        let request = ChatRequest {
            temperature: Some(0.0),
            ..ask("pace")
        };
        let chars: usize = script(&request, 0)
            .iter()
            .map(|e| match e {
                ChatEvent::Text(t) | ChatEvent::Reasoning(t) => t.chars().count(),
                _ => 0,
            })
            .sum();
        let started = tokio::time::Instant::now();
        let events: Vec<_> = stream(Some(1000), &request).collect().await;
        let elapsed = started.elapsed().as_secs_f64();
        let expected = chars as f64 / 1000.0;
        assert!((elapsed - expected).abs() < 0.05, "{elapsed} vs {expected}");
        assert!(events.iter().all(Result::is_ok));
        assert_eq!(events.len(), script(&request, 0).len());
    }
}

//! Conversation titles written by the agent (`chat.titles: agent`): after the first answer
//! the agent is asked, out of band, for a few words; the first message's words stay if it
//! cannot answer.

use std::time::Duration;

use futures_util::StreamExt;

use super::context::title_from;
use crate::llm::{ChatEvent, ChatMessage, ChatRequest, MessageRole, provider};
use crate::runtime::Agent;
use crate::state::AppState;
use crate::store::conversations;

const PATIENCE: Duration = Duration::from_secs(20);

pub async fn ask_agent(
    state: &AppState,
    agent: &Agent,
    conversation_id: &str,
    question: &str,
    answer: &str,
) {
    let asked = ChatRequest {
        messages: vec![
            ChatMessage::text(
                MessageRole::User,
                question.chars().take(2000).collect::<String>(),
            ),
            ChatMessage::text(
                MessageRole::Assistant,
                answer.chars().take(2000).collect::<String>(),
            ),
            ChatMessage::text(MessageRole::User, "Title?"),
        ],
        max_tokens: Some(30),
        stream: true,
        ..Default::default()
    };
    let mut request = ChatRequest::for_agent(&agent.def, asked);
    // Not the agent's own system prompt: that one would answer the conversation, not title it.
    request.system = Some(
        "Write a title of at most six words for the conversation below, in its language. \
         Answer with the title only."
            .into(),
    );
    let collect = async {
        let mut stream = provider::chat(&state.transport, &agent.def, &request)
            .await
            .ok()?;
        let mut text = String::new();
        while let Some(Ok(event)) = stream.next().await {
            if let ChatEvent::Text(t) = event {
                text.push_str(&t);
            }
        }
        Some(text)
    };
    let title = tokio::time::timeout(PATIENCE, collect)
        .await
        .ok()
        .flatten()
        .map(|t| {
            t.trim()
                .trim_matches(['"', '\'', '“', '”', '《', '》'])
                .to_string()
        })
        .and_then(|t| title_from(&t))
        .or_else(|| title_from(question));
    if let Some(title) = title
        && let Err(e) = conversations::set_title_if_empty(&state.db, conversation_id, &title).await
    {
        tracing::warn!(error = %e, "cannot save the conversation title");
    }
}

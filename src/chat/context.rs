//! What a turn sends upstream: the branch that leads to the new user message, as provider
//! messages, trimmed from the oldest so that it fits the agent's `context_window` (a token
//! estimate). Stateful apps (FastGPT `chatId`, Dify `conversation_id`) read only the last
//! message; their translation modules pick it.

use std::collections::HashMap;

use serde_json::Value;

use crate::llm::{ChatMessage, ContentPart, MessageRole};
use crate::store::messages::MessageRow;
use crate::usage::{estimate_tokens, message_tokens};

/// The messages from the root to `tip` (inclusive), oldest first.
pub fn branch<'a>(messages: &'a [MessageRow], tip: &str) -> Vec<&'a MessageRow> {
    let by_id: HashMap<&str, &MessageRow> = messages.iter().map(|m| (m.id.as_str(), m)).collect();
    let mut path = Vec::new();
    let mut next = by_id.get(tip).copied();
    while let Some(message) = next {
        path.push(message);
        // A cycle cannot be stored, but a bound costs nothing.
        if path.len() > messages.len() {
            break;
        }
        next = message
            .parent_id
            .as_deref()
            .and_then(|p| by_id.get(p).copied());
    }
    path.reverse();
    path
}

/// One stored message as a provider message: its text parts (and attachments, already turned
/// into parts by the caller); `None` for messages with nothing to send (an empty or failed
/// answer).
pub fn to_chat_message(row: &MessageRow, extra: Vec<ContentPart>) -> Option<ChatMessage> {
    let role = match row.role.as_str() {
        "user" => MessageRole::User,
        "assistant" => MessageRole::Assistant,
        _ => MessageRole::System,
    };
    let mut content: Vec<ContentPart> = crate::content::texts(&row.parts())
        .into_iter()
        .filter(|t| !t.is_empty())
        .map(ContentPart::Text)
        .collect();
    content.extend(extra);
    if content.is_empty() {
        return None;
    }
    Some(ChatMessage { role, content })
}

/// Keeps the newest messages that fit `window` tokens together with `system`; the last
/// message (the new question) always stays. The result starts with a user message, as
/// Anthropic requires.
pub fn trim(
    system: Option<&str>,
    messages: Vec<ChatMessage>,
    window: Option<u32>,
) -> Vec<ChatMessage> {
    let Some(window) = window else {
        return messages;
    };
    let mut budget = u64::from(window).saturating_sub(system.map_or(0, estimate_tokens));
    let mut kept = Vec::with_capacity(messages.len());
    for (i, message) in messages.into_iter().rev().enumerate() {
        let cost = message_tokens(&message);
        if i > 0 && cost > budget {
            break;
        }
        budget = budget.saturating_sub(cost);
        kept.push(message);
    }
    kept.reverse();
    while kept.len() > 1 && kept[0].role != MessageRole::User {
        kept.remove(0);
    }
    kept
}

/// The plain text of a message's text parts (for titles and exports).
pub fn text_of(parts: &Value) -> String {
    crate::content::texts(parts).join("\n")
}

/// A title from the first words of the first message: one line, at most 60 characters.
pub fn title_from(text: &str) -> Option<String> {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty())?;
    let mut title: String = line.chars().take(60).collect();
    if line.chars().count() > 60 {
        title.push('…');
    }
    Some(title)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(role: MessageRole, t: &str) -> ChatMessage {
        ChatMessage::text(role, t)
    }

    #[test]
    fn trimming_drops_the_oldest_and_keeps_the_question() {
        let long = "word ".repeat(200); // ~250 tokens
        let messages = vec![
            text(MessageRole::User, &long),
            text(MessageRole::Assistant, &long),
            text(MessageRole::User, "second question"),
            text(MessageRole::Assistant, "second answer"),
            text(MessageRole::User, "third question"),
        ];
        let kept = trim(Some("be brief"), messages.clone(), Some(100));
        assert_eq!(kept.len(), 3);
        assert_eq!(kept[0].joined_text(), "second question");
        assert_eq!(trim(None, messages.clone(), None).len(), 5);
        // Even a question bigger than the window goes.
        let kept = trim(None, vec![text(MessageRole::User, &long)], Some(10));
        assert_eq!(kept.len(), 1);
    }

    #[test]
    fn trimmed_history_starts_with_a_user_message() {
        let messages = vec![
            text(MessageRole::User, &"x ".repeat(400)),
            text(MessageRole::Assistant, "short answer"),
            text(MessageRole::User, "next"),
        ];
        let kept = trim(None, messages, Some(30));
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].role, MessageRole::User);
    }

    #[test]
    fn titles_are_the_first_line_cut_at_sixty_characters() {
        assert_eq!(
            title_from("\n  如何部署服务？\nmore").as_deref(),
            Some("如何部署服务？")
        );
        let long = "a".repeat(70);
        assert_eq!(title_from(&long).unwrap().chars().count(), 61);
        assert_eq!(title_from("   "), None);
    }
}

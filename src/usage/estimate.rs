//! Token estimates for what no upstream counted: one token per CJK character and one per four
//! other characters.

use crate::llm::{ChatMessage, ChatRequest, ContentPart};

/// Our estimate of the prompt tokens of `request`: its system prompt and its messages. The one
/// estimate of both doors (chat turns and `/v1`), for admission, usage and context trimming.
pub fn estimate_prompt(request: &ChatRequest) -> u64 {
    request.system.as_deref().map_or(0, estimate_tokens)
        + request.messages.iter().map(message_tokens).sum::<u64>()
}

/// Tokens a message is estimated to take: 4 for the message itself, its text, and a flat 800
/// per image (roughly what providers bill for a small image).
pub fn message_tokens(message: &ChatMessage) -> u64 {
    4 + message
        .content
        .iter()
        .map(|part| match part {
            ContentPart::Text(text) => estimate_tokens(text),
            ContentPart::Image { .. } => 800,
            ContentPart::ToolCall {
                name, arguments, ..
            } => estimate_tokens(name) + estimate_tokens(arguments),
            ContentPart::ToolResult { content, .. } => estimate_tokens(content),
        })
        .sum::<u64>()
}

/// A rough token count for text no upstream counted: one per CJK character, one per four
/// other characters, at least one for non-empty text.
pub fn estimate_tokens(text: &str) -> u64 {
    let mut cjk = 0u64;
    let mut other = 0u64;
    for c in text.chars() {
        if is_cjk(c) {
            cjk += 1;
        } else {
            other += 1;
        }
    }
    let tokens = cjk + other.div_ceil(4);
    if tokens == 0 && !text.is_empty() {
        1
    } else {
        tokens
    }
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF | 0xF900..=0xFAFF | 0xFF00..=0xFFEF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn estimates_count_chinese_characters_and_english_words() {
        assert_eq!(estimate_tokens(""), 0);
        assert_eq!(estimate_tokens("a"), 1);
        assert_eq!(estimate_tokens("hello world!"), 3);
        assert_eq!(estimate_tokens("如何部署服务"), 6);
    }
}

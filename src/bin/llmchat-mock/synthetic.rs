//! Generated replies for `chunks=N`: N text chunks `tok1 `, `tok2 `, … framed as each protocol
//! frames a complete answer (start events, finish reason, usage, end marker), built one event at
//! a time so a long benchmark stream costs one small allocation per event and no parsing.
//! Usage is always 10 prompt tokens and N completion tokens.

use axum::body::Bytes;
use serde_json::json;

use crate::protocol::Protocol;

pub const PROMPT_TOKENS: usize = 10;
const CONVERSATION: &str = "6b2b2c5e-0000-4000-8000-00000000c0de";
const MESSAGE: &str = "6b2b2c5e-0000-4000-8000-0000000000a1";
const TASK: &str = "6b2b2c5e-0000-4000-8000-00000000007a";

/// A generated stream of `chunks` text chunks.
#[derive(Debug, Clone, Copy)]
pub struct Synthetic {
    pub protocol: Protocol,
    pub chunks: usize,
}

impl Synthetic {
    /// How many events the stream has: the chunks plus the protocol's framing.
    pub fn len(&self) -> usize {
        self.chunks + self.before() + self.after()
    }

    /// Events before the first chunk.
    fn before(&self) -> usize {
        match self.protocol {
            Protocol::Anthropic => 2,
            _ => 0,
        }
    }

    /// Events after the last chunk.
    fn after(&self) -> usize {
        match self.protocol {
            Protocol::OpenAi | Protocol::Anthropic | Protocol::FastGpt => 3,
            Protocol::Dify => 1,
        }
    }

    /// Event `index` (0-based), SSE-framed with its blank line.
    pub fn event(&self, index: usize) -> Bytes {
        let (before, n) = (self.before(), self.chunks);
        Bytes::from(if index < before {
            anthropic_head(index)
        } else if index - before < n {
            self.chunk(index - before + 1)
        } else {
            let framing = index - before - n;
            match self.protocol {
                Protocol::OpenAi => openai_tail(framing, n),
                Protocol::Anthropic => anthropic_tail(framing, n),
                Protocol::FastGpt => fastgpt_tail(framing, n),
                Protocol::Dify => dify_tail(n),
            }
        })
    }

    /// Text chunk `i` (1-based), whose text is `tok{i} `.
    fn chunk(&self, i: usize) -> String {
        match self.protocol {
            Protocol::OpenAi => {
                let role = if i == 1 { r#""role":"assistant","# } else { "" };
                format!(
                    "data: {{\"id\":\"chatcmpl-mock\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"llmchat-mock\",\"choices\":[{{\"index\":0,\"delta\":{{{role}\"content\":\"tok{i} \"}},\"logprobs\":null,\"finish_reason\":null}}]}}\n\n"
                )
            }
            Protocol::Anthropic => format!(
                "event: content_block_delta\ndata: {{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{{\"type\":\"text_delta\",\"text\":\"tok{i} \"}}}}\n\n"
            ),
            Protocol::FastGpt => format!(
                "event: answer\ndata: {{\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[{{\"delta\":{{\"role\":\"assistant\",\"content\":\"tok{i} \"}},\"index\":0,\"finish_reason\":null}}]}}\n\n"
            ),
            Protocol::Dify => format!(
                "data: {{\"event\": \"message\", \"conversation_id\": \"{CONVERSATION}\", \"message_id\": \"{MESSAGE}\", \"created_at\": 1705398420, \"task_id\": \"{TASK}\", \"id\": \"{MESSAGE}\", \"answer\": \"tok{i} \", \"from_variable_selector\": null}}\n\n"
            ),
        }
    }

    /// The non-streaming reply with the same text and usage.
    pub fn json(&self) -> Bytes {
        let n = self.chunks;
        let text: String = (1..=n).map(|i| format!("tok{i} ")).collect();
        let body = match self.protocol {
            Protocol::OpenAi => json!({
                "id": "chatcmpl-mock", "object": "chat.completion", "created": 1_700_000_000,
                "model": "llmchat-mock",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                             "logprobs": null, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": n,
                          "total_tokens": PROMPT_TOKENS + n}
            }),
            Protocol::Anthropic => json!({
                "id": "msg_mock", "type": "message", "role": "assistant", "model": "llmchat-mock",
                "content": [{"type": "text", "text": text}],
                "stop_reason": "end_turn", "stop_sequence": null,
                "usage": {"input_tokens": PROMPT_TOKENS, "output_tokens": n}
            }),
            Protocol::FastGpt => json!({
                "id": "", "model": "",
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 1},
                "choices": [{"message": {"role": "assistant", "content": text},
                             "finish_reason": "stop", "index": 0}],
                "responseData": [chat_node(n)],
                "newVariables": {}
            }),
            Protocol::Dify => json!({
                "event": "message", "task_id": TASK, "id": MESSAGE, "message_id": MESSAGE,
                "conversation_id": CONVERSATION, "mode": "chat", "answer": text,
                "metadata": {"usage": {"prompt_tokens": PROMPT_TOKENS, "completion_tokens": n,
                                       "total_tokens": PROMPT_TOKENS + n}},
                "created_at": 1_705_407_629
            }),
        };
        Bytes::from(body.to_string())
    }
}

fn openai_tail(framing: usize, n: usize) -> String {
    const HEAD: &str = r#"data: {"id":"chatcmpl-mock","object":"chat.completion.chunk","created":1700000000,"model":"llmchat-mock","#;
    match framing {
        0 => format!(
            "{HEAD}\"choices\":[{{\"index\":0,\"delta\":{{}},\"logprobs\":null,\"finish_reason\":\"stop\"}}]}}\n\n"
        ),
        1 => format!(
            "{HEAD}\"choices\":[],\"usage\":{{\"prompt_tokens\":{PROMPT_TOKENS},\"completion_tokens\":{n},\"total_tokens\":{}}}}}\n\n",
            PROMPT_TOKENS + n
        ),
        _ => "data: [DONE]\n\n".to_string(),
    }
}

fn anthropic_head(framing: usize) -> String {
    match framing {
        0 => format!(
            "event: message_start\ndata: {{\"type\":\"message_start\",\"message\":{{\"id\":\"msg_mock\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"llmchat-mock\",\"content\":[],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{{\"input_tokens\":{PROMPT_TOKENS},\"output_tokens\":1}}}}}}\n\n"
        ),
        _ => "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n".to_string(),
    }
}

fn anthropic_tail(framing: usize, n: usize) -> String {
    match framing {
        0 => "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
            .to_string(),
        1 => format!(
            "event: message_delta\ndata: {{\"type\":\"message_delta\",\"delta\":{{\"stop_reason\":\"end_turn\",\"stop_sequence\":null}},\"usage\":{{\"output_tokens\":{n}}}}}\n\n"
        ),
        _ => "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n".to_string(),
    }
}

fn dify_tail(n: usize) -> String {
    format!(
        "data: {{\"event\": \"message_end\", \"conversation_id\": \"{CONVERSATION}\", \"message_id\": \"{MESSAGE}\", \"created_at\": 1705398420, \"task_id\": \"{TASK}\", \"id\": \"{MESSAGE}\", \"metadata\": {{\"usage\": {{\"prompt_tokens\": {PROMPT_TOKENS}, \"completion_tokens\": {n}, \"total_tokens\": {total}}}}}, \"files\": null}}\n\n",
        total = PROMPT_TOKENS + n
    )
}

fn fastgpt_tail(framing: usize, n: usize) -> String {
    match framing {
        0 => "event: answer\ndata: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[{\"delta\":{\"role\":\"assistant\",\"content\":null},\"index\":0,\"finish_reason\":\"stop\"}]}\n\n".to_string(),
        1 => "event: answer\ndata: [DONE]\n\n".to_string(),
        _ => format!("event: flowResponses\ndata: [{}]\n\n", chat_node(n)),
    }
}

/// The FastGPT chat node result that carries the token counts.
fn chat_node(n: usize) -> serde_json::Value {
    json!({"id": "mockChatNode", "nodeId": "mockChatNode", "moduleName": "AI 对话",
           "moduleType": "chatNode", "runningTime": 0.01, "model": "llmchat-mock",
           "inputTokens": PROMPT_TOKENS, "outputTokens": n})
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// The `data:` payloads of a whole synthetic stream, each parsed when it is JSON.
    fn data(protocol: Protocol, chunks: usize) -> Vec<Value> {
        let stream = Synthetic { protocol, chunks };
        (0..stream.len())
            .map(|i| {
                let event = stream.event(i);
                let text = std::str::from_utf8(&event).unwrap();
                assert!(text.ends_with("\n\n"), "{text}");
                let data = text.lines().find_map(|l| l.strip_prefix("data: ")).unwrap();
                serde_json::from_str(data).unwrap_or(Value::String(data.into()))
            })
            .collect()
    }

    #[test]
    fn openai_streams_chunks_then_finish_usage_and_done() {
        let events = data(Protocol::OpenAi, 2);
        assert_eq!(events.len(), 5);
        assert_eq!(events[0]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(events[1]["choices"][0]["delta"]["content"], "tok2 ");
        assert_eq!(events[2]["choices"][0]["finish_reason"], "stop");
        assert_eq!(events[3]["usage"]["completion_tokens"], 2);
        assert_eq!(events[4], "[DONE]");
    }

    #[test]
    fn anthropic_frames_chunks_in_one_text_block() {
        let events = data(Protocol::Anthropic, 3);
        let types: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(
            types,
            [
                "message_start",
                "content_block_start",
                "content_block_delta",
                "content_block_delta",
                "content_block_delta",
                "content_block_stop",
                "message_delta",
                "message_stop"
            ]
        );
        assert_eq!(events[4]["delta"]["text"], "tok3 ");
        assert_eq!(events[6]["usage"]["output_tokens"], 3);
    }

    #[test]
    fn fastgpt_ends_with_done_then_the_node_results() {
        let events = data(Protocol::FastGpt, 1);
        assert_eq!(events[0]["choices"][0]["delta"]["content"], "tok1 ");
        assert_eq!(events[1]["choices"][0]["finish_reason"], "stop");
        assert_eq!(events[2], "[DONE]");
        assert_eq!(events[3][0]["outputTokens"], 1);
    }

    #[test]
    fn dify_ends_with_message_end_and_usage() {
        let events = data(Protocol::Dify, 0);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["event"], "message_end");
        assert_eq!(
            events[0]["metadata"]["usage"]["prompt_tokens"],
            PROMPT_TOKENS
        );
    }

    #[test]
    fn the_whole_reply_carries_the_same_text() {
        for protocol in Protocol::ALL {
            let body: Value = serde_json::from_slice(
                &Synthetic {
                    protocol,
                    chunks: 2,
                }
                .json(),
            )
            .unwrap();
            assert!(body.to_string().contains("tok1 tok2 "), "{body}");
        }
    }
}

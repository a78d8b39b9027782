//! The provider layer end to end: the real transport against `llmchat-mock` speaking each
//! vendor's wire protocol on loopback — streaming and not, every fault, retries, fallbacks.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use llmchat::agents::{AgentDef, ProviderDef, UpstreamDef};
use llmchat::llm::transport::Transport;
use llmchat::llm::{
    ChatEvent, ChatMessage, ChatRequest, FinishReason, LlmError, MessageRole, provider,
};
use llmchat::runtime::{AgentSource, Runtime};

use crate::helpers::Mock;

const KEY: &str = "sk-mock-upstream-secret-42";

fn agent(id: &str, kind: &str, base_url: String) -> AgentDef {
    let upstream = UpstreamDef {
        base_url,
        api_key: Some(KEY.into()),
        model: Some("mock-model".into()),
        app_id: Some("mock-app".into()),
        headers: BTreeMap::new(),
        connect_timeout: None,
        idle_timeout: Some(Duration::from_millis(1500)),
        max_retries: Some(2),
    };
    let provider = match kind {
        "openai" => ProviderDef::Openai(upstream),
        "anthropic" => ProviderDef::Anthropic(upstream),
        "fastgpt" => ProviderDef::Fastgpt(upstream),
        "dify" => ProviderDef::Dify(upstream),
        other => panic!("unknown kind {other}"),
    };
    let mut def = llmchat::agents::builtin_demo();
    def.id = id.into();
    def.name = id.into();
    def.provider = provider;
    def
}

fn request(stream: bool) -> ChatRequest {
    ChatRequest {
        model: "mock-model".into(),
        system: Some("Be brief.".into()),
        messages: vec![ChatMessage::text(MessageRole::User, "Hello there")],
        stream,
        user: Some("user-1".into()),
        ..ChatRequest::default()
    }
}

/// All events of a reply, or the error that ended it (with the events before it).
async fn collect(stream: llmchat::llm::ChatStream) -> (Vec<ChatEvent>, Option<LlmError>) {
    let mut events = Vec::new();
    let mut stream = stream;
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => events.push(event),
            Err(error) => return (events, Some(error)),
        }
    }
    (events, None)
}

fn text(events: &[ChatEvent]) -> String {
    events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

const PROTOCOLS: &[(&str, &str)] = &[
    ("openai", "openai/v1"),
    ("anthropic", "anthropic"),
    ("fastgpt", "fastgpt/api"),
    ("dify", "dify/v1"),
];

#[tokio::test]
async fn every_protocol_streams_and_answers_whole_through_the_real_transport() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    for (kind, path) in PROTOCOLS {
        for stream in [true, false] {
            let def = agent(kind, kind, mock.url("", path));
            let reply = provider::chat(&transport, &def, &request(stream)).await;
            let (events, error) = collect(reply.unwrap_or_else(|e| panic!("{kind}: {e}"))).await;
            assert!(error.is_none(), "{kind} stream={stream}: {error:?}");
            assert!(
                !text(&events).is_empty(),
                "{kind} stream={stream}: {events:?}"
            );
            let finishes = events
                .iter()
                .filter(|e| matches!(e, ChatEvent::Finish(_)))
                .count();
            assert_eq!(finishes, 1, "{kind} stream={stream}: {events:?}");
        }
    }
    let seen = mock.requests().await.to_string();
    assert!(
        seen.contains(KEY),
        "the key reached the upstream in its header"
    );
}

#[tokio::test]
async fn a_stream_delivered_one_byte_at_a_time_is_complete() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    for (kind, path) in PROTOCOLS {
        let whole = agent(kind, kind, mock.url("", path));
        let (expected, _) = collect(
            provider::chat(&transport, &whole, &request(true))
                .await
                .unwrap(),
        )
        .await;
        let bytewise = agent(kind, kind, mock.url("bytewise=1", path));
        let (events, error) = collect(
            provider::chat(&transport, &bytewise, &request(true))
                .await
                .unwrap(),
        )
        .await;
        assert!(error.is_none(), "{kind}: {error:?}");
        assert_eq!(text(&events), text(&expected), "{kind}");
    }
}

#[tokio::test]
async fn server_errors_and_rate_limits_are_retried_before_the_first_token() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    let flaky = agent(
        "flaky",
        "openai",
        mock.url("fault=500,fail_times=2,tag=a", "openai/v1"),
    );
    let (events, error) = collect(
        provider::chat(&transport, &flaky, &request(true))
            .await
            .unwrap(),
    )
    .await;
    assert!(error.is_none() && !text(&events).is_empty(), "{error:?}");

    let started = Instant::now();
    let limited = agent(
        "limited",
        "anthropic",
        mock.url("fault=429,retry_after=1,fail_times=1,tag=b", "anthropic"),
    );
    let (events, error) = collect(
        provider::chat(&transport, &limited, &request(true))
            .await
            .unwrap(),
    )
    .await;
    assert!(error.is_none() && !text(&events).is_empty(), "{error:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After is honoured"
    );
}

#[tokio::test]
async fn upstream_errors_are_clear_and_name_the_provider_message() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    for (kind, path) in PROTOCOLS {
        let unauthorized = agent(kind, kind, mock.url("fault=401", path));
        let error = match provider::chat(&transport, &unauthorized, &request(true)).await {
            Err(error) => error,
            Ok(_) => panic!("{kind}: a 401 is an error"),
        };
        match &error {
            LlmError::Upstream {
                status, message, ..
            } => {
                assert_eq!(*status, Some(401), "{kind}: {error}");
                assert!(!message.is_empty());
            }
            other => panic!("{kind}: {other:?}"),
        }
        assert!(!error.to_string().contains(KEY), "{kind}: {error}");
    }
    let always = agent("down", "openai", mock.url("fault=500", "openai/v1"));
    let error = provider::chat(&transport, &always, &request(true))
        .await
        .err()
        .unwrap();
    assert!(
        matches!(
            error,
            LlmError::Upstream {
                status: Some(500),
                ..
            }
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_stream_cut_mid_way_or_with_bad_json_ends_with_an_error_not_a_hang() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    for (kind, path) in PROTOCOLS {
        let cut = agent(kind, kind, mock.url("fault=cut:3", path));
        // Cut before anything was shown, the call fails; cut later, the stream ends in an error.
        let error = match provider::chat(&transport, &cut, &request(true)).await {
            Err(error) => Some(error),
            Ok(stream) => collect(stream).await.1,
        };
        assert!(
            matches!(
                error,
                Some(LlmError::Protocol(_)) | Some(LlmError::Interrupted(_))
            ),
            "{kind}: a cut stream is not a complete reply, nor an unreachable upstream: {error:?}"
        );
    }
    for at in [1, 4] {
        let bad = agent(
            "bad",
            "openai",
            mock.url(&format!("fault=badjson:{at}"), "openai/v1"),
        );
        let error = match provider::chat(&transport, &bad, &request(true)).await {
            Err(error) => Some(error),
            Ok(stream) => collect(stream).await.1,
        };
        assert!(
            matches!(error, Some(LlmError::Protocol(_))),
            "bad JSON at {at}: {error:?}"
        );
    }
}

#[tokio::test]
async fn a_stall_longer_than_the_idle_timeout_is_an_idle_timeout() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    let started = Instant::now();
    let stalled = agent(
        "stalled",
        "openai",
        mock.url("fault=stall:5000@3", "openai/v1"),
    );
    let (events, error) = collect(
        provider::chat(&transport, &stalled, &request(true))
            .await
            .unwrap(),
    )
    .await;
    assert!(!events.is_empty(), "the events before the stall arrive");
    assert!(matches!(error, Some(LlmError::IdleTimeout(_))), "{error:?}");
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "gave up after the idle timeout"
    );
}

#[tokio::test]
async fn a_failing_agent_falls_back_to_the_next_one_before_its_first_token() {
    let mock = Mock::start();
    let transport = Transport::new(false).unwrap();
    let mut broken = agent("broken", "openai", mock.url("fault=500", "openai/v1"));
    if let ProviderDef::Openai(upstream) = &mut broken.provider {
        upstream.max_retries = Some(0);
    }
    broken.fallbacks = vec!["backup".into()];
    let backup = agent("backup", "anthropic", mock.url("", "anthropic"));
    let runtime =
        Runtime::from_defs(vec![broken.clone(), backup], AgentSource::File, &|_| None).unwrap();
    let chain = &runtime.agent("broken").unwrap().fallbacks;
    let (served_by, stream) =
        provider::chat_with_fallbacks(&transport, &broken, chain, &request(true))
            .await
            .unwrap_or_else(|(id, e)| panic!("{id}: {e}"));
    assert_eq!(served_by, "backup");
    let (events, error) = collect(stream).await;
    assert!(
        error.is_none() && events.contains(&ChatEvent::Finish(FinishReason::Stop)),
        "{events:?}"
    );
}

//! One `/v1` call, whichever API it came in: checks the agent can take the request (tools)
//! and the caller's agent limits, calls the agent (with its fallbacks), and meters the reply —
//! time to first token, tokens (the provider's counts or our estimate), outcome — into one
//! usage record written when the reply ends or the client leaves. Nothing here waits for the
//! database on the way out.

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use futures_util::Stream;

use super::error::ApiError;
use super::store::Transcript;
use crate::agents::ProviderKind;
use crate::auth::{AuthUser, Via};
use crate::llm::{ChatEvent, ChatRequest, ChatStream, ContentPart, LlmError, Usage, provider};
use crate::runtime::{Agent, Runtime};
use crate::state::AppState;
use crate::usage::{ActiveStream, Meter, Outcome, UsageRecord, UsageRecorder};

/// The agent a `/v1` request's `model` names, when the caller may use it; else the API's
/// 404 for an unknown model (an agent the caller may not use is not revealed).
pub fn agent_for(runtime: &Runtime, user: &AuthUser, model: &str) -> Result<Arc<Agent>, ApiError> {
    runtime
        .agent(model)
        .filter(|agent| agent.usable_by(user))
        .cloned()
        .ok_or_else(|| ApiError::model_not_found(model))
}

/// Calls `agent` (already resolved and allowed for `user`) with the client's `request`: the
/// agent's model, system prompt and defaults are filled in here.
pub async fn open(
    state: &AppState,
    user: &AuthUser,
    agent: &Arc<Agent>,
    mut request: ChatRequest,
) -> Result<Metered, ApiError> {
    let def = &agent.def;
    let kind = def.provider.kind();
    let takes_tools = matches!(kind, ProviderKind::Openai | ProviderKind::Anthropic);
    if !takes_tools && (!request.tools.is_empty() || has_tool_parts(&request)) {
        return Err(ApiError::invalid(format!(
            "agent {:?} ({}) cannot take tools: only agents of OpenAI-compatible or Anthropic \
             providers can",
            def.id,
            kind.as_str()
        )));
    }
    request.user = Some(user.id.clone());
    let request = ChatRequest::for_agent(def, request);

    let settings = state.settings();
    let transcript = settings
        .compat
        .store_conversations
        .then(|| Transcript::new(state, &user.id, &def.id, &request));
    let mut record = UsageRecord::new(&def.id, kind.as_str());
    record.user_id = Some(user.id.clone());
    record.api_key_id = match &user.via {
        Via::ApiKey { id, .. } => Some(id.clone()),
        Via::Session { .. } => None,
    };
    record.model = (!request.model.is_empty()).then(|| request.model.clone());
    let mut meter = Meter::start(&request);
    let output_estimate = request
        .max_tokens
        .map_or(settings.chat.reserve_output_tokens, u64::from);
    let admission = crate::chat::limits::admit(
        state,
        &user.id,
        def,
        meter.prompt_estimate() + output_estimate,
    )
    .await?;

    match provider::chat_with_fallbacks(&state.transport, def, &agent.fallbacks, &request).await {
        Ok((answered_by, stream)) => {
            record.provider = agent.provider_of(&answered_by).as_str();
            Ok(Metered {
                inner: stream,
                recorder: state.usage.clone(),
                record: Some(record),
                meter,
                error: None,
                ended: false,
                transcript,
                admission: Some(admission),
                _active: ActiveStream::open(),
            })
        }
        Err((failed, error)) => {
            let failed_kind = agent.provider_of(&failed);
            crate::usage::count_upstream_error(&failed, failed_kind.as_str(), &error);
            record.provider = failed_kind.as_str();
            record.outcome = Outcome::Error;
            record.error_code = Some(error.code().to_string());
            meter.stop();
            meter.fill(&mut record);
            admission.settle(&mut record).await;
            state.usage.record(record);
            Err(ApiError::upstream(&failed, &error))
        }
    }
}

fn has_tool_parts(request: &ChatRequest) -> bool {
    request.messages.iter().any(|m| {
        m.content.iter().any(|p| {
            matches!(
                p,
                ContentPart::ToolCall { .. } | ContentPart::ToolResult { .. }
            )
        })
    })
}

/// The agent's reply, metered. Its usage record is written when it is dropped: after the last
/// event (`ok`), after an error (`error`), or early because the client went away (`stopped`).
pub struct Metered {
    inner: ChatStream,
    recorder: UsageRecorder,
    record: Option<UsageRecord>,
    meter: Meter,
    error: Option<&'static str>,
    ended: bool,
    transcript: Option<Transcript>,
    /// Settled into the usage record when the reply ends.
    admission: Option<crate::chat::limits::Admission>,
    _active: ActiveStream,
}

impl Metered {
    /// The token counts: the provider's, or our estimate when it sent none.
    pub fn usage(&self) -> Usage {
        self.meter.usage().0
    }

    /// Every event, then the error that ended the reply, if any.
    pub async fn collect(mut self) -> (super::Collected, Option<LlmError>, Usage) {
        use futures_util::StreamExt;
        let mut collected = super::Collected::default();
        let mut failure = None;
        while let Some(item) = self.next().await {
            match item {
                Ok(event) => collected.push(event),
                Err(error) => failure = Some(error),
            }
        }
        (collected, failure, self.usage())
    }

    fn observe(&mut self, event: &ChatEvent) {
        self.meter.observe(event);
        if let Some(transcript) = &mut self.transcript {
            transcript.push(event);
        }
    }
}

impl Stream for Metered {
    type Item = Result<ChatEvent, LlmError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.ended {
            return Poll::Ready(None);
        }
        let item = std::task::ready!(self.inner.as_mut().poll_next(cx));
        match &item {
            Some(Ok(event)) => self.observe(event),
            Some(Err(error)) => {
                let (agent, provider) = self.record.as_ref().map_or(("unknown", "unknown"), |r| {
                    (r.agent_id.as_str(), r.provider)
                });
                crate::usage::count_upstream_error(agent, provider, error);
                self.error = Some(error.code());
                self.ended = true;
            }
            None => self.ended = true,
        }
        Poll::Ready(item)
    }
}

impl Drop for Metered {
    fn drop(&mut self) {
        let Some(mut record) = self.record.take() else {
            return;
        };
        self.meter.stop();
        self.meter.fill(&mut record);
        record.outcome = match (self.ended, self.error) {
            (_, Some(code)) => {
                record.error_code = Some(code.to_string());
                Outcome::Error
            }
            (true, None) => Outcome::Ok,
            (false, None) => Outcome::Stopped,
        };
        let outcome = record.outcome;
        if let Some(admission) = self.admission.take() {
            admission.settle_soon(&mut record);
        }
        self.recorder.record(record);
        if let Some(transcript) = self.transcript.take() {
            transcript.save(outcome);
        }
    }
}

//! The turn's task: stream the reply into the hub, flush the partial answer, and save the
//! finished one with its usage.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::json;

use super::TurnTask;
use crate::agents::ProviderDef;
use crate::chat::events::{
    Answer, DoneEvent, ErrorEvent, EventName, UsageEvent, data, merge_upstream,
};
use crate::llm::{LlmError, UpstreamIds, provider};
use crate::store::conversations;
use crate::store::messages::{self, FinishedMessage, MessageStatus};
use crate::usage::{ActiveStream, Meter, Outcome, UsageRecord, count_upstream_error};

/// How the streaming loop ended.
#[derive(Debug)]
enum End {
    Complete,
    Stopped,
    /// The server is shutting down and its grace is nearly spent.
    Interrupted,
    Failed {
        agent_id: String,
        error: LlmError,
    },
}

impl TurnTask {
    pub(super) async fn run(mut self) {
        let _active = ActiveStream::open();
        let mut meter = self.meter.clone();
        let cancel = self.publisher.cancelled();
        let grace = self.state.settings().shutdown_grace;
        let shutdown = self.state.lifecycle.shutdown.clone();
        let deadline = async move {
            shutdown.cancelled().await;
            tokio::time::sleep(grace.mul_f32(0.75)).await;
        };
        tokio::pin!(deadline);
        let mut answer = Answer::default();
        let mut agent_id = self.agent.def.id.clone();

        let opened = tokio::select! {
            opened = provider::chat_with_fallbacks(&self.state.transport, &self.agent.def, &self.agent.fallbacks, &self.request) => Some(opened),
            () = cancel.cancelled() => None,
            () = &mut deadline => None,
        };
        let end = match opened {
            None if cancel.is_cancelled() => End::Stopped,
            None => End::Interrupted,
            Some(Err((failed, error))) => End::Failed {
                agent_id: failed,
                error,
            },
            Some(Ok((answered_by, stream))) => {
                agent_id = answered_by;
                self.stream(stream, &mut answer, &mut meter, &cancel, &mut deadline)
                    .await
            }
        };
        meter.stop();
        self.finish(end, answer, &meter, agent_id).await;
    }

    async fn stream(
        &mut self,
        mut stream: crate::llm::ChatStream,
        answer: &mut Answer,
        meter: &mut Meter,
        cancel: &tokio_util::sync::CancellationToken,
        deadline: &mut std::pin::Pin<&mut impl std::future::Future<Output = ()>>,
    ) -> End {
        let flush_every = self.state.settings().chat.flush_interval;
        let mut flush = tokio::time::interval_at(
            tokio::time::Instant::now() + flush_every,
            flush_every.max(Duration::from_millis(50)),
        );
        loop {
            tokio::select! {
                biased;
                () = cancel.cancelled() => return End::Stopped,
                () = deadline.as_mut() => return End::Interrupted,
                item = stream.next() => match item {
                    Some(Ok(event)) => {
                        meter.observe(&event);
                        if let Some((name, payload)) = answer.apply(event) {
                            self.publisher.publish(name, payload);
                        }
                    }
                    Some(Err(error)) => {
                        return End::Failed { agent_id: self.agent.def.id.clone(), error };
                    }
                    None => return End::Complete,
                },
                _ = flush.tick() => {
                    if answer.take_dirty()
                        && let Err(e) = messages::save_partial(&self.state.db, self.publisher.message_id(), &answer.parts()).await
                    {
                        tracing::warn!(error = %e, "cannot save the partial answer; will retry");
                    }
                }
            }
        }
    }

    /// The turn is over: publish its last events, save the answer, record its usage, then
    /// (with `chat.titles: agent`) ask for a title.
    async fn finish(mut self, end: End, answer: Answer, meter: &Meter, agent_id: String) {
        let provider = self.agent.provider_of(&agent_id).as_str();
        tracing::debug!(
            agent = %agent_id,
            message_id = %self.publisher.message_id(),
            duration_ms = meter.elapsed_ms(),
            ttft_ms = meter.ttft_ms(),
            outcome = ?end,
            "turn ended"
        );
        let (status, outcome, error) = self.verdict(&end, provider);
        if matches!(end, End::Stopped) {
            self.stop_upstream(&answer.upstream).await;
        }
        let (usage, estimated) = meter.usage();
        let usage_event = UsageEvent {
            prompt_tokens: usage.prompt_tokens,
            completion_tokens: usage.completion_tokens,
            estimated,
        };
        if estimated {
            self.publisher.publish(EventName::Usage, data(&usage_event));
        }
        if let Some(error) = &error {
            self.publisher.publish(EventName::Error, data(error));
        }
        let message_id = self.publisher.message_id().to_string();
        self.save_answer(
            &message_id,
            &answer,
            status,
            &agent_id,
            meter,
            error.as_ref(),
        )
        .await;
        let mut record = UsageRecord::new(&agent_id, provider);
        record.user_id = Some(self.user_id.clone());
        record.api_key_id = self.api_key_id.clone();
        record.conversation_id = Some(self.conversation_id.clone());
        record.message_id = Some(message_id.clone());
        record.model = Some(self.request.model.clone()).filter(|m| !m.is_empty());
        meter.fill(&mut record);
        record.outcome = outcome;
        record.error_code = error.as_ref().map(|e| e.code.clone());
        if let Some(admission) = self.admission.take() {
            admission.settle(&mut record).await;
        }
        self.state.usage.record(record);

        self.publisher.publish(
            EventName::Done,
            data(&DoneEvent {
                message_id,
                status,
                usage: usage_event,
            }),
        );
        self.close(status == MessageStatus::Complete, &answer.text)
            .await;
    }

    /// The answer's status, the usage outcome, and the error event to send, if any.
    fn verdict(
        &self,
        end: &End,
        provider: &'static str,
    ) -> (MessageStatus, Outcome, Option<ErrorEvent>) {
        match end {
            End::Complete => (MessageStatus::Complete, Outcome::Ok, None),
            End::Stopped => (MessageStatus::Stopped, Outcome::Stopped, None),
            End::Interrupted => (
                MessageStatus::Interrupted,
                Outcome::Error,
                Some(ErrorEvent {
                    code: "interrupted".into(),
                    message: "the server shut down during this answer".into(),
                    agent_id: None,
                }),
            ),
            End::Failed { agent_id, error } => {
                count_upstream_error(agent_id, provider, error);
                tracing::warn!(
                    agent = %agent_id,
                    message_id = %self.publisher.message_id(),
                    %error,
                    "the agent's provider failed"
                );
                let event = ErrorEvent {
                    code: error.code().into(),
                    message: format!("agent {agent_id:?}: {}", error.public_message()),
                    agent_id: Some(agent_id.clone()),
                };
                (MessageStatus::Failed, Outcome::Error, Some(event))
            }
        }
    }

    /// Saves the finished answer and the upstream ids the conversation keeps for next time.
    async fn save_answer(
        &self,
        message_id: &str,
        answer: &Answer,
        status: MessageStatus,
        agent_id: &str,
        meter: &Meter,
        error: Option<&ErrorEvent>,
    ) {
        let (usage, _) = meter.usage();
        let content = answer.parts();
        let error_json = error.map(|e| json!({"code": e.code, "message": e.message}));
        let finished = FinishedMessage {
            content: &content,
            status: status.as_str(),
            agent_id,
            model: Some(self.request.model.as_str()).filter(|m| !m.is_empty()),
            prompt_tokens: Some(usage.prompt_tokens),
            completion_tokens: Some(usage.completion_tokens),
            ttft_ms: meter.ttft_ms(),
            duration_ms: meter.elapsed_ms(),
            error: error_json.as_ref(),
            upstream_id: answer.upstream.message_id.as_deref(),
        };
        self.save(message_id, &finished).await;
        let mut upstream = self.upstream_before.clone();
        merge_upstream(&mut upstream, answer.upstream.clone());
        upstream.task_id = None;
        upstream.message_id = None;
        if upstream != self.upstream_before {
            let json = serde_json::to_string(&upstream).unwrap_or_else(|_| "{}".into());
            if let Err(e) =
                conversations::set_upstream(&self.state.db, &self.conversation_id, &json).await
            {
                tracing::warn!(error = %e, "cannot save the upstream conversation id");
            }
        }
    }

    /// Ends the hub's stream; with `chat.titles: agent`, a complete first answer is titled.
    async fn close(self, complete: bool, answer_text: &str) {
        let TurnTask {
            state,
            publisher,
            agent,
            conversation_id,
            ask_for_title,
            first_text,
            ..
        } = self;
        publisher.finish();
        if ask_for_title && complete {
            crate::chat::titles::ask_agent(
                &state,
                &agent,
                &conversation_id,
                &first_text,
                answer_text,
            )
            .await;
        }
    }

    /// Saves the finished answer, retrying briefly while the database is unreachable.
    async fn save(&self, message_id: &str, finished: &FinishedMessage<'_>) {
        for attempt in 0..5u32 {
            match messages::finish_message(&self.state.db, message_id, finished).await {
                Ok(()) => return,
                Err(e) => {
                    tracing::warn!(error = %e, attempt, message_id, "cannot save the answer; retrying");
                    tokio::time::sleep(Duration::from_millis(200 << attempt)).await;
                }
            }
        }
        tracing::error!(
            message_id,
            "the answer could not be saved; recovery will mark it interrupted"
        );
    }

    /// Dify keeps generating after we hang up unless told to stop.
    async fn stop_upstream(&self, ids: &UpstreamIds) {
        let (ProviderDef::Dify(upstream), Some(task_id)) = (&self.agent.def.provider, &ids.task_id)
        else {
            return;
        };
        let user = self.request.user.clone().unwrap_or_default();
        let sent = crate::chat::upstream::send(&self.state.transport, upstream, |endpoint| {
            crate::llm::dify::stop_request(endpoint, task_id, &user)
        })
        .await;
        if let Err(e) = sent {
            tracing::warn!(agent = %self.agent.def.id, error = %e, "Dify did not accept the stop request");
        }
    }
}

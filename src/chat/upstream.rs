//! One-off requests to an app's API beside the chat stream (Dify stop, feedback to FastGPT
//! and Dify), through the shared transport.

use std::time::Duration;

use crate::agents::{ProviderDef, UpstreamDef};
use crate::llm::transport::{SendError, Transport};
use crate::llm::{Endpoint, HttpRequest, LlmError, with_endpoint};
use crate::state::AppState;
use crate::store::conversations;
use crate::store::messages::MessageRow;

/// Short: these requests are courtesies; the user's action does not wait on them for long.
const PATIENCE: Duration = Duration::from_secs(10);

/// Sends the request `build` makes for `upstream`; any 2xx is success.
pub async fn send(
    transport: &Transport,
    upstream: &UpstreamDef,
    build: impl FnOnce(&Endpoint<'_>) -> HttpRequest,
) -> Result<(), LlmError> {
    let request = with_endpoint(upstream, build);
    match transport.send(&request, PATIENCE).await {
        Ok(_) => Ok(()),
        Err(SendError::Status { status, body, .. }) => Err(LlmError::Upstream {
            status: Some(status),
            code: None,
            message: String::from_utf8_lossy(&body).chars().take(300).collect(),
            retry_after_s: None,
        }),
        Err(SendError::Refused(reason) | SendError::Connect(reason)) => {
            Err(LlmError::Connect(reason))
        }
        Err(SendError::Timeout(wait)) => Err(LlmError::IdleTimeout(wait.as_secs())),
    }
}

/// Sends the rating to the agent's app when it keeps ratings; false when it does not or failed.
pub async fn forward_feedback(
    state: &AppState,
    user_id: &str,
    message: &MessageRow,
    rating: Option<i64>,
) -> bool {
    let runtime = state.runtime.load_full();
    let Some(agent) = message.agent_id.as_deref().and_then(|a| runtime.agent(a)) else {
        return false;
    };
    let good = rating.map(|r| r > 0);
    let sent = match &agent.def.provider {
        ProviderDef::Dify(upstream) => {
            let Some(upstream_id) = message.upstream_id.as_deref() else {
                return false;
            };
            send(&state.transport, upstream, |endpoint| {
                crate::llm::dify::feedback_request(endpoint, upstream_id, good, user_id)
            })
            .await
        }
        ProviderDef::Fastgpt(upstream) => {
            let Ok(Some(conversation)) =
                conversations::get_conversation(&state.db, user_id, &message.conversation_id).await
            else {
                return false;
            };
            let ids: crate::llm::UpstreamIds = conversation.upstream_ids();
            let chat_id = ids.chat_id.unwrap_or(conversation.id);
            send(&state.transport, upstream, |endpoint| {
                crate::llm::fastgpt::feedback_request(endpoint, &chat_id, &message.id, good)
            })
            .await
        }
        _ => return false,
    };
    match sent {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(agent = %agent.def.id, error = %e, "the app did not take the feedback");
            false
        }
    }
}

//! One-off requests to an app's API beside the chat stream (Dify stop, feedback to FastGPT
//! and Dify), through the shared transport.

use std::time::Duration;

use crate::agents::UpstreamDef;
use crate::llm::transport::{SendError, Transport};
use crate::llm::{Endpoint, HttpRequest, LlmError, with_endpoint};

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

//! Attachments of a user's message: uploads turned into stored parts and upstream parts.

use serde_json::Value;

use crate::auth::AuthUser;
use crate::error::{Error, Result};
use crate::llm::ContentPart;
use crate::state::AppState;
use crate::store::conversations::ConversationRow;

/// The stored part and the upstream part of each attachment.
pub async fn resolve(
    _state: &AppState,
    _user: &AuthUser,
    _conversation: &ConversationRow,
    ids: &[String],
) -> Result<Vec<(Value, ContentPart)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Err(Error::Invalid {
        field: "attachments".into(),
        message: "uploads are not available in this build yet".into(),
    })
}

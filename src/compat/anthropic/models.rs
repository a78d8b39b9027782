//! `GET /v1/models` in Anthropic's shape, for clients that send `anthropic-version`.

use serde::Serialize;
use utoipa::ToSchema;

/// `GET /v1/models` in Anthropic's shape (sent with `anthropic-version`).
#[derive(Debug, Serialize, ToSchema)]
pub struct ModelList {
    pub data: Vec<ModelInfo>,
    pub has_more: bool,
    pub first_id: Option<String>,
    pub last_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelInfo {
    /// `model`
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The agent id.
    pub id: String,
    /// The agent's name.
    pub display_name: String,
    pub created_at: &'static str,
}

pub fn models(agents: impl Iterator<Item = (String, String)>) -> ModelList {
    let data: Vec<ModelInfo> = agents
        .map(|(id, display_name)| ModelInfo {
            kind: "model",
            id,
            display_name,
            created_at: "1970-01-01T00:00:00Z",
        })
        .collect();
    ModelList {
        first_id: data.first().map(|m| m.id.clone()),
        last_id: data.last().map(|m| m.id.clone()),
        has_more: false,
        data,
    }
}

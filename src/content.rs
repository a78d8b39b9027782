//! What a message holds beyond plain text, as every part of the platform names it: citations,
//! the state of a workflow node, and interactive nodes (a choice or a form the upstream app
//! asks the user for). Providers produce these (`llm`), the store keeps them, the API shows
//! them. This module depends on nothing of ours, so any layer may use it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum NodeState {
    Running,
    Done,
    Failed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interactive {
    pub kind: InteractiveKind,
    pub prompt: Option<String>,
    /// For `select`: the choices.
    pub options: Vec<InteractiveOption>,
    /// For `form`: the fields to fill.
    pub fields: Vec<InteractiveField>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InteractiveKind {
    Select,
    Form,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InteractiveOption {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InteractiveField {
    pub name: String,
    pub label: String,
    /// `input`, `textarea`, `number`, `select`, …, as the upstream names it.
    pub kind: String,
    pub required: bool,
    pub options: Vec<InteractiveOption>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Citation {
    pub title: String,
    pub snippet: Option<String>,
    pub url: Option<String>,
    pub score: Option<f64>,
}

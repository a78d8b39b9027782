//! Agents as users see them (never keys or upstream URLs), and the reload endpoint.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::agents::AgentDef;
use crate::agents::{Capability, Problem, ProviderKind};
use crate::audit::{Event, record};
use crate::auth::{AdminUser, AuthUser, ClientInfo};
use crate::error::{Error, ErrorBody, ErrorResponse, Result};
use crate::llm::diagnose::{self, FailureKind};
use crate::llm::{ChatMessage, ChatRequest, LlmError, MessageRole, provider};
use crate::runtime::Agent;
use crate::state::AppState;

/// An agent as the caller may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// An emoji or an image URL.
    pub avatar: Option<String>,
    pub capabilities: Vec<Capability>,
    pub provider: ProviderKind,
    pub enabled: bool,
}

impl From<&Agent> for AgentView {
    fn from(agent: &Agent) -> AgentView {
        let def = &agent.def;
        AgentView {
            id: def.id.clone(),
            name: def.name.clone(),
            description: def.description.clone(),
            avatar: def.avatar.clone(),
            capabilities: def.capabilities.clone(),
            provider: def.provider.kind(),
            enabled: def.enabled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AgentList {
    pub items: Vec<AgentView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReloadResult {
    /// Agents now in force, in configuration order.
    pub agents: Vec<String>,
}

/// A reload refused: the error plus every problem found; the running agents stay.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvalidConfiguration {
    pub error: ErrorBody,
    pub problems: Vec<Problem>,
}

/// The outcome of a connection test.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConnectionTest {
    pub ok: bool,
    /// Time to the first event of the reply, or to the failure.
    pub latency_ms: f64,
    /// The model asked, for providers that take one.
    pub model: Option<String>,
    /// The URL the test request went to (none for the built-in demo).
    pub url: Option<String>,
    pub error: Option<UpstreamFailure>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UpstreamFailure {
    pub kind: FailureKind,
    /// The upstream's HTTP status, when it answered with one.
    pub status: Option<u16>,
    pub code: Option<String>,
    /// What went wrong, as a sentence naming the URL tried.
    pub message: String,
}

/// How long a connection test waits for the first event.
const TEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agents))
        .routes(routes!(get_agent))
        .routes(routes!(agent_init))
        .routes(routes!(reload_agents))
        .routes(routes!(test_agent))
}

/// Sends a minimal real request to the agent's provider (no retries, no fallbacks) and reports
/// how long the first event took, or the upstream's error.
#[utoipa::path(post, path = "/api/admin/agents/{id}/test", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 200, description = "the outcome, successful or not", body = ConnectionTest),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
    ))]
async fn test_agent(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<axum::Json<ConnectionTest>> {
    let runtime = state.runtime.load();
    let agent = runtime.agent(&id).ok_or(Error::NotFound)?;
    let outcome = connection_test(&state, &agent.def, &admin.id).await;
    let event = Event::new("admin.agent_test", Some(&admin.id)).target("agent", &id);
    let event = if outcome.ok { event } else { event.failed() };
    record(&state, &client, event).await;
    Ok(axum::Json(outcome))
}

/// Sends `def` a minimal real request (no retries, no fallbacks) and reports how long its first
/// event took, or why it failed, in words.
pub(crate) async fn connection_test(
    state: &AppState,
    def: &AgentDef,
    user_id: &str,
) -> ConnectionTest {
    use futures_util::StreamExt;

    let mut def = def.clone();
    def.fallbacks.clear();
    let model = def.provider.model().map(str::to_string);
    if let Some(upstream) = def.provider.upstream_mut() {
        upstream.max_retries = Some(0);
    }
    let request = ChatRequest {
        model: model.clone().unwrap_or_default(),
        messages: vec![ChatMessage::text(MessageRole::User, "Reply with OK.")],
        max_tokens: Some(16),
        stream: true,
        user: Some(user_id.to_string()),
        ..ChatRequest::default()
    };
    let url = provider::request_url(&def, &request);
    let started = std::time::Instant::now();
    let outcome = async {
        let mut stream = provider::chat(&state.transport, &def, &request).await?;
        match stream.next().await {
            Some(Err(error)) => Err(error),
            _ => Ok(()),
        }
    };
    let outcome = tokio::time::timeout(TEST_TIMEOUT, outcome)
        .await
        .unwrap_or(Err(LlmError::IdleTimeout(TEST_TIMEOUT.as_secs())));
    let latency_ms = (started.elapsed().as_secs_f64() * 100_000.0).round() / 100.0;
    let error = outcome.err().map(|error| {
        let diagnosis = diagnose::explain(&error, url.as_deref().unwrap_or("the upstream"));
        let (status, code) = match error {
            LlmError::Upstream { status, code, .. } => (status, code),
            _ => (None, None),
        };
        UpstreamFailure {
            kind: diagnosis.kind,
            status,
            code,
            message: diagnosis.message,
        }
    });
    ConnectionTest {
        ok: error.is_none(),
        latency_ms,
        model,
        url,
        error,
    }
}

/// The agents the caller may use.
#[utoipa::path(get, path = "/api/agents", tag = "agents", security(("bearer" = [])),
    responses(
        (status = 200, description = "agents visible to the caller", body = AgentList),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn list_agents(State(state): State<AppState>, user: AuthUser) -> axum::Json<AgentList> {
    let runtime = state.runtime.load();
    let items = runtime
        .visible_to(user.role)
        .filter(|agent| agent.usable_by(&user))
        .map(|agent| AgentView::from(agent.as_ref()))
        .collect();
    axum::Json(AgentList { items })
}

/// One agent the caller may use.
#[utoipa::path(get, path = "/api/agents/{id}", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 200, description = "the agent", body = AgentView),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 404, description = "no such agent for the caller", body = ErrorResponse),
    ))]
async fn get_agent(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<axum::Json<AgentView>> {
    let runtime = state.runtime.load();
    let agent = runtime
        .agent(&id)
        .filter(|agent| agent.usable_by(&user))
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(AgentView::from(agent.as_ref())))
}

/// What a new conversation with the agent shows: the welcome text, suggested questions and
/// the input variables form — from FastGPT's init or Dify's parameters for app agents (the
/// agent's own `welcome`/`suggested_questions` fill in or override), from the configuration
/// for the others.
#[utoipa::path(get, path = "/api/agents/{id}/init", tag = "agents", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 200, description = "opening data", body = crate::llm::AppInit),
        (status = 404, description = "no such agent for the caller", body = ErrorResponse),
        (status = 502, description = "the app's provider failed", body = ErrorResponse),
    ))]
async fn agent_init(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<axum::Json<crate::llm::AppInit>> {
    let runtime = state.runtime.load();
    let agent = runtime
        .agent(&id)
        .filter(|agent| agent.usable_by(&user))
        .ok_or(Error::NotFound)?
        .clone();
    drop(runtime);
    let mut init = provider::app_init(&state.transport, &agent.def)
        .await
        .map_err(|e| Error::BadGateway(e.to_string()))?
        .unwrap_or_default();
    if agent.def.welcome.is_some() {
        init.welcome = agent.def.welcome.clone();
    }
    if !agent.def.suggested_questions.is_empty() {
        init.suggested_questions = agent.def.suggested_questions.clone();
    }
    Ok(axum::Json(init))
}

/// Re-reads the agents file, validates it and swaps the agents in at once (as SIGHUP does).
/// An invalid file is refused with every problem listed, and the running agents stay.
/// Requests already running keep the agents they started with.
#[utoipa::path(post, path = "/api/agents/reload", tag = "agents", security(("bearer" = [])),
    responses(
        (status = 200, description = "reloaded", body = ReloadResult),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "the agents are not valid; nothing changed", body = InvalidConfiguration),
    ))]
async fn reload_agents(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
) -> Response {
    let event = Event::new("admin.agents_reload", Some(&admin.id));
    match state.reload_agents().await {
        Ok(runtime) => {
            crate::cluster::announce(&state, crate::cluster::Signal::Agents).await;
            let agents: Vec<String> = runtime.ids().map(String::from).collect();
            let details = serde_json::json!({ "agents": agents });
            record(&state, &client, event.details(details)).await;
            axum::Json(ReloadResult { agents }).into_response()
        }
        Err(report) => {
            let details = serde_json::json!({ "problems": report.problems });
            record(&state, &client, event.failed().details(details)).await;
            let body = InvalidConfiguration {
                error: ErrorBody {
                    code: "invalid_configuration".into(),
                    message: report.to_string(),
                    request_id: client.request_id,
                    field: None,
                    budget: None,
                },
                problems: report.problems,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
    }
}

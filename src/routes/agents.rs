//! Agents as users see them (never keys or upstream URLs), and the reload endpoint.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::agents::{Capability, Problem, ProviderKind};
use crate::audit::{Event, record};
use crate::auth::{AdminUser, AuthUser, ClientInfo, Via};
use crate::error::{Error, ErrorBody, ErrorResponse, Result};
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

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agents))
        .routes(routes!(get_agent))
        .routes(routes!(reload_agents))
}

/// Whether the caller may use the agent: its role, and an API key's agent list.
fn may_use(user: &AuthUser, agent: &Agent) -> bool {
    let allowed_by_key = match &user.via {
        Via::ApiKey {
            allowed_agents: Some(allowed),
            ..
        } => allowed.contains(&agent.def.id),
        _ => true,
    };
    agent.def.enabled && agent.def.visible_to.contains(&user.role) && allowed_by_key
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
        .filter(|agent| may_use(&user, agent))
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
        .filter(|agent| may_use(&user, agent))
        .ok_or(Error::NotFound)?;
    Ok(axum::Json(AgentView::from(agent.as_ref())))
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
    match state.reload_agents() {
        Ok(runtime) => {
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
                },
                problems: report.problems,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, axum::Json(body)).into_response()
        }
    }
}

//! Admin agent management: agents stored in the database, provider keys write-only (masked in
//! reads, encrypted at rest). A file agent cannot be deleted here; PUT stores an override
//! with its id and DELETE of the override brings the file's definition back. Every change is
//! validated with the whole set before it is stored, swapped in at once, and audited.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::agents::{self, AgentDef, ProviderDef, Report};
use crate::audit::{Event, record};
use crate::auth::{AdminUser, ClientInfo};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::llm::diagnose::explain;
use crate::llm::models::{ModelInfo, list_models};
use crate::routes::agents::{AgentView, ConnectionTest, connection_test};
use crate::runtime::{AgentSource, Runtime, refused_placeholder};
use crate::state::AppState;
use crate::store::agents as store;

const MASK: &str = "********";

/// An agent as admins see it: the whole definition, with the provider key masked.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAgentView {
    #[serde(flatten)]
    pub summary: AgentView,
    /// `file`, `builtin` or `database`.
    pub source: AgentSource,
    /// A database agent that replaces the file's agent of the same id.
    pub overrides_file: bool,
    /// The definition as in agents.yaml; `provider.api_key` is `********` when set.
    #[schema(value_type = AgentDef)]
    pub definition: serde_json::Value,
    /// After a save: the connection test that ran (absent when none ran — the agent is
    /// disabled, or the demo). When it failed without `?force=true`, the agent was saved
    /// disabled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connection_test: Option<ConnectionTest>,
}

/// `?force=true`: keep the agent enabled even when its connection test fails.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub struct SaveOptions {
    pub force: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminAgentList {
    pub items: Vec<AdminAgentView>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_agents, create_agent))
        .routes(routes!(get_agent, put_agent, delete_agent))
        .routes(routes!(list_provider_models))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelsRequest {
    /// The provider as in an agent definition (`{"type": "openai", "base_url", "api_key"}`).
    pub provider: ProviderDef,
    /// An existing agent whose stored key to use when `provider.api_key` is absent or
    /// `********` (editing an agent without retyping its key).
    pub agent_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ModelsView {
    /// The URL that was asked.
    pub url: String,
    pub items: Vec<ModelInfo>,
}

fn view(agent: &crate::runtime::Agent) -> AdminAgentView {
    let mut definition = serde_json::to_value(&agent.def).unwrap_or_default();
    if let Some(key) = definition.pointer_mut("/provider/api_key")
        && !key.is_null()
    {
        *key = serde_json::Value::String(MASK.into());
    }
    // Header values may carry credentials (`Authorization`, a placeholder's value).
    if let Some(serde_json::Value::Object(headers)) = definition.pointer_mut("/provider/headers") {
        for value in headers.values_mut() {
            *value = serde_json::Value::String(MASK.into());
        }
    }
    AdminAgentView {
        summary: AgentView::from(agent),
        source: agent.source,
        overrides_file: agent.overrides_file,
        definition,
        connection_test: None,
    }
}

/// Every agent, enabled or not, whatever its source.
#[utoipa::path(get, path = "/api/admin/agents", operation_id = "admin_list_agents", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "all agents", body = AdminAgentList),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_agents(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> axum::Json<AdminAgentList> {
    let runtime = state.runtime.load();
    let items = runtime
        .ids()
        .filter_map(|id| runtime.agent(id))
        .map(|a| view(a))
        .collect();
    axum::Json(AdminAgentList { items })
}

/// One agent.
#[utoipa::path(get, path = "/api/admin/agents/{id}", operation_id = "admin_get_agent", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 200, description = "the agent", body = AdminAgentView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
    ))]
async fn get_agent(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> Result<axum::Json<AdminAgentView>> {
    let runtime = state.runtime.load();
    let agent = runtime.agent(&id).ok_or(Error::NotFound)?;
    Ok(axum::Json(view(agent)))
}

/// Creates an agent in the database (the body has the agents.yaml shape). An enabled agent's
/// connection is tested first; when the test fails it is saved disabled unless `force=true`.
#[utoipa::path(post, path = "/api/admin/agents", tag = "admin", security(("bearer" = [])),
    params(SaveOptions),
    request_body(content = AgentDef, description = "an agent definition, as in agents.yaml"),
    responses(
        (status = 201, description = "created (disabled if its connection test failed without force); `connection_test` says how the test went", body = AdminAgentView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 409, description = "an agent with this id exists", body = ErrorResponse),
        (status = 422, description = "the definition is not valid", body = ErrorResponse),
    ))]
async fn create_agent(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Query(options): Query<SaveOptions>,
    Json(def): Json<AgentDef>,
) -> Result<(StatusCode, axum::Json<AdminAgentView>)> {
    if state.runtime.load().agent(&def.id).is_some() {
        return Err(Error::Conflict(
            "an agent with this id exists; PUT it to change it",
        ));
    }
    let id = def.id.clone();
    let test = store_and_swap(&state, def, &admin.id, options.force == Some(true)).await?;
    let event = Event::new("admin.agent_create", Some(&admin.id))
        .target("agent", &id)
        .details(test_details(test.as_ref()));
    record(&state, &client, event).await;
    let runtime = state.runtime.load();
    let agent = runtime.agent(&id).ok_or(Error::NotFound)?;
    let mut view = view(agent);
    view.connection_test = test;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Replaces an agent's definition; for a file agent this stores an override. An `api_key`
/// that is absent or `********` keeps the current key. Tested like a new agent.
#[utoipa::path(put, path = "/api/admin/agents/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id"), SaveOptions),
    request_body(content = AgentDef, description = "the full agent definition; an `api_key` that is absent or `********` keeps the current key"),
    responses(
        (status = 200, description = "stored (disabled if its connection test failed without force)", body = AdminAgentView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
        (status = 422, description = "the definition is not valid, or its id differs from the path", body = ErrorResponse),
    ))]
async fn put_agent(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Query(options): Query<SaveOptions>,
    Json(mut def): Json<AgentDef>,
) -> Result<axum::Json<AdminAgentView>> {
    if def.id != id {
        return Err(invalid("id", "must be the id in the path"));
    }
    let current = state
        .runtime
        .load()
        .agent(&id)
        .cloned()
        .ok_or(Error::NotFound)?;
    // Keys and header values are write-only: a masked or missing key, or a masked header
    // value, means "keep the one in force" — only for the same URL, so that a secret cannot
    // be sent somewhere else without being typed again.
    if let (Some(new), Some(old)) = (def.provider.upstream_mut(), current.def.provider.upstream()) {
        let same_url = new.base_url == old.base_url;
        if same_url && new.api_key.as_deref().is_none_or(|k| k == MASK) {
            new.api_key = old.api_key.clone();
        }
        for (name, value) in new.headers.iter_mut().filter(|(_, v)| *v == MASK) {
            match old.headers.get(name).filter(|_| same_url) {
                Some(kept) => value.clone_from(kept),
                None => {
                    return Err(invalid(
                        &format!("provider.headers.{name}"),
                        "is masked (********) but there is no current value to keep for this URL: type the value",
                    ));
                }
            }
        }
    }
    let test = store_and_swap(&state, def, &admin.id, options.force == Some(true)).await?;
    let event = Event::new("admin.agent_update", Some(&admin.id))
        .target("agent", &id)
        .details(test_details(test.as_ref()));
    record(&state, &client, event).await;
    let runtime = state.runtime.load();
    let agent = runtime.agent(&id).ok_or(Error::NotFound)?;
    let mut view = view(agent);
    view.connection_test = test;
    Ok(axum::Json(view))
}

/// Deletes a database agent; an override's deletion brings back the file's definition. A file
/// agent cannot be deleted here.
#[utoipa::path(delete, path = "/api/admin/agents/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
        (status = 409, description = "defined in the agents file, or other agents fall back to it", body = ErrorResponse),
    ))]
async fn delete_agent(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let current = state
        .runtime
        .load()
        .agent(&id)
        .cloned()
        .ok_or(Error::NotFound)?;
    if current.source != AgentSource::Database {
        return Err(Error::Conflict(
            "this agent is defined in the agents file: edit the file and reload",
        ));
    }
    let mut stored = stored_defs(&state).await?;
    stored.retain(|d| d.id != id);
    candidate(&state, stored).map_err(|_| {
        Error::Conflict("other agents name this one as a fallback; change them first")
    })?;
    store::delete_agent(&state.db, &id).await?;
    swap(&state).await?;
    if state.runtime.load().agent(&id).is_none() {
        // Gone (not a file agent's override): its access goes with it, so that it neither
        // keeps a group from being deleted nor comes back with a new agent of the same id.
        crate::store::groups::set_agent_groups(&state.db, &id, &[]).await?;
    }
    let event = Event::new("admin.agent_delete", Some(&admin.id)).target("agent", &id);
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Validates the set with `def` in it, tests an enabled agent's connection (disabling it when
/// the test fails, unless `force`), encrypts its key, stores it, and swaps the agents.
async fn store_and_swap(
    state: &AppState,
    mut def: AgentDef,
    by: &str,
    force: bool,
) -> Result<Option<ConnectionTest>> {
    let allowed = &state.settings().agents.allowed_placeholders;
    if let Some((field, name)) = agents::placeholders(&def)
        .into_iter()
        .find(|(_, name)| !allowed.contains(name))
    {
        let problem = refused_placeholder(&def.id, field, &name);
        return Err(Error::Invalid {
            field: problem.field,
            message: problem.message,
        });
    }
    let mut stored = stored_defs(state).await?;
    stored.retain(|d| d.id != def.id);
    stored.push(def.clone());
    let runtime = candidate(state, stored).map_err(|report| Error::Invalid {
        field: "agent".into(),
        message: report.to_string(),
    })?;
    let mut test = None;
    if def.enabled
        && !matches!(def.provider, ProviderDef::Demo(_))
        && let Some(resolved) = runtime.agent(&def.id)
    {
        let outcome = connection_test(state, &resolved.def, by).await;
        if !outcome.ok && !force {
            def.enabled = false;
        }
        test = Some(outcome);
    }
    if let Some(upstream) = def.provider.upstream_mut()
        && let Some(key) = upstream.api_key.as_mut()
        && !key.contains("${")
    {
        let cipher = state.cipher.as_ref().ok_or_else(|| {
            invalid("provider.api_key", "set LLMCHAT_ENCRYPTION_KEY to store provider keys, or put the agent in the agents file with a ${ENV_VAR} placeholder")
        })?;
        *key = cipher.encrypt(key)?;
    }
    // Header values may be credentials too: encrypted at rest whenever a key is configured.
    if let (Some(upstream), Some(cipher)) = (def.provider.upstream_mut(), state.cipher.as_ref()) {
        for value in upstream.headers.values_mut() {
            *value = cipher.encrypt(value)?;
        }
    }
    let json = serde_json::to_string(&def).map_err(anyhow::Error::from)?;
    store::upsert_agent(&state.db, &def.id, &json, def.enabled, by).await?;
    swap(state).await?;
    Ok(test)
}

/// The models a provider offers (OpenAI-compatible `GET /models`, Anthropic's model list),
/// for picking an agent's model.
#[utoipa::path(post, path = "/api/admin/agents/models", tag = "admin", security(("bearer" = [])),
    request_body = ModelsRequest,
    responses(
        (status = 200, description = "the provider's models, sorted by id", body = ModelsView),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 422, description = "a provider type without a model list (FastGPT, Dify, demo), or a base URL that is not an http(s) URL or is a link-local or cloud metadata address", body = ErrorResponse),
        (status = 502, description = "the provider failed; the message says how, naming the URL", body = ErrorResponse),
    ))]
async fn list_provider_models(
    State(state): State<AppState>,
    _admin: AdminUser,
    Json(mut body): Json<ModelsRequest>,
) -> Result<axum::Json<ModelsView>> {
    let runtime = state.runtime.load();
    let current = body.agent_id.as_deref().and_then(|id| runtime.agent(id));
    if let (Some(new), Some(old)) = (
        body.provider.upstream_mut(),
        current.and_then(|a| a.def.provider.upstream()),
    ) && new
        .api_key
        .as_deref()
        .is_none_or(|k| k.is_empty() || k == MASK)
        && new.base_url == old.base_url
    {
        new.api_key = old.api_key.clone();
    }
    // An address the transport would refuse is the request's fault, not the provider's.
    if let Some(upstream) = body.provider.upstream() {
        if !crate::agents::is_http_url(&upstream.base_url) {
            return Err(invalid(
                "provider.base_url",
                &format!("{:?} is not an http(s) URL", upstream.base_url),
            ));
        }
        let allow_link_local = state.settings().outbound.allow_link_local;
        crate::llm::outbound_guard::check_url(&upstream.base_url, allow_link_local)
            .map_err(|reason| invalid("provider.base_url", &reason))?;
    }
    let list = list_models(&state.transport, &body.provider)
        .await
        .ok_or_else(|| {
            invalid(
                "provider.type",
                "only OpenAI-compatible and Anthropic providers list their models; type the model name",
            )
        })?;
    match list.result {
        Ok(items) => Ok(axum::Json(ModelsView {
            url: list.url,
            items,
        })),
        Err(error) => Err(Error::BadGateway(explain(&error, &list.url).message)),
    }
}

/// The audit details of a save: how its connection test went.
fn test_details(test: Option<&ConnectionTest>) -> serde_json::Value {
    match test {
        Some(test) => serde_json::json!({
            "connection_test": if test.ok { "ok" } else { "failed" },
            "error": test.error.as_ref().map(|e| e.kind),
        }),
        None => serde_json::json!({}),
    }
}

/// The stored definitions as the runtime holds them (keys decrypted).
async fn stored_defs(state: &AppState) -> Result<Vec<AgentDef>> {
    let runtime = state.runtime.load();
    let ids: Vec<String> = store::list_agents(&state.db)
        .await?
        .into_iter()
        .map(|row| row.id)
        .collect();
    Ok(ids
        .iter()
        .filter_map(|id| runtime.agent(id))
        .filter(|a| a.source == AgentSource::Database)
        .map(|a| a.def.clone())
        .collect())
}

/// The file's agents with `stored` merged in, validated.
fn candidate(state: &AppState, stored: Vec<AgentDef>) -> Result<Runtime, Report> {
    let settings = state.settings();
    let file = Runtime::load(&settings)?;
    let source = file
        .ids()
        .next()
        .and_then(|id| file.agent(id))
        .map_or(AgentSource::File, |a| a.source);
    let file_defs = file
        .ids()
        .filter_map(|id| file.agent(id))
        .map(|a| a.def.clone())
        .collect();
    Runtime::merged(
        file_defs,
        source,
        stored,
        &|name| settings.placeholders.get(name),
        &settings.agents.allowed_placeholders,
    )
}

/// Puts the stored agents in force here, then on every other replica.
/// Loads the agents again here and tells the other replicas to do the same.
pub(crate) async fn swap(state: &AppState) -> Result<()> {
    state
        .reload_agents()
        .await
        .map_err(|report| Error::Invalid {
            field: "agents".into(),
            message: report.to_string(),
        })?;
    crate::cluster::announce(state, crate::cluster::Signal::Agents).await;
    Ok(())
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

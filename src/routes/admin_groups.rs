//! Groups: admins create them, add and remove members, and restrict agents to some of them.
//! An agent restricted to groups is usable only by their members (and admins) — in the agent
//! list, chat, `/v1` and `/v1/models` alike. Changes reach every replica at once; every one
//! is audited.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AdminUser, ClientInfo};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{GroupRef, rfc3339};
use crate::state::AppState;
use crate::store::groups::{self as store, GroupRow, MemberRow};
use crate::store::users;

/// Longest group name, in characters.
const MAX_NAME: usize = 64;
/// Longest description, in characters.
const MAX_DESCRIPTION: usize = 500;

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupView {
    pub id: String,
    pub name: String,
    pub description: String,
    /// Members that are not deleted.
    pub member_count: i64,
    /// The agents restricted to groups that this group may use (ids).
    pub agents: Vec<String>,
    /// Conversations of members not touched for this many days are deleted by the hourly
    /// data lifecycle pass (a member of several groups: the shortest); `null` keeps them.
    pub retention_days: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupList {
    pub items: Vec<GroupView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    /// The user's id.
    pub id: String,
    pub username: String,
    pub display_name: Option<String>,
    /// Who manages the membership: `admin`, `invitation`, `oidc` or `ldap`.
    pub source: String,
    pub added_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDetail {
    #[serde(flatten)]
    pub group: GroupView,
    pub members: Vec<MemberView>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// 1–64 characters, unique (as identity providers' group claims name them).
    #[schema(min_length = 1, max_length = 64)]
    pub name: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// 1–3650 days; absent: conversations are kept.
    #[schema(minimum = 1, maximum = 3650)]
    pub retention_days: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupPatch {
    #[schema(min_length = 1, max_length = 64)]
    pub name: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// 1–3650 days, or `null` to keep conversations. Absent: unchanged.
    #[serde(default, deserialize_with = "crate::extract::some_or_null")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 3650)]
    pub retention_days: Option<Option<i64>>,
}

/// Which groups may use an agent.
#[derive(Debug, Serialize, ToSchema)]
pub struct AgentAccess {
    pub agent_id: String,
    /// Empty: everyone who may see the agent; otherwise only these groups' members (and
    /// admins).
    pub groups: Vec<GroupRef>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentAccessRequest {
    /// Group ids; an empty list makes the agent available to everyone again.
    pub groups: Vec<String>,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_groups, create_group))
        .routes(routes!(get_group, patch_group, delete_group))
        .routes(routes!(add_member, remove_member))
        .routes(routes!(get_agent_access, put_agent_access))
}

fn view(row: GroupRow, grants: &HashMap<String, Vec<String>>) -> GroupView {
    GroupView {
        agents: grants.get(&row.id).cloned().unwrap_or_default(),
        id: row.id,
        name: row.name,
        description: row.description,
        member_count: row.member_count,
        retention_days: row.retention_days,
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
    }
}

/// group id → the agents granted to it.
async fn grants_by_group(state: &AppState) -> Result<HashMap<String, Vec<String>>> {
    let mut by_group: HashMap<String, Vec<String>> = HashMap::new();
    for (agent, group) in store::agent_grants(&state.db).await? {
        by_group.entry(group).or_default().push(agent);
    }
    Ok(by_group)
}

async fn detail(state: &AppState, id: &str) -> Result<GroupDetail> {
    let row = store::get_group(&state.db, id)
        .await?
        .ok_or(Error::NotFound)?;
    let members = store::members(&state.db, id).await?;
    Ok(GroupDetail {
        group: view(row, &grants_by_group(state).await?),
        members: members.into_iter().map(member_view).collect(),
    })
}

fn member_view(row: MemberRow) -> MemberView {
    MemberView {
        id: row.user_id,
        username: row.username,
        display_name: row.display_name,
        source: row.source,
        added_at: rfc3339(row.added_at),
    }
}

/// The name trimmed, or 422 naming what is wrong.
fn checked_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME {
        return Err(invalid("name", "must be 1–64 characters"));
    }
    if name.chars().any(char::is_control) {
        return Err(invalid("name", "must not contain control characters"));
    }
    Ok(name.to_string())
}

fn checked_retention(days: i64) -> Result<i64> {
    if !(1..=3650).contains(&days) {
        return Err(invalid("retention_days", "must be between 1 and 3650 days"));
    }
    Ok(days)
}

fn checked_description(description: &str) -> Result<String> {
    let description = description.trim();
    if description.chars().count() > MAX_DESCRIPTION {
        return Err(invalid("description", "must be at most 500 characters"));
    }
    Ok(description.to_string())
}

/// Every group, by name, with its member count and the agents it grants.
#[utoipa::path(get, path = "/api/admin/groups", tag = "admin", security(("bearer" = [])),
    responses(
        (status = 200, description = "the groups", body = GroupList),
        (status = 403, description = "not an admin", body = ErrorResponse),
    ))]
async fn list_groups(
    State(state): State<AppState>,
    _admin: AdminUser,
) -> Result<axum::Json<GroupList>> {
    let grants = grants_by_group(&state).await?;
    let items = store::list_groups(&state.db)
        .await?
        .into_iter()
        .map(|row| view(row, &grants))
        .collect();
    Ok(axum::Json(GroupList { items }))
}

/// Creates a group.
#[utoipa::path(post, path = "/api/admin/groups", tag = "admin", security(("bearer" = [])),
    request_body = NewGroup,
    responses(
        (status = 201, description = "created", body = GroupDetail),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse),
        (status = 422, description = "a bad name or description", body = ErrorResponse),
    ))]
async fn create_group(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Json(body): Json<NewGroup>,
) -> Result<(StatusCode, axum::Json<GroupDetail>)> {
    let name = checked_name(&body.name)?;
    let description = checked_description(body.description.as_deref().unwrap_or(""))?;
    let retention = body.retention_days.map(checked_retention).transpose()?;
    let row = store::insert_group(&state.db, &name, &description).await?;
    if retention.is_some() {
        let changes = store::GroupChanges {
            retention_days: Some(retention),
            ..Default::default()
        };
        store::update_group(&state.db, &row.id, &changes).await?;
    }
    let event = Event::new("admin.group_create", Some(&admin.id))
        .target("group", &row.id)
        .details(serde_json::json!({ "name": name, "retention_days": retention }));
    record(&state, &client, event).await;
    Ok((
        StatusCode::CREATED,
        axum::Json(detail(&state, &row.id).await?),
    ))
}

/// A group with its members.
#[utoipa::path(get, path = "/api/admin/groups/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "group id")),
    responses(
        (status = 200, description = "the group", body = GroupDetail),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such group", body = ErrorResponse),
    ))]
async fn get_group(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> Result<axum::Json<GroupDetail>> {
    Ok(axum::Json(detail(&state, &id).await?))
}

/// Renames a group or changes its description.
#[utoipa::path(patch, path = "/api/admin/groups/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "group id")),
    request_body = GroupPatch,
    responses(
        (status = 200, description = "changed", body = GroupDetail),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such group", body = ErrorResponse),
        (status = 409, description = "the name is taken", body = ErrorResponse),
        (status = 422, description = "a bad name or description", body = ErrorResponse),
    ))]
async fn patch_group(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Json(body): Json<GroupPatch>,
) -> Result<axum::Json<GroupDetail>> {
    let name = body.name.as_deref().map(checked_name).transpose()?;
    let description = body
        .description
        .as_deref()
        .map(checked_description)
        .transpose()?;
    let retention = body
        .retention_days
        .map(|days| days.map(checked_retention).transpose())
        .transpose()?;
    let changes = store::GroupChanges {
        name: name.as_deref(),
        description: description.as_deref(),
        retention_days: retention,
    };
    store::update_group(&state.db, &id, &changes).await?;
    let event = Event::new("admin.group_update", Some(&admin.id))
        .target("group", &id)
        .details(serde_json::json!({
            "name": name,
            "description_changed": description.is_some(),
            "retention_days": retention,
        }));
    record(&state, &client, event).await;
    Ok(axum::Json(detail(&state, &id).await?))
}

/// Deletes a group and its memberships. Refused while an agent is restricted to this group
/// alone (deleting it would open the agent to everyone): change the agent's access first.
#[utoipa::path(delete, path = "/api/admin/groups/{id}", tag = "admin", security(("bearer" = [])),
    params(("id" = String, Path, description = "group id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such group", body = ErrorResponse),
        (status = 409, description = "an agent is restricted to this group alone", body = ErrorResponse),
    ))]
async fn delete_group(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    let group = store::get_group(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    // Grants of agents that no longer exist do not count (they go with the group).
    let runtime = state.runtime.load();
    let mut only_here = store::agents_only_for(&state.db, &id).await?;
    only_here.retain(|agent| runtime.agent(agent).is_some());
    if !only_here.is_empty() {
        return Err(Error::InUse {
            code: "group_in_use",
            message: format!(
                "only this group may use the agent(s) {}: give them other groups, or make them \
                 available to everyone, before deleting it",
                only_here.join(", ")
            ),
        });
    }
    let members = store::members(&state.db, &id).await?;
    store::delete_group(&state.db, &id).await?;
    crate::store::budgets::delete_budget(&state.db, "group", &id).await?;
    for member in &members {
        crate::cluster::user_changed(&state, &member.user_id).await;
    }
    crate::routes::admin_agents::swap(&state).await?;
    let event = Event::new("admin.group_delete", Some(&admin.id))
        .target("group", &id)
        .details(serde_json::json!({ "name": group.name, "members": members.len() }));
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Adds a user to a group (no change when they are a member already).
#[utoipa::path(put, path = "/api/admin/groups/{id}/members/{user_id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "group id"),
           ("user_id" = String, Path, description = "user id")),
    responses(
        (status = 204, description = "the user is a member"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such group or user", body = ErrorResponse),
    ))]
async fn add_member(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    store::get_group(&state.db, &id)
        .await?
        .ok_or(Error::NotFound)?;
    users::get_user(&state.db, &user_id)
        .await?
        .ok_or(Error::NotFound)?;
    if store::add_member(&state.db, &id, &user_id, "admin").await? {
        crate::cluster::user_changed(&state, &user_id).await;
        let event = Event::new("admin.group_member_add", Some(&admin.id))
            .target("group", &id)
            .details(serde_json::json!({ "user_id": user_id }));
        record(&state, &client, event).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a user from a group.
#[utoipa::path(delete, path = "/api/admin/groups/{id}/members/{user_id}", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "group id"),
           ("user_id" = String, Path, description = "user id")),
    responses(
        (status = 204, description = "removed"),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such group, or the user is not a member", body = ErrorResponse),
    ))]
async fn remove_member(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode> {
    if !store::remove_member(&state.db, &id, &user_id).await? {
        return Err(Error::NotFound);
    }
    crate::cluster::user_changed(&state, &user_id).await;
    let event = Event::new("admin.group_member_remove", Some(&admin.id))
        .target("group", &id)
        .details(serde_json::json!({ "user_id": user_id }));
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Which groups may use an agent.
#[utoipa::path(get, path = "/api/admin/agents/{id}/groups", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    responses(
        (status = 200, description = "the agent's groups (empty: everyone)", body = AgentAccess),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
    ))]
async fn get_agent_access(
    State(state): State<AppState>,
    _admin: AdminUser,
    Path(id): Path<String>,
) -> Result<axum::Json<AgentAccess>> {
    if state.runtime.load().agent(&id).is_none() {
        return Err(Error::NotFound);
    }
    access(&state, id).await.map(axum::Json)
}

async fn access(state: &AppState, agent_id: String) -> Result<AgentAccess> {
    let groups = store::groups_of_agent(&state.db, &agent_id).await?;
    Ok(AgentAccess {
        agent_id,
        groups: groups.into_iter().map(GroupRef::from).collect(),
    })
}

/// Restricts an agent to some groups, or (an empty list) makes it available to everyone;
/// in force at once on every replica.
#[utoipa::path(put, path = "/api/admin/agents/{id}/groups", tag = "admin",
    security(("bearer" = [])),
    params(("id" = String, Path, description = "agent id")),
    request_body = AgentAccessRequest,
    responses(
        (status = 200, description = "the agent's groups now", body = AgentAccess),
        (status = 403, description = "not an admin", body = ErrorResponse),
        (status = 404, description = "no such agent", body = ErrorResponse),
        (status = 422, description = "an unknown group", body = ErrorResponse),
    ))]
async fn put_agent_access(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    client: ClientInfo,
    Path(id): Path<String>,
    Json(body): Json<AgentAccessRequest>,
) -> Result<axum::Json<AgentAccess>> {
    if state.runtime.load().agent(&id).is_none() {
        return Err(Error::NotFound);
    }
    let mut groups = body.groups;
    groups.sort();
    groups.dedup();
    for group in &groups {
        if store::get_group(&state.db, group).await?.is_none() {
            return Err(invalid("groups", &format!("no such group: {group}")));
        }
    }
    let before = store::groups_of_agent(&state.db, &id).await?;
    store::set_agent_groups(&state.db, &id, &groups).await?;
    crate::routes::admin_agents::swap(&state).await?;
    let event = Event::new("admin.agent_access_update", Some(&admin.id))
        .target("agent", &id)
        .details(serde_json::json!({
            "from": before.iter().map(|g| &g.name).collect::<Vec<_>>(),
            "to": groups,
        }));
    record(&state, &client, event).await;
    access(&state, id).await.map(axum::Json)
}

fn invalid(field: &str, message: &str) -> Error {
    Error::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

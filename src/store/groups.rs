//! Groups of users and the agents they grant (`user_groups`, `group_members`, `agent_groups`).
//! An agent with no grant is available to everyone; one with grants, only to members of
//! those groups (and to admins).

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, OnUniqueViolation, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct GroupRow {
    pub id: String,
    pub name: String,
    pub description: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// Members that are not deleted.
    pub member_count: i64,
    /// Conversations of members not touched for this many days are deleted.
    pub retention_days: Option<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub struct MemberRow {
    pub user_id: String,
    pub username: String,
    pub display_name: Option<String>,
    pub source: String,
    pub added_at: i64,
}

/// A group as a user sees it: id and name.
#[derive(Debug, Clone, FromRow, PartialEq, Eq)]
pub struct GroupName {
    pub id: String,
    pub name: String,
}

const SELECT: &str = "SELECT g.id, g.name, g.description, g.created_at, g.updated_at, \
     g.retention_days, \
     (SELECT COUNT(*) FROM group_members m JOIN users u ON u.id = m.user_id \
      WHERE m.group_id = g.id AND u.deleted_at IS NULL) AS member_count \
     FROM user_groups g";

/// Every group, by name.
pub async fn list_groups(db: &Db) -> Result<Vec<GroupRow>> {
    let sql = format!("{SELECT} ORDER BY g.name");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .fetch_all(db.pool())
        .await?)
}

pub async fn get_group(db: &Db, id: &str) -> Result<Option<GroupRow>> {
    let sql = format!("{SELECT} WHERE g.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

pub async fn find_group_by_name(db: &Db, name: &str) -> Result<Option<GroupRow>> {
    let sql = format!("{SELECT} WHERE g.name = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(name)
        .fetch_optional(db.pool())
        .await?)
}

fn name_taken() -> Error {
    Error::Taken {
        field: "name",
        message: "a group with this name already exists",
    }
}

pub async fn insert_group(db: &Db, name: &str, description: &str) -> Result<GroupRow> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO user_groups (id, name, description, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4)",
    )
    .bind(&id)
    .bind(name)
    .bind(description)
    .bind(now)
    .execute(db.pool())
    .await
    .on_unique_violation(name_taken)?;
    get_group(db, &id).await?.ok_or(Error::NotFound)
}

/// What a change to a group sets; `None` leaves a field as it is.
#[derive(Default)]
pub struct GroupChanges<'a> {
    pub name: Option<&'a str>,
    pub description: Option<&'a str>,
    /// `Some(None)` removes the retention.
    pub retention_days: Option<Option<i64>>,
}

/// Renames, describes or sets the retention of a group; `NotFound` when there is no such
/// group.
pub async fn update_group(db: &Db, id: &str, changes: &GroupChanges<'_>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE user_groups SET name = COALESCE($2, name), \
         description = COALESCE($3, description), \
         retention_days = CASE WHEN $5 = 1 THEN $6 ELSE retention_days END, updated_at = $4 \
         WHERE id = $1",
    )
    .bind(id)
    .bind(changes.name)
    .bind(changes.description)
    .bind(now_ms())
    .bind(i64::from(changes.retention_days.is_some()))
    .bind(changes.retention_days.flatten())
    .execute(db.pool())
    .await
    .on_unique_violation(name_taken)?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Deletes a group with its memberships and grants (explicitly: SQLite may run without
/// foreign keys enforced).
pub async fn delete_group(db: &Db, id: &str) -> Result<()> {
    let mut tx = db.begin_write().await?;
    for sql in [
        "DELETE FROM agent_groups WHERE group_id = $1",
        "DELETE FROM group_members WHERE group_id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    let done = sqlx::query("DELETE FROM user_groups WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    tx.commit().await?;
    Ok(())
}

/// The group's members that are not deleted, by username.
pub async fn members(db: &Db, group_id: &str) -> Result<Vec<MemberRow>> {
    Ok(sqlx::query_as(
        "SELECT m.user_id, u.username, u.display_name, m.source, m.added_at \
         FROM group_members m JOIN users u ON u.id = m.user_id \
         WHERE m.group_id = $1 AND u.deleted_at IS NULL ORDER BY u.username",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?)
}

/// Adds `user_id` to the group; false when they were a member already.
pub async fn add_member(db: &Db, group_id: &str, user_id: &str, source: &str) -> Result<bool> {
    let done = sqlx::query(
        "INSERT INTO group_members (group_id, user_id, source, added_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (group_id, user_id) DO NOTHING",
    )
    .bind(group_id)
    .bind(user_id)
    .bind(source)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Removes `user_id` from the group; false when they were not a member.
pub async fn remove_member(db: &Db, group_id: &str, user_id: &str) -> Result<bool> {
    let done = sqlx::query("DELETE FROM group_members WHERE group_id = $1 AND user_id = $2")
        .bind(group_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Makes the memberships of `user_id` that `source` manages (an identity provider's) exactly
/// `group_ids`: those no longer listed are removed, new ones added. Memberships from other
/// sources (an admin, an invitation) are left as they are. Returns whether anything changed.
pub async fn sync_memberships(
    db: &Db,
    user_id: &str,
    source: &str,
    group_ids: &[String],
) -> Result<bool> {
    let current: Vec<(String, String)> =
        sqlx::query_as("SELECT group_id, source FROM group_members WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(db.pool())
            .await?;
    let mut changed = false;
    for (group_id, from) in &current {
        if from == source && !group_ids.contains(group_id) {
            changed |= remove_member(db, group_id, user_id).await?;
        }
    }
    for group_id in group_ids {
        if !current.iter().any(|(g, _)| g == group_id) {
            changed |= add_member(db, group_id, user_id, source).await?;
        }
    }
    Ok(changed)
}

/// The groups `user_id` belongs to, by name.
pub async fn groups_of_user(db: &Db, user_id: &str) -> Result<Vec<GroupName>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.name FROM group_members m JOIN user_groups g ON g.id = m.group_id \
         WHERE m.user_id = $1 ORDER BY g.name",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Every grant, as (agent id, group id).
pub async fn agent_grants(db: &Db) -> Result<Vec<(String, String)>> {
    Ok(
        sqlx::query_as("SELECT agent_id, group_id FROM agent_groups ORDER BY agent_id, group_id")
            .fetch_all(db.pool())
            .await?,
    )
}

/// The groups an agent is restricted to (empty: everyone), by name.
pub async fn groups_of_agent(db: &Db, agent_id: &str) -> Result<Vec<GroupName>> {
    Ok(sqlx::query_as(
        "SELECT g.id, g.name FROM agent_groups a JOIN user_groups g ON g.id = a.group_id \
         WHERE a.agent_id = $1 ORDER BY g.name",
    )
    .bind(agent_id)
    .fetch_all(db.pool())
    .await?)
}

/// Restricts `agent_id` to `group_ids` (none: available to everyone), replacing its grants.
pub async fn set_agent_groups(db: &Db, agent_id: &str, group_ids: &[String]) -> Result<()> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM agent_groups WHERE agent_id = $1")
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
    for group_id in group_ids {
        sqlx::query("INSERT INTO agent_groups (agent_id, group_id) VALUES ($1, $2)")
            .bind(agent_id)
            .bind(group_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Agents granted to this group and to no other: deleting the group would open them to
/// everyone.
pub async fn agents_only_for(db: &Db, group_id: &str) -> Result<Vec<String>> {
    Ok(sqlx::query_scalar(
        "SELECT a.agent_id FROM agent_groups a WHERE a.group_id = $1 AND NOT EXISTS \
         (SELECT 1 FROM agent_groups o WHERE o.agent_id = a.agent_id AND o.group_id <> $1) \
         ORDER BY a.agent_id",
    )
    .bind(group_id)
    .fetch_all(db.pool())
    .await?)
}

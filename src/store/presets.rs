//! Prompt presets (`prompt_presets`): a user's own, for one agent or any, and the ones an
//! admin gives everyone who uses an agent (`user_id` NULL).

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, FromRow)]
pub struct PresetRow {
    pub id: String,
    pub user_id: Option<String>,
    pub agent_id: Option<String>,
    pub title: String,
    pub content: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COLUMNS: &str = "id, user_id, agent_id, title, content, created_at, updated_at";

pub struct NewPreset<'a> {
    /// `None`: an admin's preset for everyone using `agent_id`.
    pub user_id: Option<&'a str>,
    pub agent_id: Option<&'a str>,
    pub title: &'a str,
    pub content: &'a str,
    pub created_by: &'a str,
}

pub async fn insert_preset(db: &Db, new: NewPreset<'_>) -> Result<PresetRow> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO prompt_presets (id, user_id, agent_id, title, content, created_by, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
    )
    .bind(&id)
    .bind(new.user_id)
    .bind(new.agent_id)
    .bind(new.title)
    .bind(new.content)
    .bind(new.created_by)
    .bind(now)
    .execute(db.pool())
    .await?;
    get_preset(db, &id).await?.ok_or(Error::NotFound)
}

pub async fn get_preset(db: &Db, id: &str) -> Result<Option<PresetRow>> {
    let sql = format!("SELECT {COLUMNS} FROM prompt_presets WHERE id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The user's own presets and everyone's (admins') presets, by title; the caller filters
/// by agent.
pub async fn visible_to(db: &Db, user_id: &str) -> Result<Vec<PresetRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM prompt_presets WHERE user_id = $1 OR user_id IS NULL \
         ORDER BY title, id"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(user_id)
        .fetch_all(db.pool())
        .await?)
}

/// How many presets of their own the user has.
pub async fn count_own(db: &Db, user_id: &str) -> Result<i64> {
    Ok(
        sqlx::query_scalar("SELECT COUNT(*) FROM prompt_presets WHERE user_id = $1")
            .bind(user_id)
            .fetch_one(db.pool())
            .await?,
    )
}

pub async fn update_preset(
    db: &Db,
    id: &str,
    title: Option<&str>,
    content: Option<&str>,
) -> Result<()> {
    let done = sqlx::query(
        "UPDATE prompt_presets SET title = COALESCE($2, title), content = COALESCE($3, content), \
         updated_at = $4 WHERE id = $1",
    )
    .bind(id)
    .bind(title)
    .bind(content)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

pub async fn delete_preset(db: &Db, id: &str) -> Result<()> {
    let done = sqlx::query("DELETE FROM prompt_presets WHERE id = $1")
        .bind(id)
        .execute(db.pool())
        .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

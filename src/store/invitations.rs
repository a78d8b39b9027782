//! Invitations to register: single use, expiring, carrying the new account's role. Only the
//! code's hash is stored.

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum InvitationStatus {
    Pending,
    Used,
    Expired,
    Revoked,
}

#[derive(Debug, Clone, FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub role: String,
    pub note: Option<String>,
    pub created_by: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_by: Option<String>,
    pub used_by_name: Option<String>,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// The groups the new account joins, a JSON list of ids.
    pub group_ids: String,
}

impl InvitationRow {
    /// What became of the invitation, at `now` (unix ms).
    pub fn status(&self, now: i64) -> InvitationStatus {
        if self.used_at.is_some() {
            InvitationStatus::Used
        } else if self.revoked_at.is_some() {
            InvitationStatus::Revoked
        } else if self.expires_at <= now {
            InvitationStatus::Expired
        } else {
            InvitationStatus::Pending
        }
    }
}

const SELECT: &str = "SELECT i.id, i.role, i.note, i.created_by, i.created_at, i.expires_at, \
                      i.used_by, u.username AS used_by_name, i.used_at, i.revoked_at, i.group_ids \
                      FROM invitations i LEFT JOIN users u ON u.id = i.used_by";

pub struct NewInvitation<'a> {
    pub code_hash: &'a str,
    pub role: &'a str,
    pub note: Option<&'a str>,
    pub created_by: &'a str,
    pub expires_at: i64,
    /// A JSON list of group ids.
    pub group_ids: &'a str,
}

pub async fn insert_invitation(db: &Db, new: NewInvitation<'_>) -> Result<InvitationRow> {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query(
        "INSERT INTO invitations (id, code_hash, role, note, created_by, created_at, expires_at, \
         group_ids) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(new.code_hash)
    .bind(new.role)
    .bind(new.note)
    .bind(new.created_by)
    .bind(now_ms())
    .bind(new.expires_at)
    .bind(new.group_ids)
    .execute(db.pool())
    .await?;
    get_invitation(db, &id).await?.ok_or(Error::NotFound)
}

pub async fn get_invitation(db: &Db, id: &str) -> Result<Option<InvitationRow>> {
    let sql = format!("{SELECT} WHERE i.id = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The invitation a code opens, if it can still be used (not used, revoked or expired).
pub async fn find_usable(db: &Db, code_hash: &str) -> Result<Option<InvitationRow>> {
    let sql = format!(
        "{SELECT} WHERE i.code_hash = $1 AND i.used_at IS NULL AND i.revoked_at IS NULL \
         AND i.expires_at > $2"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(code_hash)
        .bind(now_ms())
        .fetch_optional(db.pool())
        .await?)
}

/// Marks the invitation used by `user_id`; false when another registration used it first.
pub async fn claim(db: &Db, id: &str, user_id: &str) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE invitations SET used_by = $2, used_at = $3 \
         WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3",
    )
    .bind(id)
    .bind(user_id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Newest first, keyset-paginated on (created_at, id).
pub async fn list_invitations(
    db: &Db,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<InvitationRow>> {
    let (before_ts, before_id) = before.unwrap_or((i64::MAX, "\u{10FFFF}"));
    let sql = format!(
        "{SELECT} WHERE (i.created_at < $1 OR (i.created_at = $1 AND i.id < $2)) \
         ORDER BY i.created_at DESC, i.id DESC LIMIT $3"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(before_ts)
        .bind(before_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// Revokes an invitation that is not used yet.
pub async fn revoke_invitation(db: &Db, id: &str) -> Result<()> {
    let done = sqlx::query(
        "UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND used_at IS NULL \
         AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 1 {
        Ok(())
    } else if get_invitation(db, id).await?.is_some() {
        Err(Error::Conflict("the invitation is already used or revoked"))
    } else {
        Err(Error::NotFound)
    }
}

//! Users: accounts, login bookkeeping (failures, lockout), roles, soft deletion.

use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

/// A user as stored. Flags are 0/1 integers (portable schema).
#[derive(Debug, Clone, FromRow)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub email: Option<String>,
    pub display_name: Option<String>,
    pub password_hash: String,
    pub role: String,
    pub disabled: i64,
    pub failed_logins: i64,
    pub locked_until: Option<i64>,
    pub last_login_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl UserRow {
    pub fn is_disabled(&self) -> bool {
        self.disabled != 0
    }
}

const COLUMNS: &str = "id, username, email, display_name, password_hash, role, disabled, \
                       failed_logins, locked_until, last_login_at, created_at, updated_at";

pub struct NewUser<'a> {
    pub username: &'a str,
    pub email: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: &'a str,
}

pub async fn insert_user(db: &Db, user: NewUser<'_>) -> Result<UserRow> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = now_ms();
    sqlx::query(
        "INSERT INTO users (id, username, username_key, email, email_key, password_hash, role, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
    )
    .bind(&id)
    .bind(user.username)
    .bind(login_key(user.username))
    .bind(user.email)
    .bind(user.email.map(login_key))
    .bind(user.password_hash)
    .bind(user.role)
    .bind(now)
    .execute(db.pool())
    .await
    .map_err(|e| match e.as_database_error() {
        // Both engines name the unique index in the error (users_email_key, users_username_key).
        Some(db)
            if db.is_unique_violation()
                && (db.message().contains("email")
                    || db.constraint().is_some_and(|c| c.contains("email"))) =>
        {
            Error::Taken {
                field: "email",
                message: "this email is already used by another account",
            }
        }
        Some(db) if db.is_unique_violation() => Error::Taken {
            field: "username",
            message: "this username is taken",
        },
        _ => Error::from(e),
    })?;
    get_user(db, &id).await?.ok_or(Error::NotFound)
}

/// A live (not deleted) user by id.
pub async fn get_user(db: &Db, id: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1 AND deleted_at IS NULL");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(id)
        .fetch_optional(db.pool())
        .await?)
}

/// The form names and emails are compared in: Unicode lower case, computed here because
/// SQLite's `lower()` folds only ASCII.
pub fn login_key(login: &str) -> String {
    login.trim().to_lowercase()
}

/// A live user by username or email, case-insensitively.
pub async fn find_user_by_login(db: &Db, login: &str) -> Result<Option<UserRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL \
         AND (username_key = $1 OR email_key = $1)"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(login_key(login))
        .fetch_optional(db.pool())
        .await?)
}

/// A live user by email, case-insensitively.
pub async fn find_user_by_email(db: &Db, email: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL AND email_key = $1");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(login_key(email))
        .fetch_optional(db.pool())
        .await?)
}

pub async fn record_login_success(db: &Db, id: &str) -> Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login_at = $2, \
         updated_at = $2 WHERE id = $1",
    )
    .bind(id)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

pub async fn update_password(db: &Db, id: &str, password_hash: &str) -> Result<()> {
    sqlx::query(
        "UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, \
         updated_at = $3 WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(password_hash)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    // A new password starts every source's count of failed sign-ins afresh.
    crate::store::login_throttle::clear_account(db, &crate::store::login_throttle::user_account(id))
        .await
}

/// Whether any account exists, deleted ones aside.
pub async fn any_user(db: &Db) -> Result<bool> {
    let found: Option<String> =
        sqlx::query_scalar("SELECT id FROM users WHERE deleted_at IS NULL LIMIT 1")
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Live admins that are not disabled.
pub async fn count_active_admins(db: &Db) -> Result<i64> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM users WHERE role = 'admin' AND disabled = 0 AND deleted_at IS NULL",
    )
    .fetch_one(db.pool())
    .await?)
}

/// One page of users, oldest first, optionally filtered by a username/email substring.
pub async fn list_users(
    db: &Db,
    q: Option<&str>,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<UserRow>> {
    let pattern = q.map(|q| format!("%{}%", escape_like(&login_key(q))));
    let (after_ts, after_id) = after.unwrap_or((i64::MIN, ""));
    let sql = format!(
        "SELECT {COLUMNS} FROM users WHERE deleted_at IS NULL \
         AND ($1 IS NULL OR username_key LIKE $1 ESCAPE '\\' OR email_key LIKE $1 ESCAPE '\\') \
         AND (created_at > $2 OR (created_at = $2 AND id > $3)) \
         ORDER BY created_at, id LIMIT $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(pattern)
        .bind(after_ts)
        .bind(after_id)
        .bind(limit)
        .fetch_all(db.pool())
        .await?)
}

/// What an admin may change on a user.
#[derive(Debug, Default)]
pub struct UserChanges<'a> {
    pub role: Option<&'a str>,
    pub disabled: Option<bool>,
    pub password_hash: Option<&'a str>,
}

pub async fn update_user(db: &Db, id: &str, changes: &UserChanges<'_>) -> Result<()> {
    let result = sqlx::query(
        "UPDATE users SET role = COALESCE($2, role), disabled = COALESCE($3, disabled), \
         password_hash = COALESCE($4, password_hash), updated_at = $5 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(changes.role)
    .bind(changes.disabled.map(i64::from))
    .bind(changes.password_hash)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if result.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

pub async fn soft_delete_user(db: &Db, id: &str) -> Result<()> {
    let result = sqlx::query(
        "UPDATE users SET deleted_at = $2, disabled = 1, updated_at = $2 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if result.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// Escapes `%`, `_` and `\` for a `LIKE … ESCAPE '\'` pattern.
pub fn escape_like(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The user's custom instructions (added to the system prompt of their chat turns).
pub async fn custom_instructions(db: &Db, id: &str) -> Result<Option<String>> {
    Ok(sqlx::query_scalar::<_, Option<String>>(
        "SELECT custom_instructions FROM users WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .flatten())
}

/// Sets (or with `None` clears) the user's custom instructions.
pub async fn set_custom_instructions(db: &Db, id: &str, text: Option<&str>) -> Result<()> {
    let done = sqlx::query(
        "UPDATE users SET custom_instructions = $2, updated_at = $3 \
         WHERE id = $1 AND deleted_at IS NULL",
    )
    .bind(id)
    .bind(text)
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    if done.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

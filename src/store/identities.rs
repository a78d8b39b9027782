//! Single sign-on: the identities at OpenID providers linked to accounts, and the sign-ins
//! under way at a provider (state, nonce and PKCE verifier, each used once).

use sqlx::FromRow;

use crate::error::Result;
use crate::store::{Db, now_ms};

/// An identity at a provider, linked to an account.
#[derive(Debug, Clone, FromRow)]
pub struct IdentityRow {
    pub provider: String,
    pub subject: String,
    pub user_id: String,
    pub email: Option<String>,
    pub created_at: i64,
    pub last_login_at: Option<i64>,
}

/// The account `subject` at `provider` signs in as, if linked.
pub async fn find_identity(db: &Db, provider: &str, subject: &str) -> Result<Option<IdentityRow>> {
    Ok(sqlx::query_as(
        "SELECT provider, subject, user_id, email, created_at, last_login_at \
         FROM user_identities WHERE provider = $1 AND subject = $2",
    )
    .bind(provider)
    .bind(subject)
    .fetch_optional(db.pool())
    .await?)
}

/// The identities linked to an account, oldest first.
pub async fn identities_of_user(db: &Db, user_id: &str) -> Result<Vec<IdentityRow>> {
    Ok(sqlx::query_as(
        "SELECT provider, subject, user_id, email, created_at, last_login_at \
         FROM user_identities WHERE user_id = $1 ORDER BY created_at, provider",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

/// Links `subject` at `provider` to the account (replacing a link to an account gone since).
pub async fn link_identity(
    db: &Db,
    provider: &str,
    subject: &str,
    user_id: &str,
    email: Option<&str>,
) -> Result<()> {
    let now = now_ms();
    sqlx::query("DELETE FROM user_identities WHERE provider = $1 AND subject = $2")
        .bind(provider)
        .bind(subject)
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO user_identities (provider, subject, user_id, email, created_at, last_login_at) \
         VALUES ($1, $2, $3, $4, $5, $5)",
    )
    .bind(provider)
    .bind(subject)
    .bind(user_id)
    .bind(email)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Keys the link of `from` at `provider` by `to` instead (a directory entry now known by its
/// stable id rather than its DN).
pub async fn move_identity(db: &Db, provider: &str, from: &str, to: &str) -> Result<()> {
    sqlx::query("UPDATE user_identities SET subject = $3 WHERE provider = $1 AND subject = $2")
        .bind(provider)
        .bind(from)
        .bind(to)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Notes a sign-in through the identity, with the email the provider gave this time.
pub async fn touch_identity(
    db: &Db,
    provider: &str,
    subject: &str,
    email: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE user_identities SET last_login_at = $3, email = $4 \
         WHERE provider = $1 AND subject = $2",
    )
    .bind(provider)
    .bind(subject)
    .bind(now_ms())
    .bind(email)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// A sign-in under way at a provider.
#[derive(Debug, Clone, FromRow)]
pub struct PendingLogin {
    pub provider: String,
    pub nonce: String,
    pub pkce_verifier: String,
    pub invite_code: Option<String>,
    pub return_to: String,
    pub expires_at: i64,
}

/// Remembers a sign-in started at a provider, and forgets those that have expired.
pub async fn insert_pending_login(db: &Db, state_hash: &str, login: &PendingLogin) -> Result<()> {
    sqlx::query("DELETE FROM oidc_logins WHERE expires_at <= $1")
        .bind(now_ms())
        .execute(db.pool())
        .await?;
    sqlx::query(
        "INSERT INTO oidc_logins (state_hash, provider, nonce, pkce_verifier, invite_code, \
         return_to, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(state_hash)
    .bind(&login.provider)
    .bind(&login.nonce)
    .bind(&login.pkce_verifier)
    .bind(&login.invite_code)
    .bind(&login.return_to)
    .bind(login.expires_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Takes the sign-in of this state: it is gone afterwards, so a state replayed (or two
/// callbacks racing) finds nothing. Expired ones are not returned.
pub async fn take_pending_login(db: &Db, state_hash: &str) -> Result<Option<PendingLogin>> {
    let found: Option<PendingLogin> = sqlx::query_as(
        "SELECT provider, nonce, pkce_verifier, invite_code, return_to, expires_at \
         FROM oidc_logins WHERE state_hash = $1",
    )
    .bind(state_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(found) = found else {
        return Ok(None);
    };
    let deleted = sqlx::query("DELETE FROM oidc_logins WHERE state_hash = $1")
        .bind(state_hash)
        .execute(db.pool())
        .await?;
    Ok((deleted.rows_affected() == 1 && found.expires_at > now_ms()).then_some(found))
}

//! Settings that admins change at run time in the console; a stored value wins over the
//! configuration until it is cleared.

use crate::error::Result;
use crate::store::{Db, now_ms};

/// The stored value of `key`, if an admin set one.
pub async fn get_setting(db: &Db, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM server_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(db.pool())
            .await?,
    )
}

/// Stores `value` for `key` (`None` deletes it: the configuration applies again).
pub async fn put_setting(db: &Db, key: &str, value: Option<&str>, by: &str) -> Result<()> {
    match value {
        Some(value) => {
            sqlx::query(
                "INSERT INTO server_settings (key, value, updated_by, updated_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (key) DO UPDATE SET \
                 value = excluded.value, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(key)
            .bind(value)
            .bind(by)
            .bind(now_ms())
            .execute(db.pool())
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM server_settings WHERE key = $1")
                .bind(key)
                .execute(db.pool())
                .await?;
        }
    }
    Ok(())
}

//! Uploads: files a user attaches to messages (images and text), kept in the database so that
//! every replica serves them. Only the owner reads or deletes an upload; another user's is
//! treated exactly like a missing one.

use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::error::{Error, Result};
use crate::store::{Db, now_ms};

/// One stored upload, bytes included.
#[derive(Debug, Clone, FromRow)]
pub struct UploadRow {
    pub id: String,
    pub user_id: String,
    /// The file name as uploaded (without directories); not safe for headers as it is.
    pub name: String,
    /// The type established from the content when it was uploaded, such as `image/png` or
    /// `text/markdown` (no parameters).
    pub mime: String,
    /// `data.len()`.
    pub size: i64,
    /// Hex SHA-256 of `data`.
    pub sha256: String,
    pub data: Vec<u8>,
    /// Unix milliseconds.
    pub created_at: i64,
}

impl UploadRow {
    /// Whether this is an image (for an image part) or text (for the context); `None` only for
    /// a MIME type this version does not know.
    pub fn kind(&self) -> Option<UploadKind> {
        UploadKind::of_mime(&self.mime)
    }

    /// The bytes as text, for text uploads (always valid UTF-8 when stored by the API).
    pub fn text(&self) -> Option<&str> {
        match self.kind() {
            Some(UploadKind::Text) => std::str::from_utf8(&self.data).ok(),
            _ => None,
        }
    }
}

/// What an upload is to a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum UploadKind {
    /// `image/png`, `image/jpeg`, `image/webp`, `image/gif`: sent to the model as an image.
    Image,
    /// `text/plain`, `text/markdown`, `text/csv`, `application/json`: UTF-8 text for the context.
    Text,
}

impl UploadKind {
    /// Tells image from text by MIME type (parameters such as `; charset=utf-8` are ignored);
    /// `None` for anything uploads do not accept.
    pub fn of_mime(mime: &str) -> Option<UploadKind> {
        let essence = mime.split(';').next().unwrap_or("").trim();
        match essence.to_ascii_lowercase().as_str() {
            "image/png" | "image/jpeg" | "image/webp" | "image/gif" => Some(UploadKind::Image),
            "text/plain" | "text/markdown" | "text/csv" | "application/json" => {
                Some(UploadKind::Text)
            }
            _ => None,
        }
    }

    /// `image` or `text`, as in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            UploadKind::Image => "image",
            UploadKind::Text => "text",
        }
    }
}

/// A checked file to store.
#[derive(Debug)]
pub struct NewUpload<'a> {
    pub user_id: &'a str,
    pub name: &'a str,
    pub mime: &'a str,
    pub data: Vec<u8>,
}

/// Stores the file and returns it as stored (size and SHA-256 computed here).
pub async fn insert_upload(db: &Db, upload: NewUpload<'_>) -> Result<UploadRow> {
    let row = UploadRow {
        id: uuid::Uuid::now_v7().to_string(),
        user_id: upload.user_id.to_string(),
        name: upload.name.to_string(),
        mime: upload.mime.to_string(),
        size: i64::try_from(upload.data.len()).unwrap_or(i64::MAX),
        sha256: hex::encode(Sha256::digest(&upload.data)),
        data: upload.data,
        created_at: now_ms(),
    };
    sqlx::query(
        "INSERT INTO uploads (id, user_id, name, mime, size, sha256, data, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&row.id)
    .bind(&row.user_id)
    .bind(&row.name)
    .bind(&row.mime)
    .bind(row.size)
    .bind(&row.sha256)
    .bind(&row.data)
    .bind(row.created_at)
    .execute(db.pool())
    .await?;
    Ok(row)
}

/// The user's upload with its bytes. Another user's upload is `None`, exactly like a missing
/// one, so callers can answer 404 for both (the chat turn engine uses this to turn an
/// `attachment {upload_id}` part into an image part or text context).
pub async fn get_upload(db: &Db, user_id: &str, id: &str) -> Result<Option<UploadRow>> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, name, mime, size, sha256, data, created_at FROM uploads \
         WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?)
}

/// Deletes the user's upload; [`Error::NotFound`] when there is none of theirs with that id.
/// Messages that mention it keep their `attachment` part, which then resolves to nothing.
pub async fn delete_upload(db: &Db, user_id: &str, id: &str) -> Result<()> {
    let result = sqlx::query("DELETE FROM uploads WHERE id = $1 AND user_id = $2")
        .bind(id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    if result.rows_affected() == 0 {
        return Err(Error::NotFound);
    }
    Ok(())
}

/// An upload without its bytes, for lists.
#[derive(Debug, Clone, FromRow)]
pub struct UploadMeta {
    pub id: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    pub created_at: i64,
}

/// The user's upload `id` without its bytes.
pub async fn get_upload_meta(db: &Db, user_id: &str, id: &str) -> Result<Option<UploadMeta>> {
    Ok(sqlx::query_as(
        "SELECT id, name, mime, size, created_at FROM uploads WHERE id = $1 AND user_id = $2",
    )
    .bind(id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?)
}

/// The user's uploads, newest first, without their bytes.
pub async fn list_uploads(
    db: &Db,
    user_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<UploadMeta>> {
    let (before_ts, before_id) = before.unwrap_or((i64::MAX, "\u{10FFFF}"));
    Ok(sqlx::query_as(
        "SELECT id, name, mime, size, created_at FROM uploads WHERE user_id = $1 \
         AND (created_at < $2 OR (created_at = $2 AND id < $3)) \
         ORDER BY created_at DESC, id DESC LIMIT $4",
    )
    .bind(user_id)
    .bind(before_ts)
    .bind(before_id)
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// How many uploads the user keeps and their bytes.
pub async fn usage(db: &Db, user_id: &str) -> Result<(i64, i64)> {
    Ok(sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM uploads WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_one(db.pool())
    .await?)
}

/// Deletes up to `batch` uploads created before `before` (unix ms); how many went.
pub async fn delete_older_than(db: &Db, before: i64, batch: i64) -> Result<u64> {
    Ok(sqlx::query(
        "DELETE FROM uploads WHERE id IN \
         (SELECT id FROM uploads WHERE created_at < $1 ORDER BY created_at LIMIT $2)",
    )
    .bind(before)
    .bind(batch)
    .execute(db.pool())
    .await?
    .rows_affected())
}

/// Every upload of the user's without its bytes, oldest first (for their data export, which
/// reads the bytes one file at a time).
pub async fn list_all_meta(db: &Db, user_id: &str) -> Result<Vec<UploadMeta>> {
    Ok(sqlx::query_as(
        "SELECT id, name, mime, size, created_at FROM uploads \
         WHERE user_id = $1 ORDER BY created_at, id",
    )
    .bind(user_id)
    .fetch_all(db.pool())
    .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_and_text_are_told_apart_by_mime() {
        assert_eq!(UploadKind::of_mime("image/png"), Some(UploadKind::Image));
        assert_eq!(UploadKind::of_mime("IMAGE/JPEG"), Some(UploadKind::Image));
        assert_eq!(
            UploadKind::of_mime("text/markdown; charset=utf-8"),
            Some(UploadKind::Text)
        );
        assert_eq!(
            UploadKind::of_mime("application/json"),
            Some(UploadKind::Text)
        );
        assert_eq!(UploadKind::of_mime("image/svg+xml"), None);
        assert_eq!(UploadKind::of_mime("text/html"), None);
        assert_eq!(UploadKind::of_mime(""), None);
    }
}

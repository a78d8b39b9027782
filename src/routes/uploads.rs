//! Uploads: `POST /api/uploads` (multipart, one `file` field) stores an image or text file of
//! the caller's for attaching to messages; `GET` serves it back to its owner only; `DELETE`
//! removes it. The size limit (`uploads.max_size`) is read per request, so a reload applies it,
//! and it replaces the server-wide body limit on this route.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Query, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use bytesize::ByteSize;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::AuthUser;
use crate::error::{Error, ErrorResponse, Result};
use crate::routes::views::{Page, PageQuery, page, rfc3339};
use crate::state::AppState;
use crate::store::uploads::{self as store, NewUpload, UploadKind, UploadRow};
use crate::uploads::{ACCEPTED, check, content_disposition};

/// Room for the multipart framing (boundaries, part headers) around the file itself.
const MULTIPART_OVERHEAD: u64 = 64 * 1024;

/// The form: one file.
#[derive(Debug, ToSchema)]
#[expect(dead_code, reason = "only describes the multipart body for OpenAPI")]
pub struct UploadForm {
    /// The file, with its name (the extension must match the content).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// A stored upload (without its bytes).
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadView {
    pub id: String,
    pub name: String,
    /// The type established from the content, such as `image/png` or `text/markdown`.
    pub mime: String,
    /// Bytes.
    pub size: i64,
    pub kind: UploadKind,
    pub created_at: String,
}

impl From<&UploadRow> for UploadView {
    fn from(row: &UploadRow) -> UploadView {
        UploadView {
            id: row.id.clone(),
            name: row.name.clone(),
            mime: row.mime.clone(),
            size: row.size,
            kind: row.kind().unwrap_or(UploadKind::Text),
            created_at: rfc3339(row.created_at),
        }
    }
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(create_upload, list_uploads))
        .routes(routes!(upload_usage))
        .routes(routes!(get_upload, delete_upload))
}

/// Uploads an image (PNG, JPEG, WebP, GIF) or a UTF-8 text file (.txt, .md, .csv, .json) to
/// attach to messages. The type is checked by content, not just by name.
#[utoipa::path(post, path = "/api/uploads", tag = "uploads", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "stored", body = UploadView),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 413, description = "larger than uploads.max_size, or past the user's uploads.quota_per_user (`upload_quota_exceeded`); the message names the limit", body = ErrorResponse),
        (status = 415, description = "not multipart, or a file type that is not accepted", body = ErrorResponse),
        (status = 422, description = "no file, an empty file, or content that does not match the name", body = ErrorResponse),
    ))]
async fn create_upload(
    State(state): State<AppState>,
    user: AuthUser,
    file: UploadedFile,
) -> Result<(StatusCode, axum::Json<UploadView>)> {
    let checked = check(&file.name, &file.data)?;
    let quota = state.settings().uploads.quota_per_user.as_u64();
    let (_, used) = store::usage(&state.db, &user.id).await?;
    let used = u64::try_from(used).unwrap_or(0);
    let size = file.data.len() as u64;
    if used.saturating_add(size) > quota {
        return Err(Error::UploadQuota(format!(
            "your uploads take {} of your {} (uploads.quota_per_user): delete some to upload \
             this file of {}",
            ByteSize::b(used),
            ByteSize::b(quota),
            ByteSize::b(size)
        )));
    }
    let row = store::insert_upload(
        &state.db,
        NewUpload {
            user_id: &user.id,
            name: &checked.name,
            mime: checked.mime,
            data: file.data,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(UploadView::from(&row))))
}

/// The caller's uploads, newest first (without their bytes).
#[utoipa::path(get, path = "/api/uploads", tag = "uploads", security(("bearer" = [])), params(PageQuery),
    responses(
        (status = 200, description = "one page of the caller's uploads", body = Page<UploadView>),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 422, description = "an invalid cursor or limit", body = ErrorResponse),
    ))]
async fn list_uploads(
    State(state): State<AppState>,
    user: AuthUser,
    Query(query): Query<PageQuery>,
) -> Result<axum::Json<Page<UploadView>>> {
    let (cursor, limit) = query.position()?;
    let rows = store::list_uploads(
        &state.db,
        &user.id,
        cursor.as_ref().map(|(ts, id)| (*ts, id.as_str())),
        limit + 1,
    )
    .await?;
    Ok(axum::Json(page(
        rows,
        limit,
        |r| (r.created_at, r.id.as_str()),
        |r| UploadView {
            id: r.id.clone(),
            name: r.name.clone(),
            mime: r.mime.clone(),
            size: r.size,
            kind: UploadKind::of_mime(&r.mime).unwrap_or(UploadKind::Text),
            created_at: rfc3339(r.created_at),
        },
    )))
}

/// What the caller's uploads take, against the quota.
#[derive(Debug, Serialize, ToSchema)]
pub struct UploadUsage {
    pub files: i64,
    /// Bytes stored.
    pub used_bytes: i64,
    /// `uploads.quota_per_user` in bytes.
    pub quota_bytes: u64,
    /// `uploads.retention` in seconds: uploads older than this are deleted; absent when they
    /// are kept.
    pub retention_seconds: Option<u64>,
}

/// How much of the upload quota the caller uses.
#[utoipa::path(get, path = "/api/uploads/usage", tag = "uploads", security(("bearer" = [])),
    responses(
        (status = 200, description = "the caller's upload usage", body = UploadUsage),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn upload_usage(
    State(state): State<AppState>,
    user: AuthUser,
) -> Result<axum::Json<UploadUsage>> {
    let (files, used_bytes) = store::usage(&state.db, &user.id).await?;
    let settings = state.settings();
    Ok(axum::Json(UploadUsage {
        files,
        used_bytes,
        quota_bytes: settings.uploads.quota_per_user.as_u64(),
        retention_seconds: settings.uploads.retention.map(|r| r.as_secs()),
    }))
}

/// The file's bytes, with its type; only for its owner.
#[utoipa::path(get, path = "/api/uploads/{id}", tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "upload id")),
    responses(
        (status = 200, description = "the bytes, with the stored Content-Type and a Content-Disposition naming the file"),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 404, description = "no such upload of the caller's", body = ErrorResponse),
    ))]
async fn get_upload(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<Response> {
    let row = store::get_upload(&state.db, &user.id, &id)
        .await?
        .ok_or(Error::NotFound)?;
    let mime = match row.kind() {
        Some(UploadKind::Text) => format!("{}; charset=utf-8", row.mime),
        _ => row.mime.clone(),
    };
    let header = |value: &str| {
        HeaderValue::from_str(value)
            .map_err(|e| Error::Internal(anyhow::anyhow!("upload {id}: bad header value: {e}")))
    };
    let headers = [
        (CONTENT_TYPE, header(&mime)?),
        (
            CONTENT_DISPOSITION,
            header(&content_disposition(&row.name))?,
        ),
        (CACHE_CONTROL, HeaderValue::from_static("private")),
        (
            axum::http::header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
    ];
    Ok((headers, Body::from(row.data)).into_response())
}

/// Deletes one of the caller's uploads.
#[utoipa::path(delete, path = "/api/uploads/{id}", tag = "uploads", security(("bearer" = [])),
    params(("id" = String, Path, description = "upload id")),
    responses(
        (status = 204, description = "deleted"),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 404, description = "no such upload of the caller's", body = ErrorResponse),
    ))]
async fn delete_upload(
    State(state): State<AppState>,
    user: AuthUser,
    Path(id): Path<String>,
) -> Result<StatusCode> {
    store::delete_upload(&state.db, &user.id, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The `file` field of a multipart body, read whole but never beyond `uploads.max_size`.
pub struct UploadedFile {
    /// As the client sent it (cleaned by [`check`]).
    pub name: String,
    pub data: Vec<u8>,
}

impl FromRequest<AppState> for UploadedFile {
    type Rejection = Error;

    async fn from_request(mut req: Request, state: &AppState) -> Result<Self, Error> {
        let max = state.settings().uploads.max_size.as_u64();
        let too_large = || {
            Error::TooLarge(format!(
                "the file is larger than the upload limit of {} ({max} bytes, uploads.max_size)",
                ByteSize::b(max)
            ))
        };
        let limit = max.saturating_add(MULTIPART_OVERHEAD);
        let declared = req
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if declared.is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        // This route's own limit replaces `server.body_limit`.
        DefaultBodyLimit::max(usize::try_from(limit).unwrap_or(usize::MAX)).apply(&mut req);
        let mut multipart = Multipart::from_request(req, state).await.map_err(|_| {
            Error::Unsupported(format!(
                "expected a multipart/form-data body with a `file` field ({ACCEPTED})"
            ))
        })?;
        let read_error = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                too_large()
            } else if crate::extract::body_timed_out(&e) {
                Error::BodyTimeout
            } else {
                Error::BadRequest {
                    code: "bad_multipart",
                    message: format!("the multipart body cannot be read: {}", e.body_text()),
                }
            }
        };
        while let Some(mut field) = multipart.next_field().await.map_err(read_error)? {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or_default().to_string();
            let mut data = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(read_error)? {
                if (data.len() + chunk.len()) as u64 > max {
                    return Err(too_large());
                }
                data.extend_from_slice(&chunk);
            }
            return Ok(UploadedFile { name, data });
        }
        Err(Error::Invalid {
            field: "file".into(),
            message: "the form has no `file` field".into(),
        })
    }
}

//! `GET /api/auth/export`: all of a user's data in one `.zip`. The archive is written, one
//! conversation and one upload at a time, to an unnamed temporary file in the data directory
//! and then streamed from it, so the server's memory stays flat whatever the user keeps (up to
//! `uploads.quota_per_user` of files).

use std::io::{Seek, SeekFrom, Write};

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{AuthUser, ClientInfo};
use crate::error::{Error, ErrorResponse, Result};
use crate::routes::account::session_only;
use crate::routes::conversations::ConversationView;
use crate::routes::keys::ApiKeyView;
use crate::routes::messages::{active_branch, markdown, views};
use crate::routes::views::rfc3339;
use crate::state::AppState;
use crate::store::{api_keys, conversations, groups, messages, now_ms, presets, shares};
use crate::store::{uploads, users};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export))
}

/// All of the caller's data in one `.zip`: `account.json` (profile, groups, custom
/// instructions, API keys without secrets, presets, share links), each conversation as
/// `conversations/<id>.json` (every message, branches included) and `.md` (the branch shown),
/// and the uploaded files under `uploads/`.
#[utoipa::path(get, path = "/api/auth/export", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "the archive", content_type = "application/zip", body = Vec<u8>),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "an API key (the export takes a signed-in session)", body = ErrorResponse),
    ))]
async fn export(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
) -> Result<Response> {
    session_only(
        &user,
        "exporting your data takes a signed-in session, not an API key",
    )?;
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    let mut archive = Archive::start(&state.settings().data_dir)?;
    archive
        .add("account.json", json(&account(&state, &row).await?))
        .await?;
    let all = conversations::all_of_user(&state.db, &user.id).await?;
    for conversation in &all {
        let rows = messages::list_messages(&state.db, &conversation.id).await?;
        let every: Vec<_> = rows.iter().collect();
        let doc = serde_json::json!({
            "conversation": ConversationView::from(conversation),
            "messages": views(&rows, &every),
        });
        let name = format!("conversations/{}", conversation.id);
        archive.add(&format!("{name}.json"), json(&doc)).await?;
        let title = if conversation.title.is_empty() {
            "Conversation"
        } else {
            &conversation.title
        };
        let shown = active_branch(&rows, conversation.current_message_id.as_deref());
        let text = markdown(title, &shown).into_bytes();
        archive.add(&format!("{name}.md"), text).await?;
    }
    for meta in uploads::list_all_meta(&state.db, &user.id).await? {
        // One file in memory at a time; one deleted meanwhile is left out.
        let Some(upload) = uploads::get_upload(&state.db, &user.id, &meta.id).await? else {
            continue;
        };
        let name = crate::uploads::clean_name(&upload.name).unwrap_or_else(|_| "file".into());
        archive
            .add(&format!("uploads/{}-{name}", upload.id), upload.data)
            .await?;
    }
    let files = archive.count;
    let (file, length) = archive.finish().await?;
    let event = Event::new("user.export", Some(&user.id))
        .target("user", &user.id)
        .details(serde_json::json!({ "conversations": all.len(), "files": files }));
    record(&state, &client, event).await;
    let filename = format!(
        "llmchat-export-{}-{}.zip",
        row.username,
        &rfc3339(now_ms())[..10]
    );
    let disposition =
        crate::uploads::content_disposition(&filename).replacen("inline", "attachment", 1);
    let body = Body::from_stream(tokio_util::io::ReaderStream::new(file));
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_LENGTH, length.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// `account.json`: the profile and everything attached to it but the conversations.
async fn account(state: &AppState, row: &users::UserRow) -> Result<serde_json::Value> {
    let id = &row.id;
    let keys = api_keys::list_api_keys(&state.db, id, None, 1000).await?;
    Ok(serde_json::json!({
        "exported_at": rfc3339(now_ms()),
        "user": crate::routes::views::UserView::from(row),
        "groups": groups::groups_of_user(&state.db, id).await?
            .into_iter().map(|g| serde_json::json!({"id": g.id, "name": g.name})).collect::<Vec<_>>(),
        "custom_instructions": users::custom_instructions(&state.db, id).await?,
        "api_keys": keys.iter().map(ApiKeyView::from).collect::<Vec<_>>(),
        "presets": presets::visible_to(&state.db, id).await?.into_iter()
            .filter(|p| p.user_id.is_some())
            .map(|p| serde_json::json!({"title": p.title, "content": p.content, "agent_id": p.agent_id}))
            .collect::<Vec<_>>(),
        "shares": shares::list_shares(&state.db, id, None).await?.into_iter()
            .map(|s| serde_json::json!({"id": s.id, "conversation_id": s.conversation_id,
                "title": s.title, "created_at": rfc3339(s.created_at)}))
            .collect::<Vec<_>>(),
    }))
}

fn json(value: &serde_json::Value) -> Vec<u8> {
    serde_json::to_vec_pretty(value).unwrap_or_default()
}

/// A zip archive written by a blocking task to an unnamed temporary file (gone when closed),
/// fed one file at a time.
struct Archive {
    files: Option<mpsc::Sender<(String, Vec<u8>)>>,
    writer: JoinHandle<anyhow::Result<std::fs::File>>,
    count: usize,
}

impl Archive {
    /// In `data_dir` (a volume, where a read-only container can write), else the system's
    /// temporary directory.
    fn start(data_dir: &std::path::Path) -> Result<Archive> {
        let file = std::fs::create_dir_all(data_dir)
            .and_then(|()| tempfile::tempfile_in(data_dir))
            .or_else(|_| tempfile::tempfile())
            .map_err(|e| anyhow::anyhow!("cannot make a temporary file for the export: {e}"))?;
        // A file or two ahead of the writer: memory holds at most that.
        let (files, mut next) = mpsc::channel::<(String, Vec<u8>)>(1);
        let writer = tokio::task::spawn_blocking(move || {
            let mut zip = zip::ZipWriter::new(file);
            let options = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Deflated)
                .large_file(true);
            while let Some((name, data)) = next.blocking_recv() {
                zip.start_file(name, options)?;
                zip.write_all(&data)?;
            }
            let mut file = zip.finish()?;
            file.seek(SeekFrom::Start(0))?;
            Ok(file)
        });
        Ok(Archive {
            files: Some(files),
            writer,
            count: 0,
        })
    }

    async fn add(&mut self, name: &str, data: Vec<u8>) -> Result<()> {
        let sent = match &self.files {
            Some(files) => files.send((name.to_string(), data)).await.is_ok(),
            None => false,
        };
        if !sent {
            // The writer stopped: its error says why.
            self.files = None;
            return Err(match (&mut self.writer).await {
                Ok(Err(e)) => Error::Internal(e.context("writing the export failed")),
                _ => Error::Internal(anyhow::anyhow!("the export's writer stopped")),
            });
        }
        self.count += 1;
        Ok(())
    }

    /// The finished archive, from its start, and its length.
    async fn finish(mut self) -> Result<(tokio::fs::File, u64)> {
        self.files = None;
        let file = self
            .writer
            .await
            .map_err(anyhow::Error::from)?
            .map_err(|e| e.context("writing the export failed"))?;
        let length = file.metadata().map_err(anyhow::Error::from)?.len();
        Ok((tokio::fs::File::from_std(file), length))
    }
}

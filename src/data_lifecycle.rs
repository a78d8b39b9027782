//! The data lifecycle: accounts deleted for good when their owner's grace period ends,
//! conversations deleted past their groups' retention, uploads no message uses removed. One
//! pass an hour on every replica (the deletions are idempotent), or on an admin's request.

use std::time::Duration;

use crate::audit::Event;
use crate::auth::ClientInfo;
use crate::error::Result;
use crate::state::AppState;
use crate::store::{lifecycle as store, now_ms};

/// Between passes.
const EVERY: Duration = Duration::from_secs(3600);
/// An upload no message uses is kept this long (it may be sent with a message still).
pub const ORPHAN_GRACE_MS: i64 = 24 * 3600 * 1000;
const BATCH: i64 = 500;

/// What a pass deleted.
#[derive(Debug, Default, Clone, Copy, serde::Serialize, utoipa::ToSchema)]
pub struct Swept {
    /// Accounts past their deletion grace (with all their data).
    pub accounts: u64,
    /// Conversations past their owner's retention (not those of the deleted accounts).
    pub conversations: u64,
    /// Uploads no message uses.
    pub uploads: u64,
}

/// Runs a pass every hour until shutdown.
pub async fn run(state: AppState) {
    let shutdown = state.lifecycle.shutdown.clone();
    loop {
        tokio::select! {
            () = shutdown.cancelled() => return,
            () = tokio::time::sleep(EVERY) => {}
        }
        if let Err(e) = pass(&state).await {
            tracing::warn!(error = %e, "the data lifecycle pass failed; trying again in an hour");
        }
    }
}

/// One pass: due accounts, then retention, then orphaned uploads.
pub async fn pass(state: &AppState) -> Result<Swept> {
    let mut swept = Swept::default();
    for user_id in store::accounts_due(&state.db, now_ms()).await? {
        purge(state, &user_id, None).await?;
        swept.accounts += 1;
    }
    loop {
        let n = store::delete_retained(&state.db, now_ms(), BATCH).await?;
        swept.conversations += n;
        if n < u64::try_from(BATCH).unwrap_or(u64::MAX) {
            break;
        }
    }
    loop {
        let n = store::delete_orphan_uploads(&state.db, now_ms() - ORPHAN_GRACE_MS, BATCH).await?;
        swept.uploads += n;
        if n < u64::try_from(BATCH).unwrap_or(u64::MAX) {
            break;
        }
    }
    for (what, n) in [
        ("accounts", swept.accounts),
        ("conversations", swept.conversations),
        ("uploads", swept.uploads),
    ] {
        metrics::counter!("llmchat_lifecycle_deleted_total", "what" => what).increment(n);
    }
    if swept.accounts + swept.conversations + swept.uploads > 0 {
        tracing::info!(
            accounts = swept.accounts,
            conversations = swept.conversations,
            uploads = swept.uploads,
            "data lifecycle: deleted what was due"
        );
    }
    Ok(swept)
}

/// Deletes an account for good: its running answers are stopped first, then its data goes,
/// every replica forgets it, and the audit log says so (`client` when its owner asked for
/// immediate deletion, none when the grace period ended).
pub async fn purge(state: &AppState, user_id: &str, client: Option<&ClientInfo>) -> Result<()> {
    for (conversation, _) in crate::store::messages::streaming_of_user(&state.db, user_id).await? {
        crate::cluster::stop(state, &conversation).await?;
    }
    store::purge_account(&state.db, user_id).await?;
    crate::cluster::user_changed(state, user_id).await;
    let event = Event::new("user.delete", client.map(|_| user_id))
        .target("user", user_id)
        .details(serde_json::json!({ "by": "owner" }));
    let system = ClientInfo::default();
    crate::audit::record(state, client.unwrap_or(&system), event).await;
    Ok(())
}

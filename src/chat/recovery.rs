//! Keeping turns honest across crashes: this instance registers itself, beats its heart (and
//! its running turns'), and marks as `interrupted` the turns whose owner stopped beating — at
//! start and periodically. It also sweeps finished turns out of the hub.

use std::time::Duration;

use crate::state::AppState;
use crate::store::{instances, now_ms};

/// Runs until shutdown, then until this instance's turns are saved; marks the instance stopped.
pub async fn run(state: AppState) {
    let hostname = std::env::var("HOSTNAME").unwrap_or_else(|_| "unknown".into());
    let mut registered = false;
    loop {
        let settings = state.settings();
        if state.lifecycle.schema_ready() {
            if !registered {
                registered = instances::register(
                    &state.db,
                    &state.instance_id,
                    &hostname,
                    crate::build_info::VERSION,
                )
                .await
                .map_err(|e| tracing::warn!(error = %e, "cannot register this instance yet"))
                .is_ok();
            }
            if registered {
                beat(&state, settings.chat.heartbeat_timeout).await;
            }
        }
        state.hub.sweep(settings.chat.replay_retention);
        if state.lifecycle.shutting_down() {
            break;
        }
        tokio::select! {
            () = state.lifecycle.shutdown.cancelled() => {}
            () = tokio::time::sleep(settings.chat.heartbeat_interval) => {}
        }
    }
    wait_for_turns(&state, registered).await;
    if registered && let Err(e) = instances::stopped(&state.db, &state.instance_id).await {
        tracing::warn!(error = %e, "cannot mark this instance stopped");
    }
}

/// Shutting down: the instance keeps its turns (and beats for them) until the server has
/// stopped serving — during the drain, requests may still start turns — and every turn is
/// saved, or the drain and grace are over. Marked stopped earlier, its new turns would be
/// taken for orphans by the other replicas.
async fn wait_for_turns(state: &AppState, registered: bool) {
    let settings = state.settings();
    let give_up = tokio::time::Instant::now() + settings.shutdown_drain + settings.shutdown_grace;
    let mut next_beat = tokio::time::Instant::now() + settings.chat.heartbeat_interval;
    loop {
        let idle = state.lifecycle.serving_done.is_cancelled() && state.hub.running_count() == 0;
        if idle || tokio::time::Instant::now() >= give_up {
            return;
        }
        if registered && tokio::time::Instant::now() >= next_beat {
            if let Err(e) = instances::heartbeat(&state.db, &state.instance_id).await {
                tracing::warn!(error = %e, "heartbeat not written");
            }
            next_beat += settings.chat.heartbeat_interval;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn beat(state: &AppState, timeout: Duration) {
    if let Err(e) = instances::heartbeat(&state.db, &state.instance_id).await {
        tracing::warn!(error = %e, "heartbeat not written");
        return;
    }
    let cutoff = now_ms() - timeout.as_millis() as i64;
    match instances::interrupt_orphans(&state.db, cutoff).await {
        Ok(ids) if ids.is_empty() => {}
        Ok(ids) => {
            tracing::warn!(
                turns = ids.len(),
                "marked turns of stopped instances as interrupted"
            );
            // Their readers, on any replica, get the closing events.
            if let Some(shared) = state.hub.shared() {
                for id in &ids {
                    keep_streamed_text(state, shared, id).await;
                    shared.close_orphan(id).await;
                }
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot check for interrupted turns"),
    }
    if let Err(e) = crate::store::reservations::sweep(&state.db, cutoff).await {
        tracing::warn!(error = %e, "cannot delete stale quota reservations");
    }
}

/// The owner flushed its answer every few seconds; its readers got more. What they got is in
/// Redis: keep that.
async fn keep_streamed_text(state: &AppState, shared: &crate::chat::hub::Shared, message_id: &str) {
    let Some(text) = shared.streamed_text(message_id).await else {
        return;
    };
    match crate::store::messages::complete_interrupted_text(&state.db, message_id, &text).await {
        Ok(true) => tracing::info!(
            message_id,
            chars = text.chars().count(),
            "kept the text streamed before the owner stopped"
        ),
        Ok(false) => {}
        Err(e) => {
            tracing::warn!(message_id, error = %e, "cannot keep the streamed text of an interrupted turn")
        }
    }
}

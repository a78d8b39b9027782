//! Replicas that act as one. With Redis, every replica listens on one pub/sub channel,
//! `{prefix}control`, and a change made through one replica is announced there so that all
//! others apply it at once rather than after a cache expires: a stop request reaches the
//! replica that runs the turn, and reloads, agent edits, disabled users, changed roles, signed
//! out sessions and revoked keys take effect everywhere. A replica that lost the channel for a
//! while drops every cache and reloads its agents when it is back, since it may have missed
//! announcements. Without Redis there is one replica and nothing to announce.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::shared::Delivery;
use crate::state::AppState;

/// The longest an announcement waits for Redis.
const ANNOUNCE_TIMEOUT: Duration = Duration::from_millis(500);

/// A change every replica applies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Signal {
    /// Stop the conversation's running turn (only its owner has it).
    Stop { conversation_id: String },
    /// Load the agents again (file and database).
    Agents,
    /// Load the configuration again, from each replica's own sources.
    Config,
    /// A user was disabled, deleted or given another role.
    User { id: String },
    /// Sessions were signed out.
    Sessions,
    /// API keys were revoked.
    Keys,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    /// The announcing replica, which has applied the change already.
    from: String,
    #[serde(flatten)]
    signal: Signal,
}

fn channel(state: &AppState) -> String {
    format!("{}control", state.settings().redis.key_prefix)
}

/// Tells the other replicas; a failure is logged (they catch up when their caches expire or
/// their subscription comes back).
pub async fn announce(state: &AppState, signal: Signal) {
    let Some(redis) = &state.redis else { return };
    let envelope = Envelope {
        from: state.instance_id.to_string(),
        signal,
    };
    let payload = serde_json::to_string(&envelope).unwrap_or_default();
    if let Err(e) = redis
        .publish(&channel(state), &payload, ANNOUNCE_TIMEOUT)
        .await
    {
        tracing::warn!(signal = ?envelope.signal, error = %e, "cannot tell the other replicas");
    }
}

/// Stops the conversation's running turn on whichever replica runs it; its message id when
/// one is running.
pub async fn stop(state: &AppState, conversation_id: &str) -> Result<Option<String>> {
    if let Some(message_id) = state.hub.stop(conversation_id) {
        return Ok(Some(message_id));
    }
    let Some(message_id) =
        crate::store::messages::streaming_message(&state.db, conversation_id).await?
    else {
        return Ok(None);
    };
    announce(
        state,
        Signal::Stop {
            conversation_id: conversation_id.to_string(),
        },
    )
    .await;
    Ok(Some(message_id))
}

/// Applies the other replicas' announcements until shutdown.
pub fn listen(state: &AppState) {
    let Some(redis) = state.redis.clone() else {
        return;
    };
    let mut deliveries = redis.subscribe(channel(state), state.lifecycle.shutdown.clone());
    let state = state.clone();
    state.tasks.clone().spawn(async move {
        while let Some(delivery) = deliveries.recv().await {
            match delivery {
                Delivery::Message(payload) => match serde_json::from_str::<Envelope>(&payload) {
                    Ok(envelope) if *envelope.from != *state.instance_id => {
                        apply(&state, envelope.signal).await;
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "ignored an unreadable announcement"),
                },
                Delivery::Resubscribed => {
                    tracing::info!(
                        "back on the control channel; dropping caches that may be stale"
                    );
                    state.auth.forget_everyone();
                    apply(&state, Signal::Agents).await;
                }
            }
        }
    });
}

async fn apply(state: &AppState, signal: Signal) {
    tracing::debug!(?signal, "applying another replica's announcement");
    match signal {
        Signal::Stop { conversation_id } => {
            state.hub.stop(&conversation_id);
        }
        Signal::Agents => {
            if let Err(report) = state.reload_agents().await {
                tracing::error!(%report, "agents not reloaded as another replica asked; the running set stays");
            }
        }
        Signal::Config => match crate::reload::reload_running(state).await {
            Ok(outcome) => {
                tracing::info!(applied = ?outcome.applied, "configuration reloaded as another replica asked")
            }
            Err(crate::reload::ReloadError::Config(e)) => {
                tracing::error!(error = %e, "configuration not reloaded as another replica asked")
            }
            Err(crate::reload::ReloadError::Agents(report)) => {
                tracing::error!(%report, "configuration not reloaded as another replica asked")
            }
        },
        Signal::User { id } => state.auth.forget_user(&id),
        Signal::Sessions => state.auth.forget_sessions(),
        Signal::Keys => state.auth.keys.forget_all(),
    }
}

/// Sessions were signed out here: they end on this replica at once, and on the others.
pub async fn sessions_ended(state: &AppState) {
    state.auth.forget_sessions();
    announce(state, Signal::Sessions).await;
}

/// A user was disabled, deleted or given another role.
pub async fn user_changed(state: &AppState, id: &str) {
    state.auth.forget_user(id);
    announce(state, Signal::User { id: id.to_string() }).await;
}

/// Keys (by hash) were revoked.
pub async fn keys_revoked(state: &AppState, hashes: &[&str]) {
    for hash in hashes {
        state.auth.keys.forget(hash);
    }
    announce(state, Signal::Keys).await;
}

//! Writing audit entries: auth events and every admin action, with actor, target, IP, user
//! agent, request id and result. A failed write is logged, never turned into a failed request.

use crate::auth::ClientInfo;
use crate::state::AppState;
use crate::store::audit::{NewAudit, insert_audit};

/// One audit event about to be written.
pub struct Event {
    pub actor_id: Option<String>,
    pub action: &'static str,
    pub target: Option<(&'static str, String)>,
    pub success: bool,
    pub details: serde_json::Value,
}

impl Event {
    pub fn new(action: &'static str, actor_id: Option<&str>) -> Event {
        Event {
            actor_id: actor_id.map(String::from),
            action,
            target: None,
            success: true,
            details: serde_json::Value::Object(Default::default()),
        }
    }

    pub fn target(mut self, kind: &'static str, id: impl Into<String>) -> Event {
        self.target = Some((kind, id.into()));
        self
    }

    pub fn failed(mut self) -> Event {
        self.success = false;
        self
    }

    pub fn details(mut self, details: serde_json::Value) -> Event {
        self.details = details;
        self
    }
}

pub async fn record(state: &AppState, client: &ClientInfo, event: Event) {
    let (target_type, target_id) = match event.target {
        Some((kind, id)) => (Some(kind), Some(id)),
        None => (None, None),
    };
    let entry = NewAudit {
        actor_id: event.actor_id,
        action: event.action,
        target_type,
        target_id,
        ip: client.ip_string(),
        user_agent: client.user_agent.clone(),
        request_id: client.request_id.clone(),
        result: if event.success { "success" } else { "failure" },
        details: event.details,
    };
    if let Err(e) = insert_audit(&state.db, &entry).await {
        tracing::error!(error = %e, action = entry.action, "could not write audit entry");
    }
}

/// Records that an account was made outside any request — by `llmchat user …` (`via: cli`) or
/// from `LLMCHAT_ADMIN_USERNAME` at start (`via: config`) — so the audit log shows every
/// account's origin. A failed write is logged.
pub async fn record_offline(
    db: &crate::store::Db,
    action: &'static str,
    user_id: &str,
    details: serde_json::Value,
) {
    let entry = NewAudit {
        action,
        target_type: Some("user"),
        target_id: Some(user_id.to_string()),
        result: "success",
        details,
        ..NewAudit::default()
    };
    if let Err(e) = insert_audit(db, &entry).await {
        tracing::error!(error = %e, action, "could not write the audit entry");
    }
}

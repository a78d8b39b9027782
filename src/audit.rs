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
        user_agent: client
            .user_agent
            .as_deref()
            .map(|ua| truncate(ua, MAX_TEXT)),
        request_id: client
            .request_id
            .as_deref()
            .map(|id| truncate(id, MAX_TEXT)),
        result: if event.success { "success" } else { "failure" },
        details: bounded(event.details),
    };
    if let Err(e) = insert_audit(&state.db, &entry).await {
        tracing::error!(error = %e, action = entry.action, "could not write audit entry");
    }
}

/// Longest string kept in an audit entry (the user agent, a value in the details).
const MAX_TEXT: usize = 512;
/// Largest details kept, serialized; beyond it only their size is recorded.
const MAX_DETAILS: usize = 16 * 1024;

/// `text` cut to at most `max` bytes on a character boundary, marked with `…` when cut.
fn truncate(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

/// Details with every string cut to [`MAX_TEXT`] and the whole bounded by [`MAX_DETAILS`], so
/// that no request can make the audit log grow by more than a few KiB.
fn bounded(details: serde_json::Value) -> serde_json::Value {
    fn cut(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::String(text) if text.len() > MAX_TEXT => {
                *text = truncate(text, MAX_TEXT);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(cut),
            serde_json::Value::Object(map) => map.values_mut().for_each(cut),
            _ => {}
        }
    }
    let mut details = details;
    cut(&mut details);
    let size = details.to_string().len();
    if size > MAX_DETAILS {
        serde_json::json!({ "truncated": true, "bytes": size })
    } else {
        details
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_strings_are_cut_on_a_character_boundary_and_huge_details_replaced() {
        let name = "名".repeat(1000);
        let details = bounded(serde_json::json!({"username": name, "n": 1}));
        let kept = details["username"].as_str().unwrap();
        assert!(kept.len() <= MAX_TEXT + "…".len(), "{}", kept.len());
        assert!(kept.ends_with('…'));
        assert_eq!(details["n"], 1);

        let many: Vec<String> = (0..100).map(|i| format!("{i:0>400}")).collect();
        let details = bounded(serde_json::json!({ "problems": many }));
        assert_eq!(details["truncated"], true, "{details}");
        assert!(details["bytes"].as_u64().unwrap() > MAX_DETAILS as u64);

        let small = serde_json::json!({"agents": ["demo"]});
        assert_eq!(bounded(small.clone()), small);
    }
}

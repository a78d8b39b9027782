//! `/api/config/reload`: re-reads the configuration layers and the agents, validates both, and
//! applies what can change without a restart — agents, rate limits, auth limits and
//! registration, log level, CORS origins, trusted proxies, the metrics token. Settings that
//! need a restart keep their running values and are reported.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::Value;

use crate::agents::Report;
use crate::config::{ConfigError, Settings, Sources};
use crate::runtime::Runtime;
use crate::state::AppState;
use crate::telemetry;

/// Keys (and key prefixes) whose new values only take effect after a restart.
const RESTART_ONLY: &[&str] = &[
    "environment",
    "data_dir",
    "server.host",
    "server.port",
    "server.body_limit",
    "server.reuse_port",
    "server.header_read_timeout",
    "server.body_read_timeout",
    "server.max_connections",
    "database",
    "redis",
    "auth.jwt_secret",
    "auth.max_concurrent_hashes",
    "auth.hash_queue_timeout",
    "log.format",
    "rate_limit.redis_failure",
    "outbound",
    "shutdown_grace",
    "shutdown_drain",
    "admin_username",
    "admin_password",
    "encryption_key",
];

/// What a reload did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct Outcome {
    /// Changed settings now in force.
    pub applied: Vec<String>,
    /// Changed settings that keep their running value until a restart.
    pub restart_required: Vec<String>,
    /// Agents in force after the reload.
    pub agents: Vec<String>,
}

#[derive(Debug)]
pub enum ReloadError {
    Config(ConfigError),
    Agents(Report),
}

/// Reloads from the sources the server started with (the process's own when it was not
/// given any): `POST /api/config/reload`, SIGHUP and another replica's request.
pub async fn reload_running(state: &AppState) -> Result<Outcome, ReloadError> {
    let sources = match &state.config_sources {
        Some(sources) => sources.as_ref().clone(),
        None => Sources::from_process(),
    };
    reload(state, &sources).await
}

/// Reloads from `sources`; on any error nothing changes.
pub async fn reload(state: &AppState, sources: &Sources) -> Result<Outcome, ReloadError> {
    let fresh = Settings::load(sources).map_err(ReloadError::Config)?;
    let current = state.settings();
    let (applied, restart_required) = changed_keys(&current, &fresh);
    let next = keep_restart_only(&current, fresh);
    let runtime = Runtime::load_with_db(&next, &state.db, state.cipher.as_ref())
        .await
        .map_err(ReloadError::Agents)?;
    let runtime = Arc::new(runtime);
    let agents = runtime.ids().map(String::from).collect();
    state.runtime.store(runtime);
    telemetry::apply_log_level(&next);
    state.settings.store(Arc::new(next));
    Ok(Outcome {
        applied,
        restart_required,
        agents,
    })
}

/// The keys whose values differ, split into (applied now, restart required). Secrets are
/// compared by value but only their names are reported.
fn changed_keys(current: &Settings, fresh: &Settings) -> (Vec<String>, Vec<String>) {
    let before = flatten(current);
    let after = flatten(fresh);
    let mut changed: Vec<String> = before
        .keys()
        .chain(after.keys())
        .filter(|key| before.get(*key) != after.get(*key))
        .cloned()
        .collect();
    if current.auth.jwt_secret != fresh.auth.jwt_secret {
        changed.push("auth.jwt_secret".into());
    }
    if current.metrics.token != fresh.metrics.token {
        changed.push("metrics.token".into());
    }
    if current.admin_password != fresh.admin_password {
        changed.push("admin_password".into());
    }
    if current.encryption_key != fresh.encryption_key {
        changed.push("encryption_key".into());
    }
    changed.sort();
    changed.dedup();
    changed.into_iter().partition(|key| !restart_only(key))
}

fn restart_only(key: &str) -> bool {
    RESTART_ONLY.iter().any(|prefix| {
        key == *prefix
            || key
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// The fresh settings with every restart-only value put back to the running one.
fn keep_restart_only(current: &Settings, mut next: Settings) -> Settings {
    next.environment = current.environment;
    next.data_dir = current.data_dir.clone();
    next.server.host = current.server.host.clone();
    next.server.port = current.server.port;
    next.server.body_limit = current.server.body_limit;
    next.server.reuse_port = current.server.reuse_port;
    next.server.header_read_timeout = current.server.header_read_timeout;
    next.server.body_read_timeout = current.server.body_read_timeout;
    next.server.max_connections = current.server.max_connections;
    next.database = current.database.clone();
    next.redis = current.redis.clone();
    next.auth.jwt_secret = current.auth.jwt_secret.clone();
    next.auth.max_concurrent_hashes = current.auth.max_concurrent_hashes;
    next.auth.hash_queue_timeout = current.auth.hash_queue_timeout;
    next.log.format = current.log.format;
    next.rate_limit.redis_failure = current.rate_limit.redis_failure;
    next.outbound = current.outbound.clone();
    next.shutdown_grace = current.shutdown_grace;
    next.shutdown_drain = current.shutdown_drain;
    next.admin_username = current.admin_username.clone();
    next.admin_password = current.admin_password.clone();
    next.encryption_key = current.encryption_key.clone();
    next
}

/// Settings as `dotted.key → value` (secrets masked by their serialisation).
fn flatten(settings: &Settings) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    if let Ok(value) = serde_json::to_value(settings) {
        walk("", &value, &mut out);
    }
    out
}

fn walk(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                walk(&path, inner, out);
            }
        }
        other => {
            out.insert(prefix.to_string(), other.clone());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_split_into_applied_and_restart_required() {
        let current = Settings::default();
        let mut fresh = Settings::default();
        fresh.rate_limit.requests_per_minute = 5;
        fresh.log.level = "debug".into();
        fresh.server.port = 9999;
        fresh.database.max_connections = 3;
        fresh.auth.jwt_secret = Some(crate::config::Secret::new("x".repeat(40)));
        let (applied, restart) = changed_keys(&current, &fresh);
        assert_eq!(applied, ["log.level", "rate_limit.requests_per_minute"]);
        assert_eq!(
            restart,
            ["auth.jwt_secret", "database.max_connections", "server.port"]
        );

        let next = keep_restart_only(&current, fresh);
        assert_eq!(next.server.port, 3001, "restart-only values keep running");
        assert_eq!(next.rate_limit.requests_per_minute, 5);
        assert!(next.auth.jwt_secret.is_none());
    }
}

//! Checks of the settings that types alone cannot make: URLs, limits that must be positive,
//! secrets long and unpredictable enough, values that go together.

use super::*;

impl Settings {
    /// Checks what types alone cannot; on failure returns the key and the problem.
    pub(super) fn validate(&self) -> Result<(), (&'static str, String)> {
        self.check_urls()?;
        self.check_secrets()?;
        self.check_uploads()?;
        self.check_limits()?;
        self.check_sso()?;
        self.check_formats()
    }

    /// The database and Redis URLs.
    fn check_urls(&self) -> Result<(), (&'static str, String)> {
        let url = self.database_url();
        if !is_database_url(&url) {
            return Err((
                "database.url",
                "must start with sqlite://, postgres:// or postgresql://".into(),
            ));
        }
        if let Some(redis) = &self.redis.url
            && !(redis.starts_with("redis://") || redis.starts_with("rediss://"))
        {
            return Err(("redis.url", "must start with redis:// or rediss://".into()));
        }
        Ok(())
    }

    /// Secrets long and unpredictable enough; the bootstrap admin complete and within the password policy.
    fn check_secrets(&self) -> Result<(), (&'static str, String)> {
        match &self.auth.jwt_secret {
            Some(secret) if secret.expose().len() < 32 => {
                return Err(("auth.jwt_secret", "must be at least 32 bytes".into()));
            }
            Some(secret) if let Some(problem) = predictable(secret.expose()) => {
                return Err(("auth.jwt_secret", problem));
            }
            None if self.environment != Environment::Development => {
                return Err((
                    "auth.jwt_secret",
                    format!(
                        "missing required secret: {} needs it",
                        self.environment.as_str()
                    ),
                ));
            }
            _ => {}
        }
        if self
            .encryption_key
            .as_ref()
            .is_some_and(|k| k.expose().len() < 32)
        {
            return Err(("encryption_key", "must be at least 32 characters".into()));
        }
        if let Some(problem) = self
            .encryption_key
            .as_ref()
            .and_then(|k| predictable(k.expose()))
        {
            return Err(("encryption_key", problem));
        }
        if self.admin_username.is_some() != self.admin_password.is_some() {
            return Err((
                "admin_password",
                "LLMCHAT_ADMIN_USERNAME and LLMCHAT_ADMIN_PASSWORD go together".into(),
            ));
        }
        if let (Some(username), Some(password)) = (&self.admin_username, &self.admin_password)
            && let Err(e) = crate::policy::check_policy(password.expose(), username)
        {
            return Err(("admin_password", format!("LLMCHAT_ADMIN_PASSWORD {e}")));
        }
        Ok(())
    }

    /// Upload limits that fit together.
    fn check_uploads(&self) -> Result<(), (&'static str, String)> {
        if self.uploads.quota_per_user < self.uploads.max_size {
            return Err((
                "uploads.quota_per_user",
                format!(
                    "must be at least uploads.max_size ({})",
                    self.uploads.max_size
                ),
            ));
        }
        if self.uploads.max_per_request < self.uploads.max_size {
            return Err((
                "uploads.max_per_request",
                format!(
                    "must be at least uploads.max_size ({}), or the largest file could never be sent",
                    self.uploads.max_size
                ),
            ));
        }
        if self.uploads.max_per_conversation < self.uploads.max_per_request {
            return Err((
                "uploads.max_per_conversation",
                format!(
                    "must be at least uploads.max_per_request ({})",
                    self.uploads.max_per_request
                ),
            ));
        }
        if self.uploads.retention.is_some_and(|r| r.is_zero()) {
            return Err((
                "uploads.retention",
                "must be longer than zero (leave it unset to keep uploads)".into(),
            ));
        }
        Ok(())
    }

    /// Limits, timeouts and intervals that must be positive or fit together.
    fn check_limits(&self) -> Result<(), (&'static str, String)> {
        if self.auth.max_failed_logins == 0 || self.auth.login_attempts_per_ip == 0 {
            return Err(("auth.max_failed_logins", "limits must be at least 1".into()));
        }
        if self.server.header_read_timeout.is_zero() || self.server.body_read_timeout.is_zero() {
            return Err((
                "server.header_read_timeout",
                "request timeouts must be longer than zero".into(),
            ));
        }
        if self.server.max_connections == 0 {
            return Err(("server.max_connections", "must be at least 1".into()));
        }
        if self.auth.max_api_keys_per_user == 0 {
            return Err(("auth.max_api_keys_per_user", "must be at least 1".into()));
        }
        if self
            .metrics
            .port
            .is_some_and(|p| p != 0 && p == self.server.port)
        {
            return Err((
                "metrics.port",
                "must differ from server.port: it is the internal port for /metrics".into(),
            ));
        }
        if self.chat.max_concurrent_requests == 0 {
            return Err(("chat.max_concurrent_requests", "must be at least 1".into()));
        }
        if self.auth.password_changes_per_minute == 0 {
            return Err((
                "auth.password_changes_per_minute",
                "must be at least 1".into(),
            ));
        }
        if self.chat.heartbeat_timeout < self.chat.heartbeat_interval * 2 {
            return Err((
                "chat.heartbeat_timeout",
                "must be at least twice chat.heartbeat_interval, or live turns would be marked interrupted".into(),
            ));
        }
        if self.chat.flush_interval.is_zero() || self.chat.heartbeat_interval.is_zero() {
            return Err((
                "chat.flush_interval",
                "chat.flush_interval and chat.heartbeat_interval must be more than 0".into(),
            ));
        }
        if self.database.max_connections == 0 {
            return Err(("database.max_connections", "must be at least 1".into()));
        }
        if self.rate_limit.requests_per_minute == 0 {
            return Err((
                "rate_limit.requests_per_minute",
                "must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// Values with a syntax of their own: CORS origins and the log filter.
    fn check_formats(&self) -> Result<(), (&'static str, String)> {
        if let Some(origin) = self
            .server
            .cors_origins
            .iter()
            .find(|o| o.as_str() == "*" || url::Url::parse(o).is_err())
        {
            return Err((
                "server.cors_origins",
                format!("{origin:?} is not an origin like https://chat.example.com (no wildcards)"),
            ));
        }
        if tracing_subscriber::EnvFilter::builder()
            .parse(&self.log.level)
            .is_err()
        {
            return Err((
                "log.level",
                "must be a level (error, warn, info, debug, trace) or a tracing filter".into(),
            ));
        }
        Ok(())
    }
}

/// Why a secret of the right length is still obviously weak (`aaaa…`, `abababab…`): fewer
/// than 8 different characters. Random secrets of 32 characters have about 16.
fn predictable(secret: &str) -> Option<String> {
    let distinct = secret
        .chars()
        .collect::<std::collections::HashSet<char>>()
        .len();
    (distinct < 8).then(|| {
        format!(
            "is too predictable: it has only {distinct} different characters; generate one with \
             `openssl rand -base64 48`"
        )
    })
}

fn is_database_url(url: &str) -> bool {
    ["sqlite:", "postgres://", "postgresql://"]
        .iter()
        .any(|p| url.starts_with(p))
}

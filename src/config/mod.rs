//! Static settings: what needs a restart to change (bind address, database, Redis, secrets,
//! limits). Loaded in layers — built-in defaults → `config/environments/{env}.yml` →
//! `config/secrets/{env}.env` → `.env` → process environment — and validated before anything
//! starts. Every setting has an environment name (`LLMCHAT_` + path with `__` between levels);
//! the seed guide's plain names (`PORT`, `DATABASE_URL`, …) are accepted too.

mod defaults;
mod env;
mod error;
mod list;
mod placeholders;
mod secret;
mod sso;
mod validate;

use std::path::PathBuf;
use std::time::Duration;

use bytesize::ByteSize;
use figment::Figment;
use figment::providers::{Format, Yaml};
use serde::{Deserialize, Serialize};

pub use env::Sources;
pub use error::ConfigError;
pub use placeholders::Placeholders;
pub use secret::{Secret, mask_url};
pub use sso::{BudgetSettings, LdapSettings, NewAccounts, OidcProvider};

/// The deployment environment, chosen by `LLMCHAT_ENV` (aliases `DEPLOYMENT_ENV`, `NODE_ENV`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Environment {
    #[default]
    Development,
    Staging,
    Production,
}

impl Environment {
    pub fn as_str(self) -> &'static str {
        match self {
            Environment::Development => "development",
            Environment::Staging => "staging",
            Environment::Production => "production",
        }
    }

    fn parse(value: &str) -> Option<Self> {
        match value.trim().to_ascii_lowercase().as_str() {
            "development" | "dev" => Some(Environment::Development),
            "staging" | "stage" => Some(Environment::Staging),
            "production" | "prod" => Some(Environment::Production),
            _ => None,
        }
    }
}

/// All static settings. Field names are the configuration keys.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Chosen before the layers are read; not settable inside them.
    #[serde(skip_deserializing)]
    pub environment: Environment,
    /// Debug mode (the seed's environment table): debug logs for LLMChat's own modules.
    pub debug: bool,
    /// Where the SQLite file and generated secrets live; nothing is written elsewhere.
    pub data_dir: PathBuf,
    pub server: ServerSettings,
    pub database: DatabaseSettings,
    pub redis: RedisSettings,
    pub auth: AuthSettings,
    pub log: LogSettings,
    pub rate_limit: RateLimitSettings,
    pub metrics: MetricsSettings,
    pub agents: AgentsSettings,
    pub outbound: OutboundSettings,
    pub chat: ChatSettings,
    pub uploads: UploadSettings,
    pub compat: CompatSettings,
    pub budgets: BudgetSettings,
    /// How long in-flight requests and background tasks get after SIGTERM.
    #[serde(with = "humantime_serde")]
    pub shutdown_grace: Duration,
    /// How long the server keeps accepting connections (readiness already 503) after SIGTERM,
    /// so that load balancers stop routing here first.
    #[serde(with = "humantime_serde")]
    pub shutdown_drain: Duration,
    /// Key for provider keys stored in the database (AES-256-GCM), at least 32 characters;
    /// development generates one in the data directory.
    pub encryption_key: Option<Secret>,
    /// With `admin_password`: the first admin, created at start when no admin exists.
    pub admin_username: Option<String>,
    pub admin_password: Option<Secret>,
    /// What `${NAME}` placeholders in the agents file resolve to: the variables of
    /// `config/secrets/{env}.env`, `.env` and the process environment, later ones winning.
    #[serde(skip)]
    pub placeholders: Placeholders,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    pub host: String,
    pub port: u16,
    /// Largest request body accepted by routes without a limit of their own.
    pub body_limit: ByteSize,
    /// Peers (CIDRs) whose `X-Forwarded-For` is believed: the ingress or load balancer.
    /// A list, or one comma-separated string from the environment.
    #[serde(deserialize_with = "list::deserialize")]
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Origins allowed to call the API from a browser (CORS); empty means same-origin only.
    #[serde(deserialize_with = "list::deserialize")]
    pub cors_origins: Vec<String>,
    /// Listen with `SO_REUSEPORT` so that a new release can start on the same port beside the
    /// old one for an upgrade without refused connections (Unix only).
    pub reuse_port: bool,
    /// The longest a client may take to send a request's headers; also how long an idle
    /// keep-alive connection stays open. Slow or silent clients are cut off (slowloris). Above
    /// the 60 s that proxies and load balancers keep idle upstream connections, so that they
    /// close theirs first and never send a request on one the server is closing.
    #[serde(with = "humantime_serde")]
    pub header_read_timeout: Duration,
    /// The longest a request body may go without sending a byte before the request is
    /// answered 408.
    #[serde(with = "humantime_serde")]
    pub body_read_timeout: Duration,
    /// Connections served at once; more wait in the listen queue until one closes.
    pub max_connections: usize,
    /// The address people reach the server at (`https://chat.example.com`), for links the
    /// server hands out, such as single sign-on's redirect URI; unset: the request's `Host`.
    pub public_url: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct DatabaseSettings {
    /// `sqlite://…` or `postgres://…`; empty means `sqlite://{data_dir}/llmchat.db`.
    #[serde(serialize_with = "secret::serialize_masked_url")]
    pub url: Option<String>,
    pub max_connections: u32,
    #[serde(with = "humantime_serde")]
    pub acquire_timeout: Duration,
    /// Apply pending migrations at start; when off, readiness waits for `llmchat migrate`.
    pub auto_migrate: bool,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedisSettings {
    /// `redis://…`; unset means in-process rate limits and stream hub.
    #[serde(serialize_with = "secret::serialize_masked_url")]
    pub url: Option<String>,
    /// Prefix of every key LLMChat writes, so that deployments can share one Redis.
    pub key_prefix: String,
    /// A PEM file of the CA(s) that sign a `rediss://` server's certificate, when they are not
    /// public ones (the compiled-in web roots are used otherwise).
    pub ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuthSettings {
    /// HS256 key for access tokens, at least 32 bytes; required outside development, where
    /// one is generated once and kept in the data directory.
    pub jwt_secret: Option<Secret>,
    /// Whether anyone may register; default open in development, closed elsewhere.
    pub registration: Option<Registration>,
    #[serde(with = "humantime_serde")]
    pub access_token_ttl: Duration,
    #[serde(with = "humantime_serde")]
    pub refresh_token_ttl: Duration,
    /// Failed logins in a row on one account from one address before that address waits…
    pub max_failed_logins: u32,
    /// …this long before its next attempt, twice as long after each further failure…
    #[serde(with = "humantime_serde")]
    pub login_backoff: Duration,
    /// …up to this long.
    #[serde(with = "humantime_serde")]
    pub lockout: Duration,
    /// Login attempts per minute from one client IP.
    pub login_attempts_per_ip: u32,
    /// Password hashes (argon2, 19 MiB each) computed at once; 0 means one per core.
    pub max_concurrent_hashes: u32,
    /// How long a login, registration or password change waits for a hashing slot before
    /// it is answered 503 with `Retry-After`.
    #[serde(with = "humantime_serde")]
    pub hash_queue_timeout: Duration,
    /// Password changes per minute for one user (wrong current passwords included).
    pub password_changes_per_minute: u32,
    /// Working (not revoked, not expired) API keys one user may hold.
    pub max_api_keys_per_user: u32,
    /// How long an account whose owner asked for its deletion waits before it is deleted
    /// for good (the owner may cancel meanwhile); 0 deletes at once.
    #[serde(with = "humantime_serde")]
    pub deletion_grace: Duration,
    /// Whether accounts may sign in (and register) with a password; false leaves single
    /// sign-on as the only way in.
    pub password_login: bool,
    /// OpenID Connect providers people may sign in with.
    pub oidc: Vec<OidcProvider>,
    /// An LDAP or Active Directory whose people sign in with the password form.
    pub ldap: Option<LdapSettings>,
}

/// Who may create an account with `POST /api/auth/register`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Registration {
    /// Anyone.
    Open,
    /// Nobody: admins create accounts.
    Closed,
    /// Only with an invitation code from an admin.
    #[serde(alias = "invitation", alias = "invitations")]
    Invite,
}

impl Registration {
    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Closed => "closed",
            Registration::Invite => "invite",
        }
    }

    pub fn parse(value: &str) -> Option<Registration> {
        match value {
            "open" => Some(Registration::Open),
            "closed" => Some(Registration::Closed),
            "invite" => Some(Registration::Invite),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// A level (`debug`) or a full filter (`info,sqlx=warn`); `RUST_LOG` overrides it.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Pretty when development runs on a terminal, JSON lines otherwise.
    #[default]
    Auto,
    Json,
    Pretty,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Requests per minute per principal (`API_RATE_LIMIT`).
    pub requests_per_minute: u32,
    /// With Redis, what happens while it cannot answer: `fail_open` falls back to in-process
    /// limits per replica, `fail_closed` refuses requests with 503.
    pub redis_failure: RedisFailureMode,
}

/// What the Redis backend does while Redis cannot answer (`rate_limit.redis_failure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RedisFailureMode {
    /// Fall back to in-process limits: each replica then allows `N` per principal on its own.
    #[default]
    FailOpen,
    /// Refuse requests (`ratelimit::RateLimitUnavailable`, which maps to `503`).
    FailClosed,
}

impl RedisFailureMode {
    /// The configuration spelling: `fail_open` or `fail_closed`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedisFailureMode::FailOpen => "fail_open",
            RedisFailureMode::FailClosed => "fail_closed",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgentsSettings {
    /// The agents file (`AGENTS_CONFIG`); when it does not exist only the built-in demo agent
    /// is offered.
    pub config: PathBuf,
    /// Names that agents stored through the admin API may use as `${NAME}` placeholders. Empty
    /// (the default): placeholders are resolved only in the agents file an operator writes, so
    /// that an admin's agent cannot read the server's environment.
    #[serde(deserialize_with = "list::deserialize")]
    pub allowed_placeholders: Vec<String>,
}

/// Requests to LLM providers.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct OutboundSettings {
    /// Allow link-local and cloud metadata addresses (169.254.0.0/16, fd00:ec2::254, …) as
    /// upstreams; off, so that an agent's URL cannot reach the host's credentials.
    pub allow_link_local: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// When set, `/metrics` and health details require it as a bearer token. Without it they
    /// are open in development and closed (403) in production.
    pub token: Option<Secret>,
    /// When set, `/metrics` is also served without a token on this port (same host): an
    /// internal port for a Prometheus inside the network, never published.
    pub port: Option<u16>,
}

/// Chat turns: titles, quotas, and how running turns are kept safe.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChatSettings {
    /// How a new conversation gets its title: `first_message` (its first words) or `agent`
    /// (the agent is asked for a short title after the first answer).
    pub titles: TitleMode,
    /// Tokens (prompt + completion) one user may spend per UTC day across all agents; none
    /// when unset.
    pub daily_token_quota: Option<u64>,
    /// Output tokens a request is assumed to need when neither it nor its agent sets
    /// `max_tokens`: held against the daily quota until the request's real usage is known.
    pub reserve_output_tokens: u64,
    /// Requests (chat turns and `/v1` calls) one user may have running at once on one
    /// replica; more are answered 429 `too_many_concurrent_requests`.
    pub max_concurrent_requests: u32,
    /// How often a running turn's partial answer is written to the database.
    #[serde(with = "humantime_serde")]
    pub flush_interval: Duration,
    /// How often this instance proves it is alive (and checks for dead instances' turns).
    #[serde(with = "humantime_serde")]
    pub heartbeat_interval: Duration,
    /// After how long without a heartbeat a turn's owner counts as dead.
    #[serde(with = "humantime_serde")]
    pub heartbeat_timeout: Duration,
    /// How long a finished turn's events stay available for replay by `/stream`.
    #[serde(with = "humantime_serde")]
    pub replay_retention: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TitleMode {
    #[default]
    FirstMessage,
    Agent,
}

/// Files users attach to messages (stored in the database).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct UploadSettings {
    /// Largest accepted file.
    pub max_size: ByteSize,
    /// What one user's uploads may take in all.
    pub quota_per_user: ByteSize,
    /// Attachment bytes one request to an agent may carry: a message's own files must fit,
    /// and earlier files of the conversation are sent again, newest first, only while they
    /// fit in what is left (the rest are named, not sent).
    pub max_per_request: ByteSize,
    /// Attachment bytes one conversation may hold across all its messages.
    pub max_per_conversation: ByteSize,
    /// Uploads older than this are deleted (messages that used them keep a note of the file);
    /// unset keeps them until their owner deletes them.
    #[serde(with = "humantime_serde")]
    pub retention: Option<Duration>,
}

/// The OpenAI- and Anthropic-compatible APIs under `/v1`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompatSettings {
    /// Also keep each `/v1` exchange as a conversation of the key's owner.
    pub store_conversations: bool,
}

impl Settings {
    /// Loads every layer from `sources` and validates the result.
    pub fn load(sources: &Sources) -> Result<Settings, ConfigError> {
        let environment = sources.environment()?;
        let env_file = sources
            .config_dir
            .join("environments")
            .join(format!("{}.yml", environment.as_str()));
        let secrets_file = sources
            .config_dir
            .join("secrets")
            .join(format!("{}.env", environment.as_str()));

        let mut figment = Figment::new();
        if env_file.is_file() {
            figment = figment.merge(Yaml::file_exact(&env_file));
        }
        for layer in sources.env_layers(&secrets_file)? {
            figment = figment.merge(layer);
        }
        let mut settings: Settings = figment.extract_lossy().map_err(ConfigError::from_figment)?;
        settings.environment = environment;
        settings.placeholders = sources.placeholders(&secrets_file)?;
        settings
            .validate()
            .map_err(|(key, problem)| ConfigError::invalid(&figment, key, &problem))?;
        Ok(settings)
    }

    /// The registration mode the configuration sets (an admin's choice in the console, kept
    /// in the database, wins over it: see `auth::registration`).
    pub fn registration(&self) -> Registration {
        self.auth.registration.unwrap_or(match self.environment {
            Environment::Development => Registration::Open,
            _ => Registration::Closed,
        })
    }

    /// The database URL in effect: the configured one, or the SQLite file in the data directory.
    pub fn database_url(&self) -> String {
        match self.database.url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => url.to_string(),
            _ => format!("sqlite://{}", self.data_dir.join("llmchat.db").display()),
        }
    }

    /// The settings as JSON with every secret masked, for `llmchat config check`.
    pub fn to_masked_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

#[cfg(test)]
mod tests;

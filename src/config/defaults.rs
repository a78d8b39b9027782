//! The built-in defaults of every settings section: what a server runs with when neither
//! `config/` nor the environment says otherwise (the README's settings tables list them).

use std::path::PathBuf;
use std::time::Duration;

use bytesize::ByteSize;

use super::*;

impl Default for AgentsSettings {
    fn default() -> Self {
        AgentsSettings {
            config: PathBuf::from("config/agents.yaml"),
            allowed_placeholders: Vec::new(),
        }
    }
}

impl Default for ChatSettings {
    fn default() -> Self {
        ChatSettings {
            titles: TitleMode::FirstMessage,
            daily_token_quota: None,
            reserve_output_tokens: 1024,
            max_concurrent_requests: 8,
            flush_interval: Duration::from_secs(2),
            heartbeat_interval: Duration::from_secs(10),
            heartbeat_timeout: Duration::from_secs(45),
            replay_retention: Duration::from_secs(300),
        }
    }
}

impl Default for UploadSettings {
    fn default() -> Self {
        UploadSettings {
            max_size: ByteSize::mib(10),
            quota_per_user: ByteSize::gib(1),
            max_per_request: ByteSize::mib(20),
            max_per_conversation: ByteSize::mib(100),
            retention: None,
        }
    }
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            environment: Environment::Development,
            debug: false,
            data_dir: PathBuf::from("./data"),
            server: ServerSettings::default(),
            database: DatabaseSettings::default(),
            redis: RedisSettings::default(),
            auth: AuthSettings::default(),
            log: LogSettings::default(),
            rate_limit: RateLimitSettings::default(),
            metrics: MetricsSettings::default(),
            agents: AgentsSettings::default(),
            outbound: OutboundSettings::default(),
            chat: ChatSettings::default(),
            uploads: UploadSettings::default(),
            compat: CompatSettings::default(),
            budgets: crate::config::BudgetSettings::default(),
            shutdown_grace: Duration::from_secs(30),
            shutdown_drain: Duration::ZERO,
            encryption_key: None,
            admin_username: None,
            admin_password: None,
            placeholders: Placeholders::default(),
        }
    }
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            host: "0.0.0.0".into(),
            port: 3001,
            body_limit: ByteSize::mib(10),
            trusted_proxies: Vec::new(),
            cors_origins: Vec::new(),
            reuse_port: false,
            header_read_timeout: Duration::from_secs(75),
            body_read_timeout: Duration::from_secs(30),
            max_connections: 10_000,
            public_url: None,
        }
    }
}

impl Default for DatabaseSettings {
    fn default() -> Self {
        DatabaseSettings {
            url: None,
            max_connections: 10,
            acquire_timeout: Duration::from_secs(5),
            auto_migrate: true,
        }
    }
}

impl Default for RedisSettings {
    fn default() -> Self {
        RedisSettings {
            url: None,
            key_prefix: "llmchat:".into(),
            ca_file: None,
        }
    }
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            jwt_secret: None,
            registration: None,
            access_token_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            max_failed_logins: 5,
            login_backoff: Duration::from_secs(1),
            lockout: Duration::from_secs(15 * 60),
            login_attempts_per_ip: 20,
            max_concurrent_hashes: 0,
            hash_queue_timeout: Duration::from_secs(5),
            password_changes_per_minute: 5,
            max_api_keys_per_user: 25,
            deletion_grace: Duration::from_secs(7 * 24 * 3600),
            password_login: true,
            oidc: Vec::new(),
            ldap: None,
        }
    }
}

impl Default for LogSettings {
    fn default() -> Self {
        LogSettings {
            level: "info".into(),
            format: LogFormat::Auto,
        }
    }
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        RateLimitSettings {
            requests_per_minute: 1000,
            redis_failure: super::RedisFailureMode::FailOpen,
        }
    }
}

use std::path::Path;

use super::*;

const SECRET: &str = "0123456789abcdef0123456789abcdef-long-enough";

struct Fixture {
    dir: tempfile::TempDir,
    vars: Vec<(String, String)>,
    dotenv: bool,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config/environments")).unwrap();
        std::fs::create_dir_all(dir.path().join("config/secrets")).unwrap();
        Fixture {
            dir,
            vars: Vec::new(),
            dotenv: false,
        }
    }

    fn file(&mut self, relative: &str, text: &str) -> &mut Fixture {
        std::fs::write(self.dir.path().join(relative), text).unwrap();
        if relative == ".env" {
            self.dotenv = true;
        }
        self
    }

    fn var(&mut self, name: &str, value: &str) -> &mut Fixture {
        self.vars.push((name.into(), value.into()));
        self
    }

    fn path(&self, relative: &str) -> String {
        self.dir.path().join(relative).display().to_string()
    }

    fn load(&self) -> Result<Settings, ConfigError> {
        let root: &Path = self.dir.path();
        Settings::load(&Sources {
            config_dir: root.join("config"),
            dotenv: self.dotenv.then(|| root.join(".env")),
            vars: self.vars.clone(),
        })
    }
}

#[test]
fn defaults_apply_when_nothing_is_configured() {
    let settings = Fixture::new().load().unwrap();
    assert_eq!(settings.environment, Environment::Development);
    assert_eq!(settings.server.port, 3001);
    assert_eq!(settings.rate_limit.requests_per_minute, 1000);
    assert_eq!(settings.shutdown_grace, Duration::from_secs(30));
    assert_eq!(settings.database_url(), "sqlite://./data/llmchat.db");
}

#[test]
fn later_layers_override_earlier_ones() {
    let mut f = Fixture::new();
    f.file(
        "config/environments/development.yml",
        "server:\n  port: 4000\n  host: 10.0.0.1\nlog:\n  level: debug\nrate_limit:\n  requests_per_minute: 10\n",
    )
    .file("config/secrets/development.env", "PORT=4001\nAPI_RATE_LIMIT=20\n")
    .file(".env", "PORT=4002\n");
    let s = f.load().unwrap();
    assert_eq!(s.server.port, 4002, ".env beats the secrets file");
    assert_eq!(
        s.rate_limit.requests_per_minute, 20,
        "secrets file beats YAML"
    );
    assert_eq!(s.server.host, "10.0.0.1", "YAML beats defaults");
    assert_eq!(s.log.level, "debug");

    f.var("PORT", "4003");
    assert_eq!(
        f.load().unwrap().server.port,
        4003,
        "process env beats .env"
    );
}

#[test]
fn prefixed_names_reach_every_setting_and_win_over_plain_names() {
    let mut f = Fixture::new();
    f.var("PORT", "5000")
        .var("LLMCHAT_SERVER__PORT", "5001")
        .var("LLMCHAT_SHUTDOWN_GRACE", "7s")
        .var("LLMCHAT_DATA_DIR", "/var/lib/llmchat")
        .var("LLMCHAT_DATABASE__AUTO_MIGRATE", "false")
        .var("LLMCHAT_SERVER__BODY_LIMIT", "2 MiB");
    let s = f.load().unwrap();
    assert_eq!(s.server.port, 5001);
    assert_eq!(s.shutdown_grace, Duration::from_secs(7));
    assert_eq!(s.data_dir, PathBuf::from("/var/lib/llmchat"));
    assert!(!s.database.auto_migrate);
    assert_eq!(s.server.body_limit, ByteSize::mib(2));
    assert_eq!(s.database_url(), "sqlite:///var/lib/llmchat/llmchat.db");
}

#[test]
fn environment_comes_from_llmchat_env_or_its_aliases() {
    let mut f = Fixture::new();
    f.file("config/environments/staging.yml", "log:\n  level: info\n")
        .file(
            "config/environments/production.yml",
            "log:\n  level: warn\n",
        )
        .var("JWT_SECRET", SECRET);

    f.var("NODE_ENV", "staging");
    let s = f.load().unwrap();
    assert_eq!(s.environment, Environment::Staging);
    assert_eq!(s.log.level, "info");

    f.var("DEPLOYMENT_ENV", "production");
    assert_eq!(
        f.load().unwrap().environment,
        Environment::Production,
        "DEPLOYMENT_ENV is preferred to NODE_ENV"
    );

    let mut g = Fixture::new();
    g.file(
        "config/environments/production.yml",
        "log:\n  level: warn\n",
    )
    .var("JWT_SECRET", SECRET)
    .var("DEPLOYMENT_ENV", "production")
    .var("NODE_ENV", "development");
    let s = g.load().unwrap();
    assert_eq!(s.environment, Environment::Production);
    assert_eq!(s.log.level, "warn");

    g.var("LLMCHAT_ENV", "development");
    assert_eq!(g.load().unwrap().environment, Environment::Development);
}

#[test]
fn environment_can_be_chosen_in_dot_env() {
    let mut f = Fixture::new();
    f.file(
        ".env",
        &format!("NODE_ENV=production\nJWT_SECRET={SECRET}\n"),
    );
    assert_eq!(f.load().unwrap().environment, Environment::Production);
}

#[test]
fn unknown_environment_name_is_rejected() {
    let mut f = Fixture::new();
    f.var("NODE_ENV", "qa");
    let e = f.load().unwrap_err().to_string();
    assert!(e.contains("NODE_ENV") && e.contains("\"qa\""), "{e}");
}

#[test]
fn unknown_key_in_a_yaml_file_names_key_and_file() {
    let mut f = Fixture::new();
    f.file(
        "config/environments/development.yml",
        "server:\n  prot: 80\n",
    );
    let e = f.load().unwrap_err().to_string();
    assert!(e.contains("unknown key server.prot"), "{e}");
    assert!(
        e.contains(&f.path("config/environments/development.yml")),
        "{e}"
    );
    assert!(!e.contains('\n'));
}

#[test]
fn unknown_llmchat_variable_names_the_variable_and_where_it_was_set() {
    let mut f = Fixture::new();
    f.var("LLMCHAT_SERVER__PROT", "80")
        .var("OTHER_TOOL_SETTING", "x");
    let e = f.load().unwrap_err().to_string();
    assert_eq!(
        e,
        "configuration error: unknown key LLMCHAT_SERVER__PROT (server.prot) in the environment"
    );
    assert!(e.contains("the environment"), "{e}");

    let mut g = Fixture::new();
    g.file("config/secrets/development.env", "LLMCHAT_NOPE=1\n");
    let e = g.load().unwrap_err().to_string();
    assert!(e.contains("LLMCHAT_NOPE"), "{e}");
    assert!(e.contains(&g.path("config/secrets/development.env")), "{e}");
}

#[test]
fn malformed_value_names_the_variable_and_the_file() {
    let mut f = Fixture::new();
    f.file(".env", "PORT=eighty\n");
    let e = f.load().unwrap_err().to_string();
    assert!(
        e.contains("PORT") && e.contains(".env") && e.contains("eighty"),
        "{e}"
    );
    eprintln!("{e}");

    let mut g = Fixture::new();
    g.file(
        "config/environments/development.yml",
        "shutdown_grace: soon\n",
    );
    let e = g.load().unwrap_err().to_string();
    assert!(
        e.contains("shutdown_grace") && e.contains("development.yml"),
        "{e}"
    );

    let mut h = Fixture::new();
    h.var("LLMCHAT_LOG__FORMAT", "xml");
    let e = h.load().unwrap_err().to_string();
    assert!(
        e.contains("LLMCHAT_LOG__FORMAT") && e.contains("xml"),
        "{e}"
    );
}

#[test]
fn production_without_jwt_secret_does_not_start() {
    let mut f = Fixture::new();
    f.var("LLMCHAT_ENV", "production");
    let e = f.load().unwrap_err().to_string();
    assert!(e.contains("JWT_SECRET") && e.contains("production"), "{e}");

    f.var("JWT_SECRET", "short");
    let e = f.load().unwrap_err().to_string();
    assert!(e.contains("at least 32 bytes"), "{e}");
}

#[test]
fn obviously_weak_secrets_are_refused_like_short_ones() {
    for weak in ["a".repeat(40), "ab".repeat(20), "0123456".repeat(6)] {
        let mut f = Fixture::new();
        f.var("LLMCHAT_ENV", "production");
        f.var("JWT_SECRET", &weak);
        let e = f.load().unwrap_err().to_string();
        assert!(
            e.contains("JWT_SECRET") && e.contains("too predictable"),
            "{e}"
        );
        assert!(!e.contains(&weak), "the secret is not printed: {e}");

        let mut g = Fixture::new();
        g.var("LLMCHAT_ENCRYPTION_KEY", &weak);
        let e = g.load().unwrap_err().to_string();
        assert!(
            e.contains("ENCRYPTION_KEY") && e.contains("too predictable"),
            "{e}"
        );
    }
    let mut ok = Fixture::new();
    ok.var("LLMCHAT_ENV", "production");
    ok.var("JWT_SECRET", "kq3J8vZp0Xw2Lr7TnYb5Hc1Md9Fg4Sa6");
    assert!(ok.load().is_ok());
}

#[test]
fn bad_urls_are_rejected_with_their_key() {
    let mut f = Fixture::new();
    f.var("DATABASE_URL", "mysql://db/llmchat");
    assert!(f.load().unwrap_err().to_string().contains("database.url"));
    let mut g = Fixture::new();
    g.var("REDIS_URL", "localhost:6379");
    assert!(g.load().unwrap_err().to_string().contains("redis.url"));
}

#[test]
fn debug_variable_from_the_guide_turns_on_debug_mode() {
    let mut f = Fixture::new();
    f.var("DEBUG", "express:*");
    assert!(!f.load().unwrap().debug, "another tool's DEBUG is not ours");
    f.var("DEBUG", "llmchat:*");
    let s = f.load().unwrap();
    assert!(s.debug);
    assert_eq!(crate::telemetry::log_filter(&s, None), "info,llmchat=debug");
    assert_eq!(crate::telemetry::log_filter(&s, Some("warn")), "warn");
}

#[test]
fn debug_logs_hold_libraries_at_info_unless_the_level_names_them() {
    let mut f = Fixture::new();
    f.var("LOG_LEVEL", "debug");
    let filter = crate::telemetry::log_filter(&f.load().unwrap(), None);
    for quiet in ["sqlx=info", "rustls=info", "hyper=info"] {
        assert!(filter.contains(quiet), "{filter}");
    }
    f.var("LOG_LEVEL", "debug,sqlx=debug");
    let filter = crate::telemetry::log_filter(&f.load().unwrap(), None);
    assert!(
        filter.contains("sqlx=debug") && !filter.contains("sqlx=info"),
        "{filter}"
    );
    assert!(filter.contains("rustls=info"), "{filter}");
    assert!(
        tracing_subscriber::EnvFilter::builder()
            .parse(&filter)
            .is_ok(),
        "{filter}"
    );
    f.var("LOG_LEVEL", "warn");
    assert_eq!(
        crate::telemetry::log_filter(&f.load().unwrap(), None),
        "warn"
    );
}

#[test]
fn secrets_are_masked_when_printed() {
    let mut f = Fixture::new();
    f.var("JWT_SECRET", SECRET)
        .var("METRICS_TOKEN", "metrics-token-value")
        .var("DATABASE_URL", "postgres://app:hunter2-pw@db:5432/llmchat")
        .var("REDIS_URL", "redis://:redis-pw@cache:6379");
    let s = f.load().unwrap();
    let printed = s.to_masked_json();
    for secret in [SECRET, "metrics-token-value", "hunter2-pw", "redis-pw"] {
        assert!(!printed.contains(secret), "{secret} leaked: {printed}");
        assert!(!format!("{:?}", s.auth).contains(secret));
    }
    assert!(
        printed.contains("postgres://app:********@db:5432/llmchat"),
        "{printed}"
    );
    assert_eq!(s.auth.jwt_secret.unwrap().expose(), SECRET);
}

#[test]
fn a_malformed_secret_is_not_echoed() {
    let mut f = Fixture::new();
    f.file(
        "config/environments/development.yml",
        "auth:\n  jwt_secret: [\"s3cr3t-in-a-list\"]\n",
    );
    let e = f.load().unwrap_err().to_string();
    assert!(
        e.contains("auth.jwt_secret") && !e.contains("s3cr3t"),
        "{e}"
    );
}

#[test]
fn kubernetes_service_links_and_tooling_names_are_not_unknown_settings() {
    let mut f = Fixture::new();
    for (name, value) in [
        ("LLMCHAT_BACKEND_SERVICE_SERVICE_HOST", "10.0.0.12"),
        ("LLMCHAT_BACKEND_SERVICE_SERVICE_PORT", "80"),
        ("LLMCHAT_BACKEND_SERVICE_PORT", "tcp://10.0.0.12:80"),
        ("LLMCHAT_BACKEND_SERVICE_PORT_80_TCP", "tcp://10.0.0.12:80"),
        ("LLMCHAT_BACKEND_SERVICE_PORT_80_TCP_PROTO", "tcp"),
        ("LLMCHAT_BACKEND_SERVICE_PORT_80_TCP_PORT", "80"),
        ("LLMCHAT_BACKEND_SERVICE_PORT_80_TCP_ADDR", "10.0.0.12"),
        ("LLMCHAT_PORT", "tcp://10.0.0.13:3001"),
        ("LLMCHAT_TEST_PG_PORT", "5432"),
        ("LLMCHAT_GIT_COMMIT", "abc123"),
        // The operations scripts' own variables, exported in an operator's shell.
        ("LLMCHAT_URL", "http://localhost:3001"),
        ("LLMCHAT_BACKUP_DIR", "/var/backups/llmchat"),
        ("LLMCHAT_DEPLOY_ROOT", "/srv/llmchat"),
        ("LLMCHAT_DEPLOY_TARGET", "local"),
        ("LLMCHAT_BIN", "target/release/llmchat"),
        ("LLMCHAT_IMAGE", "llmchat:latest"),
    ] {
        f.var(name, value);
    }
    assert_eq!(f.load().unwrap().server.port, 3001);

    f.var("LLMCHAT_PORT", "8080");
    let e = f.load().unwrap_err().to_string();
    assert!(
        e.contains("LLMCHAT_PORT"),
        "a real typo is still reported: {e}"
    );
}

#[test]
fn empty_values_count_as_unset() {
    let mut f = Fixture::new();
    f.var("METRICS_TOKEN", "")
        .var("REDIS_URL", "")
        .var("DATABASE_URL", " ")
        .var("PORT", "");
    let s = f.load().unwrap();
    assert!(s.metrics.token.is_none());
    assert!(s.redis.url.is_none());
    assert_eq!(s.server.port, 3001);
    assert!(s.database_url().starts_with("sqlite://"));
}

#[test]
fn cors_origins_come_as_a_list_and_wildcards_are_refused() {
    let mut f = Fixture::new();
    f.var(
        "LLMCHAT_SERVER__CORS_ORIGINS",
        "https://a.example.com, https://b.example.com",
    )
    .var("LLMCHAT_SERVER__TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1/32");
    let s = f.load().unwrap();
    assert_eq!(
        s.server.cors_origins,
        ["https://a.example.com", "https://b.example.com"]
    );
    assert_eq!(s.server.trusted_proxies.len(), 2);

    f.var("LLMCHAT_SERVER__CORS_ORIGINS", "*");
    let e = f.load().unwrap_err().to_string();
    assert!(
        e.contains("server.cors_origins") && e.contains("no wildcards"),
        "{e}"
    );

    let mut g = Fixture::new();
    g.var("LLMCHAT_SERVER__TRUSTED_PROXIES", "10.0.0.0/33");
    let e = g.load().unwrap_err().to_string();
    assert!(e.contains("TRUSTED_PROXIES"), "{e}");
}

#[test]
fn chat_timings_that_would_interrupt_live_turns_are_rejected() {
    let mut fixture = Fixture::new();
    fixture
        .var("LLMCHAT_CHAT__HEARTBEAT_INTERVAL", "10s")
        .var("LLMCHAT_CHAT__HEARTBEAT_TIMEOUT", "15s");
    let error = fixture.load().unwrap_err().to_string();
    assert!(error.contains("chat.heartbeat_timeout"), "{error}");
    let mut fixture = Fixture::new();
    fixture
        .var("LLMCHAT_CHAT__TITLES", "agent")
        .var("LLMCHAT_CHAT__DAILY_TOKEN_QUOTA", "50000");
    let settings = fixture.load().unwrap();
    assert_eq!(settings.chat.titles, crate::config::TitleMode::Agent);
    assert_eq!(settings.chat.daily_token_quota, Some(50_000));
}

#[test]
fn variables_the_build_sets_for_cargo_run_are_not_settings() {
    // `cargo run` hands every `cargo:rustc-env` of build.rs to the program it starts.
    let build_script = include_str!("../../build.rs");
    let names: Vec<&str> = build_script
        .split("cargo:rustc-env=")
        .skip(1)
        .filter_map(|rest| rest.split('=').next())
        .collect();
    assert!(names.len() >= 3, "found {names:?} in build.rs");
    let mut f = Fixture::new();
    for name in &names {
        f.var(name, "12345");
    }
    let loaded = f.load();
    assert!(
        loaded.is_ok(),
        "{names:?} stopped the server: {:?}",
        loaded.err().map(|e| e.to_string())
    );
}

#[test]
fn agent_placeholders_resolve_from_dotenv_and_the_secrets_file() {
    let mut f = Fixture::new();
    f.file(".env", "OPENAI_API_KEY=sk-from-dotenv\nEMPTY_IN_DOTENV=\n")
        .file(
            "config/secrets/development.env",
            "OPENAI_API_KEY=sk-from-secrets\nANTHROPIC_API_KEY=sk-ant-from-secrets\nEMPTY_IN_DOTENV=kept\n",
        )
        .file(
            "agents.yaml",
            "agents:\n  - id: gpt\n    name: GPT\n    provider: {type: openai, base_url: \"https://api.openai.com/v1\", api_key: \"${OPENAI_API_KEY}\", model: gpt-4o-mini}\n  - id: claude\n    name: Claude\n    provider: {type: anthropic, base_url: \"https://api.anthropic.com\", api_key: \"${ANTHROPIC_API_KEY}\", model: claude-sonnet-4-5}\n",
        );
    let agents = f.path("agents.yaml");
    f.var("AGENTS_CONFIG", &agents);
    let settings = f.load().unwrap();
    let p = &settings.placeholders;
    assert_eq!(p.get("OPENAI_API_KEY").as_deref(), Some("sk-from-dotenv"));
    assert_eq!(
        p.get("ANTHROPIC_API_KEY").as_deref(),
        Some("sk-ant-from-secrets")
    );
    assert_eq!(
        p.get("EMPTY_IN_DOTENV").as_deref(),
        Some("kept"),
        "empty means unset"
    );
    assert!(
        !format!("{settings:?}").contains("sk-from"),
        "never printed"
    );

    let runtime = crate::runtime::Runtime::load(&settings).unwrap();
    let key = |id: &str| {
        runtime
            .agent(id)
            .unwrap()
            .def
            .provider
            .upstream()
            .unwrap()
            .api_key
            .clone()
    };
    assert_eq!(key("gpt").as_deref(), Some("sk-from-dotenv"));
    assert_eq!(key("claude").as_deref(), Some("sk-ant-from-secrets"));

    f.var("OPENAI_API_KEY", "sk-from-the-process");
    let settings = f.load().unwrap();
    let runtime = crate::runtime::Runtime::load(&settings).unwrap();
    let upstream = runtime
        .agent("gpt")
        .unwrap()
        .def
        .provider
        .upstream()
        .cloned()
        .unwrap();
    assert_eq!(upstream.api_key.as_deref(), Some("sk-from-the-process"));
}

/// The review's finding: development listened on every interface with open registration.
#[test]
fn development_listens_on_loopback_only() {
    let shipped = |vars: Vec<(String, String)>| Sources {
        config_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/config")),
        dotenv: None,
        vars,
    };
    let dev = Settings::load(&shipped(Vec::new())).unwrap();
    assert_eq!(dev.server.host, "127.0.0.1");
    let open = Settings::load(&shipped(vec![("HOST".into(), "0.0.0.0".into())])).unwrap();
    assert_eq!(
        open.server.host, "0.0.0.0",
        "as the image and the manifests set it"
    );
    let production = Settings::load(&shipped(vec![
        ("LLMCHAT_ENV".into(), "production".into()),
        (
            "JWT_SECRET".into(),
            "kq3J8vZp0Xw2Lr7TnYb5Hc1Md9Fg4Sa6".into(),
        ),
    ]))
    .unwrap();
    assert_eq!(production.server.host, "0.0.0.0");
}

#[test]
fn single_sign_on_settings_are_checked_and_their_secrets_come_from_the_environment() {
    let corp = "auth:\n  oidc:\n    - {id: corp, name: Corp, issuer: \"https://id.example.com\", client_id: llmchat, client_secret: \"${OIDC_SECRET}\"}\n";
    let mut unset = Fixture::new();
    unset.file("config/environments/development.yml", corp);
    let error = unset.load().unwrap_err().to_string();
    assert!(
        error.contains("auth.oidc") && error.contains("OIDC_SECRET"),
        "{error}"
    );

    let mut set = Fixture::new();
    set.file("config/environments/development.yml", corp);
    set.var("OIDC_SECRET", "s3cret-from-env");
    let settings = set.load().unwrap();
    let provider = &settings.auth.oidc[0];
    assert_eq!(
        provider.resolved_secret(&settings.placeholders).unwrap(),
        "s3cret-from-env"
    );
    assert!(!settings.to_masked_json().contains("s3cret"));

    let cases = [
        (
            "auth:\n  oidc:\n    - {id: \"has space\", name: X, issuer: \"https://i.example\", client_id: c, client_secret: s}\n",
            "auth.oidc",
        ),
        (
            "auth:\n  oidc:\n    - {id: x, name: X, issuer: \"ftp://i.example\", client_id: c, client_secret: s}\n",
            "auth.oidc",
        ),
        (
            "auth:\n  ldap: {url: \"http://ldap.example\", user_base: \"dc=example\"}\n",
            "auth.ldap",
        ),
        (
            "auth:\n  ldap: {url: \"ldap://ldap.example\", user_base: \"dc=example\", user_filter: \"(uid=x)\"}\n",
            "auth.ldap",
        ),
        ("auth:\n  password_login: false\n", "auth.password_login"),
        (
            "budgets:\n  webhook_url: \"not a url\"\n",
            "budgets.webhook_url",
        ),
        (
            "server:\n  public_url: \"chat.example.com\"\n",
            "server.public_url",
        ),
    ];
    for (yaml, key) in cases {
        let mut f = Fixture::new();
        f.file("config/environments/development.yml", yaml);
        let error = f.load().unwrap_err().to_string();
        assert!(error.contains(key), "{yaml} -> {error}");
    }
}

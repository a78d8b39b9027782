//! Environment-variable layers: the process environment, `.env` and `config/secrets/{env}.env`
//! all speak the same names, and each becomes one figment provider that remembers where every
//! value came from, so that errors can name the variable and the file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use figment::value::{Dict, Map, Value};
use figment::{Metadata, Profile, Provider};

use super::{ConfigError, Environment};

const PREFIX: &str = "LLMCHAT_";

/// `LLMCHAT_*` names that are not settings: read before the layers, by the build, or by the
/// operations scripts and tests (an operator's shell that exports them still starts the server).
const NOT_SETTINGS: &[&str] = &[
    "LLMCHAT_ENV",
    "LLMCHAT_CONFIG_DIR",
    "LLMCHAT_GIT_COMMIT",
    "LLMCHAT_VERSION",
    "LLMCHAT_SKIP_WEB_BUILD",
    // scripts/deployment, scripts/monitoring, scripts/backup
    "LLMCHAT_URL",
    "LLMCHAT_BACKUP_DIR",
    "LLMCHAT_DEPLOY_ROOT",
    "LLMCHAT_DEPLOY_TARGET",
    // tests/ops and the mock vendor server
    "LLMCHAT_BIN",
    "LLMCHAT_MOCK_BIN",
    "LLMCHAT_MOCK_FIXTURES",
    "LLMCHAT_IMAGE",
    "LLMCHAT_OPS_VENV",
];
const NOT_SETTINGS_PREFIXES: &[&str] = &["LLMCHAT_TEST_"];

/// The seed guide's plain names and the settings they set.
const PLAIN_VARS: &[(&str, &str)] = &[
    ("PORT", "server.port"),
    ("HOST", "server.host"),
    ("DATABASE_URL", "database.url"),
    ("REDIS_URL", "redis.url"),
    ("JWT_SECRET", "auth.jwt_secret"),
    ("LOG_LEVEL", "log.level"),
    ("API_RATE_LIMIT", "rate_limit.requests_per_minute"),
    ("METRICS_TOKEN", "metrics.token"),
    ("METRICS_PORT", "metrics.port"),
    ("AGENTS_CONFIG", "agents.config"),
];

/// Where configuration comes from: the config directory, an optional `.env` file and the
/// environment variables. Tests build one by hand instead of touching the process environment.
#[derive(Debug, Clone)]
pub struct Sources {
    pub config_dir: PathBuf,
    pub dotenv: Option<PathBuf>,
    pub vars: Vec<(String, String)>,
}

impl Sources {
    /// The process environment, `./.env` when present, and `LLMCHAT_CONFIG_DIR` (default `config`).
    pub fn from_process() -> Sources {
        let vars: Vec<(String, String)> = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect();
        let config_dir = vars
            .iter()
            .find(|(k, _)| k == "LLMCHAT_CONFIG_DIR")
            .map(|(_, v)| PathBuf::from(v))
            .unwrap_or_else(|| PathBuf::from("config"));
        let dotenv = Some(PathBuf::from(".env")).filter(|p| p.is_file());
        Sources {
            config_dir,
            dotenv,
            vars,
        }
    }

    /// The environment name: process environment first, then `.env`; default development.
    pub(super) fn environment(&self) -> Result<Environment, ConfigError> {
        let dotenv = match &self.dotenv {
            Some(path) => read_env_file(path)?,
            None => Vec::new(),
        };
        for (vars, origin) in [(&self.vars, "the environment"), (&dotenv, ".env")] {
            for name in ["LLMCHAT_ENV", "DEPLOYMENT_ENV", "NODE_ENV"] {
                if let Some((_, value)) = vars.iter().find(|(k, _)| k == name) {
                    return Environment::parse(value).ok_or_else(|| {
                        ConfigError::line(format!(
                            "invalid value {value:?} for {name} in {origin}: expected development, staging or production"
                        ))
                    });
                }
            }
        }
        Ok(Environment::Development)
    }

    /// Secrets file, `.env`, then the process environment, in merge order.
    pub(super) fn env_layers(&self, secrets_file: &Path) -> Result<Vec<EnvLayer>, ConfigError> {
        let mut layers = Vec::new();
        if secrets_file.is_file() {
            layers.push(EnvLayer::new(
                secrets_file.display().to_string(),
                read_env_file(secrets_file)?,
            )?);
        }
        if let Some(path) = &self.dotenv {
            layers.push(EnvLayer::new(
                path.display().to_string(),
                read_env_file(path)?,
            )?);
        }
        layers.push(EnvLayer::new("the environment".into(), self.vars.clone())?);
        Ok(layers)
    }
}

impl Sources {
    /// Every variable of the secrets file, `.env` and the process environment (in that order,
    /// so later ones win; empty values do not hide earlier ones), for `${NAME}` placeholders.
    pub(super) fn placeholders(
        &self,
        secrets_file: &Path,
    ) -> Result<super::Placeholders, ConfigError> {
        let mut files = Vec::new();
        if secrets_file.is_file() {
            files.extend(read_env_file(secrets_file)?);
        }
        if let Some(path) = &self.dotenv {
            files.extend(read_env_file(path)?);
        }
        let vars = files
            .into_iter()
            .chain(self.vars.iter().cloned())
            .filter(|(_, value)| !value.trim().is_empty());
        Ok(super::Placeholders::new(vars))
    }
}

fn read_env_file(path: &Path) -> Result<Vec<(String, String)>, ConfigError> {
    let iter = dotenvy::from_path_iter(path).map_err(|e| {
        ConfigError::line(format!("cannot read {}: {}", path.display(), one_line(&e)))
    })?;
    iter.map(|item| {
        item.map_err(|e| ConfigError::line(format!("in {}: {}", path.display(), one_line(&e))))
    })
    .collect()
}

fn one_line(e: &dyn std::fmt::Display) -> String {
    e.to_string().replace('\n', " ")
}

/// The settings that one source of environment variables sets.
pub(super) struct EnvLayer {
    origin: String,
    /// (setting path, variable name, value); plain names first so `LLMCHAT_*` wins.
    entries: Vec<(String, String, String)>,
}

impl EnvLayer {
    fn new(origin: String, vars: Vec<(String, String)>) -> Result<EnvLayer, ConfigError> {
        let mut plain = Vec::new();
        let mut prefixed = Vec::new();
        for (name, value) in vars {
            // An empty value means "not set", as in most deployment tools' templates.
            if value.trim().is_empty() {
                continue;
            }
            if let Some(&(_, path)) = PLAIN_VARS.iter().find(|(n, _)| *n == name) {
                plain.push((path.to_string(), name, value));
            } else if name == "DEBUG" {
                // The seed's `DEBUG=llmchat:*`; other tools' DEBUG values are not ours.
                if value.split(',').any(|v| v.trim().starts_with("llmchat")) {
                    plain.push(("debug".into(), name, "true".into()));
                }
            } else if let Some(rest) = name.strip_prefix(PREFIX) {
                if NOT_SETTINGS.contains(&name.as_str())
                    || NOT_SETTINGS_PREFIXES.iter().any(|p| name.starts_with(p))
                    || is_kubernetes_service_link(rest, &value)
                {
                    continue;
                }
                if rest.is_empty() || rest.split("__").any(str::is_empty) {
                    return Err(ConfigError::line(format!(
                        "unknown setting {name} in {origin}: not a valid setting name"
                    )));
                }
                let path = rest.to_ascii_lowercase().replace("__", ".");
                prefixed.push((path, name, value));
            }
        }
        plain.extend(prefixed);
        Ok(EnvLayer {
            origin,
            entries: plain,
        })
    }
}

impl Provider for EnvLayer {
    fn metadata(&self) -> Metadata {
        let names: HashMap<String, String> = self
            .entries
            .iter()
            .map(|(path, name, _)| (path.clone(), name.clone()))
            .collect();
        Metadata::named(self.origin.clone()).interpolater(move |_: &Profile, keys: &[&str]| {
            let path = keys.join(".");
            names
                .get(&path)
                .cloned()
                .unwrap_or_else(|| format!("{PREFIX}{}", keys.join("__").to_ascii_uppercase()))
        })
    }

    fn data(&self) -> Result<Map<Profile, Dict>, figment::Error> {
        let mut dict = Dict::new();
        for (path, _, value) in &self.entries {
            let keys: Vec<&str> = path.split('.').collect();
            insert(&mut dict, &keys, Value::from(value.clone()));
        }
        Ok(Profile::Default.collect(dict))
    }
}

fn insert(dict: &mut Dict, keys: &[&str], value: Value) {
    match keys {
        [] => {}
        [last] => {
            dict.insert((*last).to_string(), value);
        }
        [first, rest @ ..] => {
            let entry = dict
                .entry((*first).to_string())
                .or_insert_with(|| Value::from(Dict::new()));
            if !matches!(entry, Value::Dict(..)) {
                *entry = Value::from(Dict::new());
            }
            if let Value::Dict(_, inner) = entry {
                insert(inner, rest, value);
            }
        }
    }
}

/// Kubernetes injects `{SERVICE}_SERVICE_HOST`, `{SERVICE}_PORT=tcp://…` and friends for every
/// Service in the namespace; a Service named `llmchat…` must not stop the pod. Our own names
/// never look like these (levels are separated by `__`).
fn is_kubernetes_service_link(rest: &str, value: &str) -> bool {
    if rest.contains("__") {
        return false;
    }
    if rest.ends_with("SERVICE_HOST") || rest.contains("SERVICE_PORT") {
        return true;
    }
    let url_like = ["tcp://", "udp://", "sctp://"]
        .iter()
        .any(|p| value.starts_with(p));
    (rest == "PORT" || rest.ends_with("_PORT")) && url_like
        || rest
            .split('_')
            .any(|part| matches!(part, "TCP" | "UDP" | "SCTP"))
            && (rest.starts_with("PORT_") || rest.contains("_PORT_"))
}

//! A configuration problem as one line that names the key and where it came from.

use figment::error::Kind;

/// Why the configuration cannot be used; `llmchat` prints it and exits with code 2.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub(super) fn line(message: String) -> ConfigError {
        ConfigError(message.replace('\n', " "))
    }

    /// A value that parsed but is not acceptable, named as it was given and where.
    pub(super) fn invalid(figment: &figment::Figment, key: &str, problem: &str) -> ConfigError {
        let keys: Vec<&str> = key.split('.').collect();
        let Some(md) = figment.find_metadata(key) else {
            let hint = env_hint(key).map(|v| format!(" ({v})")).unwrap_or_default();
            return ConfigError::line(format!("{key}{hint}: {problem}"));
        };
        let (name, origin) = describe(md, &keys);
        ConfigError::line(format!("invalid value for {name} in {origin}: {problem}"))
    }

    /// Renders a figment error as "<problem> <key> in <source>".
    pub(super) fn from_figment(error: figment::Error) -> ConfigError {
        let mut keys: Vec<&str> = error.path.iter().map(String::as_str).collect();
        let problem = match &error.kind {
            Kind::UnknownField(field, _) => {
                if keys.last() != Some(&field.as_str()) {
                    keys.push(field);
                }
                "unknown key".to_string()
            }
            Kind::InvalidType(actual, expected) => {
                format!("invalid value (found {actual}, expected {expected}) for")
            }
            Kind::InvalidValue(actual, expected) => {
                format!("invalid value (found {actual}, expected {expected}) for")
            }
            Kind::UnknownVariant(actual, expected) => {
                format!(
                    "invalid value (found {actual:?}, expected one of {}) for",
                    expected.join(", ")
                )
            }
            Kind::Message(message) => format!("invalid value ({message}) for"),
            other => format!("invalid value ({other}) for"),
        };
        // Never echo what was given for a secret.
        let dotted = keys.join(".");
        let problem = if ["secret", "token", "url", "password"]
            .iter()
            .any(|s| dotted.contains(s))
            && problem.starts_with("invalid value (")
        {
            "invalid value for".to_string()
        } else {
            problem
        };
        let (key, origin) = match &error.metadata {
            Some(md) => describe(md, &keys),
            None => (dotted, "the built-in defaults".to_string()),
        };
        ConfigError::line(format!("{problem} {key} in {origin}"))
    }
}

/// The key as its source spells it (`PORT (server.port)`) and the source (a file or
/// "the environment").
fn describe(md: &figment::Metadata, keys: &[&str]) -> (String, String) {
    let dotted = keys.join(".");
    let origin = match &md.source {
        Some(figment::Source::File(path)) => path.display().to_string(),
        Some(other) => other.to_string(),
        None => md.name.to_string(),
    };
    // Files are named by path; environment layers by variable name.
    let native = match &md.source {
        Some(figment::Source::File(_)) => dotted.clone(),
        _ => md.interpolate(&figment::Profile::Default, keys),
    };
    let key = if native == dotted || keys.is_empty() {
        dotted
    } else {
        format!("{native} ({dotted})")
    };
    (key, origin)
}

/// The plain environment variable for a key, for messages about missing values.
fn env_hint(key: &str) -> Option<&'static str> {
    match key {
        "auth.jwt_secret" => Some("JWT_SECRET"),
        "database.url" => Some("DATABASE_URL"),
        _ => None,
    }
}

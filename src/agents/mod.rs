//! Agents: what users chat with. Each is a provider plus a persona (prompt, limits, who may
//! use it). Defined in `config/agents.yaml` (path from `AGENTS_CONFIG`) and by admins in the
//! database; loaded, resolved (`${VAR}` placeholders) and validated into one report.

mod validate;

use std::collections::BTreeMap;
use std::path::Path;

use figment::Figment;
use figment::providers::{Format, Yaml};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::roles::Role;

pub use validate::{Problem, Report, is_http_url, validate};

/// The agents file: `agents: [ … ]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AgentsFile {
    #[serde(default)]
    pub agents: Vec<AgentDef>,
}

/// One agent as configured.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentDef {
    /// `[a-z0-9-_.]`, unique.
    #[schema(pattern = r"^[a-z0-9_.-]{1,64}$")]
    pub id: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// An emoji or an image URL.
    #[serde(default)]
    pub avatar: Option<String>,
    /// Shown on a new conversation (app agents bring their own; this fills in or overrides).
    #[serde(default)]
    pub welcome: Option<String>,
    /// Questions offered on a new conversation.
    #[serde(default)]
    pub suggested_questions: Vec<String>,
    pub provider: ProviderDef,
    #[serde(default)]
    pub system_prompt: Option<String>,
    /// 0 is a valid value.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 2)]
    pub temperature: Option<f32>,
    #[serde(default)]
    #[schema(minimum = 1)]
    pub max_tokens: Option<u32>,
    /// Tokens of history the platform may send.
    #[serde(default)]
    pub context_window: Option<u32>,
    #[serde(default)]
    pub capabilities: Vec<Capability>,
    /// Per-user limits on this agent.
    #[serde(default, deserialize_with = "object_or_null")]
    pub limits: Option<AgentLimits>,
    /// Agents tried in order when this one fails before its first token.
    #[serde(default)]
    pub fallbacks: Vec<String>,
    /// Roles that may use it.
    #[serde(default = "all_roles")]
    #[schema(min_items = 1)]
    pub visible_to: Vec<Role>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

/// An object (or null), never the array form serde would also take for a struct
/// (`[60, null]`), which the API document does not allow.
fn object_or_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct ObjectOrNull<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for ObjectOrNull<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<T>, E> {
            Ok(None)
        }
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    deserializer.deserialize_option(ObjectOrNull(std::marker::PhantomData))
}

fn all_roles() -> Vec<Role> {
    vec![Role::User, Role::Admin]
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Capability {
    Vision,
    Reasoning,
    Files,
    Tools,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentLimits {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u32>,
}

/// The provider behind an agent, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum ProviderDef {
    Openai(UpstreamDef),
    Anthropic(UpstreamDef),
    Fastgpt(UpstreamDef),
    Dify(UpstreamDef),
    Demo(DemoDef),
}

/// One object per provider: `type` beside the provider's own fields. (Derived, the schema
/// would be `allOf` of the tag and a closed `UpstreamDef`, which nothing satisfies.)
impl utoipa::PartialSchema for ProviderDef {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
        let tagged = |kind: &str, fields: RefOr<Schema>| -> RefOr<Schema> {
            let RefOr::T(Schema::Object(mut object)) = fields else {
                return fields;
            };
            object.properties.insert(
                "type".into(),
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some([kind]))
                    .into(),
            );
            object.required.insert(0, "type".into());
            object.title = Some(kind.into());
            RefOr::T(Schema::Object(object))
        };
        let mut one_of =
            OneOfBuilder::new().description(Some("The provider behind an agent, tagged by `type`"));
        for kind in ["openai", "anthropic", "fastgpt", "dify"] {
            one_of = one_of.item(tagged(kind, UpstreamDef::schema()));
        }
        one_of.item(tagged("demo", DemoDef::schema())).into()
    }
}

impl ToSchema for ProviderDef {}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Openai,
    Anthropic,
    Fastgpt,
    Dify,
    Demo,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Fastgpt => "fastgpt",
            ProviderKind::Dify => "dify",
            ProviderKind::Demo => "demo",
        }
    }
}

impl ProviderDef {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderDef::Openai(_) => ProviderKind::Openai,
            ProviderDef::Anthropic(_) => ProviderKind::Anthropic,
            ProviderDef::Fastgpt(_) => ProviderKind::Fastgpt,
            ProviderDef::Dify(_) => ProviderKind::Dify,
            ProviderDef::Demo(_) => ProviderKind::Demo,
        }
    }

    pub fn upstream(&self) -> Option<&UpstreamDef> {
        match self {
            ProviderDef::Openai(u)
            | ProviderDef::Anthropic(u)
            | ProviderDef::Fastgpt(u)
            | ProviderDef::Dify(u) => Some(u),
            ProviderDef::Demo(_) => None,
        }
    }

    /// The upstream model the agent names (none for the demo agent).
    pub fn model(&self) -> Option<&str> {
        self.upstream().and_then(|u| u.model.as_deref())
    }

    pub fn upstream_mut(&mut self) -> Option<&mut UpstreamDef> {
        match self {
            ProviderDef::Openai(u)
            | ProviderDef::Anthropic(u)
            | ProviderDef::Fastgpt(u)
            | ProviderDef::Dify(u) => Some(u),
            ProviderDef::Demo(_) => None,
        }
    }
}

/// A remote provider: where it is, how to authenticate, how patient to be.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpstreamDef {
    /// An absolute http(s) URL.
    #[schema(pattern = "^https?://[^/?#]+")]
    pub base_url: String,
    /// Write-only: reads show `********` when a key is set.
    #[serde(default)]
    pub api_key: Option<String>,
    /// The model (openai, anthropic); app-style providers ignore it.
    #[serde(default)]
    pub model: Option<String>,
    /// FastGPT's app id (for the opening data).
    #[serde(default)]
    pub app_id: Option<String>,
    /// Extra headers sent with every request.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A duration such as `10s`.
    #[serde(default, with = "humantime_serde")]
    #[schema(value_type = Option<String>)]
    pub connect_timeout: Option<std::time::Duration>,
    /// Longest silence between two chunks of a stream (`60s`).
    #[serde(default, with = "humantime_serde")]
    #[schema(value_type = Option<String>)]
    pub idle_timeout: Option<std::time::Duration>,
    /// Retries before the first token (connect errors, 429, 5xx).
    #[serde(default)]
    pub max_retries: Option<u32>,
}

/// The built-in demo: deterministic, local, no network.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DemoDef {
    /// Characters per second it "types" at; default a human-like 200.
    #[serde(default)]
    pub chars_per_second: Option<u32>,
}

/// Reads an agents file. A missing file is an empty list (the built-in demo agent is added by
/// the runtime); a malformed one is a report naming the key and the file.
pub fn read_file(path: &Path) -> Result<AgentsFile, Report> {
    if !path.is_file() {
        return Ok(AgentsFile::default());
    }
    Figment::new()
        .merge(Yaml::file_exact(path))
        .extract::<AgentsFile>()
        .map_err(|e| {
            Report::single(Problem {
                agent: None,
                field: e.path.join("."),
                message: format!("{} (in {})", e.kind, path.display()),
            })
        })
}

/// Replaces `${VAR}` in the provider's strings with the environment's values; names that are
/// not set are returned (an error only for enabled agents).
pub fn resolve_placeholders(
    agent: &mut AgentDef,
    env: &dyn Fn(&str) -> Option<String>,
) -> Vec<String> {
    let mut missing = Vec::new();
    let Some(upstream) = agent.provider.upstream_mut() else {
        return missing;
    };
    let fields = [
        Some(&mut upstream.base_url),
        upstream.api_key.as_mut(),
        upstream.model.as_mut(),
        upstream.app_id.as_mut(),
    ];
    for value in fields
        .into_iter()
        .flatten()
        .chain(upstream.headers.values_mut())
    {
        *value = substitute(value, env, &mut missing);
    }
    missing
}

/// The `${NAME}` placeholders in the provider's strings, each with the field it is in
/// (`provider.model`, `provider.headers.X-Org`), in field order.
pub fn placeholders(agent: &AgentDef) -> Vec<(String, String)> {
    let Some(upstream) = agent.provider.upstream() else {
        return Vec::new();
    };
    let fields = [
        ("base_url", Some(&upstream.base_url)),
        ("api_key", upstream.api_key.as_ref()),
        ("model", upstream.model.as_ref()),
        ("app_id", upstream.app_id.as_ref()),
    ];
    let fields = fields
        .into_iter()
        .filter_map(|(name, value)| Some((format!("provider.{name}"), value?)))
        .chain(
            upstream
                .headers
                .iter()
                .map(|(name, value)| (format!("provider.headers.{name}"), value)),
        );
    let mut found = Vec::new();
    for (field, value) in fields {
        let mut ignored = Vec::new();
        substitute(value, &|_| None, &mut ignored);
        found.extend(ignored.into_iter().map(|name| (field.clone(), name)));
    }
    found
}

fn substitute(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
    missing: &mut Vec<String>,
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match env(name) {
            Some(value) => out.push_str(&value),
            None => missing.push(name.to_string()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The agent every installation has: it needs no key and says plainly what it is.
pub fn builtin_demo() -> AgentDef {
    AgentDef {
        id: "demo".into(),
        name: "Demo".into(),
        description: "The built-in demo agent: a local, deterministic reply to try LLMChat \
                      without any provider key."
            .into(),
        avatar: Some("🧪".into()),
        welcome: Some(
            "This is the built-in demo agent: it answers locally with sample Markdown, so you \
             can try LLMChat before configuring a real model."
                .into(),
        ),
        suggested_questions: vec!["What can you show me?".into(), "如何部署服务？".into()],
        provider: ProviderDef::Demo(DemoDef::default()),
        system_prompt: None,
        temperature: None,
        max_tokens: None,
        context_window: None,
        capabilities: vec![Capability::Reasoning],
        limits: None,
        fallbacks: Vec::new(),
        visible_to: all_roles(),
        enabled: true,
    }
}

#[cfg(test)]
mod tests;

//! The runtime snapshot: the agents in force, loaded from the agents file (plus the built-in
//! demo when there is no file), validated as a whole, and swapped atomically on reload.
//! Requests hold the `Arc` they started with, so a reload never changes a running turn.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use indexmap::IndexMap;

use crate::agents::{self, AgentDef, ProviderKind, Report};
use crate::auth::{AuthUser, Role, Via};
use crate::config::Settings;

/// Where an agent's definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentSource {
    File,
    Builtin,
    /// Defined by an admin; may override a file agent with the same id.
    Database,
}

#[derive(Debug, Clone)]
pub struct Agent {
    pub def: AgentDef,
    pub source: AgentSource,
    /// A database agent whose id the file (or the built-in demo) also defines.
    pub overrides_file: bool,
    /// The enabled agents among `def.fallbacks`, in order, resolved when this snapshot was
    /// built (so `llm` tries them without looking anything up).
    pub fallbacks: Vec<AgentDef>,
    /// The ids of the groups this agent is restricted to (`agent_groups`); empty: everyone.
    pub groups: Vec<String>,
}

impl Agent {
    /// Whether `user` may use this agent: enabled, visible to their role, granted to one of
    /// their groups when it is restricted to groups (admins pass), and on the agent list of
    /// the API key they called with (if it has one).
    pub fn usable_by(&self, user: &AuthUser) -> bool {
        let granted = self.groups.is_empty()
            || user.role == Role::Admin
            || self.groups.iter().any(|g| user.groups.contains(g));
        let allowed_by_key = match &user.via {
            Via::ApiKey {
                allowed_agents: Some(allowed),
                ..
            } => allowed.contains(&self.def.id),
            _ => true,
        };
        self.def.enabled && self.def.visible_to.contains(&user.role) && granted && allowed_by_key
    }

    /// The provider of this agent or of the fallback `id` (what answered, or failed last).
    pub fn provider_of(&self, id: &str) -> ProviderKind {
        self.fallbacks
            .iter()
            .find(|f| f.id == id)
            .unwrap_or(&self.def)
            .provider
            .kind()
    }
}

/// One consistent set of agents.
#[derive(Debug, Default)]
pub struct Runtime {
    agents: IndexMap<String, Arc<Agent>>,
}

pub type SharedRuntime = Arc<ArcSwap<Runtime>>;

impl Runtime {
    /// Reads and validates the agents file alone (`llmchat agents validate`).
    pub fn load(settings: &Settings) -> Result<Runtime, Report> {
        let (defs, source) = file_agents(settings)?;
        Runtime::from_defs(defs, source, &|name| settings.placeholders.get(name))
    }

    /// The file's agents overridden and extended by the admins' agents in the database,
    /// validated as one set.
    pub async fn load_with_db(
        settings: &Settings,
        db: &crate::store::Db,
        cipher: Option<&crate::crypto::KeyCipher>,
    ) -> Result<Runtime, Report> {
        let (file, source) = file_agents(settings)?;
        let stored = stored_agents(db, cipher).await?;
        let grants = crate::store::groups::agent_grants(db).await.map_err(|e| {
            Report::single(agents::Problem {
                agent: None,
                field: "database".into(),
                message: format!("cannot read which groups may use the agents: {e}"),
            })
        })?;
        let mut runtime = Runtime::merged(
            file,
            source,
            stored,
            &|name| settings.placeholders.get(name),
            &settings.agents.allowed_placeholders,
        )?;
        for (agent_id, group_id) in grants {
            if let Some(agent) = runtime.agents.get_mut(&agent_id) {
                Arc::make_mut(agent).groups.push(group_id);
            }
        }
        Ok(runtime)
    }

    /// `file` agents with `stored` ones replacing those of the same id and added after them.
    /// Stored agents (written through the admin API) resolve only the placeholders named in
    /// `allowed`; any other placeholder in an enabled one is a problem, so that an admin's
    /// agent cannot read the server's environment.
    pub fn merged(
        file: Vec<AgentDef>,
        source: AgentSource,
        stored: Vec<AgentDef>,
        env: &dyn Fn(&str) -> Option<String>,
        allowed: &[String],
    ) -> Result<Runtime, Report> {
        let file_ids: std::collections::HashSet<String> =
            file.iter().map(|d| d.id.clone()).collect();
        let mut sources: Vec<(AgentSource, bool)> = Vec::new();
        let mut defs: Vec<AgentDef> = Vec::new();
        for def in file {
            sources.push((source, false));
            defs.push(def);
        }
        for def in stored {
            match defs.iter().position(|d| d.id == def.id) {
                Some(i) => {
                    defs[i] = def;
                    sources[i] = (AgentSource::Database, true);
                }
                None => {
                    let overrides = file_ids.contains(&def.id);
                    defs.push(def);
                    sources.push((AgentSource::Database, overrides));
                }
            }
        }
        let stored_env = |name: &str| {
            if allowed.iter().any(|a| a == name) {
                env(name)
            } else {
                None
            }
        };
        let mut refused = Vec::new();
        let mut unresolved = HashMap::new();
        for (def, (source, _)) in defs.iter_mut().zip(&sources) {
            let missing = if *source == AgentSource::Database {
                let mut outside: Vec<(String, String)> = agents::placeholders(def);
                outside.retain(|(_, name)| !allowed.contains(name));
                let mut missing = agents::resolve_placeholders(def, &stored_env);
                missing.retain(|name| !outside.iter().any(|(_, n)| n == name));
                if def.enabled {
                    refused.extend(
                        outside
                            .into_iter()
                            .map(|(field, name)| refused_placeholder(&def.id, field, &name)),
                    );
                }
                missing
            } else {
                agents::resolve_placeholders(def, env)
            };
            unresolved.insert(def.id.clone(), missing);
        }
        let mut runtime = Runtime::validated(defs, source, &unresolved, refused)?;
        for (agent, (source, overrides_file)) in runtime.agents.values_mut().zip(sources) {
            let agent = Arc::make_mut(agent);
            agent.source = source;
            agent.overrides_file = overrides_file;
        }
        Ok(runtime)
    }

    /// Resolves placeholders with `env` and validates `defs` as one set.
    pub fn from_defs(
        mut defs: Vec<AgentDef>,
        source: AgentSource,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Runtime, Report> {
        let unresolved: HashMap<String, Vec<String>> = defs
            .iter_mut()
            .map(|def| (def.id.clone(), agents::resolve_placeholders(def, env)))
            .collect();
        Runtime::validated(defs, source, &unresolved, Vec::new())
    }

    /// Validates resolved `defs` as one set; `problems` found before come first in the report.
    fn validated(
        defs: Vec<AgentDef>,
        source: AgentSource,
        unresolved: &HashMap<String, Vec<String>>,
        mut problems: Vec<agents::Problem>,
    ) -> Result<Runtime, Report> {
        problems.extend(agents::validate(&defs, unresolved).problems);
        if !problems.is_empty() {
            return Err(Report { problems });
        }
        let chains: Vec<Vec<AgentDef>> = defs
            .iter()
            .map(|def| {
                def.fallbacks
                    .iter()
                    .filter_map(|id| defs.iter().find(|d| &d.id == id && d.enabled))
                    .cloned()
                    .collect()
            })
            .collect();
        let agents = defs
            .into_iter()
            .zip(chains)
            .map(|(def, fallbacks)| {
                let agent = Agent {
                    def,
                    source,
                    overrides_file: false,
                    fallbacks,
                    groups: Vec::new(),
                };
                (agent.def.id.clone(), Arc::new(agent))
            })
            .collect();
        Ok(Runtime { agents })
    }

    pub fn shared(self) -> SharedRuntime {
        Arc::new(ArcSwap::from_pointee(self))
    }

    pub fn agent(&self, id: &str) -> Option<&Arc<Agent>> {
        self.agents.get(id)
    }

    /// Enabled agents that `role` may use, in configuration order.
    pub fn visible_to(&self, role: Role) -> impl Iterator<Item = &Arc<Agent>> {
        self.agents
            .values()
            .filter(move |a| a.def.enabled && a.def.visible_to.contains(&role))
    }

    pub fn len(&self) -> usize {
        self.agents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.agents.is_empty()
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.agents.keys().map(String::as_str)
    }
}

/// The problem with a placeholder in an agent stored through the admin API.
pub fn refused_placeholder(agent: &str, field: String, name: &str) -> agents::Problem {
    agents::Problem {
        agent: Some(agent.to_string()),
        field,
        message: format!(
            "${{{name}}}: placeholders are resolved only in the agents file; an agent stored \
             through the admin API may use only the names in agents.allowed_placeholders \
             (LLMCHAT_AGENTS__ALLOWED_PLACEHOLDERS)"
        ),
    }
}

fn file_agents(settings: &Settings) -> Result<(Vec<AgentDef>, AgentSource), Report> {
    let path = &settings.agents.config;
    if path.is_file() {
        let file = agents::read_file(path)?;
        tracing::debug!(path = %path.display(), agents = file.agents.len(), "read the agents file");
        Ok((file.agents, AgentSource::File))
    } else {
        tracing::info!(path = %path.display(), "no agents file; only the built-in demo agent is available");
        Ok((vec![agents::builtin_demo()], AgentSource::Builtin))
    }
}

/// The admins' agents, keys decrypted.
async fn stored_agents(
    db: &crate::store::Db,
    cipher: Option<&crate::crypto::KeyCipher>,
) -> Result<Vec<AgentDef>, Report> {
    let problem = |agent: Option<String>, field: &str, message: String| {
        Report::single(agents::Problem {
            agent,
            field: field.into(),
            message,
        })
    };
    let rows = crate::store::agents::list_agents(db).await.map_err(|e| {
        problem(
            None,
            "database",
            format!("cannot read the stored agents: {e}"),
        )
    })?;
    let mut defs = Vec::with_capacity(rows.len());
    for row in rows {
        let mut def: AgentDef = serde_json::from_str(&row.definition)
            .map_err(|e| problem(Some(row.id.clone()), "definition", e.to_string()))?;
        if let Some(upstream) = def.provider.upstream_mut()
            && let Some(key) = upstream.api_key.as_mut()
            && crate::crypto::KeyCipher::is_encrypted(key)
        {
            let cipher = cipher.ok_or_else(|| {
                problem(
                    Some(row.id.clone()),
                    "provider.api_key",
                    "stored encrypted, but LLMCHAT_ENCRYPTION_KEY is not set".into(),
                )
            })?;
            *key = cipher
                .decrypt(key)
                .map_err(|e| problem(Some(row.id.clone()), "provider.api_key", e.to_string()))?;
        }
        if let Some(upstream) = def.provider.upstream_mut() {
            for (name, value) in upstream.headers.iter_mut() {
                if !crate::crypto::KeyCipher::is_encrypted(value) {
                    continue;
                }
                let field = format!("provider.headers.{name}");
                let cipher = cipher.ok_or_else(|| {
                    problem(
                        Some(row.id.clone()),
                        &field,
                        "stored encrypted, but LLMCHAT_ENCRYPTION_KEY is not set".into(),
                    )
                })?;
                *value = cipher
                    .decrypt(value)
                    .map_err(|e| problem(Some(row.id.clone()), &field, e.to_string()))?;
            }
        }
        defs.push(def);
    }
    Ok(defs)
}

//! The runtime snapshot: the agents in force, loaded from the agents file (plus the built-in
//! demo when there is no file), validated as a whole, and swapped atomically on reload.
//! Requests hold the `Arc` they started with, so a reload never changes a running turn.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use indexmap::IndexMap;

use crate::agents::{self, AgentDef, Report};
use crate::auth::Role;
use crate::config::Settings;

/// Where an agent's definition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AgentSource {
    File,
    Builtin,
}

#[derive(Debug, Clone)]
pub struct Agent {
    pub def: AgentDef,
    pub source: AgentSource,
}

/// One consistent set of agents.
#[derive(Debug, Default)]
pub struct Runtime {
    agents: IndexMap<String, Arc<Agent>>,
}

pub type SharedRuntime = Arc<ArcSwap<Runtime>>;

impl Runtime {
    /// Reads and validates everything; the report lists every problem when it is not valid.
    pub fn load(settings: &Settings) -> Result<Runtime, Report> {
        let path = &settings.agents.config;
        let (defs, source) = if path.is_file() {
            (agents::read_file(path)?.agents, AgentSource::File)
        } else {
            tracing::info!(path = %path.display(), "no agents file; only the built-in demo agent is available");
            (vec![agents::builtin_demo()], AgentSource::Builtin)
        };
        Runtime::from_defs(defs, source, &|name| std::env::var(name).ok())
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
        let report = agents::validate(&defs, &unresolved);
        if !report.is_ok() {
            return Err(report);
        }
        let agents = defs
            .into_iter()
            .map(|def| (def.id.clone(), Arc::new(Agent { def, source })))
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

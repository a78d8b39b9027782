//! Validation of a whole agent set: every problem at once, each naming agent and field.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use utoipa::ToSchema;

use super::{AgentDef, ProviderDef};

/// One thing wrong with the agents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Problem {
    /// The agent's id, when the problem is in one agent.
    pub agent: Option<String>,
    /// The field, as a dotted path (`provider.base_url`).
    pub field: String,
    pub message: String,
}

/// Every problem found; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct Report {
    pub problems: Vec<Problem>,
}

impl Report {
    pub fn single(problem: Problem) -> Report {
        Report {
            problems: vec![problem],
        }
    }

    pub fn is_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            match &p.agent {
                Some(agent) => write!(f, "agent {agent}: {}: {}", p.field, p.message)?,
                None => write!(f, "{}: {}", p.field, p.message)?,
            }
        }
        Ok(())
    }
}

/// Checks `agents` as one set. `unresolved` maps an agent id to the `${VAR}` names that were
/// not set; they only matter for enabled agents.
pub fn validate(agents: &[AgentDef], unresolved: &HashMap<String, Vec<String>>) -> Report {
    let mut problems = Vec::new();
    let mut seen = HashSet::new();
    for agent in agents {
        let mut problem = |field: &str, message: String| {
            problems.push(Problem {
                agent: Some(agent.id.clone()),
                field: field.into(),
                message,
            })
        };
        if !valid_id(&agent.id) {
            problem("id", "must be 1–64 of a-z, 0-9, '-', '_' or '.'".into());
        }
        if !seen.insert(agent.id.as_str()) {
            problem("id", "is used by another agent".into());
        }
        if agent.name.trim().is_empty() {
            problem("name", "must not be empty".into());
        }
        if agent.temperature.is_some_and(|t| !(0.0..=2.0).contains(&t)) {
            problem("temperature", "must be between 0 and 2".into());
        }
        if agent.max_tokens == Some(0) {
            problem("max_tokens", "must be at least 1".into());
        }
        if agent.visible_to.is_empty() {
            problem("visible_to", "must name at least one role".into());
        }
        if agent.enabled
            && let Some(names) = unresolved.get(&agent.id).filter(|n| !n.is_empty())
        {
            let names: Vec<String> = names.iter().map(|n| format!("${{{n}}}")).collect();
            problem(
                "provider",
                format!(
                    "{} not set in the environment, .env or config/secrets/{{env}}.env",
                    names.join(", ")
                ),
            );
        }
        if let Some(upstream) = agent.provider.upstream() {
            if !is_http_url(&upstream.base_url) {
                problem(
                    "provider.base_url",
                    format!("{:?} is not an http(s) URL", upstream.base_url),
                );
            }
            let needs_model = matches!(
                agent.provider,
                ProviderDef::Openai(_) | ProviderDef::Anthropic(_)
            );
            if needs_model && upstream.model.as_deref().is_none_or(str::is_empty) {
                problem(
                    "provider.model",
                    "is required for this provider type".into(),
                );
            }
        }
    }
    check_fallbacks(agents, &mut problems);
    Report { problems }
}

fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id.bytes().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'-' | b'_' | b'.')
        })
}

/// Unknown fallback ids and fallback cycles (`a → b → a`).
fn check_fallbacks(agents: &[AgentDef], problems: &mut Vec<Problem>) {
    let by_id: HashMap<&str, &AgentDef> = agents.iter().map(|a| (a.id.as_str(), a)).collect();
    for agent in agents {
        for fallback in &agent.fallbacks {
            if !by_id.contains_key(fallback.as_str()) {
                problems.push(Problem {
                    agent: Some(agent.id.clone()),
                    field: "fallbacks".into(),
                    message: format!("unknown agent {fallback:?}"),
                });
            }
        }
        if let Some(cycle) = find_cycle(agent, &by_id) {
            problems.push(Problem {
                agent: Some(agent.id.clone()),
                field: "fallbacks".into(),
                message: format!("form a cycle: {}", cycle.join(" → ")),
            });
        }
    }
}

/// A path of fallbacks from `start` back to itself, if there is one.
fn find_cycle(start: &AgentDef, by_id: &HashMap<&str, &AgentDef>) -> Option<Vec<String>> {
    let mut stack: Vec<(String, Vec<String>)> = start
        .fallbacks
        .iter()
        .map(|f| (f.clone(), vec![start.id.clone(), f.clone()]))
        .collect();
    let mut visited = HashSet::new();
    while let Some((id, path)) = stack.pop() {
        if id == start.id {
            return Some(path);
        }
        if !visited.insert(id.clone()) {
            continue;
        }
        if let Some(agent) = by_id.get(id.as_str()) {
            for next in &agent.fallbacks {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

/// An absolute `http` or `https` URL with a host, as a provider's `base_url` must be.
pub fn is_http_url(value: &str) -> bool {
    url::Url::parse(value)
        .is_ok_and(|url| matches!(url.scheme(), "http" | "https") && url.host().is_some())
}

use std::collections::HashMap;

use super::*;
use crate::runtime::{AgentSource, Runtime};

fn parse(yaml: &str) -> Result<AgentsFile, Report> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("agents.yaml");
    std::fs::write(&path, yaml).unwrap();
    read_file(&path)
}

fn load(yaml: &str, env: &[(&str, &str)]) -> Result<Runtime, Report> {
    let env: HashMap<String, String> = env
        .iter()
        .map(|(k, v)| ((*k).into(), (*v).into()))
        .collect();
    Runtime::from_defs(parse(yaml)?.agents, AgentSource::File, &|name| {
        env.get(name).cloned()
    })
}

const OPENAI: &str = r#"
agents:
  - id: gpt-4o-mini
    name: GPT-4o mini
    provider:
      type: openai
      base_url: https://api.openai.com/v1
      api_key: ${OPENAI_API_KEY}
      model: gpt-4o-mini
      headers: {X-Org: "${ORG}-team"}
    temperature: 0
    fallbacks: [demo]
  - id: demo
    name: Demo
    provider: {type: demo}
"#;

#[test]
fn the_shipped_agents_file_is_valid_and_offers_the_demo() {
    let file = read_file(std::path::Path::new("config/agents.yaml")).unwrap();
    let runtime = Runtime::from_defs(file.agents, AgentSource::File, &|_| None).unwrap();
    assert_eq!(runtime.ids().collect::<Vec<_>>(), ["demo"]);
    let demo = runtime.agent("demo").unwrap();
    assert_eq!(demo.def.provider.kind(), ProviderKind::Demo);
}

#[test]
fn placeholders_are_resolved_from_the_environment() {
    let runtime = load(OPENAI, &[("OPENAI_API_KEY", "sk-test"), ("ORG", "acme")]).unwrap();
    let agent = runtime.agent("gpt-4o-mini").unwrap();
    let upstream = agent.def.provider.upstream().unwrap();
    assert_eq!(upstream.api_key.as_deref(), Some("sk-test"));
    assert_eq!(upstream.headers["X-Org"], "acme-team");
    assert_eq!(agent.def.temperature, Some(0.0), "0 is a valid temperature");
    assert_eq!(
        agent.def.visible_to,
        [crate::auth::Role::User, crate::auth::Role::Admin]
    );
}

#[test]
fn an_unset_placeholder_fails_an_enabled_agent_but_not_a_disabled_one() {
    let report = load(OPENAI, &[("ORG", "acme")]).unwrap_err();
    assert_eq!(
        report.to_string(),
        "agent gpt-4o-mini: provider: ${OPENAI_API_KEY} not set in the environment, .env or config/secrets/{env}.env"
    );
    let disabled = OPENAI.replace(
        "    fallbacks: [demo]",
        "    fallbacks: [demo]\n    enabled: false",
    );
    assert!(load(&disabled, &[]).is_ok());
}

#[test]
fn unknown_keys_are_reported_with_their_path_and_file() {
    let report =
        parse("agents:\n  - id: a\n    name: A\n    provider: {type: demo}\n    temprature: 1\n")
            .unwrap_err();
    let text = report.to_string();
    assert!(
        text.contains("temprature") && text.contains("agents.yaml"),
        "{text}"
    );
    let report =
        parse("agents:\n  - id: a\n    name: A\n    provider: {type: gemini}\n").unwrap_err();
    assert!(report.to_string().contains("gemini"), "{report}");
}

#[test]
fn every_problem_is_reported_at_once_naming_agent_and_field() {
    let yaml = r#"
agents:
  - id: Bad Id
    name: ""
    provider: {type: openai, base_url: "ftp://example.com", model: m}
    temperature: 3
  - id: twin
    name: Twin
    provider: {type: demo}
  - id: twin
    name: Twin again
    provider: {type: anthropic, base_url: "https://api.anthropic.com"}
    fallbacks: [ghost]
"#;
    let report = load(yaml, &[]).unwrap_err();
    let found: Vec<(Option<&str>, &str)> = report
        .problems
        .iter()
        .map(|p| (p.agent.as_deref(), p.field.as_str()))
        .collect();
    for expected in [
        (Some("Bad Id"), "id"),
        (Some("Bad Id"), "name"),
        (Some("Bad Id"), "temperature"),
        (Some("Bad Id"), "provider.base_url"),
        (Some("twin"), "id"),
        (Some("twin"), "provider.model"),
        (Some("twin"), "fallbacks"),
    ] {
        assert!(
            found.contains(&expected),
            "{expected:?} missing from {report}"
        );
    }
}

#[test]
fn fallback_cycles_are_refused() {
    let yaml = r#"
agents:
  - {id: a, name: A, provider: {type: demo}, fallbacks: [b]}
  - {id: b, name: B, provider: {type: demo}, fallbacks: [c]}
  - {id: c, name: C, provider: {type: demo}, fallbacks: [a]}
  - {id: d, name: D, provider: {type: demo}, fallbacks: [a]}
"#;
    let report = load(yaml, &[]).unwrap_err();
    let cycles: Vec<&Problem> = report
        .problems
        .iter()
        .filter(|p| p.message.contains("cycle"))
        .collect();
    assert_eq!(
        cycles.len(),
        3,
        "a, b and c each sit on the cycle; d only leads into it: {report}"
    );
    assert!(
        cycles[0].message.contains("a → b → c → a"),
        "{}",
        cycles[0].message
    );
}

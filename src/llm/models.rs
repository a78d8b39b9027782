//! The models a provider offers, for the admin's agent form: OpenAI-compatible `GET /models`
//! (OpenAI, DeepSeek, Qwen, Ollama, vLLM…) and Anthropic's `GET /v1/models`. Translation is
//! pure (`*_request`, `parse_*`), the one network call is [`list_models`].

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::transport::{SendError, Transport};
use super::{Endpoint, HttpMethod, HttpRequest, LlmError, with_endpoint};
use crate::agents::ProviderDef;

/// One model a provider offers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ModelInfo {
    /// What goes in the agent's `model`.
    pub id: String,
    /// A display name, when the provider gives one (Anthropic does).
    pub name: Option<String>,
}

/// What [`list_models`] found, or why not, with the URL it asked.
#[derive(Debug)]
pub struct ModelList {
    pub url: String,
    pub result: Result<Vec<ModelInfo>, LlmError>,
}

/// `GET {base_url}/models` with the key as a bearer token.
pub fn openai_request(endpoint: &Endpoint<'_>) -> HttpRequest {
    let mut headers = Vec::with_capacity(1);
    if let Some(key) = endpoint.api_key.filter(|key| !key.is_empty()) {
        headers.push(("Authorization", format!("Bearer {key}")));
    }
    HttpRequest {
        method: HttpMethod::Get,
        url: endpoint.url("/models"),
        headers: endpoint.headers_with(&headers),
        body: None,
    }
}

/// `GET {base_url}/v1/models?limit=1000` (or `/models` when the base URL ends in `/v1`, as
/// the chat request does).
pub fn anthropic_request(endpoint: &Endpoint<'_>) -> HttpRequest {
    let mut headers = Vec::with_capacity(2);
    if let Some(key) = endpoint.api_key.filter(|key| !key.is_empty()) {
        headers.push(("x-api-key", key.to_string()));
    }
    headers.push((
        "anthropic-version",
        super::anthropic::API_VERSION.to_string(),
    ));
    HttpRequest {
        method: HttpMethod::Get,
        url: super::anthropic::api_url(endpoint, "/models?limit=1000"),
        headers: endpoint.headers_with(&headers),
        body: None,
    }
}

/// `{"data": [{"id", "display_name"?}, …]}` — both APIs' shape — sorted by id.
pub fn parse_models(body: &Value) -> Result<Vec<ModelInfo>, LlmError> {
    let data = body
        .get("data")
        .or_else(|| body.get("models"))
        .and_then(Value::as_array)
        .ok_or_else(|| LlmError::Protocol("the reply has no `data` list of models".into()))?;
    let mut models: Vec<ModelInfo> = data
        .iter()
        .filter_map(|model| {
            let id = model.get("id").and_then(Value::as_str)?;
            Some(ModelInfo {
                id: id.to_string(),
                name: model
                    .get("display_name")
                    .and_then(Value::as_str)
                    .filter(|name| *name != id)
                    .map(str::to_string),
            })
        })
        .collect();
    models.sort_by(|a, b| a.id.cmp(&b.id));
    models.dedup_by(|a, b| a.id == b.id);
    Ok(models)
}

/// Asks the provider for its models; `None` for provider types that have no such list
/// (FastGPT and Dify apps, the demo).
pub async fn list_models(transport: &Transport, provider: &ProviderDef) -> Option<ModelList> {
    let (upstream, request, parse_error): (_, _, fn(u16, &[u8]) -> LlmError) = match provider {
        ProviderDef::Openai(u) => (
            u,
            with_endpoint(u, openai_request),
            super::openai::parse_error,
        ),
        ProviderDef::Anthropic(u) => (
            u,
            with_endpoint(u, anthropic_request),
            super::anthropic::parse_error,
        ),
        _ => return None,
    };
    let wait = upstream
        .idle_timeout
        .unwrap_or(std::time::Duration::from_secs(15))
        .min(std::time::Duration::from_secs(15));
    let result = async {
        let response = match transport.send(&request, wait).await {
            Ok(response) => response,
            Err(SendError::Status { status, body, .. }) => return Err(parse_error(status, &body)),
            Err(SendError::Refused(reason) | SendError::Connect(reason)) => {
                return Err(LlmError::Connect(reason));
            }
            Err(SendError::Timeout(wait)) => return Err(LlmError::IdleTimeout(wait.as_secs())),
        };
        let body = tokio::time::timeout(wait, response.bytes())
            .await
            .map_err(|_| LlmError::IdleTimeout(wait.as_secs()))?
            .map_err(LlmError::from)?;
        let json: Value = serde_json::from_slice(&body)
            .map_err(|e| LlmError::Protocol(format!("the reply is not JSON: {e}")))?;
        parse_models(&json)
    }
    .await;
    Some(ModelList {
        url: request.url,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn endpoint(base_url: &str) -> Endpoint<'_> {
        Endpoint {
            base_url,
            api_key: Some("sk-test"),
            headers: &[],
            app_id: None,
        }
    }

    #[test]
    fn openai_models_are_asked_under_the_base_url_with_a_bearer_key() {
        let request = openai_request(&endpoint("https://api.deepseek.com/v1/"));
        assert_eq!(request.url, "https://api.deepseek.com/v1/models");
        assert_eq!(request.method, HttpMethod::Get);
        assert!(
            request
                .headers
                .contains(&("Authorization".into(), "Bearer sk-test".into()))
        );
    }

    #[test]
    fn anthropic_models_take_the_same_v1_rule_as_messages() {
        let plain = anthropic_request(&endpoint("https://api.anthropic.com"));
        assert_eq!(plain.url, "https://api.anthropic.com/v1/models?limit=1000");
        let with_v1 = anthropic_request(&endpoint("https://gateway.example.com/anthropic/v1"));
        assert_eq!(
            with_v1.url,
            "https://gateway.example.com/anthropic/v1/models?limit=1000"
        );
        assert!(
            plain
                .headers
                .contains(&("x-api-key".into(), "sk-test".into()))
        );
        assert!(plain.headers.iter().any(|(n, _)| n == "anthropic-version"));
    }

    #[test]
    fn model_lists_are_sorted_named_and_deduplicated() {
        let openai = json!({"object": "list", "data": [
            {"id": "gpt-4o-mini", "object": "model", "owned_by": "openai"},
            {"id": "gpt-4o", "object": "model", "owned_by": "openai"},
            {"id": "gpt-4o", "object": "model"},
            {"object": "model"}
        ]});
        let ids: Vec<String> = parse_models(&openai)
            .unwrap()
            .into_iter()
            .map(|m| m.id)
            .collect();
        assert_eq!(ids, ["gpt-4o", "gpt-4o-mini"]);
        let anthropic = json!({"data": [
            {"type": "model", "id": "claude-sonnet-4-5", "display_name": "Claude Sonnet 4.5"}
        ], "has_more": false});
        assert_eq!(
            parse_models(&anthropic).unwrap(),
            [ModelInfo {
                id: "claude-sonnet-4-5".into(),
                name: Some("Claude Sonnet 4.5".into())
            }]
        );
        assert!(matches!(
            parse_models(&json!({"error": "nope"})),
            Err(LlmError::Protocol(_))
        ));
    }
}

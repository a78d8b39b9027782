//! The HTTP routes, one file per area. Every route is registered through utoipa-axum's
//! `routes!`, so the OpenAPI document at `/api/openapi.json` lists each one with its schemas;
//! a test fails when a route is added any other way.

mod account;
mod admin;
pub(crate) mod admin_agents;
mod admin_groups;
mod admin_settings;
mod agents;
mod anthropic_compat;
mod auth;
mod budgets;
mod chat;
mod conversations;
mod export;
mod health;
pub mod internal;
mod keys;
mod login;
mod messages;
mod openai_compat;
mod openapi;
mod ops;
mod presets;
mod registration;
mod shares;
mod sso;
#[cfg(feature = "test-hooks")]
mod test_hooks;
mod uploads;
mod usage;
pub mod views;

pub(crate) use auth::check_username;

use std::sync::OnceLock;

use axum::Router;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use subtle::ConstantTimeEq;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;

use crate::error::ErrorResponse;
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "LLMChat API",
        description = "Self-hosted multi-user, multi-agent LLM chat platform. Errors use \
                       `{\"error\":{\"code\",\"message\",\"request_id\"}}`."
    ),
    components(schemas(
        ErrorResponse,
        crate::chat::events::EventName,
        crate::chat::events::StartEvent,
        crate::chat::events::TextEvent,
        crate::chat::events::StatusEvent,
        crate::chat::events::InteractiveEvent,
        crate::chat::events::CitationEvent,
        crate::chat::events::ToolEvent,
        crate::chat::events::UsageEvent,
        crate::chat::events::DoneEvent,
        crate::chat::events::ErrorEvent,
        // Referenced by parameters and fields whose schemas are written by hand (utoipa
        // collects only derived schemas on its own).
        views::TimeZoneName,
        views::DateOrTimestamp,
        views::NonBlank,
        messages::ExportFormat,
        chat::Rating,
        crate::compat::TextOrParts,
        crate::compat::TextOrObject,
        // A provider's own fields (the web UI's forms are typed by them); `ProviderDef` has
        // them inline beside its `type`.
        crate::agents::UpstreamDef,
        crate::agents::DemoDef,
    )),
    modifiers(&SecuritySchemes),
    tags(
        (name = "operations", description = "Health, metrics, version and API description"),
        (name = "auth", description = "Accounts, sessions and passwords"),
        (name = "keys", description = "API keys for programmatic access"),
        (name = "admin", description = "User management and the audit log (admins only)"),
        (name = "agents", description = "The agents users chat with, and their reload"),
        (name = "conversations", description = "A user's conversations with agents"),
        (name = "chat", description = "Turns: send, stream (SSE, resumable with Last-Event-ID), stop, regenerate, rate"),
        (name = "uploads", description = "Images and text files to attach to messages"),
        (name = "usage", description = "Usage reports, and statistics for admins"),
        (name = "compat", description = "OpenAI- and Anthropic-compatible APIs under /v1 (API keys; \
                                          errors in each API's own shape)"),
    )
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token from /api/auth/login, or an API key (sk-llmc-…); \
                         API keys are also accepted as x-api-key",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "metrics_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The METRICS_TOKEN, when one is configured"))
                    .build(),
            ),
        );
    }
}

fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(health::router())
        .merge(auth::router())
        .merge(account::router())
        .merge(export::router())
        .merge(login::router())
        .merge(registration::router())
        .merge(sso::router())
        .merge(budgets::router())
        .merge(keys::router())
        .merge(admin::router())
        .merge(agents::router())
        .merge(admin_agents::router())
        .merge(admin_groups::router())
        .merge(admin_settings::router())
        .merge(conversations::router())
        .merge(messages::router())
        .merge(shares::router())
        .merge(presets::router())
        .merge(chat::router())
        .merge(uploads::router())
        .merge(usage::router())
        .merge(ops::router())
        .merge(openai_compat::router())
        .merge(anthropic_compat::router())
}

/// The axum router with every documented route, plus test hooks when compiled in; each route
/// records its template for the request metrics. The layers every request goes through
/// (rate limit, CORS, …) wrap the router as a whole: `http::app`.
pub fn router() -> Router<AppState> {
    let (router, _) = api_router().split_for_parts();
    #[cfg(feature = "test-hooks")]
    let router = router.merge(test_hooks::router());
    router
        .fallback(crate::ui::fallback)
        .layer(crate::http::RecordRouteLayer)
}

/// The OpenAPI 3.1 document, generated once from the routes.
pub fn openapi_json() -> &'static str {
    static DOC: OnceLock<String> = OnceLock::new();
    DOC.get_or_init(|| {
        let (_, mut doc) = api_router().split_for_parts();
        openapi::complete(&mut doc);
        let mut doc = serde_json::to_value(&doc).unwrap_or_default();
        openapi::finish(&mut doc);
        serde_json::to_string_pretty(&doc).unwrap_or_default()
    })
}

/// Whether the caller may see internals: with `METRICS_TOKEN` configured, only with
/// `Authorization: Bearer <token>`; without one, in development only (production keeps them
/// closed: set the token, or read `/metrics` on the internal `METRICS_PORT`).
pub(crate) fn metrics_token_ok(state: &AppState, headers: &HeaderMap) -> bool {
    let settings = state.settings();
    let Some(token) = &settings.metrics.token else {
        return settings.environment != crate::config::Environment::Production;
    };
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| bool::from(given.trim().as_bytes().ct_eq(token.expose().as_bytes())))
}

/// The refusal of internals to a caller without the token: 401, or in production without a
/// configured token a 403 saying how to open them.
pub(crate) fn metrics_refusal(state: &AppState) -> crate::error::Error {
    if state.settings().metrics.token.is_some() {
        return crate::error::Error::Unauthorized;
    }
    crate::error::Error::Denied {
        code: "metrics_token_required",
        message: "in production this needs METRICS_TOKEN (sent as a bearer token); or set METRICS_PORT to serve /metrics on an internal port".into(),
    }
}

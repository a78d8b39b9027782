//! Signing in: username (or email) and password, with the per-address limit, the per-account
//! and per-source throttle (`store::login_throttle`: doubling waits for a source that keeps
//! guessing, never for the others) and bounded password checks.

use axum::extract::State;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{ClientInfo, password};
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::auth::{TokenResponse, start_session};
use crate::state::AppState;
use crate::store::login_throttle;
use crate::store::now_ms;
use crate::store::users;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(login))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or email.
    #[schema(max_length = 254)]
    pub username: String,
    #[schema(max_length = 1024)]
    pub password: String,
}

/// Signs in with username (or email) and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the refresh token is also set as an httpOnly cookie", body = TokenResponse),
        (status = 401, description = "invalid username or password", body = ErrorResponse),
        (status = 403, description = "the account is disabled", body = ErrorResponse),
        (status = 423, description = "too many failed logins on this account from this address: wait `Retry-After` seconds (other addresses are not affected)", body = ErrorResponse),
        (status = 422, description = "a username longer than 254 characters or a password longer than 1024 characters (`field` says which)", body = ErrorResponse),
        (status = 429, description = "too many attempts from this address", body = ErrorResponse),
        (status = 503, description = "too many password checks at once; `Retry-After` says when to retry", body = ErrorResponse),
    ))]
async fn login(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    Json(body): Json<LoginRequest>,
) -> Result<impl IntoResponse> {
    let settings = &state.settings().auth;
    // Guessing from one address is slowed before any account locks.
    let ip = client.ip_string().unwrap_or_default();
    let per_ip = state
        .limiter
        .check(&format!("login-ip:{ip}"), settings.login_attempts_per_ip)
        .await?;
    if let Some(rejection) = per_ip.rejection() {
        return Err(rejection);
    }
    let login = body.username.trim().to_string();
    // No account has a longer name, email or password: refused before they reach the store,
    // the failure counters or the audit log.
    if login.chars().count() > MAX_LOGIN_CHARS {
        return Err(Error::Invalid {
            field: "username".into(),
            message: format!(
                "must be at most {MAX_LOGIN_CHARS} characters (a username or an email)"
            ),
        });
    }
    if body.password.chars().count() > crate::policy::MAX_PASSWORD_CHARS {
        return Err(Error::Invalid {
            field: "password".into(),
            message: format!(
                "must be at most {} characters long",
                crate::policy::MAX_PASSWORD_CHARS
            ),
        });
    }
    let now = now_ms();
    let policy = login_throttle::Policy {
        free: i64::from(settings.max_failed_logins),
        first_delay_ms: i64::try_from(settings.login_backoff.as_millis()).unwrap_or(i64::MAX),
        max_delay_ms: i64::try_from(settings.lockout.as_millis()).unwrap_or(i64::MAX),
    };
    let user = users::find_user_by_login(&state.db, &login).await?;
    // Failures count per account and source: a source that keeps guessing waits longer and
    // longer, while the owner, signing in from anywhere else, is never held up by it. Names
    // without an account are counted the same way, so answers never tell them apart.
    let account = match &user {
        Some(user) => login_throttle::user_account(&user.id),
        None => login_throttle::name_account(&users::login_key(&login)),
    };
    let source = source_key(client.ip);
    let attempt = login_throttle::begin(&state.db, &account, &source, now, policy).await?;
    let actor = user.as_ref().map(|u| u.id.clone());
    let audit_failure = |reason: &'static str| {
        let event = Event::new("auth.login", actor.as_deref()).failed();
        let event = match &actor {
            Some(id) => event.target("user", id.clone()),
            None => event,
        };
        event.details(serde_json::json!({ "username": login, "reason": reason }))
    };
    let count = match attempt {
        login_throttle::Attempt::Wait(until) => {
            metrics::counter!("llmchat_login_delayed_total").increment(1);
            record(&state, &client, audit_failure("delayed")).await;
            return Err(delayed(until, now));
        }
        login_throttle::Attempt::Counted(count) => count,
    };
    let stored_hash = user.as_ref().map_or_else(
        || password::dummy_hash().to_string(),
        |u| u.password_hash.clone(),
    );
    let valid = password::verify(&state.auth.hashing, body.password, stored_hash).await?;
    let user = match user {
        Some(user) if valid => user,
        _ => {
            record(&state, &client, audit_failure("wrong_password")).await;
            if count == policy.free {
                // From now on this source waits between attempts on this account.
                let slowed = Event::new("auth.lockout", actor.as_deref())
                    .details(serde_json::json!({ "username": login, "source": source }));
                record(&state, &client, slowed).await;
                if let Err(e) = login_throttle::forget_stale(&state.db, now).await {
                    tracing::warn!(error = %e, "could not forget old failed logins");
                }
            }
            return Err(Error::InvalidCredentials);
        }
    };
    login_throttle::succeeded(&state.db, &account, &source).await?;
    if user.is_disabled() {
        let denied = Event::new("auth.login", Some(&user.id))
            .target("user", &user.id)
            .failed();
        record(
            &state,
            &client,
            denied.details(serde_json::json!({ "reason": "disabled" })),
        )
        .await;
        return Err(Error::Forbidden("this account is disabled"));
    }
    users::record_login_success(&state.db, &user.id).await?;
    record(
        &state,
        &client,
        Event::new("auth.login", Some(&user.id)).target("user", &user.id),
    )
    .await;
    let (tokens, jar) = start_session(&state, &client, jar, &user, None).await?;
    Ok((jar, axum::Json(tokens)))
}

/// Where an attempt comes from, for counting failures: the client's address, IPv6 by its /64
/// (one host usually holds a whole /64).
fn source_key(ip: Option<std::net::IpAddr>) -> String {
    match ip {
        Some(std::net::IpAddr::V6(v6)) if v6.to_ipv4_mapped().is_none() => {
            let net = ipnet::Ipv6Net::new(v6, 64).map(|n| n.trunc());
            net.map_or_else(|_| v6.to_string(), |n| n.to_string())
        }
        Some(std::net::IpAddr::V6(v6)) => v6
            .to_ipv4_mapped()
            .map_or_else(|| v6.to_string(), |v4| v4.to_string()),
        Some(ip) => ip.to_string(),
        None => "unknown".into(),
    }
}

fn delayed(until: i64, now: i64) -> Error {
    let seconds = (until - now + 999) / 1000;
    Error::Locked {
        retry_after_s: u64::try_from(seconds).unwrap_or(1).max(1),
    }
}

/// The longest login accepted: an email's maximum length (usernames are at most 32 characters).
const MAX_LOGIN_CHARS: usize = 254;

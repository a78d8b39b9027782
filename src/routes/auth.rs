//! Accounts and sessions: register, login (with lockout), refresh (rotating, reuse revokes
//! the family), logout, the current user, password change.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::secret::{random_token, sha256_hex};
use crate::auth::{AuthUser, ClientInfo, Role, Scope, Via, password};
use crate::config::Environment;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::UserView;
use crate::state::AppState;
use crate::store::login_throttle;
use crate::store::now_ms;
use crate::store::refresh_tokens::{self, NewRefreshToken};
use crate::store::users::{self, UserRow};

pub const REFRESH_COOKIE: &str = "llmchat_refresh";

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Username or email.
    pub username: String,
    pub password: String,
}

/// The refresh token in the body; the web UI sends none and relies on the cookie.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    /// Also revoke every API key of the user (after a leak). Default false.
    #[serde(default)]
    pub revoke_api_keys: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    pub access_token: String,
    pub refresh_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    pub user: UserView,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(logout_everywhere))
        .routes(routes!(me))
        .routes(routes!(session))
        .routes(routes!(change_password))
}

/// Signs in with username (or email) and password.
#[utoipa::path(post, path = "/api/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "signed in; the refresh token is also set as an httpOnly cookie", body = TokenResponse),
        (status = 401, description = "invalid username or password", body = ErrorResponse),
        (status = 403, description = "the account is disabled", body = ErrorResponse),
        (status = 423, description = "too many failed logins on this account from this address: wait `Retry-After` seconds (other addresses are not affected)", body = ErrorResponse),
        (status = 422, description = "a username longer than 254 bytes or a password longer than 1024 bytes (`field` says which)", body = ErrorResponse),
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
    if login.len() > MAX_LOGIN_BYTES {
        return Err(Error::Invalid {
            field: "username".into(),
            message: format!("must be at most {MAX_LOGIN_BYTES} bytes (a username or an email)"),
        });
    }
    if body.password.len() > password::MAX_PASSWORD_BYTES {
        return Err(Error::Invalid {
            field: "password".into(),
            message: format!(
                "must be at most {} bytes long",
                password::MAX_PASSWORD_BYTES
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

/// Exchanges a refresh token (body or cookie) for a new pair. Each refresh token works once;
/// presenting a used one revokes its whole family (every token descended from that login).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body(content = RefreshRequest, description = "optional when the cookie is sent"),
    responses(
        (status = 200, description = "a new token pair", body = TokenResponse),
        (status = 401, description = "missing, unknown, expired, revoked or reused refresh token", body = ErrorResponse),
    ))]
async fn refresh(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    body: Bytes,
) -> Result<impl IntoResponse> {
    let presented = presented_refresh_token(&jar, &body)?.ok_or(Error::Unauthorized)?;
    let row = refresh_tokens::find_refresh_token(&state.db, &sha256_hex(&presented))
        .await?
        .ok_or(Error::Unauthorized)?;
    if row.revoked_at.is_some() {
        return Err(Error::Unauthorized);
    }
    let fresh = row.used_at.is_none()
        && refresh_tokens::mark_refresh_token_used(&state.db, &row.id).await?;
    if !fresh {
        refresh_tokens::revoke_family(&state.db, &row.family_id).await?;
        state.auth.forget_sessions();
        let reuse = Event::new("auth.refresh_reuse", Some(&row.user_id))
            .target("session", &row.family_id)
            .failed();
        record(&state, &client, reuse).await;
        return Err(Error::Unauthorized);
    }
    if row.expires_at <= now_ms() {
        return Err(Error::Unauthorized);
    }
    let user = match users::get_user(&state.db, &row.user_id).await? {
        Some(user) if !user.is_disabled() => user,
        _ => {
            refresh_tokens::revoke_family(&state.db, &row.family_id).await?;
            state.auth.forget_sessions();
            return Err(Error::Unauthorized);
        }
    };
    let (tokens, jar) = start_session(&state, &client, jar, &user, Some(row.family_id)).await?;
    Ok((jar, axum::Json(tokens)))
}

/// Ends the session of the refresh token (body or cookie) and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body(content = RefreshRequest, description = "optional when the cookie is sent"),
    responses((status = 204, description = "signed out")))]
async fn logout(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    body: Bytes,
) -> Result<impl IntoResponse> {
    if let Some(presented) = presented_refresh_token(&jar, &body)?
        && let Some(row) =
            refresh_tokens::find_refresh_token(&state.db, &sha256_hex(&presented)).await?
    {
        refresh_tokens::revoke_family(&state.db, &row.family_id).await?;
        state.auth.forget_sessions();
        let event = Event::new("auth.logout", Some(&row.user_id)).target("session", &row.family_id);
        record(&state, &client, event).await;
    }
    // Always send the expired cookie: the request may have carried the token in its body.
    Ok((StatusCode::NO_CONTENT, jar.add(expired_cookie(&state))))
}

/// Ends every session of the signed-in user, this one included: their refresh tokens and the
/// access tokens already issued to them stop working at once. Clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout-all", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 204, description = "every session of the user signed out"),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 403, description = "API keys cannot sign out sessions", body = ErrorResponse),
    ))]
async fn logout_everywhere(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    jar: CookieJar,
) -> Result<impl IntoResponse> {
    user.require_session("API keys cannot sign out sessions")?;
    refresh_tokens::revoke_user_tokens(&state.db, &user.id, None).await?;
    state.auth.forget_sessions();
    let event = Event::new("auth.logout_all", Some(&user.id)).target("user", &user.id);
    record(&state, &client, event).await;
    Ok((StatusCode::NO_CONTENT, jar.add(expired_cookie(&state))))
}

fn expired_cookie(state: &AppState) -> Cookie<'static> {
    Cookie::build((REFRESH_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings().environment != Environment::Development)
        .path("/api/auth")
        .max_age(time::Duration::ZERO)
        .build()
}

/// The signed-in user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "the current user", body = UserView),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn me(State(state): State<AppState>, user: AuthUser) -> Result<axum::Json<UserView>> {
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    Ok(axum::Json(UserView::from(&row)))
}

/// Who the credentials belong to, answered without reading the user's record: the cheapest
/// authenticated call (clients use it to check a token or key).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub user_id: String,
    pub username: String,
    pub role: Role,
    /// `session` (an access token) or `api_key`.
    pub auth: &'static str,
    pub api_key_id: Option<String>,
    /// The agents an API key is limited to, if it is.
    pub allowed_agents: Option<Vec<String>>,
    /// An API key's scopes (`chat`, `admin`); absent for a session, which may do what the
    /// user's role allows.
    pub scopes: Option<Vec<Scope>>,
}

/// The caller's identity as the credentials establish it.
#[utoipa::path(get, path = "/api/auth/session", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "who is calling", body = SessionView),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn session(user: AuthUser) -> axum::Json<SessionView> {
    let (auth, api_key_id, allowed_agents, scopes) = match user.via {
        Via::Session { .. } => ("session", None, None, None),
        Via::ApiKey {
            id,
            allowed_agents,
            scopes,
        } => ("api_key", Some(id), allowed_agents, Some(scopes)),
    };
    axum::Json(SessionView {
        user_id: user.id,
        username: user.username,
        role: user.role,
        auth,
        api_key_id,
        allowed_agents,
        scopes,
    })
}

/// Changes the password and signs out every other session of the user; with
/// `revoke_api_keys`, also revokes every API key of the user.
#[utoipa::path(post, path = "/api/auth/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses(
        (status = 204, description = "changed; other sessions (and with `revoke_api_keys`, every API key) revoked"),
        (status = 403, description = "API keys cannot change passwords", body = ErrorResponse),
        (status = 401, description = "not signed in, or the current password is wrong", body = ErrorResponse),
        (status = 422, description = "the new password breaks the policy", body = ErrorResponse),
        (status = 429, description = "too many password changes for this user; `Retry-After` says when to retry", body = ErrorResponse),
        (status = 503, description = "too many password checks at once; `Retry-After` says when to retry", body = ErrorResponse),
    ))]
async fn change_password(
    State(state): State<AppState>,
    user: AuthUser,
    client: ClientInfo,
    Json(body): Json<PasswordChange>,
) -> Result<StatusCode> {
    let Via::Session { session } = &user.via else {
        return Err(Error::Forbidden("API keys cannot change passwords"));
    };
    // Each attempt costs an argon2 verification: bounded per user, so one account cannot
    // keep the hashing slots busy.
    let per_user = state
        .limiter
        .check(
            &format!("password-change:{}", user.id),
            state.settings().auth.password_changes_per_minute,
        )
        .await?;
    if let Some(rejection) = per_user.rejection() {
        return Err(rejection);
    }
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    if !password::verify(
        &state.auth.hashing,
        body.current_password,
        row.password_hash,
    )
    .await?
    {
        let failed = Event::new("auth.password_change", Some(&user.id)).target("user", &user.id);
        record(&state, &client, failed.failed()).await;
        return Err(Error::InvalidCredentials);
    }
    password::check_policy(&body.new_password, &row.username)?;
    let hash = password::hash(&state.auth.hashing, body.new_password).await?;
    users::update_password(&state.db, &user.id, &hash).await?;
    refresh_tokens::revoke_user_tokens(&state.db, &user.id, session.as_deref()).await?;
    state.auth.forget_sessions();
    let revoked_keys = if body.revoke_api_keys {
        crate::routes::keys::revoke_every_key(&state, &user.id).await?
    } else {
        0
    };
    let event = Event::new("auth.password_change", Some(&user.id))
        .target("user", &user.id)
        .details(serde_json::json!({ "revoked_api_keys": revoked_keys }));
    record(&state, &client, event).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Issues an access token and a refresh token (a new family for a login, the same family for
/// a refresh) and sets the refresh cookie.
pub(crate) async fn start_session(
    state: &AppState,
    client: &ClientInfo,
    jar: CookieJar,
    user: &UserRow,
    family: Option<String>,
) -> Result<(TokenResponse, CookieJar)> {
    let role = Role::parse(&user.role).ok_or(Error::Unauthorized)?;
    let family = family.unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let refresh_token = random_token();
    let ttl = state.settings().auth.refresh_token_ttl;
    let ip = client.ip_string();
    refresh_tokens::insert_refresh_token(
        &state.db,
        NewRefreshToken {
            user_id: &user.id,
            family_id: &family,
            token_hash: &sha256_hex(&refresh_token),
            expires_at: now_ms() + i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX),
            user_agent: client.user_agent.as_deref(),
            ip: ip.as_deref(),
        },
    )
    .await?;
    let access_token = state.auth.jwt.issue(&user.id, role, Some(&family))?;
    let cookie = Cookie::build((REFRESH_COOKIE, refresh_token.clone()))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings().environment != Environment::Development)
        .path("/api/auth")
        .max_age(time::Duration::seconds(
            i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX),
        ));
    let tokens = TokenResponse {
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.auth.jwt.ttl().as_secs(),
        user: UserView::from(user),
    };
    Ok((tokens, jar.add(cookie)))
}

/// The refresh token from a JSON body `{refresh_token}` if one was sent, else the cookie.
fn presented_refresh_token(jar: &CookieJar, body: &Bytes) -> Result<Option<String>> {
    let from_body = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice::<RefreshRequest>(body)
            .map_err(|e| Error::BadRequest {
                code: "malformed_json",
                message: format!("expected {{\"refresh_token\": \"…\"}}: {e}"),
            })?
            .refresh_token
    };
    Ok(from_body.or_else(|| jar.get(REFRESH_COOKIE).map(|c| c.value().to_string())))
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
const MAX_LOGIN_BYTES: usize = 254;

pub(crate) fn check_username(username: &str) -> Result<()> {
    let length = username.chars().count();
    let valid = (3..=32).contains(&length)
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if valid {
        Ok(())
    } else {
        Err(Error::Invalid {
            field: "username".into(),
            message: "must be 3 to 32 letters, digits, '_', '-' or '.'".into(),
        })
    }
}

pub(crate) fn check_email(email: &str) -> Result<()> {
    let valid = email.len() <= 254
        && !email.chars().any(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
    if valid {
        Ok(())
    } else {
        Err(Error::Invalid {
            field: "email".into(),
            message: "is not a valid email address".into(),
        })
    }
}

//! Sessions: refresh (rotating, reuse revokes the family), logout, the current user, password
//! change, and starting a session for a sign-in (`login.rs`) or a registration.

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
use crate::auth::{AuthUser, ClientInfo, Role, Scope, Via, password};
use crate::config::Environment;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::views::{GroupRef, UserView, rfc3339};
use crate::state::AppState;
use crate::store::now_ms;
use crate::store::refresh_tokens::{self, NewRefreshToken};
use crate::store::users::{self, UserRow};
use crate::tokens::{random_token, sha256_hex};

pub const REFRESH_COOKIE: &str = "llmchat_refresh";

/// The refresh token in the body; the web UI sends none and relies on the cookie.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    pub refresh_token: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(max_length = 1024)]
    pub current_password: String,
    #[schema(min_length = 8, max_length = 1024)]
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
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(logout_everywhere))
        .routes(routes!(me, patch_me))
        .routes(routes!(session))
        .routes(routes!(change_password))
}

/// Exchanges a refresh token (body or cookie) for a new pair. Each refresh token works once;
/// presenting a used one revokes its whole family (every token descended from that login).
#[utoipa::path(post, path = "/api/auth/refresh", tag = "auth", request_body(content = Option<RefreshRequest>, description = "optional when the cookie is sent"),
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
        crate::cluster::sessions_ended(&state).await;
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
            crate::cluster::sessions_ended(&state).await;
            return Err(Error::Unauthorized);
        }
    };
    let (tokens, jar) = start_session(&state, &client, jar, &user, Some(row.family_id)).await?;
    Ok((jar, axum::Json(tokens)))
}

/// Ends the session of the refresh token (body or cookie) and clears the cookie.
#[utoipa::path(post, path = "/api/auth/logout", tag = "auth", request_body(content = Option<RefreshRequest>, description = "optional when the cookie is sent"),
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
        crate::cluster::sessions_ended(&state).await;
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
    crate::cluster::sessions_ended(&state).await;
    let event = Event::new("auth.logout_all", Some(&user.id)).target("user", &user.id);
    record(&state, &client, event).await;
    Ok((StatusCode::NO_CONTENT, jar.add(expired_cookie(&state))))
}

pub(crate) fn expired_cookie(state: &AppState) -> Cookie<'static> {
    Cookie::build((REFRESH_COOKIE, ""))
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(state.settings().environment != Environment::Development)
        .path("/api/auth")
        .max_age(time::Duration::ZERO)
        .build()
}

/// The signed-in user and their groups.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    #[serde(flatten)]
    pub user: UserView,
    /// The groups the user belongs to, by name.
    pub groups: Vec<GroupRef>,
    /// Added to the system prompt of the user's chat turns (not to `/v1` requests).
    pub custom_instructions: Option<String>,
    /// When the account is deleted for good, if its owner asked for its deletion (cancel
    /// with `POST /api/auth/me/restore`).
    pub delete_after: Option<String>,
    /// Whether the account has a password (accounts made by single sign-on have none).
    pub has_password: bool,
    /// The single sign-on identities that sign in as this account.
    pub identities: Vec<IdentityView>,
}

/// An identity at a single sign-on provider, linked to the account.
#[derive(Debug, Serialize, ToSchema)]
pub struct IdentityView {
    /// The provider's id (`auth.oidc[].id`).
    pub provider: String,
    /// The provider's display name (its id if it is no longer configured).
    pub provider_name: String,
    /// The email the provider gave at the last sign-in.
    pub email: Option<String>,
    pub linked_at: String,
    pub last_login_at: Option<String>,
}

/// Changes to the signed-in user's profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MePatch {
    /// Up to 4000 characters; `null` or empty clears them. Absent: unchanged.
    #[serde(default, deserialize_with = "crate::extract::some_or_null")]
    #[schema(value_type = Option<String>, max_length = 4000)]
    pub custom_instructions: Option<Option<String>>,
}

/// The longest custom instructions, in characters.
const MAX_INSTRUCTIONS: usize = 4000;

/// The signed-in user.
#[utoipa::path(get, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    responses(
        (status = 200, description = "the current user", body = MeView),
        (status = 401, description = "not signed in", body = ErrorResponse),
    ))]
async fn me(State(state): State<AppState>, user: AuthUser) -> Result<axum::Json<MeView>> {
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    me_view(&state, &row).await.map(axum::Json)
}

async fn me_view(state: &AppState, row: &users::UserRow) -> Result<MeView> {
    let groups = crate::store::groups::groups_of_user(&state.db, &row.id).await?;
    Ok(MeView {
        user: UserView::from(row),
        groups: groups.into_iter().map(GroupRef::from).collect(),
        custom_instructions: users::custom_instructions(&state.db, &row.id).await?,
        delete_after: crate::store::lifecycle::delete_after(&state.db, &row.id)
            .await?
            .map(rfc3339),
        has_password: !row.password_hash.is_empty(),
        identities: crate::store::identities::identities_of_user(&state.db, &row.id)
            .await?
            .into_iter()
            .map(|i| IdentityView {
                provider_name: state
                    .auth
                    .oidc
                    .get(&i.provider)
                    .map_or_else(|| i.provider.clone(), |p| p.settings.name.clone()),
                provider: i.provider,
                email: i.email,
                linked_at: rfc3339(i.created_at),
                last_login_at: i.last_login_at.map(rfc3339),
            })
            .collect(),
    })
}

/// Changes the signed-in user's custom instructions.
#[utoipa::path(patch, path = "/api/auth/me", tag = "auth", security(("bearer" = [])),
    request_body = MePatch,
    responses(
        (status = 200, description = "the user as changed", body = MeView),
        (status = 401, description = "not signed in", body = ErrorResponse),
        (status = 422, description = "instructions too long", body = ErrorResponse),
    ))]
async fn patch_me(
    State(state): State<AppState>,
    user: AuthUser,
    Json(patch): Json<MePatch>,
) -> Result<axum::Json<MeView>> {
    if let Some(instructions) = patch.custom_instructions {
        let text = instructions
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        if text.is_some_and(|t| t.chars().count() > MAX_INSTRUCTIONS) {
            return Err(Error::Invalid {
                field: "custom_instructions".into(),
                message: "must be at most 4000 characters".into(),
            });
        }
        users::set_custom_instructions(&state.db, &user.id, text).await?;
    }
    let row = users::get_user(&state.db, &user.id)
        .await?
        .ok_or(Error::Unauthorized)?;
    me_view(&state, &row).await.map(axum::Json)
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
    crate::auth::login::passwords_allowed(&state)?;
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
    crate::policy::check_policy(&body.new_password, &row.username)?;
    let hash = password::hash(&state.auth.hashing, body.new_password).await?;
    users::update_password(&state.db, &user.id, &hash).await?;
    refresh_tokens::revoke_user_tokens(&state.db, &user.id, session.as_deref()).await?;
    crate::cluster::sessions_ended(&state).await;
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
        serde_json::from_slice::<Option<RefreshRequest>>(body)
            .map_err(|e| Error::BadRequest {
                code: "malformed_json",
                message: format!("expected {{\"refresh_token\": \"…\"}}: {e}"),
            })?
            .and_then(|request| request.refresh_token)
    };
    Ok(from_body.or_else(|| jar.get(REFRESH_COOKIE).map(|c| c.value().to_string())))
}

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

//! Signing in: username (or email) and password. The checks and the throttle of failed
//! attempts are `auth::login`; this route bounds the input and starts the session.

use axum::extract::State;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::ClientInfo;
use crate::error::{Error, ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::auth::{TokenResponse, start_session};
use crate::state::AppState;
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
        (status = 403, description = "the account is disabled, or passwords are switched off on this server (`password_login_disabled`)", body = ErrorResponse),
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
    crate::auth::login::password_form_allowed(&state)?;
    crate::auth::login::limit_address(&state, &client).await?;
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
    let user = crate::auth::login::check(&state, &client, &login, body.password).await?;
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

/// The longest login accepted: an email's maximum length (usernames are at most 32 characters).
const MAX_LOGIN_CHARS: usize = 254;

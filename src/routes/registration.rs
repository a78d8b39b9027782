//! Creating an account: the registration page's facts (mode, whether the first account will
//! administer the server) and `POST /api/auth/register` with an optional invitation code.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::CookieJar;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::{ClientInfo, password, registration};
use crate::config::Registration;
use crate::error::{ErrorResponse, Result};
use crate::extract::Json;
use crate::routes::auth::{TokenResponse, check_email, check_username, start_session};
use crate::state::AppState;
use crate::store::{invitations, users};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    /// 3–32 letters, digits, `_`, `-` or `.`.
    #[schema(pattern = r"^[\w.-]{3,32}$")]
    pub username: String,
    #[schema(min_length = 8, max_length = 1024)]
    pub password: String,
    #[schema(format = Email, max_length = 254)]
    pub email: Option<String>,
    /// The code of an invitation link (required when registration is by invitation).
    pub invite_code: Option<String>,
}

/// What the sign-in and registration pages need to know before anyone signs in.
#[derive(Debug, Serialize, ToSchema)]
pub struct RegistrationInfo {
    pub mode: Registration,
    /// The next account registered becomes the administrator (development, no administrator
    /// yet, registration not closed).
    pub first_account_admin: bool,
    /// No active administrator exists.
    pub needs_admin: bool,
    /// Whether any account exists (false on a fresh install).
    pub has_accounts: bool,
    /// Whether accounts sign in and register with passwords (false: single sign-on only).
    pub password_login: bool,
    /// The single sign-on providers, in the order of their buttons.
    pub providers: Vec<SsoProvider>,
    /// When set, people of this directory (LDAP) sign in with its username and password in
    /// the sign-in form.
    pub directory: Option<String>,
}

/// A single sign-on provider as the sign-in page shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct SsoProvider {
    /// Start signing in at `/api/auth/oidc/{id}/start`.
    pub id: String,
    /// The button's label: "Sign in with {name}".
    pub name: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(registration_info))
        .routes(routes!(register))
}

/// The registration mode and what a newcomer should be told.
#[utoipa::path(get, path = "/api/auth/registration", tag = "auth",
    responses((status = 200, description = "the registration mode in force", body = RegistrationInfo)))]
async fn registration_info(State(state): State<AppState>) -> Result<axum::Json<RegistrationInfo>> {
    let (mode, _) = registration::mode(&state).await?;
    let needs_admin = users::count_active_admins(&state.db).await? == 0;
    Ok(axum::Json(RegistrationInfo {
        mode,
        first_account_admin: registration::first_account_is_admin(&state, mode).await?,
        needs_admin,
        has_accounts: users::any_user(&state.db).await?,
        password_login: state.settings().auth.password_login,
        providers: state
            .auth
            .oidc
            .iter()
            .map(|p| SsoProvider {
                id: p.settings.id.clone(),
                name: p.settings.name.clone(),
            })
            .collect(),
        directory: state.settings().auth.ldap.as_ref().map(|l| l.name.clone()),
    }))
}

/// Creates an account (when registration is open, or with an invitation) and signs it in.
/// In development the first account becomes the administrator while none exists.
#[utoipa::path(post, path = "/api/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "account created and signed in", body = TokenResponse),
        (status = 403, description = "registration is closed (`registration_closed`), or passwords are switched off (`password_login_disabled`: sign in with single sign-on)", body = ErrorResponse),
        (status = 409, description = "username or email taken (`field` says which)", body = ErrorResponse),
        (status = 404, description = "no usable invitation has this code (`field`: `invite_code`)", body = ErrorResponse),
        (status = 422, description = "invalid username, email or password, or no code where registration is by invitation (`field` says which)", body = ErrorResponse),
        (status = 503, description = "too many password checks at once; `Retry-After` says when to retry", body = ErrorResponse),
    ))]
async fn register(
    State(state): State<AppState>,
    client: ClientInfo,
    jar: CookieJar,
    Json(body): Json<RegisterRequest>,
) -> Result<impl IntoResponse> {
    crate::auth::login::passwords_allowed(&state)?;
    let admission = registration::admit(&state, body.invite_code.as_deref()).await?;
    let username = body.username.trim();
    check_username(username)?;
    let email = body
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    if let Some(email) = email {
        check_email(email)?;
    }
    crate::policy::check_policy(&body.password, username)?;
    let hash = password::hash(&state.auth.hashing, body.password).await?;
    let user = users::insert_user(
        &state.db,
        users::NewUser {
            username,
            email,
            password_hash: &hash,
            role: admission.role.as_str(),
        },
    )
    .await?;
    if let Some(invitation) = &admission.invitation
        && !invitations::claim(&state.db, invitation, &user.id).await?
    {
        // Another registration used the code in the meantime: this account does not exist.
        users::soft_delete_user(&state.db, &user.id).await?;
        return Err(crate::auth::registration::unknown_code());
    }
    // The invitation's groups that still exist.
    let mut joined = Vec::new();
    for group in &admission.groups {
        if crate::store::groups::get_group(&state.db, group)
            .await?
            .is_some()
        {
            crate::store::groups::add_member(&state.db, group, &user.id, "invitation").await?;
            joined.push(group.as_str());
        }
    }
    // Registering signs in: the account's last sign-in is now.
    users::record_login_success(&state.db, &user.id).await?;
    let details = serde_json::json!({
        "role": admission.role.as_str(),
        "invitation": admission.invitation,
        "groups": joined,
    });
    let event = Event::new("auth.register", Some(&user.id))
        .target("user", &user.id)
        .details(details);
    record(&state, &client, event).await;
    let user = users::get_user(&state.db, &user.id).await?.unwrap_or(user);
    let (tokens, jar) = start_session(&state, &client, jar, &user, None).await?;
    Ok((StatusCode::CREATED, jar, axum::Json(tokens)))
}

//! Signing in through an OpenID Connect provider. `start` sends the browser to the provider
//! with a fresh state, nonce and PKCE challenge (remembered in the database, so any replica
//! can take the callback; the state is also bound to the browser by a cookie); `callback`
//! takes that attempt once, exchanges the code, checks the ID token, finds or makes the
//! account and starts a session like a password sign-in. Both answer with redirects: a
//! failure goes to `/login?sso_error=<code>` for the sign-in page to explain (with `&next=`,
//! the page the sign-in started from, when it is known).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::header::HOST;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::{Event, record};
use crate::auth::ClientInfo;
use crate::auth::oidc::{Attempt, OidcError, Provider, accounts};
use crate::error::{Error, ErrorResponse, Result};
use crate::routes::auth::start_session;
use crate::state::AppState;
use crate::store::identities::{self, PendingLogin};
use crate::store::now_ms;
use crate::tokens::sha256_hex;

/// Binds a sign-in under way to the browser that started it (login CSRF).
const STATE_COOKIE: &str = "llmchat_oidc";
const COOKIE_PATH: &str = "/api/auth/oidc";
/// How long a sign-in at the provider may take.
const ATTEMPT_TTL_MS: i64 = 10 * 60 * 1000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(start))
        .routes(routes!(callback))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct StartQuery {
    /// The code of an invitation link: a new account gets its role and groups.
    #[param(max_length = 128)]
    pub invite_code: Option<String>,
    /// Where to go after signing in: a path on this server (default `/`).
    #[param(max_length = 512)]
    pub return_to: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    /// Set by the provider when the person cancelled or was refused.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

/// Starts signing in with the provider: redirects to its sign-in page.
#[utoipa::path(get, path = "/api/auth/oidc/{provider}/start", tag = "auth",
    params(("provider" = String, Path, description = "the provider's id (`auth.oidc[].id`)"), StartQuery),
    responses(
        (status = 303, description = "to the provider's sign-in page; or, when the provider cannot be reached, to `/login?sso_error=provider_unavailable`"),
        (status = 404, description = "no provider has this id", body = ErrorResponse),
    ))]
async fn start(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<StartQuery>,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response> {
    let provider = state.auth.oidc.get(&id).cloned().ok_or(Error::NotFound)?;
    let base = public_base(&state, &headers);
    let attempt = Attempt::new();
    let url = match provider
        .authorization_url(&attempt, &redirect_uri(&base, &id))
        .await
    {
        Ok(url) => url,
        Err(e) => {
            tracing::warn!(provider = %id, error = %e, "single sign-on could not start");
            let return_to = safe_return_to(query.return_to.as_deref());
            return Ok(failure_redirect("provider_unavailable", &return_to).into_response());
        }
    };
    let pending = PendingLogin {
        provider: id,
        nonce: attempt.nonce,
        pkce_verifier: attempt.pkce_verifier,
        invite_code: query
            .invite_code
            .filter(|c| !c.trim().is_empty() && c.len() <= 128),
        return_to: safe_return_to(query.return_to.as_deref()),
        expires_at: now_ms() + ATTEMPT_TTL_MS,
    };
    identities::insert_pending_login(&state.db, &sha256_hex(&attempt.state), &pending).await?;
    let cookie = Cookie::build((STATE_COOKIE, attempt.state))
        .http_only(true)
        // Lax: the provider's redirect back is a top-level navigation from another site.
        .same_site(SameSite::Lax)
        .secure(base.starts_with("https://"))
        .path(COOKIE_PATH)
        .max_age(time::Duration::milliseconds(ATTEMPT_TTL_MS));
    Ok((jar.add(cookie), Redirect::to(&url)).into_response())
}

/// Where the provider sends the browser back: signs in and redirects into the app.
#[utoipa::path(get, path = "/api/auth/oidc/{provider}/callback", tag = "auth",
    params(("provider" = String, Path, description = "the provider's id"), CallbackQuery),
    responses(
        (status = 303, description = "signed in (the refresh token set as an httpOnly cookie) and sent to the page the sign-in started from; or sent to `/login?sso_error=<code>` (with `&next=` the page the sign-in started from, when known): `denied`, `state_mismatch`, `state_unknown` (used, replayed or expired), `provider_unavailable`, `token_rejected`, `no_account`, `invitation_required`, `invitation_unknown`, `account_disabled`, `server_error`"),
        (status = 404, description = "no provider has this id", body = ErrorResponse),
    ))]
async fn callback(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<CallbackQuery>,
    client: ClientInfo,
    headers: HeaderMap,
    jar: CookieJar,
) -> Result<Response> {
    let provider = state.auth.oidc.get(&id).cloned().ok_or(Error::NotFound)?;
    let from_cookie = jar.get(STATE_COOKIE).map(|c| c.value().to_string());
    let jar = jar.remove(Cookie::build(STATE_COOKIE).path(COOKIE_PATH));
    let base = public_base(&state, &headers);
    match finish(&state, &provider, &base, from_cookie, query).await {
        Ok((identity, pending)) => {
            signed_in(&state, &client, jar, &provider, &identity, pending).await
        }
        Err(failure) => {
            refused(&state, &client, &id, None, &failure).await;
            let redirect = failure_redirect(failure.code, &failure.return_to);
            Ok((jar, redirect).into_response())
        }
    }
}

/// Why a callback did not sign anyone in: the code for the sign-in page, and the detail for
/// the log and the audit entry (never a secret).
struct Failure {
    code: &'static str,
    detail: String,
    /// The page the sign-in started from, when known: the sign-in page keeps it (`?next=`).
    return_to: String,
}

impl Failure {
    fn new(code: &'static str, detail: impl Into<String>) -> Failure {
        Failure {
            code,
            detail: detail.into(),
            return_to: "/".into(),
        }
    }

    fn with_page(mut self, return_to: &str) -> Failure {
        self.return_to = return_to.to_string();
        self
    }
}

impl From<OidcError> for Failure {
    fn from(e: OidcError) -> Failure {
        let code = match e {
            OidcError::Unavailable(_) => "provider_unavailable",
            OidcError::Rejected(_) => "token_rejected",
        };
        Failure::new(code, e.to_string())
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        let code = match &e {
            Error::Denied { code, .. } => code,
            Error::NoSuch { .. } => "invitation_unknown",
            _ => "server_error",
        };
        Failure::new(code, e.to_string())
    }
}

/// The checks of a callback up to a verified identity.
async fn finish(
    state: &AppState,
    provider: &Provider,
    base: &str,
    from_cookie: Option<String>,
    query: CallbackQuery,
) -> std::result::Result<(crate::auth::oidc::Identity, PendingLogin), Failure> {
    if let Some(error) = query.error {
        let described = query.error_description.unwrap_or_default();
        let failure = Failure::new(
            "denied",
            format!("the provider answered {error}: {described}"),
        );
        // This browser's sign-in is over: its page is kept for the next try.
        let pending = match (&from_cookie, &query.state) {
            (Some(cookie), Some(returned)) if cookie == returned => {
                identities::take_pending_login(&state.db, &sha256_hex(returned)).await?
            }
            _ => None,
        };
        return Err(match pending {
            Some(p) if p.provider == provider.settings.id => failure.with_page(&p.return_to),
            _ => failure,
        });
    }
    let (Some(code), Some(returned)) = (query.code, query.state) else {
        return Err(Failure::new(
            "state_unknown",
            "the callback has no code or no state",
        ));
    };
    if from_cookie.as_deref() != Some(returned.as_str()) {
        return Err(Failure::new(
            "state_mismatch",
            "the state is not the one this browser's sign-in started with",
        ));
    }
    let pending = identities::take_pending_login(&state.db, &sha256_hex(&returned))
        .await?
        .filter(|p| p.provider == provider.settings.id)
        .ok_or_else(|| {
            Failure::new(
                "state_unknown",
                "no sign-in under way has this state (used, replayed or expired)",
            )
        })?;
    let redirect = redirect_uri(base, &provider.settings.id);
    let identity = provider
        .finish(&code, &pending.pkce_verifier, &pending.nonce, &redirect)
        .await
        .map_err(|e| Failure::from(e).with_page(&pending.return_to))?;
    Ok((identity, pending))
}

async fn signed_in(
    state: &AppState,
    client: &ClientInfo,
    jar: CookieJar,
    provider: &Provider,
    identity: &crate::auth::oidc::Identity,
    pending: PendingLogin,
) -> Result<Response> {
    let id = &provider.settings.id;
    let (user, found) = match accounts::account_for(
        state,
        &accounts::Policy::from(&provider.settings),
        identity,
        pending.invite_code.as_deref(),
    )
    .await
    {
        Ok(found) => found,
        Err(e) => {
            let failure = Failure::from(e).with_page(&pending.return_to);
            refused(state, client, id, Some(&identity.subject), &failure).await;
            let redirect = failure_redirect(failure.code, &failure.return_to);
            return Ok((jar, redirect).into_response());
        }
    };
    crate::store::users::record_login_success(&state.db, &user.id).await?;
    let details = serde_json::json!({"via": "oidc", "provider": id, "account": found.as_str()});
    if found == accounts::Found::Created {
        let event = Event::new("auth.register", Some(&user.id))
            .target("user", &user.id)
            .details(serde_json::json!({"via": "oidc", "provider": id, "role": user.role}));
        record(state, client, event).await;
    }
    let event = Event::new("auth.login", Some(&user.id))
        .target("user", &user.id)
        .details(details);
    record(state, client, event).await;
    let (_, jar) = start_session(state, client, jar, &user, None).await?;
    Ok((jar, Redirect::to(&pending.return_to)).into_response())
}

/// Logs and audits a refused callback.
async fn refused(
    state: &AppState,
    client: &ClientInfo,
    provider: &str,
    subject: Option<&str>,
    failure: &Failure,
) {
    tracing::warn!(provider, code = failure.code, detail = %failure.detail, "single sign-on refused");
    let event = Event::new("auth.oidc_failed", None)
        .details(serde_json::json!({
            "provider": provider,
            "code": failure.code,
            "detail": failure.detail,
            "subject": subject,
        }))
        .failed();
    record(state, client, event).await;
}

/// To the sign-in page, which explains `code` and, with `next`, keeps the page the sign-in
/// started from for the next try.
fn failure_redirect(code: &str, return_to: &str) -> Redirect {
    if return_to == "/" {
        return Redirect::to(&format!("/login?sso_error={code}"));
    }
    let next: String = url::form_urlencoded::byte_serialize(return_to.as_bytes()).collect();
    Redirect::to(&format!("/login?sso_error={code}&next={next}"))
}

/// The server's address as people reach it: `server.public_url`, else from the request's
/// `Host` over plain HTTP.
fn public_base(state: &AppState, headers: &HeaderMap) -> String {
    if let Some(url) = &state.settings().server.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    format!("http://{host}")
}

fn redirect_uri(base: &str, provider: &str) -> String {
    format!("{base}/api/auth/oidc/{provider}/callback")
}

/// A path on this server to go to after signing in; anything else (another site, `//host`,
/// a backslash trick) becomes `/`.
fn safe_return_to(value: Option<&str>) -> String {
    match value {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && path.len() <= 512
                && !path.chars().any(char::is_control) =>
        {
            path.to_string()
        }
        _ => "/".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::safe_return_to;

    #[test]
    fn only_paths_on_this_server_are_returned_to() {
        assert_eq!(safe_return_to(Some("/c/123?x=1")), "/c/123?x=1");
        for bad in [
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "c/1",
            "/a\nb",
        ] {
            assert_eq!(safe_return_to(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_return_to(None), "/");
    }
}

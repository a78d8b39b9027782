//! Whether a login may proceed, and as whom: the per-address limit, the per-account and
//! per-source throttle (`store::login_throttle`: doubling waits for a source that keeps
//! guessing, never for the others), a bounded password check, and the audit entries of
//! failures and of a source starting to wait.

use crate::audit::{Event, record};
use crate::auth::ldap::Outcome;
use crate::auth::oidc::accounts::{Found, Policy, account_for};
use crate::auth::{ClientInfo, password};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::users::{self, UserRow};
use crate::store::{login_throttle, now_ms};

/// The account `login` (a username or email) names, if `password` is its password and the
/// account may sign in now (after [`limit_address`]). Every failure is audited; wrong names and wrong passwords fail
/// alike (`InvalidCredentials`), after the same work.
pub async fn check(
    state: &AppState,
    client: &ClientInfo,
    login: &str,
    password: String,
) -> Result<UserRow> {
    let settings = &state.settings().auth;
    let now = now_ms();
    let policy = login_throttle::Policy {
        free: i64::from(settings.max_failed_logins),
        first_delay_ms: i64::try_from(settings.login_backoff.as_millis()).unwrap_or(i64::MAX),
        max_delay_ms: i64::try_from(settings.lockout.as_millis()).unwrap_or(i64::MAX),
    };
    let user = users::find_user_by_login(&state.db, login).await?;
    // Failures count per account and source: a source that keeps guessing waits longer and
    // longer, while the owner, signing in from anywhere else, is never held up by it. Names
    // without an account are counted the same way, so answers never tell them apart.
    let account = match &user {
        Some(user) => login_throttle::user_account(&user.id),
        None => login_throttle::name_account(&users::login_key(login)),
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
            record(state, client, audit_failure("delayed")).await;
            return Err(delayed(until, now));
        }
        login_throttle::Attempt::Counted(count) => count,
    };
    let user = match verify(state, client, user, login, password).await? {
        Some(user) => user,
        None => {
            record(state, client, audit_failure("wrong_password")).await;
            if count == policy.free {
                // From now on this source waits between attempts on this account.
                let slowed = Event::new("auth.lockout", actor.as_deref())
                    .details(serde_json::json!({ "username": login, "source": source }));
                record(state, client, slowed).await;
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
        let denied = denied.details(serde_json::json!({ "reason": "disabled" }));
        record(state, client, denied).await;
        return Err(Error::Forbidden("this account is disabled"));
    }
    Ok(user)
}

/// The account whose password this is: the directory's person (when `auth.ldap` is set and
/// knows the login), else the local account. Unknown names and accounts without a password
/// (single sign-on) are checked against a dummy hash, so that the time taken never tells
/// them from accounts with one.
async fn verify(
    state: &AppState,
    client: &ClientInfo,
    user: Option<UserRow>,
    login: &str,
    password: String,
) -> Result<Option<UserRow>> {
    let settings = state.settings();
    if let Some(ldap) = &settings.auth.ldap {
        let service = ldap
            .resolved_password(&settings.placeholders)
            .ok()
            .flatten();
        match crate::auth::ldap::authenticate(ldap, service.as_deref(), login, &password).await {
            Ok(Outcome::Found(identity)) => {
                let policy = Policy::from(ldap);
                let (user, found) = account_for(state, &policy, &identity, None).await?;
                if found == Found::Created {
                    let event = Event::new("auth.register", Some(&user.id))
                        .target("user", &user.id)
                        .details(serde_json::json!({ "via": "ldap", "role": user.role }));
                    record(state, client, event).await;
                }
                return Ok(Some(user));
            }
            Ok(Outcome::WrongPassword) => return Ok(None),
            Ok(Outcome::NotFound) => {}
            // Local accounts (the admin among them) still sign in while the directory is down.
            Err(e) => tracing::warn!(error = %e, "the directory could not check a sign-in"),
        }
    }
    let has_password =
        settings.auth.password_login && user.as_ref().is_some_and(|u| !u.password_hash.is_empty());
    let stored_hash = match &user {
        Some(u) if has_password => u.password_hash.clone(),
        _ => password::dummy_hash().to_string(),
    };
    let valid = password::verify(&state.auth.hashing, password, stored_hash).await? && has_password;
    Ok(user.filter(|_| valid))
}

/// Guessing from one address is slowed (429) before any account locks. Counts every attempt,
/// well-formed or not; call it before anything else.
pub async fn limit_address(state: &AppState, client: &ClientInfo) -> Result<()> {
    let per_minute = state.settings().auth.login_attempts_per_ip;
    let ip = client.ip_string().unwrap_or_default();
    let decision = state
        .limiter
        .check(&format!("login-ip:{ip}"), per_minute)
        .await?;
    match decision.rejection() {
        Some(rejection) => Err(rejection),
        None => Ok(()),
    }
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

/// Whether the sign-in form may be used: local passwords, or a directory's (`auth.ldap`).
pub fn password_form_allowed(state: &AppState) -> Result<()> {
    match state.settings().auth.ldap {
        Some(_) => Ok(()),
        None => passwords_allowed(state),
    }
}

/// Refuses with 403 `password_login_disabled` when passwords are switched off
/// (`auth.password_login: false`): single sign-on is then the only way in.
pub fn passwords_allowed(state: &AppState) -> Result<()> {
    if state.settings().auth.password_login {
        return Ok(());
    }
    Err(Error::Denied {
        code: "password_login_disabled",
        message: "passwords are switched off on this server: sign in with single sign-on".into(),
    })
}

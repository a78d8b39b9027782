//! Authentication: who is calling. Access tokens (JWT), refresh tokens, API keys, the
//! per-instance caches that keep checks off the database, and the extractors handlers use
//! (`AuthUser`, `AdminUser`, `ClientInfo`).

pub mod api_keys;
mod extract;
pub mod jwt;
pub mod ldap;
pub mod login;
pub mod oidc;
pub mod password;
pub mod registration;

use std::sync::Arc;
use std::time::Duration;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use moka::sync::Cache;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::config::Settings;
use crate::error::{Error, Result};
pub use crate::roles::Role;
use crate::store::{Db, groups, users};

pub use extract::{AdminUser, CallerUnknown, ClientInfo, client_info};

/// How long a user's status or an API key's record is trusted without asking the database:
/// disabling a user or revoking a key takes effect within this on other instances (at once
/// on the instance that made the change).
const CACHE_TTL: Duration = Duration::from_secs(1);

/// What an API key may do. `chat` covers everything a user does (chat, `/v1`, conversations,
/// uploads, usage); `admin` adds the admin API and is granted only when an admin asks for it.
/// Managing keys, passwords and sessions always takes a signed-in session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Chat,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Chat => "chat",
            Scope::Admin => "admin",
        }
    }

    /// Scopes as stored (`chat,admin`); unknown words are ignored, and a key always has `chat`.
    pub fn parse_list(stored: &str) -> Vec<Scope> {
        let mut scopes = vec![Scope::Chat];
        if stored.split(',').any(|s| s.trim() == "admin") {
            scopes.push(Scope::Admin);
        }
        scopes
    }

    pub fn join(scopes: &[Scope]) -> String {
        let admin = scopes.contains(&Scope::Admin);
        if admin { "chat,admin" } else { "chat" }.to_string()
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    /// An access token from a login; `session` is its refresh-token family.
    Session { session: Option<String> },
    /// An API key, which may be limited to some agents, with its scopes.
    ApiKey {
        id: String,
        allowed_agents: Option<Vec<String>>,
        scopes: Vec<Scope>,
    },
}

/// An authenticated, enabled user. Taking it as an argument makes a route require login.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub username: String,
    pub role: Role,
    /// The ids of the groups the user belongs to (they decide which agents the user may use).
    pub groups: Arc<[String]>,
    pub via: Via,
}

impl AuthUser {
    /// The API key used, when the caller authenticated with one.
    pub fn api_key_id(&self) -> Option<&str> {
        match &self.via {
            Via::ApiKey { id, .. } => Some(id),
            Via::Session { .. } => None,
        }
    }

    /// Whether these credentials may use the admin API: an admin's session, or an admin's
    /// key with the `admin` scope.
    pub fn acts_as_admin(&self) -> bool {
        self.role == Role::Admin
            && match &self.via {
                Via::Session { .. } => true,
                Via::ApiKey { scopes, .. } => scopes.contains(&Scope::Admin),
            }
    }

    /// Account management (keys, password, sessions) takes a signed-in session: a leaked key
    /// cannot mint keys, revoke the owner's keys or lock the owner out.
    pub fn require_session(&self, what: &'static str) -> Result<()> {
        match self.via {
            Via::Session { .. } => Ok(()),
            Via::ApiKey { .. } => Err(Error::Forbidden(what)),
        }
    }

    pub fn rate_key(&self) -> String {
        // One budget per user, shared by their sessions and every API key: a new key is not
        // a fresh allowance.
        format!("user:{}", self.id)
    }
}

#[derive(Debug, Clone)]
struct ActiveUser {
    username: String,
    role: Role,
    groups: Arc<[String]>,
}

pub struct Auth {
    pub jwt: jwt::JwtKeys,
    /// user id → the user if enabled and not deleted.
    users: Cache<String, Option<ActiveUser>>,
    pub keys: api_keys::KeyCache,
    /// session (refresh-token family) id → not signed out. Cached as briefly as `users`, so
    /// that a logout on one replica ends the session's access tokens on every replica within
    /// that time (at once on this one).
    sessions: Cache<String, bool>,
    /// Bounds concurrent password hashing.
    pub hashing: password::Gate,
    /// The OpenID Connect providers people may sign in with.
    pub oidc: oidc::Providers,
}

impl Auth {
    pub fn new(settings: &Settings, jwt_secret: &[u8], oidc: oidc::Providers) -> Auth {
        Auth {
            oidc,
            jwt: jwt::JwtKeys::new(jwt_secret, settings.auth.access_token_ttl),
            users: Cache::builder()
                .time_to_live(CACHE_TTL)
                .max_capacity(100_000)
                .build(),
            keys: api_keys::KeyCache::new(CACHE_TTL),
            sessions: Cache::builder()
                .time_to_live(CACHE_TTL)
                .max_capacity(100_000)
                .build(),
            hashing: password::Gate::new(
                settings.auth.max_concurrent_hashes,
                settings.auth.hash_queue_timeout,
            ),
        }
    }

    /// The caller behind the request's credentials: `None` without credentials, an error for
    /// bad ones.
    pub async fn authenticate(&self, db: &Db, headers: &HeaderMap) -> Result<Option<AuthUser>> {
        let Some(credential) = credential(headers) else {
            return Ok(None);
        };
        if credential.starts_with(api_keys::PREFIX) {
            return self.keys.authenticate(self, db, credential).await.map(Some);
        }
        let claims = self.jwt.verify(credential)?;
        let user = self.active_user(db, &claims.sub).await?;
        if let Some(session) = &claims.sid
            && !self.session_live(db, session).await?
        {
            return Err(Error::Unauthorized);
        }
        Ok(Some(AuthUser {
            id: claims.sub,
            username: user.username,
            role: user.role,
            groups: user.groups,
            via: Via::Session {
                session: claims.sid,
            },
        }))
    }

    /// The user if enabled and not deleted, else `Unauthorized`. Cached briefly.
    async fn active_user(&self, db: &Db, id: &str) -> Result<ActiveUser> {
        let cached = match self.users.get(id) {
            Some(entry) => entry,
            None => {
                let entry = match users::get_user(db, id).await? {
                    // A damaged role signs nobody in.
                    Some(row) if !row.is_disabled() => {
                        match Role::stored("users", &row.id, &row.role) {
                            Some(role) => Some(ActiveUser {
                                username: row.username,
                                role,
                                groups: groups::groups_of_user(db, id)
                                    .await?
                                    .into_iter()
                                    .map(|g| g.id)
                                    .collect(),
                            }),
                            None => None,
                        }
                    }
                    _ => None,
                };
                self.users.insert(id.to_string(), entry.clone());
                entry
            }
        };
        cached.ok_or(Error::Unauthorized)
    }

    /// Drops what this instance knows about a user (after disabling, deleting, role change).
    pub fn forget_user(&self, id: &str) {
        self.users.invalidate(id);
    }

    async fn session_live(&self, db: &Db, session: &str) -> Result<bool> {
        if let Some(live) = self.sessions.get(session) {
            return Ok(live);
        }
        let live = crate::store::refresh_tokens::session_is_live(db, session).await?;
        self.sessions.insert(session.to_string(), live);
        Ok(live)
    }

    /// Drops everything this instance knows about users, sessions and keys.
    pub fn forget_everyone(&self) {
        self.users.invalidate_all();
        self.sessions.invalidate_all();
        self.keys.forget_all();
    }

    /// Drops what this instance knows about sessions, after some were signed out, so that
    /// their access tokens stop working here at once.
    pub fn forget_sessions(&self) {
        self.sessions.invalidate_all();
    }
}

/// `Authorization: Bearer …`, or `x-api-key` as Anthropic clients send it.
fn credential(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .or_else(|| headers.get("x-api-key").and_then(|v| v.to_str().ok()))
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

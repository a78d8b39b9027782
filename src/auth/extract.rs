//! Extractors: `AuthUser` (any signed-in caller), `AdminUser` (admins only) and `ClientInfo`
//! (client IP, user agent and request id, for audit entries and per-IP limits).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;

use crate::auth::{AuthUser, Role};
use crate::error::Error;
use crate::extract::RequestId;
use crate::state::AppState;

/// Left by the rate-limit layer when the caller could not be resolved because something it
/// needs (the database) is unavailable: the `AuthUser` extractor answers with it at once
/// instead of waiting for a connection a second time.
#[derive(Debug, Clone, Copy)]
pub struct CallerUnknown(pub &'static str);

impl FromRequestParts<AppState> for AuthUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        // The rate-limit layer may already have resolved the caller.
        if let Some(user) = parts.extensions.get::<AuthUser>() {
            return Ok(user.clone());
        }
        if let Some(CallerUnknown(reason)) = parts.extensions.get::<CallerUnknown>() {
            return Err(Error::Unavailable(reason));
        }
        let user = state
            .auth
            .authenticate(&state.db, &parts.headers)
            .await?
            .ok_or(Error::Unauthorized)?;
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// A signed-in admin; anyone else gets 403 (401 without credentials).
#[derive(Debug, Clone)]
pub struct AdminUser(pub AuthUser);

impl FromRequestParts<AppState> for AdminUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        let user = AuthUser::from_request_parts(parts, state).await?;
        if user.role != Role::Admin {
            return Err(Error::Forbidden("admins only"));
        }
        if !user.acts_as_admin() {
            return Err(Error::Forbidden(
                "this API key has no admin scope: an admin creates one with scopes [\"admin\"]",
            ));
        }
        Ok(AdminUser(user))
    }
}

/// Where a request came from (all unknown for the server's own jobs).
#[derive(Debug, Clone, Default)]
pub struct ClientInfo {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl ClientInfo {
    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

impl FromRequestParts<AppState> for ClientInfo {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Error> {
        Ok(client_info(parts, &state.settings().server.trusted_proxies))
    }
}

pub fn client_info(parts: &Parts, trusted: &[ipnet::IpNet]) -> ClientInfo {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    ClientInfo {
        ip: peer.map(|peer| client_ip(peer, &parts.headers, trusted)),
        user_agent: parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect()),
        request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
    }
}

/// The socket peer, unless it is a trusted proxy: then the right-most address of
/// `X-Forwarded-For` that is not itself a trusted proxy (what the outermost trusted hop saw).
fn client_ip(peer: IpAddr, headers: &axum::http::HeaderMap, trusted: &[ipnet::IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let forwarded: Vec<IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    forwarded
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or(forwarded.first())
        .copied()
        .unwrap_or(peer)
}

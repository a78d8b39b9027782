//! OpenID Connect sign-in, the relying party's side: discovery, the authorization request
//! (authorization code with PKCE, state and nonce), the code exchange, and ID token
//! validation — signature from the provider's JWKS (fetched again when a token names a key
//! it does not list: key rotation), issuer, audience, expiry and nonce. The JWT checks are
//! `jsonwebtoken`'s; what becomes of the identity is `accounts`.

pub mod accounts;
mod claims;

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub use claims::Identity;

use crate::config::{OidcProvider, Settings};

/// How long discovery and keys are kept before they are fetched again.
const METADATA_TTL: Duration = Duration::from_secs(3600);
/// The soonest the keys are fetched again for a token signed by an unknown key.
const KEY_REFETCH_INTERVAL: Duration = Duration::from_secs(1);
/// Clock difference tolerated between the provider and this server.
const LEEWAY_S: u64 = 60;
/// The longest any call to a provider may take.
const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Why a sign-in at a provider failed.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    /// The provider could not be reached or answered nonsense.
    #[error("the provider is unavailable: {0}")]
    Unavailable(String),
    /// The provider refused the code, or its ID token did not pass the checks.
    #[error("the provider's answer was rejected: {0}")]
    Rejected(String),
}

/// The configured providers.
pub struct Providers {
    list: Vec<Arc<Provider>>,
}

impl Providers {
    pub fn new(settings: &Settings) -> anyhow::Result<Providers> {
        if settings.auth.oidc.is_empty() {
            return Ok(Providers { list: Vec::new() });
        }
        let http = reqwest::Client::builder()
            .tls_backend_preconfigured(crate::tls::client_config())
            .timeout(PROVIDER_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("llmchat/", env!("CARGO_PKG_VERSION")))
            .build()?;
        let list = settings
            .auth
            .oidc
            .iter()
            .map(|p| {
                let secret = p
                    .resolved_secret(&settings.placeholders)
                    .map_err(|name| anyhow::anyhow!("${{{name}}} is not set"))?;
                Ok(Arc::new(Provider {
                    settings: p.clone(),
                    secret,
                    http: http.clone(),
                    discovered: tokio::sync::Mutex::new(None),
                }))
            })
            .collect::<anyhow::Result<_>>()?;
        Ok(Providers { list })
    }

    pub fn get(&self, id: &str) -> Option<&Arc<Provider>> {
        self.list.iter().find(|p| p.settings.id == id)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Arc<Provider>> {
        self.list.iter()
    }
}

/// One provider and what was learnt from it (discovery, keys).
pub struct Provider {
    pub settings: OidcProvider,
    secret: String,
    http: reqwest::Client,
    discovered: tokio::sync::Mutex<Option<Arc<Discovered>>>,
}

#[derive(Debug, Deserialize)]
struct Metadata {
    issuer: String,
    authorization_endpoint: String,
    token_endpoint: String,
    jwks_uri: String,
}

struct Discovered {
    meta: Metadata,
    keys: JwkSet,
    fetched: Instant,
}

/// One attempt's secrets: the state sent to the provider, the nonce its ID token must carry,
/// and the PKCE verifier the code exchange proves possession of.
pub struct Attempt {
    pub state: String,
    pub nonce: String,
    pub pkce_verifier: String,
}

impl Attempt {
    pub fn new() -> Attempt {
        Attempt {
            state: crate::tokens::random_token(),
            nonce: crate::tokens::random_token(),
            pkce_verifier: crate::tokens::random_token(),
        }
    }
}

impl Default for Attempt {
    fn default() -> Self {
        Attempt::new()
    }
}

impl Provider {
    /// The URL that sends the browser to the provider's sign-in.
    pub async fn authorization_url(
        &self,
        attempt: &Attempt,
        redirect_uri: &str,
    ) -> Result<String, OidcError> {
        let discovered = self.discovered(false).await?;
        let mut url = url::Url::parse(&discovered.meta.authorization_endpoint)
            .map_err(|e| OidcError::Unavailable(format!("authorization_endpoint: {e}")))?;
        let mut scopes = vec!["openid".to_string()];
        for scope in &self.settings.scopes {
            if !scopes.contains(scope) {
                scopes.push(scope.clone());
            }
        }
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(attempt.pkce_verifier.as_bytes()));
        url.query_pairs_mut()
            .append_pair("response_type", "code")
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("scope", &scopes.join(" "))
            .append_pair("state", &attempt.state)
            .append_pair("nonce", &attempt.nonce)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256");
        Ok(url.into())
    }

    /// Exchanges the authorization code for tokens and returns the checked identity.
    pub async fn finish(
        &self,
        code: &str,
        pkce_verifier: &str,
        nonce: &str,
        redirect_uri: &str,
    ) -> Result<Identity, OidcError> {
        let id_token = self.exchange(code, pkce_verifier, redirect_uri).await?;
        let claims = self.verify(&id_token, nonce).await?;
        Identity::from_claims(&self.settings, claims)
    }

    async fn exchange(
        &self,
        code: &str,
        pkce_verifier: &str,
        redirect_uri: &str,
    ) -> Result<String, OidcError> {
        let discovered = self.discovered(false).await?;
        let body = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_verifier", pkce_verifier)
            .finish();
        // client_secret_basic: both parts form-encoded first (RFC 6749, section 2.3.1).
        let encode =
            |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
        let response = self
            .http
            .post(&discovered.meta.token_endpoint)
            .basic_auth(encode(&self.settings.client_id), Some(encode(&self.secret)))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body)
            .send()
            .await
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {}", e.without_url())))?;
        let status = response.status();
        let body: serde_json::Value = response
            .json()
            .await
            .map_err(|e| OidcError::Unavailable(format!("token endpoint: {}", e.without_url())))?;
        if !status.is_success() {
            // The provider's error code only (invalid_grant…): never its whole answer.
            let error = body["error"].as_str().unwrap_or("unknown");
            return Err(OidcError::Rejected(format!(
                "the token endpoint answered {status}: {error}"
            )));
        }
        body["id_token"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| OidcError::Rejected("the token response has no id_token".into()))
    }

    /// Checks the ID token's signature, issuer, audience, expiry and nonce; returns its claims.
    async fn verify(
        &self,
        token: &str,
        nonce: &str,
    ) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
        let rejected = |what: &str, e: jsonwebtoken::errors::Error| {
            OidcError::Rejected(format!("{what}: {e}"))
        };
        let header = jsonwebtoken::decode_header(token).map_err(|e| rejected("id_token", e))?;
        if matches!(
            header.alg,
            Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512
        ) {
            return Err(OidcError::Rejected(
                "the ID token is signed with a shared secret (HS*), not a provider key".into(),
            ));
        }
        let key = self.key(header.kid.as_deref()).await?;
        let key = DecodingKey::from_jwk(&key).map_err(|e| rejected("the provider's key", e))?;
        let discovered = self.discovered(false).await?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&discovered.meta.issuer]);
        validation.set_audience(&[&self.settings.client_id]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = LEEWAY_S;
        let data = jsonwebtoken::decode::<serde_json::Map<String, serde_json::Value>>(
            token,
            &key,
            &validation,
        )
        .map_err(|e| rejected("id_token", e))?;
        let claims = data.claims;
        if claims.get("nonce").and_then(|n| n.as_str()) != Some(nonce) {
            return Err(OidcError::Rejected(
                "the ID token's nonce is not this sign-in's".into(),
            ));
        }
        // Several audiences: the token must have been issued to this client (OIDC Core 3.1.3.7).
        let audiences = claims
            .get("aud")
            .and_then(|a| a.as_array())
            .map_or(0, Vec::len);
        if audiences > 1
            && claims.get("azp").and_then(|a| a.as_str()) != Some(&self.settings.client_id)
        {
            return Err(OidcError::Rejected(
                "the ID token has several audiences and another authorized party".into(),
            ));
        }
        Ok(claims)
    }

    /// The key `kid` names (or the only key); keys are fetched again once if it is unknown.
    async fn key(&self, kid: Option<&str>) -> Result<Jwk, OidcError> {
        let pick = |keys: &JwkSet| match kid {
            Some(kid) => keys.find(kid).cloned(),
            None if keys.keys.len() == 1 => keys.keys.first().cloned(),
            None => None,
        };
        if let Some(key) = pick(&self.discovered(false).await?.keys) {
            return Ok(key);
        }
        if let Some(key) = pick(&self.discovered(true).await?.keys) {
            return Ok(key);
        }
        Err(OidcError::Rejected(format!(
            "the provider lists no key {}",
            kid.unwrap_or("(no kid, and not exactly one key)")
        )))
    }

    /// Discovery and keys, fetched when missing, stale, or (`keys_missed`) when a token named
    /// an unknown key and they were last fetched more than a moment ago.
    async fn discovered(&self, keys_missed: bool) -> Result<Arc<Discovered>, OidcError> {
        let mut slot = self.discovered.lock().await;
        if let Some(current) = slot.as_ref() {
            let age = current.fetched.elapsed();
            let fresh = age < METADATA_TTL && !(keys_missed && age >= KEY_REFETCH_INTERVAL);
            if fresh {
                return Ok(current.clone());
            }
        }
        let fetched = Arc::new(self.discover().await?);
        *slot = Some(fetched.clone());
        Ok(fetched)
    }

    async fn discover(&self) -> Result<Discovered, OidcError> {
        let issuer = self.settings.issuer.trim_end_matches('/');
        let meta: Metadata = self
            .get_json(&format!("{issuer}/.well-known/openid-configuration"))
            .await?;
        if meta.issuer.trim_end_matches('/') != issuer {
            return Err(OidcError::Unavailable(format!(
                "the discovery document names the issuer {:?}, not the configured {issuer:?}",
                meta.issuer
            )));
        }
        let jwks: serde_json::Value = self.get_json(&meta.jwks_uri).await?;
        Ok(Discovered {
            keys: usable_keys(&jwks),
            meta,
            fetched: Instant::now(),
        })
    }

    async fn get_json<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T, OidcError> {
        let unavailable =
            |e: reqwest::Error| OidcError::Unavailable(format!("{url}: {}", e.without_url()));
        self.http
            .get(url)
            .header("accept", "application/json")
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(unavailable)?
            .json()
            .await
            .map_err(unavailable)
    }
}

/// The signing keys of a JWKS document that `jsonwebtoken` can read (others are skipped
/// rather than failing the whole set).
fn usable_keys(jwks: &serde_json::Value) -> JwkSet {
    let keys = jwks["keys"]
        .as_array()
        .map(|keys| {
            keys.iter()
                .filter(|k| k["use"].as_str().is_none_or(|u| u == "sig"))
                .filter_map(|k| serde_json::from_value::<Jwk>(k.clone()).ok())
                // Shared-secret keys never check an ID token here, and unknown types cannot.
                .filter(|k| {
                    !matches!(
                        k.algorithm,
                        AlgorithmParameters::OctetKey(_) | AlgorithmParameters::Other(_)
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    JwkSet { keys }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broken_keys_and_encryption_keys_are_skipped() {
        let jwks = serde_json::json!({"keys": [
            {"kty": "RSA", "kid": "sig1", "use": "sig", "alg": "RS256", "n": "sXch", "e": "AQAB"},
            {"kty": "RSA", "kid": "enc1", "use": "enc", "n": "sXch", "e": "AQAB"},
            {"kid": "no-type"},
            {"kty": "oct", "kid": "shared", "k": "c2VjcmV0"},
            "not a key",
        ]});
        let keys = usable_keys(&jwks);
        assert_eq!(keys.keys.len(), 1);
        assert!(keys.find("sig1").is_some());
        assert!(usable_keys(&serde_json::json!({"nope": 1})).keys.is_empty());
    }
}

//! API keys (`sk-llmc-…`): generation, the short-lived cache that serves key checks, and the
//! batched last-used writer — never a database write per request.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use moka::sync::Cache;

use crate::auth::{Auth, AuthUser, Scope, Via};
use crate::error::{Error, Result};
use crate::store::{Db, api_keys, now_ms};
use crate::tokens::{random_token, sha256_hex};

pub const PREFIX: &str = "sk-llmc-";
/// Characters of the key kept in clear to recognise it in lists.
const SHOWN: usize = PREFIX.len() + 6;

/// A new key: the secret (shown once), its hash (stored) and its display prefix.
pub struct NewKey {
    pub key: String,
    pub hash: String,
    pub prefix: String,
}

pub fn generate() -> NewKey {
    let key = format!("{PREFIX}{}", random_token());
    NewKey {
        hash: sha256_hex(&key),
        prefix: key.chars().take(SHOWN).collect(),
        key,
    }
}

#[derive(Debug, Clone)]
struct KeyRecord {
    id: String,
    user_id: String,
    expires_at: Option<i64>,
    revoked: bool,
    allowed_agents: Option<Vec<String>>,
    scopes: Vec<Scope>,
}

pub struct KeyCache {
    /// key hash → the key's record, or None for an unknown key.
    records: Cache<String, Option<KeyRecord>>,
    /// key id → last use (unix ms), written out by [`KeyCache::flush`].
    last_used: Mutex<HashMap<String, i64>>,
}

impl KeyCache {
    pub fn new(ttl: Duration) -> KeyCache {
        KeyCache {
            records: Cache::builder()
                .time_to_live(ttl)
                .max_capacity(100_000)
                .build(),
            last_used: Mutex::new(HashMap::new()),
        }
    }

    pub(super) async fn authenticate(&self, auth: &Auth, db: &Db, key: &str) -> Result<AuthUser> {
        let hash = sha256_hex(key);
        let record = match self.records.get(&hash) {
            Some(record) => record,
            None => {
                let record =
                    api_keys::find_api_key_by_hash(db, &hash)
                        .await?
                        .map(|row| KeyRecord {
                            allowed_agents: row
                                .allowed_agents
                                .as_deref()
                                // Damaged: no agents (never all of them).
                                .map(|json| {
                                    crate::store::decode_json(
                                        "api_keys.allowed_agents",
                                        &row.id,
                                        json,
                                        Vec::new(),
                                    )
                                }),
                            scopes: Scope::parse_list(&row.scopes),
                            id: row.id,
                            user_id: row.user_id,
                            expires_at: row.expires_at,
                            revoked: row.revoked_at.is_some(),
                        });
                self.records.insert(hash, record.clone());
                record
            }
        };
        let record = record.ok_or(Error::Unauthorized)?;
        let now = now_ms();
        if record.revoked || record.expires_at.is_some_and(|at| at <= now) {
            return Err(Error::Unauthorized);
        }
        let owner = auth.active_user(db, &record.user_id).await?;
        if let Ok(mut last_used) = self.last_used.lock() {
            last_used.insert(record.id.clone(), now);
        }
        Ok(AuthUser {
            id: record.user_id,
            username: owner.username,
            role: owner.role,
            groups: owner.groups,
            via: Via::ApiKey {
                id: record.id,
                allowed_agents: record.allowed_agents,
                scopes: record.scopes,
            },
        })
    }

    /// Forgets a key on this instance at once (after revocation).
    pub fn forget(&self, hash: &str) {
        self.records.invalidate(hash);
    }

    /// Forgets every key on this instance (after another replica revoked some).
    pub fn forget_all(&self) {
        self.records.invalidate_all();
    }

    /// Writes the last-used times gathered since the previous flush in one transaction.
    pub async fn flush(&self, db: &Db) {
        let batch: Vec<(String, i64)> = match self.last_used.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return,
        };
        if batch.is_empty() {
            return;
        }
        if let Err(e) = api_keys::touch_api_keys(db, &batch).await {
            tracing::warn!(error = %e, keys = batch.len(), "could not record API key use");
        }
    }
}

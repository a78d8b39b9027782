//! Password hashing (argon2id, OWASP parameters: 19 MiB, 2 passes, 1 lane — the argon2
//! crate's defaults) off the async threads. The policy
//! for new passwords is `crate::policy`.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// Bounds how many argon2 computations run at once: each takes 19 MiB and tens of
/// milliseconds of a core, so an unbounded number (one per request, up to tokio's 512 blocking
/// threads) could take gigabytes. Callers past the bound queue; past `wait` they get 503.
#[derive(Debug, Clone)]
pub struct Gate {
    permits: std::sync::Arc<tokio::sync::Semaphore>,
    wait: std::time::Duration,
}

impl Gate {
    /// `concurrent` hashes at once (0: one per core); a caller waits at most `wait`.
    pub fn new(concurrent: u32, wait: std::time::Duration) -> Gate {
        let concurrent = match concurrent {
            0 => std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get),
            n => n as usize,
        };
        Gate {
            permits: std::sync::Arc::new(tokio::sync::Semaphore::new(concurrent)),
            wait,
        }
    }

    async fn run<T: Send + 'static>(&self, work: impl FnOnce() -> T + Send + 'static) -> Result<T> {
        let permit = tokio::time::timeout(self.wait, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| {
                metrics::counter!("llmchat_password_hash_rejected_total").increment(1);
                Error::Busy {
                    retry_after_s: self.wait.as_secs().max(1),
                }
            })?
            .map_err(|e| Error::Internal(anyhow::anyhow!("password gate closed: {e}")))?;
        tokio::task::spawn_blocking(move || {
            let out = work();
            drop(permit);
            out
        })
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing task failed: {e}")))
    }
}

/// Hashes on a blocking thread: argon2 takes tens of milliseconds of CPU by design.
pub async fn hash(gate: &Gate, password: String) -> Result<String> {
    gate.run(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing failed: {e}")))
    })
    .await?
}

/// Verifies on a blocking thread; a malformed stored hash counts as a mismatch.
pub async fn verify(gate: &Gate, password: String, stored: String) -> Result<bool> {
    gate.run(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
}

/// A valid hash of a random password, verified against when the user does not exist so that
/// a login takes as long either way.
pub fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| {
        Argon2::default()
            .hash_password(uuid::Uuid::new_v4().to_string().as_bytes())
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

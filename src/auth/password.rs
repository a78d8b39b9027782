//! Password hashing (argon2id, OWASP parameters: 19 MiB, 2 passes, 1 lane — the argon2
//! crate's defaults) off the async threads, and the password policy.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// Passwords nobody should be allowed to pick (lower-case; compared case-insensitively).
pub const COMMON: &[&str] = &[
    "password",
    "password1",
    "password123",
    "passw0rd",
    "12345678",
    "123456789",
    "1234567890",
    "12345678910",
    "qwertyuiop",
    "qwerty123",
    "qwertyui",
    "1q2w3e4r",
    "1qaz2wsx",
    "iloveyou",
    "sunshine",
    "princess",
    "football",
    "baseball",
    "welcome1",
    "welcome123",
    "abc12345",
    "abcd1234",
    "11111111",
    "00000000",
    "88888888",
    "66666666",
    "aaaaaaaa",
    "letmein1",
    "trustno1",
    "admin123",
    "administrator",
    "changeme",
    "superman",
    "starwars",
    "dragon123",
    "monkey123",
    "asdfghjk",
    "zxcvbnm1",
    "87654321",
    "a1234567",
    "woaini520",
    "woaini1314",
    "5201314520",
    "llmchat123",
];

/// The longest password the policy allows (and so the longest a login may send), in
/// characters (as JSON Schema's `maxLength` counts).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// Checks the policy; the message says what to change.
pub fn check_policy(password: &str, username: &str) -> Result<()> {
    let invalid = |message: &str| Error::Invalid {
        field: "password".into(),
        message: message.into(),
    };
    if password.chars().count() < 8 {
        return Err(invalid("must be at least 8 characters long"));
    }
    if password.chars().count() > MAX_PASSWORD_CHARS {
        return Err(invalid("must be at most 1024 characters long"));
    }
    if password.eq_ignore_ascii_case(username) {
        return Err(invalid("must not be the same as the username"));
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) {
        return Err(invalid(
            "is one of the most common passwords; choose another",
        ));
    }
    Ok(())
}

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

//! Password hashing (argon2id, OWASP parameters: 19 MiB, 2 passes, 1 lane — the argon2
//! crate's defaults) off the async threads, and the password policy.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{Error, Result};

/// Passwords nobody should be allowed to pick (lower-case; compared case-insensitively).
const COMMON: &[&str] = &[
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

/// Checks the policy; the message says what to change.
pub fn check_policy(password: &str, username: &str) -> Result<()> {
    let invalid = |message: &str| Error::Invalid {
        field: "password".into(),
        message: message.into(),
    };
    if password.chars().count() < 8 {
        return Err(invalid("must be at least 8 characters long"));
    }
    if password.len() > 1024 {
        return Err(invalid("must be at most 1024 bytes long"));
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

/// Hashes on a blocking thread: argon2 takes tens of milliseconds of CPU by design.
pub async fn hash(password: String) -> Result<String> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing failed: {e}")))
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("password hashing task failed: {e}")))?
}

/// Verifies on a blocking thread; a malformed stored hash counts as a mismatch.
pub async fn verify(password: String, stored: String) -> Result<bool> {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .map_err(|e| Error::Internal(anyhow::anyhow!("password check task failed: {e}")))
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

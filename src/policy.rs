//! What users may choose: the password policy, shared by registration, password changes, the
//! `user` commands and the configuration check of `ADMIN_PASSWORD`.

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

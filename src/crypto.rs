//! Encryption at rest for provider keys stored in the database: AES-256-GCM with a key derived
//! from `LLMCHAT_ENCRYPTION_KEY` (development generates one in the data directory; elsewhere
//! keys are not stored without it).

use aes_gcm::aead::{Aead, Generate, KeyInit};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use sha2::{Digest, Sha256};

use crate::config::{Environment, Settings};

const PREFIX: &str = "enc:v1:";
const NONCE_LEN: usize = 12;

/// Encrypts and decrypts stored provider keys.
#[derive(Clone)]
pub struct KeyCipher {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for KeyCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyCipher(********)")
    }
}

impl KeyCipher {
    /// Any secret of at least 32 characters; SHA-256 turns it into the AES key.
    pub fn from_secret(secret: &str) -> KeyCipher {
        let key = Sha256::digest(secret.as_bytes());
        KeyCipher {
            cipher: Aes256Gcm::new(&key),
        }
    }

    /// `enc:v1:` + base64(nonce ‖ ciphertext ‖ tag); a fresh nonce every time.
    pub fn encrypt(&self, plaintext: &str) -> anyhow::Result<String> {
        let nonce = Nonce::generate();
        let sealed = self
            .cipher
            .encrypt(&nonce, plaintext.as_bytes())
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut bytes = nonce.to_vec();
        bytes.extend(sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
    }

    pub fn decrypt(&self, stored: &str) -> anyhow::Result<String> {
        let encoded = stored
            .strip_prefix(PREFIX)
            .ok_or_else(|| anyhow::anyhow!("not an encrypted value"))?;
        let bytes = STANDARD.decode(encoded)?;
        anyhow::ensure!(bytes.len() > NONCE_LEN, "encrypted value too short");
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| anyhow::anyhow!("bad nonce"))?;
        let plain = self
            .cipher
            .decrypt(&nonce, sealed)
            .map_err(|_| anyhow::anyhow!("cannot decrypt: wrong LLMCHAT_ENCRYPTION_KEY?"))?;
        Ok(String::from_utf8(plain)?)
    }

    pub fn is_encrypted(value: &str) -> bool {
        value.starts_with(PREFIX)
    }
}

/// The configured cipher; in development one generated once and kept in the data directory;
/// `None` elsewhere without `LLMCHAT_ENCRYPTION_KEY`.
pub fn load(settings: &Settings) -> anyhow::Result<Option<KeyCipher>> {
    if let Some(secret) = &settings.encryption_key {
        return Ok(Some(KeyCipher::from_secret(secret.expose())));
    }
    if settings.environment != Environment::Development {
        return Ok(None);
    }
    let path = settings.data_dir.join("encryption_key");
    if let Ok(existing) = std::fs::read_to_string(&path)
        && existing.trim().len() >= 32
    {
        return Ok(Some(KeyCipher::from_secret(existing.trim())));
    }
    let generated = format!(
        "{}{}",
        crate::tokens::random_token(),
        crate::tokens::random_token()
    );
    crate::tokens::write_private(&path, &generated)?;
    tracing::info!(path = %path.display(), "generated a development encryption key");
    Ok(Some(KeyCipher::from_secret(&generated)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_never_appear_in_the_stored_form() {
        let cipher = KeyCipher::from_secret("a development encryption key of 32+ chars");
        let stored = cipher.encrypt("sk-live-abc123").unwrap();
        assert!(stored.starts_with("enc:v1:") && !stored.contains("sk-live"));
        assert_ne!(
            stored,
            cipher.encrypt("sk-live-abc123").unwrap(),
            "fresh nonce each time"
        );
        assert_eq!(cipher.decrypt(&stored).unwrap(), "sk-live-abc123");
        let other = KeyCipher::from_secret("another key entirely, also 32+ characters");
        assert!(other.decrypt(&stored).is_err());
        assert!(format!("{cipher:?}").contains("****"));
    }
}

//! Random tokens, their hashes, and the development JWT key kept in the data directory.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::config::{Environment, Settings};

/// 32 bytes from the operating system's CSPRNG, URL-safe base64 (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    if let Err(e) = getrandom::fill(&mut bytes) {
        // Without an entropy source no secret can be made safely; there is nothing to fall
        // back to, and the OS guarantees this does not happen after boot.
        tracing::error!(error = %e, "the operating system's random source failed");
        std::process::abort();
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// SHA-256 as hex. Tokens and keys are high-entropy, so a fast hash is the right tool (a slow
/// password hash would only slow every request).
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// The JWT signing key: the configured one, or in development one generated once and kept in
/// `{data_dir}/jwt_secret` so that sessions survive restarts.
pub fn jwt_secret(settings: &Settings) -> anyhow::Result<Vec<u8>> {
    if let Some(secret) = &settings.auth.jwt_secret {
        return Ok(secret.expose().as_bytes().to_vec());
    }
    if settings.environment != Environment::Development {
        anyhow::bail!("JWT_SECRET is required outside development");
    }
    let path = settings.data_dir.join("jwt_secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim();
        if existing.len() >= 32 {
            return Ok(existing.as_bytes().to_vec());
        }
    }
    let generated = format!("{}{}", random_token(), random_token());
    write_private(&path, &generated)?;
    tracing::info!(path = %path.display(), "generated a development JWT secret");
    Ok(generated.into_bytes())
}

/// Writes a file only its owner can read (0600 on Unix).
pub fn write_private(path: &Path, contents: &str) -> anyhow::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?;
    file.write_all(contents.as_bytes())?;
    Ok(())
}

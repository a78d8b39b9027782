//! Secret values that never print: `Debug` and `Serialize` show a mask.

use serde::{Deserialize, Serialize, Serializer};

const MASK: &str = "********";

/// A secret string (JWT key, metrics token). Read it with [`Secret::expose`].
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(MASK)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(MASK)
    }
}

/// A URL with its password (if any) replaced by a mask, safe for logs and output.
pub fn mask_url(raw: &str) -> String {
    match url::Url::parse(raw) {
        Ok(mut url) if url.password().is_some() => {
            // Setting a password only fails for URLs that cannot have one, which this one has.
            let _ = url.set_password(Some(MASK));
            url.to_string()
        }
        Ok(_) => raw.to_string(),
        Err(_) => MASK.to_string(),
    }
}

pub(super) fn serialize_masked_url<S: Serializer>(
    value: &Option<String>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(url) => serializer.serialize_some(&mask_url(url)),
        None => serializer.serialize_none(),
    }
}

//! What a checked ID token says about the person: the claims LLMChat uses, read leniently
//! (a single string where a list is expected, `"true"` for a boolean).

use serde_json::{Map, Value};

use super::OidcError;
use crate::config::OidcProvider;

/// The person an ID token vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The provider's stable id of the person (`sub`).
    pub subject: String,
    pub email: Option<String>,
    /// Whether the provider says it checked the email (`email_verified`).
    pub email_verified: bool,
    /// `preferred_username`, the basis of a new account's username.
    pub username: Option<String>,
    /// `name`.
    pub name: Option<String>,
    /// The values of the provider's `groups_claim` (empty when none is configured).
    pub groups: Vec<String>,
    /// The values of the provider's `role_claim`, when one is configured.
    pub roles: Option<Vec<String>>,
    /// What the person was known by before `subject` (LDAP: the entry's DN, which identities
    /// were keyed by before the entry's id was); a link under it moves to `subject`.
    pub former_subject: Option<String>,
}

impl Identity {
    pub fn from_claims(
        provider: &OidcProvider,
        claims: Map<String, Value>,
    ) -> Result<Identity, OidcError> {
        let text = |name: &str| {
            claims
                .get(name)
                .and_then(Value::as_str)
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let subject = text("sub").filter(|s| s.len() <= 255).ok_or_else(|| {
            OidcError::Rejected("the ID token's sub is missing or too long".into())
        })?;
        let email_verified = match claims.get("email_verified") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
            _ => false,
        };
        Ok(Identity {
            subject,
            email: text("email").filter(|e| e.len() <= 254 && e.contains('@')),
            email_verified,
            username: text("preferred_username"),
            name: text("name"),
            former_subject: None,
            groups: provider
                .groups_claim
                .as_deref()
                .map(|c| strings(claims.get(c)))
                .unwrap_or_default(),
            roles: provider
                .role_claim
                .as_deref()
                .map(|c| strings(claims.get(c))),
        })
    }
}

/// A claim holding a list of strings, or one string (some providers send a single group as
/// a string, or several separated by spaces or commas).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => s
            .split([' ', ','])
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(groups: Option<&str>, roles: Option<&str>) -> OidcProvider {
        serde_json::from_value(serde_json::json!({
            "id": "corp", "name": "Corp", "issuer": "https://id.example.com",
            "client_id": "llmchat", "client_secret": "s",
            "groups_claim": groups, "role_claim": roles, "admin_values": ["admin"],
        }))
        .unwrap()
    }

    fn claims(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    #[test]
    fn reads_the_standard_claims_and_the_configured_group_and_role_claims() {
        let id = Identity::from_claims(
            &provider(Some("groups"), Some("roles")),
            claims(serde_json::json!({
                "sub": "abc", "email": "a@example.com", "email_verified": "true",
                "preferred_username": "alice", "name": "Alice",
                "groups": ["eng", 3, "ops"], "roles": "admin auditor",
            })),
        )
        .unwrap();
        assert_eq!(id.subject, "abc");
        assert!(id.email_verified);
        assert_eq!(id.username.as_deref(), Some("alice"));
        assert_eq!(id.groups, ["eng", "ops"]);
        assert_eq!(
            id.roles,
            Some(vec!["admin".to_string(), "auditor".to_string()])
        );
    }

    #[test]
    fn claims_not_configured_are_not_read_and_a_missing_sub_is_refused() {
        let id = Identity::from_claims(
            &provider(None, None),
            claims(serde_json::json!({"sub": "abc", "groups": ["eng"], "email": "not-an-email"})),
        )
        .unwrap();
        assert!(id.groups.is_empty());
        assert_eq!(id.roles, None);
        assert_eq!(id.email, None);
        assert!(!id.email_verified);
        let missing = Identity::from_claims(
            &provider(None, None),
            claims(serde_json::json!({"sub": " "})),
        );
        assert!(matches!(missing, Err(OidcError::Rejected(_))));
    }
}

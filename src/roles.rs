//! A user's role on the platform. `auth` decides who is calling; agent definitions say which
//! roles may use them (`visible_to`); both name roles with this type, which depends on nothing
//! of ours.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// `admin` manages users, agents and settings besides chatting; `user` chats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    pub fn parse(value: &str) -> Option<Role> {
        match value {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            _ => None,
        }
    }

    /// A role read from the row `row_id` of `table`. The schema's CHECK allows only `admin` and
    /// `user`, so anything else is damage: logged, and `None` (callers choose the safe side).
    pub fn stored(table: &'static str, row_id: &str, value: &str) -> Option<Role> {
        let role = Role::parse(value);
        if role.is_none() {
            tracing::error!(
                table,
                row_id,
                role = value,
                "a stored role is not admin or user"
            );
        }
        role
    }
}

//! Who may create an account, and as what: the registration mode in force (an admin's choice
//! in the console, kept in the database, else the configuration), invitation codes, and the
//! first account of a development server, which becomes its administrator.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Role;
use crate::config::{Environment, Registration};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{invitations, server_settings, users};
use crate::tokens::sha256_hex;

const KEY: &str = "registration";

/// Where the mode in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Config,
    Console,
}

/// The mode in force and where it comes from. Read from the database each time, so a change
/// made on one replica applies on every replica at once.
pub async fn mode(state: &AppState) -> Result<(Registration, Source)> {
    let stored = server_settings::get_setting(&state.db, KEY).await?;
    Ok(match stored.as_deref().and_then(Registration::parse) {
        Some(mode) => (mode, Source::Console),
        None => (state.settings().registration(), Source::Config),
    })
}

/// Sets the mode (`None`: the configuration's again).
pub async fn set_mode(state: &AppState, mode: Option<Registration>, by: &str) -> Result<()> {
    server_settings::put_setting(&state.db, KEY, mode.map(Registration::as_str), by).await
}

/// Whether the next account registered becomes the administrator: only in development, only
/// while no active administrator exists, and only when registration is not closed.
pub async fn first_account_is_admin(state: &AppState, mode: Registration) -> Result<bool> {
    Ok(state.settings().environment == Environment::Development
        && mode != Registration::Closed
        && users::count_active_admins(&state.db).await? == 0)
}

/// What a registration may do: the role it gets and the invitation it uses up.
pub struct Admission {
    pub role: Role,
    pub invitation: Option<String>,
    /// The groups the invitation puts the account in (ids).
    pub groups: Vec<String>,
}

/// Decides whether a registration may go ahead, and with which role.
pub async fn admit(state: &AppState, invite_code: Option<&str>) -> Result<Admission> {
    let (mode, _) = mode(state).await?;
    if mode == Registration::Closed {
        return Err(Error::Denied {
            code: "registration_closed",
            message: "registration is closed; ask an administrator for an account".into(),
        });
    }
    let code = invite_code.map(str::trim).filter(|c| !c.is_empty());
    let invitation = match code {
        Some(code) if code.len() <= 128 => {
            invitations::find_usable(&state.db, &sha256_hex(code)).await?
        }
        _ => None,
    };
    match (&invitation, code, mode) {
        (None, Some(_), _) => return Err(unknown_code()),
        (None, None, Registration::Invite) => {
            return Err(bad_code(
                "registration is by invitation: enter the code from your invitation link",
            ));
        }
        _ => {}
    }
    let role = match &invitation {
        Some(invitation) => {
            Role::stored("invitations", &invitation.id, &invitation.role).unwrap_or(Role::User)
        }
        None if first_account_is_admin(state, mode).await? => Role::Admin,
        None => Role::User,
    };
    let groups = invitation.as_ref().map_or_else(Vec::new, |i| {
        crate::store::decode_json("invitations.group_ids", &i.id, &i.group_ids, Vec::new())
    });
    Ok(Admission {
        role,
        invitation: invitation.map(|i| i.id),
        groups,
    })
}

/// 404 naming `invite_code`: no usable invitation has this code.
pub(crate) fn unknown_code() -> Error {
    Error::NoSuch {
        field: "invite_code",
        message: "this invitation is unknown, used or expired",
    }
}

fn bad_code(message: &str) -> Error {
    Error::Invalid {
        field: "invite_code".into(),
        message: message.into(),
    }
}

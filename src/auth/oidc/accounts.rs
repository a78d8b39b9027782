//! Which account a checked identity signs in as: the one linked to it, else (if the provider
//! allows) the account with the same verified email, else a new account when the provider's
//! `new_accounts` allows one. Then, at every sign-in, the role and groups the provider's
//! claims map to.

use indexmap::IndexMap;

use crate::auth::Role;
use crate::config::{LdapSettings, NewAccounts, OidcProvider};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{groups, identities, invitations, users};
use crate::tokens::sha256_hex;

use super::Identity;

/// What a provider (an OpenID provider, or the LDAP directory) allows its identities.
pub struct Policy<'a> {
    /// The provider's id, as identities are stored (`corp`, `ldap`).
    pub id: &'a str,
    pub new_accounts: NewAccounts,
    pub link_by_email: bool,
    /// Whether memberships come from the provider (replaced at each sign-in).
    pub maps_groups: bool,
    pub group_map: &'a IndexMap<String, String>,
    /// Role values (claim values, directory group names) that make an admin.
    pub admin_values: &'a [String],
    /// The source of the memberships it manages (`oidc`, `ldap`).
    pub source: &'static str,
}

impl<'a> From<&'a OidcProvider> for Policy<'a> {
    fn from(p: &'a OidcProvider) -> Self {
        Policy {
            id: &p.id,
            new_accounts: p.new_accounts,
            link_by_email: p.link_by_email,
            maps_groups: p.groups_claim.is_some(),
            group_map: &p.group_map,
            admin_values: &p.admin_values,
            source: "oidc",
        }
    }
}

impl<'a> From<&'a LdapSettings> for Policy<'a> {
    fn from(l: &'a LdapSettings) -> Self {
        Policy {
            id: super::super::ldap::PROVIDER,
            new_accounts: l.new_accounts,
            link_by_email: l.link_by_email,
            maps_groups: l.group_base.is_some(),
            group_map: &l.group_map,
            admin_values: &l.admin_groups,
            source: "ldap",
        }
    }
}

/// How the identity found its account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Found {
    Linked,
    /// Linked now, by verified email.
    ByEmail,
    Created,
}

impl Found {
    pub fn as_str(self) -> &'static str {
        match self {
            Found::Linked => "linked",
            Found::ByEmail => "email",
            Found::Created => "created",
        }
    }
}

/// The account `identity` signs in as, after its role and groups were brought in line with
/// the provider's claims. Refusals are `Error::Denied` with a code the sign-in page explains.
pub async fn account_for(
    state: &AppState,
    provider: &Policy<'_>,
    identity: &Identity,
    invite_code: Option<&str>,
) -> Result<(users::UserRow, Found)> {
    let (user, found) = find_or_create(state, provider, identity, invite_code).await?;
    if user.is_disabled() {
        return Err(Error::Denied {
            code: "account_disabled",
            message: "this account is disabled".into(),
        });
    }
    let mut changed = apply_role(state, provider, identity, &user).await?;
    if provider.maps_groups {
        let wanted = group_ids(state, provider, &identity.groups).await?;
        changed |= groups::sync_memberships(&state.db, &user.id, provider.source, &wanted).await?;
    }
    if changed {
        crate::cluster::user_changed(state, &user.id).await;
    }
    identities::touch_identity(
        &state.db,
        provider.id,
        &identity.subject,
        identity.email.as_deref(),
    )
    .await?;
    let user = users::get_user(&state.db, &user.id).await?.unwrap_or(user);
    Ok((user, found))
}

/// The account the identity is linked to, under its subject or its former one (then moved to
/// the subject).
async fn linked_account(
    state: &AppState,
    provider: &Policy<'_>,
    identity: &Identity,
) -> Result<Option<users::UserRow>> {
    let id = provider.id;
    if let Some(link) = identities::find_identity(&state.db, id, &identity.subject).await? {
        return users::get_user(&state.db, &link.user_id).await;
    }
    let Some(former) = identity.former_subject.as_deref() else {
        return Ok(None);
    };
    let Some(link) = identities::find_identity(&state.db, id, former).await? else {
        return Ok(None);
    };
    identities::move_identity(&state.db, id, former, &identity.subject).await?;
    users::get_user(&state.db, &link.user_id).await
}

async fn find_or_create(
    state: &AppState,
    provider: &Policy<'_>,
    identity: &Identity,
    invite_code: Option<&str>,
) -> Result<(users::UserRow, Found)> {
    if let Some(user) = linked_account(state, provider, identity).await? {
        return Ok((user, Found::Linked));
    }
    if provider.link_by_email
        && identity.email_verified
        && let Some(email) = &identity.email
        && let Some(user) = users::find_user_by_email(&state.db, email).await?
    {
        identities::link_identity(
            &state.db,
            provider.id,
            &identity.subject,
            &user.id,
            Some(email),
        )
        .await?;
        return Ok((user, Found::ByEmail));
    }
    let invitation = match invite_code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) if code.len() <= 128 => Some(
            invitations::find_usable(&state.db, &sha256_hex(code))
                .await?
                .ok_or_else(crate::auth::registration::unknown_code)?,
        ),
        Some(_) => return Err(crate::auth::registration::unknown_code()),
        None => None,
    };
    match (provider.new_accounts, &invitation) {
        (NewAccounts::None, _) => {
            return Err(Error::Denied {
                code: "no_account",
                message: "no account is linked to this identity; ask an administrator".into(),
            });
        }
        (NewAccounts::Invited, None) => {
            return Err(Error::Denied {
                code: "invitation_required",
                message: "a new account needs an invitation: open your invitation link first"
                    .into(),
            });
        }
        _ => {}
    }
    let user = create(state, provider, identity, invitation.as_ref()).await?;
    Ok((user, Found::Created))
}

/// A new account for the identity, with no password (it signs in through the provider).
async fn create(
    state: &AppState,
    provider: &Policy<'_>,
    identity: &Identity,
    invitation: Option<&invitations::InvitationRow>,
) -> Result<users::UserRow> {
    let role = match invitation {
        Some(i) => Role::stored("invitations", &i.id, &i.role).unwrap_or(Role::User),
        // Like a registration: in development, while no admin exists and registration is
        // not closed, the first account administers the server.
        None if crate::auth::registration::first_account_is_admin(
            state,
            crate::auth::registration::mode(state).await?.0,
        )
        .await? =>
        {
            Role::Admin
        }
        None => Role::User,
    };
    // An email another account uses is not taken over (that is what link_by_email is for).
    let email = match &identity.email {
        Some(e) if users::find_user_by_email(&state.db, e).await?.is_none() => Some(e.as_str()),
        _ => None,
    };
    let user = insert_with_free_username(state, identity, email, role).await?;
    identities::link_identity(&state.db, provider.id, &identity.subject, &user.id, email).await?;
    if let Some(invitation) = invitation {
        if !invitations::claim(&state.db, &invitation.id, &user.id).await? {
            users::soft_delete_user(&state.db, &user.id).await?;
            return Err(crate::auth::registration::unknown_code());
        }
        let ids: Vec<String> = crate::store::decode_json(
            "invitations.group_ids",
            &invitation.id,
            &invitation.group_ids,
            Vec::new(),
        );
        for id in ids {
            if groups::get_group(&state.db, &id).await?.is_some() {
                groups::add_member(&state.db, &id, &user.id, "invitation").await?;
            }
        }
    }
    Ok(user)
}

/// Inserts the account under the identity's preferred name, or that name with a number when
/// it is taken.
async fn insert_with_free_username(
    state: &AppState,
    identity: &Identity,
    email: Option<&str>,
    role: Role,
) -> Result<users::UserRow> {
    let base = username_base(identity);
    let mut last = None;
    for attempt in 0..12 {
        let candidate = match attempt {
            0 => base.clone(),
            1..=9 => format!("{base}-{}", attempt + 1),
            _ => format!("{base}-{}", &crate::tokens::random_token()[..8]),
        };
        let inserted = users::insert_user(
            &state.db,
            users::NewUser {
                username: &candidate,
                email,
                password_hash: "",
                role: role.as_str(),
            },
        )
        .await;
        match inserted {
            Err(Error::Taken {
                field: "username", ..
            }) => last = Some(candidate),
            other => return other,
        }
    }
    Err(Error::Internal(anyhow::anyhow!(
        "no free username near {:?} for a new single sign-on account",
        last.unwrap_or(base)
    )))
}

/// A valid username (3–32 letters, digits, `_`, `-`, `.`) from `preferred_username`, the
/// email's local part, or the name; "user" when none gives one. At most 23 characters, so a
/// suffix fits.
pub fn username_base(identity: &Identity) -> String {
    let candidates = [
        identity.username.as_deref(),
        identity.email.as_deref().and_then(|e| e.split('@').next()),
        identity.name.as_deref(),
    ];
    for candidate in candidates.into_iter().flatten() {
        let cleaned: String = candidate
            .trim()
            .chars()
            .map(|c| if c.is_whitespace() { '.' } else { c })
            .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'))
            .take(23)
            .collect();
        if cleaned.chars().count() >= 3 {
            return cleaned;
        }
    }
    "user".into()
}

/// Sets the role the claims give, if the provider maps roles. The last active administrator
/// is never demoted this way (the server would be left without one).
async fn apply_role(
    state: &AppState,
    provider: &Policy<'_>,
    identity: &Identity,
    user: &users::UserRow,
) -> Result<bool> {
    let Some(roles) = &identity.roles else {
        return Ok(false);
    };
    let wanted = if roles.iter().any(|r| provider.admin_values.contains(r)) {
        Role::Admin
    } else {
        Role::User
    };
    if user.role == wanted.as_str() {
        return Ok(false);
    }
    if wanted == Role::User && users::count_active_admins(&state.db).await? <= 1 {
        tracing::warn!(
            user = %user.id, provider = %provider.id,
            "the provider's claims would demote the last administrator; the role is kept"
        );
        return Ok(false);
    }
    let changes = users::UserChanges {
        role: Some(wanted.as_str()),
        ..Default::default()
    };
    users::update_user(&state.db, &user.id, &changes).await?;
    Ok(true)
}

/// The ids of the groups the claim values name (through `group_map`); values naming no
/// group are ignored.
async fn group_ids(
    state: &AppState,
    provider: &Policy<'_>,
    values: &[String],
) -> Result<Vec<String>> {
    let names: Vec<&str> = values
        .iter()
        .map(|v| provider.group_map.get(v).map_or(v.as_str(), String::as_str))
        .collect();
    Ok(groups::list_groups(&state.db)
        .await?
        .into_iter()
        .filter(|g| names.contains(&g.name.as_str()))
        .map(|g| g.id)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(username: Option<&str>, email: Option<&str>, name: Option<&str>) -> Identity {
        Identity {
            subject: "s".into(),
            email: email.map(String::from),
            email_verified: true,
            username: username.map(String::from),
            name: name.map(String::from),
            groups: Vec::new(),
            roles: None,
            former_subject: None,
        }
    }

    #[test]
    fn a_username_comes_from_the_preferred_name_the_email_or_the_name() {
        assert_eq!(username_base(&identity(Some("alice"), None, None)), "alice");
        assert_eq!(
            username_base(&identity(Some("a!"), Some("bob.smith@x.org"), None)),
            "bob.smith"
        );
        assert_eq!(
            username_base(&identity(None, None, Some("Zhang Wei 张伟"))),
            "Zhang.Wei.张伟"
        );
        assert_eq!(username_base(&identity(None, None, None)), "user");
        let long = username_base(&identity(Some(&"x".repeat(60)), None, None));
        assert_eq!(long.len(), 23);
    }
}

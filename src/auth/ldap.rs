//! Signing in against an LDAP directory or Active Directory (`auth.ldap`): the service account
//! finds the person's entry by what they typed, a bind as that entry checks their password
//! (on a connection of its own), and their groups are read for the group and role mapping.
//! The account is then found or made like a single sign-on's (`oidc::accounts`).

use std::collections::HashMap;
use std::sync::Arc;

use ldap3::{Ldap, LdapConnAsync, LdapConnSettings, Scope, SearchEntry, ldap_escape};

use crate::auth::oidc::Identity;
use crate::config::LdapSettings;

/// The provider id of directory identities.
pub const PROVIDER: &str = "ldap";

/// What the directory said about a sign-in.
#[derive(Debug)]
pub enum Outcome {
    /// Nobody (or more than one entry) matches the login: a local account may.
    NotFound,
    WrongPassword,
    Found(Identity),
}

/// The directory could not be asked (down, timed out, the service account refused).
#[derive(Debug, thiserror::Error)]
#[error("the directory is unavailable: {0}")]
pub struct Unavailable(String);

/// Checks `login` and `password` against the directory.
pub async fn authenticate(
    settings: &LdapSettings,
    service_password: Option<&str>,
    login: &str,
    password: &str,
) -> Result<Outcome, Unavailable> {
    let mut service = connect(settings).await?;
    if let Some(dn) = &settings.bind_dn {
        service
            .with_timeout(settings.timeout)
            .simple_bind(dn, service_password.unwrap_or(""))
            .await
            .and_then(ldap3::LdapResult::success)
            .map_err(|e| Unavailable(format!("the service account cannot bind: {e}")))?;
    }
    let filter = settings.user_filter.replace("{login}", &ldap_escape(login));
    let attributes = vec![
        settings.id_attribute.as_str(),
        settings.username_attribute.as_str(),
        settings.email_attribute.as_str(),
        settings.name_attribute.as_str(),
    ];
    let (entries, _) = service
        .with_timeout(settings.timeout)
        .search(&settings.user_base, Scope::Subtree, &filter, attributes)
        .await
        .and_then(ldap3::SearchResult::success)
        .map_err(|e| Unavailable(format!("searching for the person failed: {e}")))?;
    if entries.len() != 1 {
        if entries.len() > 1 {
            tracing::warn!(
                matches = entries.len(),
                "several directory entries match one login; none is used"
            );
        }
        let _ = service.unbind().await;
        return Ok(Outcome::NotFound);
    }
    let Some(entry) = entries.into_iter().next().map(SearchEntry::construct) else {
        return Ok(Outcome::NotFound);
    };
    // An empty password would be an "unauthenticated bind", which servers accept.
    if password.is_empty() || !binds(settings, &entry.dn, password).await? {
        let _ = service.unbind().await;
        return Ok(Outcome::WrongPassword);
    }
    let groups = match &settings.group_base {
        Some(base) => groups_of(settings, &mut service, base, &entry.dn).await?,
        None => Vec::new(),
    };
    let _ = service.unbind().await;
    let first = |name: &str| attribute(&entry.attrs, name).map(str::to_string);
    let id = stable_id(&entry, &settings.id_attribute);
    Ok(Outcome::Found(Identity {
        former_subject: id.is_some().then(|| entry.dn.clone()),
        subject: id.unwrap_or_else(|| entry.dn.clone()),
        email: first(&settings.email_attribute).filter(|e| e.contains('@') && e.len() <= 254),
        // The directory is the organisation's own record of its people.
        email_verified: true,
        username: first(&settings.username_attribute),
        name: first(&settings.name_attribute),
        roles: (!settings.admin_groups.is_empty()).then(|| groups.clone()),
        groups,
    }))
}

/// The entry's stable id (`id_attribute`): its text, or a binary value such as Active
/// Directory's `objectGUID` in hex; `None` when the entry has none.
fn stable_id(entry: &SearchEntry, name: &str) -> Option<String> {
    if let Some(text) = attribute(&entry.attrs, name).filter(|t| !t.is_empty() && t.len() <= 200) {
        return Some(format!("{name}:{text}"));
    }
    let bytes = entry
        .bin_attrs
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case(name))
        .and_then(|(_, values)| values.first())
        .filter(|v| !v.is_empty() && v.len() <= 64)?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Some(format!("{name}:{hex}"))
}

async fn connect(settings: &LdapSettings) -> Result<Ldap, Unavailable> {
    let options = LdapConnSettings::new()
        .set_conn_timeout(settings.timeout)
        .set_starttls(settings.starttls)
        .set_config(Arc::new(crate::tls::client_config()));
    let (conn, ldap) = LdapConnAsync::with_settings(options, &settings.url)
        .await
        .map_err(|e| Unavailable(format!("cannot connect to {}: {e}", settings.url)))?;
    ldap3::drive!(conn);
    Ok(ldap)
}

/// Whether `password` is the password of the entry `dn` (a bind on a connection of its own).
async fn binds(settings: &LdapSettings, dn: &str, password: &str) -> Result<bool, Unavailable> {
    let mut ldap = connect(settings).await?;
    let result = ldap
        .with_timeout(settings.timeout)
        .simple_bind(dn, password)
        .await
        .map_err(|e| Unavailable(format!("the bind failed: {e}")))?;
    let _ = ldap.unbind().await;
    // 49: invalidCredentials; anything else is the directory's trouble.
    match result.rc {
        0 => Ok(true),
        49 => Ok(false),
        rc => Err(Unavailable(format!(
            "the bind answered {rc}: {}",
            result.text
        ))),
    }
}

async fn groups_of(
    settings: &LdapSettings,
    ldap: &mut Ldap,
    base: &str,
    dn: &str,
) -> Result<Vec<String>, Unavailable> {
    let filter = settings.group_filter.replace("{dn}", &ldap_escape(dn));
    let (entries, _) = ldap
        .with_timeout(settings.timeout)
        .search(
            base,
            Scope::Subtree,
            &filter,
            vec![settings.group_name_attribute.as_str()],
        )
        .await
        .and_then(ldap3::SearchResult::success)
        .map_err(|e| Unavailable(format!("reading the person's groups failed: {e}")))?;
    let mut names: Vec<String> = entries
        .into_iter()
        .map(SearchEntry::construct)
        .filter_map(|g| attribute(&g.attrs, &settings.group_name_attribute).map(str::to_string))
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// The first value of an attribute; names are case-insensitive in LDAP.
fn attribute<'a>(attrs: &'a HashMap<String, Vec<String>>, name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .and_then(|(_, v)| v.first())
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
}

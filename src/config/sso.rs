//! Team settings: single sign-on (OpenID Connect providers in `auth.oidc`, whether local
//! passwords work: `auth.password_login`) and budgets (`budgets`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::{Placeholders, Secret, Settings};

/// Budgets of users and groups (set by admins; see `usage::budgets`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BudgetSettings {
    /// The currency of the price table and of cost budgets, as shown (`USD`, `CNY`).
    pub currency: String,
    /// Where crossing 80 % and 100 % of a budget is also posted (JSON), besides the audit log.
    pub webhook_url: Option<String>,
}

impl Default for BudgetSettings {
    fn default() -> Self {
        BudgetSettings {
            currency: "USD".into(),
            webhook_url: None,
        }
    }
}

/// One OpenID Connect provider (`auth.oidc: [...]`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OidcProvider {
    /// Short name used in URLs (`/api/auth/oidc/{id}/start`): letters, digits, `-` and `_`.
    pub id: String,
    /// What the sign-in button says: "Sign in with {name}".
    pub name: String,
    /// The issuer; its discovery document is `{issuer}/.well-known/openid-configuration`.
    pub issuer: String,
    pub client_id: String,
    /// The client secret; `${NAME}` takes it from the environment variable `NAME`.
    pub client_secret: Secret,
    /// Scopes asked for; `openid` is always added.
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Who may get an account on first sign-in.
    #[serde(default)]
    pub new_accounts: NewAccounts,
    /// Sign an identity in as the existing account with the same email, if the provider says
    /// the email is verified (`email_verified`), instead of making a new account.
    #[serde(default)]
    pub link_by_email: bool,
    /// The claim listing the person's groups (e.g. `groups`). At each sign-in the account's
    /// memberships from this provider are replaced by the groups the claim names.
    #[serde(default)]
    pub groups_claim: Option<String>,
    /// Claim value → LLMChat group name. Values not listed are taken as group names as they
    /// are; values naming no group are ignored.
    #[serde(default)]
    pub group_map: IndexMap<String, String>,
    /// The claim listing the person's roles (e.g. `roles`). When set, the account's role is
    /// set at each sign-in: admin when the claim holds one of `admin_values`, user otherwise.
    #[serde(default)]
    pub role_claim: Option<String>,
    #[serde(default)]
    pub admin_values: Vec<String>,
}

/// Signing in with a directory's password: LDAP or Active Directory (`auth.ldap`). The sign-in
/// form's username and password are checked by binding as the person's entry, found with the
/// service account; their directory groups can map to LLMChat groups and the admin role.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LdapSettings {
    /// What the sign-in page calls the directory ("Company directory").
    #[serde(default = "default_ldap_name")]
    pub name: String,
    /// `ldap://host:389` or `ldaps://host:636`.
    pub url: String,
    /// Upgrade an `ldap://` connection with StartTLS.
    #[serde(default)]
    pub starttls: bool,
    /// The service account that searches for people (none: anonymous search).
    #[serde(default)]
    pub bind_dn: Option<String>,
    /// Its password; `${NAME}` takes it from the environment variable `NAME`.
    #[serde(default)]
    pub bind_password: Option<Secret>,
    /// Where people are (`ou=people,dc=example,dc=org`).
    pub user_base: String,
    /// Finds the person by what they typed; `{login}` is replaced (escaped).
    #[serde(default = "default_user_filter")]
    pub user_filter: String,
    /// The entry's stable id, which stays when the entry is renamed or moved (`entryUUID`;
    /// Active Directory: `objectGUID`); the DN stands in for an entry without one.
    #[serde(default = "default_id_attribute")]
    pub id_attribute: String,
    #[serde(default = "default_username_attribute")]
    pub username_attribute: String,
    #[serde(default = "default_email_attribute")]
    pub email_attribute: String,
    #[serde(default = "default_name_attribute")]
    pub name_attribute: String,
    /// Where groups are; unset: groups are not read.
    #[serde(default)]
    pub group_base: Option<String>,
    /// Finds the person's groups; `{dn}` is replaced by their entry's DN (escaped).
    #[serde(default = "default_group_filter")]
    pub group_filter: String,
    #[serde(default = "default_name_attribute")]
    pub group_name_attribute: String,
    /// Directory group name → LLMChat group name (unlisted: the same name).
    #[serde(default)]
    pub group_map: IndexMap<String, String>,
    /// Directory groups whose members are admins (the role is set at each sign-in when set).
    #[serde(default)]
    pub admin_groups: Vec<String>,
    /// Who gets an account on first sign-in: `open` (everyone in the directory) or `none`.
    #[serde(default)]
    pub new_accounts: NewAccounts,
    /// Sign a person in as the local account with the directory's email.
    #[serde(default)]
    pub link_by_email: bool,
    /// The longest a directory operation may take.
    #[serde(default = "default_ldap_timeout", with = "humantime_serde")]
    pub timeout: std::time::Duration,
}

fn default_ldap_name() -> String {
    "directory".into()
}
fn default_user_filter() -> String {
    "(|(uid={login})(mail={login}))".into()
}
fn default_username_attribute() -> String {
    "uid".into()
}
fn default_id_attribute() -> String {
    "entryUUID".into()
}
fn default_email_attribute() -> String {
    "mail".into()
}
fn default_name_attribute() -> String {
    "cn".into()
}
fn default_group_filter() -> String {
    "(|(member={dn})(uniqueMember={dn}))".into()
}
fn default_ldap_timeout() -> std::time::Duration {
    std::time::Duration::from_secs(10)
}

impl LdapSettings {
    /// The service account's password with a `${NAME}` placeholder replaced.
    pub fn resolved_password(&self, env: &Placeholders) -> Result<Option<String>, String> {
        let Some(secret) = &self.bind_password else {
            return Ok(None);
        };
        let raw = secret.expose().trim();
        match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(name) => env.get(name).map(Some).ok_or_else(|| name.to_string()),
            None => Ok(Some(raw.to_string())),
        }
    }
}

/// Who gets an account on first signing in through a provider.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NewAccounts {
    /// Everyone the provider signs in (the provider decides who may use the server).
    #[default]
    Open,
    /// Only people who come with an invitation link; others must already have an account.
    Invited,
    /// Nobody: only existing accounts (linked before, or by verified email).
    None,
}

fn default_scopes() -> Vec<String> {
    ["openid", "email", "profile"].map(String::from).to_vec()
}

impl OidcProvider {
    /// The client secret with a `${NAME}` placeholder replaced; `Err(NAME)` when it is unset.
    pub fn resolved_secret(&self, env: &Placeholders) -> Result<String, String> {
        let raw = self.client_secret.expose().trim();
        match raw.strip_prefix("${").and_then(|r| r.strip_suffix('}')) {
            Some(name) => env.get(name).ok_or_else(|| name.to_string()),
            None => Ok(raw.to_string()),
        }
    }
}

impl Settings {
    /// The providers' ids, URLs and secrets; the public URL.
    pub(super) fn check_sso(&self) -> Result<(), (&'static str, String)> {
        if let Some(url) = &self.server.public_url {
            let parsed = url::Url::parse(url).map_err(|e| ("server.public_url", e.to_string()))?;
            if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
                return Err((
                    "server.public_url",
                    "must be an http:// or https:// URL".into(),
                ));
            }
        }
        if let Some(url) = &self.budgets.webhook_url {
            match url::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => {
                    return Err((
                        "budgets.webhook_url",
                        "must be an http:// or https:// URL".into(),
                    ));
                }
            }
        }
        let currency = self.budgets.currency.trim();
        if currency.is_empty() || currency.len() > 8 {
            return Err((
                "budgets.currency",
                "must be 1–8 characters (USD, CNY…)".into(),
            ));
        }
        for (i, p) in self.auth.oidc.iter().enumerate() {
            let problem = |what: String| ("auth.oidc", format!("provider {:?}: {what}", p.id));
            let good_id = !p.id.is_empty()
                && p.id.len() <= 32
                && p.id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !good_id {
                return Err(problem(
                    "id must be 1–32 letters, digits, '-' or '_'".into(),
                ));
            }
            if self.auth.oidc[..i].iter().any(|q| q.id == p.id) {
                return Err(problem("two providers have this id".into()));
            }
            match url::Url::parse(&p.issuer) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => return Err(problem("issuer must be an http:// or https:// URL".into())),
            }
            if p.name.trim().is_empty() || p.client_id.trim().is_empty() {
                return Err(problem("name and client_id must not be empty".into()));
            }
            if let Err(name) = p.resolved_secret(&self.placeholders) {
                return Err(problem(format!("client_secret: ${{{name}}} is not set")));
            }
            if p.role_claim.is_some() && p.admin_values.is_empty() {
                return Err(problem(
                    "role_claim needs admin_values (the claim values that make an admin)".into(),
                ));
            }
        }
        self.check_ldap()?;
        if !self.auth.password_login && self.auth.oidc.is_empty() && self.auth.ldap.is_none() {
            return Err((
                "auth.password_login",
                "cannot be false without a single sign-on provider (auth.oidc) or a directory (auth.ldap): nobody could sign in"
                    .into(),
            ));
        }
        Ok(())
    }

    /// The directory's URL, filter and service password.
    fn check_ldap(&self) -> Result<(), (&'static str, String)> {
        let Some(ldap) = &self.auth.ldap else {
            return Ok(());
        };
        let problem = |what: &str| ("auth.ldap", what.to_string());
        if !(ldap.url.starts_with("ldap://") || ldap.url.starts_with("ldaps://")) {
            return Err(problem("url must start with ldap:// or ldaps://"));
        }
        if ldap.user_base.trim().is_empty() || !ldap.user_filter.contains("{login}") {
            return Err(problem(
                "user_base must be set and user_filter must contain {login}",
            ));
        }
        if ldap.new_accounts == NewAccounts::Invited {
            return Err(problem(
                "new_accounts is open or none (invitations are for single sign-on)",
            ));
        }
        if let Err(name) = ldap.resolved_password(&self.placeholders) {
            return Err((
                "auth.ldap",
                format!("bind_password: ${{{name}}} is not set"),
            ));
        }
        Ok(())
    }
}

//! OpenID Connect sign-in against a real provider: `oidc-provider` from npm, run by
//! `tests/oidc/provider.mjs` on loopback (`npm --prefix tests/oidc ci` installs it). The
//! provider can tamper with its ID tokens and rotate its key, so every check of the relying
//! party is tried against real tokens.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    a_person_signs_in_with_groups_and_role_from_the_provider,
    accounts_come_by_invitation_or_verified_email_and_passwords_can_be_switched_off
);

const ADMIN: &str = "sso-admin";

/// `tests/oidc/provider.mjs` on a free port, stopped on drop.
struct Idp {
    child: Child,
    issuer: String,
    http: reqwest::Client,
}

impl Idp {
    fn start() -> Idp {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/oidc");
        assert!(
            std::path::Path::new(dir)
                .join("node_modules/oidc-provider")
                .is_dir(),
            "the test OpenID provider is not installed: run `npm --prefix tests/oidc ci` \
             (scripts/test.sh does)"
        );
        let mut child = Command::new("node")
            .arg(format!("{dir}/provider.mjs"))
            .args(["--port", "0", "--exit-on-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node runs (install Node.js 20 or later)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let issuer = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Idp {
            child,
            issuer,
            http: crate::helpers::http_client(),
        }
    }

    async fn control(&self, method: Method, path: &str, body: Value) -> Value {
        let response = self
            .http
            .request(method, format!("{}/__control/{path}", self.issuer))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "control {path}: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    /// Registers the app as client `client_id` of the provider.
    async fn client(&self, app: &TestApp, provider: &str, client_id: &str) {
        let redirect = app.url(&format!("/api/auth/oidc/{provider}/callback"));
        let body = json!({ "client_secret": "s3cret", "redirect_uris": [redirect] });
        self.control(Method::PUT, &format!("clients/{client_id}"), body)
            .await;
    }

    async fn user(&self, sub: &str, claims: Value) {
        self.control(Method::PUT, &format!("users/{sub}"), claims)
            .await;
    }

    async fn tamper(&self, mode: Option<&str>) {
        self.control(Method::PUT, "tamper", json!({ "mode": mode }))
            .await;
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One browser: its own cookies, following no redirect on its own.
fn browser() -> reqwest::Client {
    llmchat::tls::install_provider();
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(response: &reqwest::Response) -> String {
    let base = response.url().clone();
    let raw = response.headers()["location"].to_str().unwrap();
    base.join(raw).unwrap().to_string()
}

/// Goes from `/start` through the provider's sign-in form as `sub`, and stops at the
/// provider's redirect back to the app: that callback URL (not yet visited).
async fn to_callback(browser: &reqwest::Client, app: &TestApp, start: &str, sub: &str) -> String {
    let mut url = app.url(start);
    for _ in 0..12 {
        if url.starts_with(&app.url("/api/auth/oidc/")) && url.contains("/callback") {
            return url;
        }
        let response = browser.get(&url).send().await.unwrap();
        if response.status().is_redirection() {
            url = location(&response);
        } else if response.status() == 200 && url.contains("/interaction/") {
            let form = browser
                .post(format!("{url}/login"))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(format!(
                    "login={}",
                    url::form_urlencoded::byte_serialize(sub.as_bytes()).collect::<String>()
                ))
                .send()
                .await
                .unwrap();
            assert!(
                form.status().is_redirection(),
                "the provider refused {sub}: {}",
                form.status()
            );
            url = location(&form);
        } else {
            panic!("unexpected {} at {url}", response.status());
        }
    }
    panic!("the sign-in did not come back to the app");
}

/// Visits the callback; returns where the app sends the browser next.
async fn visit(browser: &reqwest::Client, url: &str) -> String {
    let response = browser.get(url).send().await.unwrap();
    assert_eq!(response.status(), 303, "the callback redirects");
    let target = location(&response);
    target
        .split_once("://")
        .map_or(target.clone(), |(_, rest)| {
            rest.find('/').map_or("/".into(), |i| rest[i..].to_string())
        })
}

/// Signs `sub` in through `provider` from scratch; returns the app's redirect target.
async fn sign_in(app: &TestApp, provider: &str, sub: &str) -> (reqwest::Client, String) {
    let browser = browser();
    let callback = to_callback(
        &browser,
        app,
        &format!("/api/auth/oidc/{provider}/start"),
        sub,
    )
    .await;
    let target = visit(&browser, &callback).await;
    (browser, target)
}

/// The session the browser holds (refresh cookie): the access token and user.
async fn session(browser: &reqwest::Client, app: &TestApp) -> Value {
    let response = browser
        .post(app.url("/api/auth/refresh"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the browser is signed in");
    response.json().await.unwrap()
}

async fn me(app: &TestApp, session: &Value) -> Value {
    let token = session["access_token"].as_str().unwrap();
    let (status, me) = app.send(Method::GET, "/api/auth/me", token, None).await;
    assert_eq!(status, 200);
    me
}

fn provider(idp: &Idp, id: &str, extra: Value) -> llmchat::config::OidcProvider {
    let mut value = json!({
        "id": id, "name": format!("{id} SSO"), "issuer": idp.issuer,
        "client_id": format!("llmchat-{id}"), "client_secret": "s3cret",
        "scopes": ["openid", "email", "profile", "groups"],
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(value).unwrap()
}

async fn org(
    backend: Backend,
    idp: &Idp,
    providers: Vec<llmchat::config::OidcProvider>,
    passwords: bool,
) -> (TestApp, String) {
    let ids: Vec<String> = providers.iter().map(|p| p.id.clone()).collect();
    let app = spawn_app_with(backend, move |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        s.auth.oidc = providers;
        s.auth.password_login = passwords;
    })
    .await;
    for id in ids {
        idp.client(&app, &id, &format!("llmchat-{id}")).await;
    }
    let admin = if passwords {
        let body: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
        body["access_token"].as_str().unwrap().to_string()
    } else {
        String::new()
    };
    (app, admin)
}

async fn a_person_signs_in_with_groups_and_role_from_the_provider(backend: Backend) {
    let idp = Idp::start();
    let corp = provider(
        &idp,
        "corp",
        json!({
            "groups_claim": "groups", "group_map": { "eng": "engineering" },
            "role_claim": "roles", "admin_values": ["llmchat-admin"],
        }),
    );
    let (app, admin) = org(backend, &idp, vec![corp], true).await;
    let (status, eng) = app
        .send(
            Method::POST,
            "/api/admin/groups",
            &admin,
            Some(json!({ "name": "engineering" })),
        )
        .await;
    assert_eq!(status, 201, "{eng}");
    let (_, ops) = app
        .send(
            Method::POST,
            "/api/admin/groups",
            &admin,
            Some(json!({ "name": "ops" })),
        )
        .await;
    idp.user(
        "alice-sub",
        json!({
            "preferred_username": "alice", "email": "alice@corp.example", "email_verified": true,
            "name": "Alice", "groups": ["eng", "no-such-group"], "roles": ["staff"],
        }),
    )
    .await;

    let (_, info) = app.get_json("/api/auth/registration").await;
    assert_eq!(
        info["providers"],
        json!([{ "id": "corp", "name": "corp SSO" }])
    );
    assert_eq!(info["password_login"], true);

    let (browser, target) = sign_in(&app, "corp", "alice-sub").await;
    assert_eq!(target, "/");
    let first = session(&browser, &app).await;
    let me1 = me(&app, &first).await;
    assert_eq!(
        (me1["username"].as_str(), me1["role"].as_str()),
        (Some("alice"), Some("user")),
        "{me1}"
    );
    assert_eq!(me1["email"], "alice@corp.example");
    assert_eq!(
        me1["groups"],
        json!([{ "id": eng["id"], "name": "engineering" }])
    );
    // The relying party proved the code with PKCE.
    let log = idp.control(Method::GET, "log", Value::Null).await;
    assert_eq!(log[0]["has_code_verifier"], true, "{log}");

    // An admin adds her to ops by hand; the provider then drops eng and makes her an admin.
    let path = format!(
        "/api/admin/groups/{}/members/{}",
        ops["id"].as_str().unwrap(),
        me1["id"].as_str().unwrap()
    );
    assert_eq!(app.send(Method::PUT, &path, &admin, None).await.0, 204);
    idp.user(
        "alice-sub",
        json!({ "preferred_username": "alice", "groups": [], "roles": ["llmchat-admin"] }),
    )
    .await;
    let (browser, _) = sign_in(&app, "corp", "alice-sub").await;
    let me2 = me(&app, &session(&browser, &app).await).await;
    assert_eq!(me2["id"], me1["id"], "the same account signs in again");
    assert_eq!(me2["role"], "admin");
    assert_eq!(
        me2["groups"],
        json!([{ "id": ops["id"], "name": "ops" }]),
        "memberships the provider does not manage stay"
    );

    // The audit log tells how she came in; the session works like any other.
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=auth.login",
            &admin,
            None,
        )
        .await;
    let via: Vec<&Value> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["details"]["via"] == "oidc")
        .collect();
    assert_eq!(via.len(), 2, "{audit}");
    assert_eq!(via[0]["details"]["provider"], "corp");
    // She has no password to sign in with; she confirms her account's deletion by name.
    assert_eq!(app.login("alice", "").await.status(), 401);
    assert_eq!(me2["has_password"], false);
    assert_eq!(me2["identities"][0]["provider"], "corp");
    assert_eq!(me2["identities"][0]["provider_name"], "corp SSO");
    let token = session(&browser, &app).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, _) = app
        .send(
            Method::DELETE,
            "/api/auth/me",
            &token,
            Some(json!({ "password": "guess" })),
        )
        .await;
    assert_eq!(status, 401);
    let (status, body) = app
        .send(
            Method::DELETE,
            "/api/auth/me",
            &token,
            Some(json!({ "username": "Alice" })),
        )
        .await;
    assert_eq!(status, 202, "{body}");
}

async fn accounts_come_by_invitation_or_verified_email_and_passwords_can_be_switched_off(
    backend: Backend,
) {
    let idp = Idp::start();
    let partner = provider(
        &idp,
        "partner",
        json!({ "new_accounts": "invited", "link_by_email": true }),
    );
    let closed = provider(&idp, "closed", json!({ "new_accounts": "none" }));
    let (app, admin) = org(backend, &idp, vec![partner, closed], true).await;
    // Bob has a local account with this email; the provider vouches for it.
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "bob", "password": PASSWORD, "email": "bob@partner.example" }),
        )
        .await;
    let (status, bob) = crate::helpers::status_and_json(response).await;
    assert_eq!(status, 201, "{bob}");
    idp.user("bob-sub", json!({ "preferred_username": "bobby", "email": "Bob@partner.example", "email_verified": true })).await;
    idp.user("eve-sub", json!({ "preferred_username": "eve", "email": "eve@partner.example", "email_verified": true })).await;
    idp.user("carol-sub", json!({ "preferred_username": "carol", "email": "bob@partner.example", "email_verified": false })).await;

    let (bobs, target) = sign_in(&app, "partner", "bob-sub").await;
    assert_eq!(target, "/");
    let linked = me(&app, &session(&bobs, &app).await).await;
    assert_eq!(
        linked["id"], bob["user"]["id"],
        "linked to the account with the verified email"
    );

    // No invitation, no account; an unverified email links nothing; "none" makes none.
    assert_eq!(
        sign_in(&app, "partner", "eve-sub").await.1,
        "/login?sso_error=invitation_required"
    );
    assert_eq!(
        sign_in(&app, "partner", "carol-sub").await.1,
        "/login?sso_error=invitation_required"
    );
    assert_eq!(
        sign_in(&app, "closed", "eve-sub").await.1,
        "/login?sso_error=no_account"
    );
    // A refused sign-in keeps the page it started from for the next try.
    assert_eq!(
        sign_in_from(
            &app,
            "/api/auth/oidc/closed/start?return_to=/c/42?x=1",
            "eve-sub"
        )
        .await,
        "/login?sso_error=no_account&next=%2Fc%2F42%3Fx%3D1"
    );

    // With an invitation (and a return path) Eve gets an account in the invitation's group.
    let (_, group) = app
        .send(
            Method::POST,
            "/api/admin/groups",
            &admin,
            Some(json!({ "name": "partners" })),
        )
        .await;
    let (status, invitation) = app
        .send(
            Method::POST,
            "/api/admin/invitations",
            &admin,
            Some(json!({ "groups": [group["id"]] })),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    let code = invitation["code"].as_str().unwrap();
    let eve = browser();
    let start = format!("/api/auth/oidc/partner/start?invite_code={code}&return_to=/settings");
    let callback = to_callback(&eve, &app, &start, "eve-sub").await;
    assert_eq!(visit(&eve, &callback).await, "/settings");
    let eve_me = me(&app, &session(&eve, &app).await).await;
    assert_eq!(eve_me["username"], "eve");
    assert_eq!(eve_me["groups"][0]["name"], "partners", "{eve_me}");
    let start = format!("/api/auth/oidc/partner/start?invite_code={code}");
    assert_eq!(
        sign_in_from(&app, &start, "carol-sub").await,
        "/login?sso_error=invitation_unknown",
        "used up"
    );
}

/// A sign-in from `start` in a new browser; the app's redirect target.
async fn sign_in_from(app: &TestApp, start: &str, sub: &str) -> String {
    let browser = browser();
    let callback = to_callback(&browser, app, start, sub).await;
    visit(&browser, &callback).await
}

#[tokio::test]
async fn tokens_that_fail_a_check_sign_nobody_in_and_a_rotated_key_is_fetched() {
    let idp = Idp::start();
    let (app, admin) = org(
        Backend::Sqlite,
        &idp,
        vec![provider(&idp, "corp", json!({}))],
        true,
    )
    .await;
    idp.user("mallory", json!({ "preferred_username": "mallory" }))
        .await;
    for mode in ["bad_signature", "wrong_audience", "expired", "wrong_issuer"] {
        idp.tamper(Some(mode)).await;
        let (_, target) = sign_in(&app, "corp", "mallory").await;
        assert_eq!(target, "/login?sso_error=token_rejected", "{mode}");
    }
    let start = "/api/auth/oidc/corp/start?return_to=/settings";
    assert_eq!(
        sign_in_from(&app, start, "mallory").await,
        "/login?sso_error=token_rejected&next=%2Fsettings"
    );
    let (_, users) = app
        .send(Method::GET, "/api/admin/users?q=mallory", &admin, None)
        .await;
    assert_eq!(users["items"], json!([]), "no account was made");
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=auth.oidc_failed",
            &admin,
            None,
        )
        .await;
    let details = audit["items"].to_string();
    for what in [
        "InvalidSignature",
        "InvalidAudience",
        "ExpiredSignature",
        "InvalidIssuer",
    ] {
        assert!(
            details.contains(what),
            "the audit log names {what}: {details}"
        );
    }

    idp.tamper(None).await;
    assert_eq!(sign_in(&app, "corp", "mallory").await.1, "/");
    let kid = idp.control(Method::POST, "rotate", Value::Null).await;
    assert_eq!(kid["kid"], "k2");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    assert_eq!(
        sign_in(&app, "corp", "mallory").await.1,
        "/",
        "the new key is fetched"
    );
}

#[tokio::test]
async fn a_state_works_once_and_only_in_the_browser_that_started_it() {
    let idp = Idp::start();
    let (app, _) = org(
        Backend::Sqlite,
        &idp,
        vec![provider(&idp, "corp", json!({}))],
        false,
    )
    .await;
    idp.user("dave", json!({ "preferred_username": "dave" }))
        .await;

    // Another browser (the victim of a login CSRF) gets the attacker's callback: refused.
    let attacker = browser();
    let callback = to_callback(&attacker, &app, "/api/auth/oidc/corp/start", "dave").await;
    assert_eq!(
        visit(&browser(), &callback).await,
        "/login?sso_error=state_mismatch"
    );

    // The right browser signs in once; the same state again (cookie and all) is refused.
    assert_eq!(visit(&attacker, &callback).await, "/");
    let state = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let replay = browser()
        .get(&callback)
        .header("cookie", format!("llmchat_oidc={state}"))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&replay), app.url("/login?sso_error=state_unknown"));

    // Passwords are off: the sign-in page says so, and password routes refuse.
    let (_, info) = app.get_json("/api/auth/registration").await;
    assert_eq!(info["password_login"], false);
    let (status, body) = crate::helpers::status_and_json(app.login(ADMIN, PASSWORD).await).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("password_login_disabled"))
    );
    let response = app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "zed", "password": PASSWORD }),
        )
        .await;
    assert_eq!(response.status(), 403);
    // A provider the configuration does not have.
    assert_eq!(app.get("/api/auth/oidc/nope/start").await.status(), 404);
}

//! LDAP sign-in against a real OpenLDAP: `slapd` from Debian, started by `tests/ldap/slapd.sh`
//! with the people and groups of `tests/ldap/seed.ldif`.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, closed_port, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(directory_people_sign_in_with_their_password_groups_and_role);

const ADMIN: &str = "ldap-admin";

/// slapd on a free port, stopped on drop.
struct Slapd {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Slapd {
    async fn start() -> Slapd {
        assert!(
            std::path::Path::new("/usr/sbin/slapd").exists(),
            "slapd is not installed: apt-get install -y slapd ldap-utils (scripts/test.sh's CI does)"
        );
        let dir = tempfile::tempdir().unwrap();
        let port = closed_port();
        let child = Command::new("bash")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/ldap/slapd.sh"))
            .arg(port.to_string())
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("bash runs");
        let mut slapd = Slapd {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return slapd;
            }
            if let Ok(Some(status)) = slapd.child.try_wait() {
                panic!("slapd.sh exited with {status}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("slapd did not listen on {port} within 10 s");
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn directory(port: u16) -> llmchat::config::LdapSettings {
    serde_json::from_value(json!({
        "name": "Example directory",
        "url": format!("ldap://127.0.0.1:{port}"),
        "bind_dn": "cn=llmchat,ou=people,dc=example,dc=org",
        "bind_password": "service-secret",
        "user_base": "ou=people,dc=example,dc=org",
        "group_base": "ou=groups,dc=example,dc=org",
        "group_map": { "eng": "engineering" },
        "admin_groups": ["llmchat-admins"],
        "timeout": "3s",
    }))
    .unwrap()
}

async fn app(backend: Backend, ldap: llmchat::config::LdapSettings) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        s.auth.ldap = Some(ldap);
    })
    .await;
    let body: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let admin = body["access_token"].as_str().unwrap().to_string();
    (app, admin)
}

async fn me(app: &TestApp, login: &str, password: &str) -> Value {
    let (status, body) = status_and_json(app.login(login, password).await).await;
    assert_eq!(status, 200, "{login}: {body}");
    let token = body["access_token"].as_str().unwrap();
    let (status, me) = app.send(Method::GET, "/api/auth/me", token, None).await;
    assert_eq!(status, 200);
    me
}

async fn directory_people_sign_in_with_their_password_groups_and_role(backend: Backend) {
    let slapd = Slapd::start().await;
    let (app, admin) = app(backend, directory(slapd.port)).await;
    let (status, eng) = app
        .send(
            Method::POST,
            "/api/admin/groups",
            &admin,
            Some(json!({ "name": "engineering" })),
        )
        .await;
    assert_eq!(status, 201, "{eng}");

    // Lena's first sign-in makes her account, in the group her directory group maps to.
    let lena = me(&app, "lena", "lena-pass").await;
    assert_eq!(
        (lena["username"].as_str(), lena["role"].as_str()),
        (Some("lena"), Some("user")),
        "{lena}"
    );
    assert_eq!(lena["email"], "lena@example.org");
    assert_eq!(
        lena["groups"],
        json!([{ "id": eng["id"], "name": "engineering" }])
    );
    assert_eq!(lena["has_password"], false);
    assert_eq!(lena["identities"][0]["provider"], "ldap");
    // By email too, as the same account; a wrong or empty password is refused.
    assert_eq!(
        me(&app, "lena@example.org", "lena-pass").await["id"],
        lena["id"]
    );
    assert_eq!(app.login("lena", "wrong").await.status(), 401);
    assert_eq!(app.login("lena", "").await.status(), 401);
    // The members of llmchat-admins are admins.
    assert_eq!(me(&app, "omar", "omar-pass").await["role"], "admin");
    // Names the directory does not know are local accounts; the local admin still signs in.
    assert_eq!(app.login("nobody", "nothing").await.status(), 401);
    assert_eq!(app.login(ADMIN, PASSWORD).await.status(), 200);
    let (_, group) = app
        .send(
            Method::GET,
            &format!("/api/admin/groups/{}", eng["id"].as_str().unwrap()),
            &admin,
            None,
        )
        .await;
    let sources: Vec<&str> = group["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["source"].as_str().unwrap())
        .collect();
    assert_eq!(sources, ["ldap"], "{group}");
    let (_, audit) = app
        .send(
            Method::GET,
            "/api/admin/audit?action=auth.register",
            &admin,
            None,
        )
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["details"]["via"] == "ldap"),
        "{audit}"
    );
}

#[tokio::test]
async fn with_the_directory_down_local_accounts_still_sign_in() {
    let (app, _) = app(Backend::Sqlite, directory(closed_port())).await;
    let started = std::time::Instant::now();
    assert_eq!(app.login("lena", "lena-pass").await.status(), 401);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "no hang: {:?}",
        started.elapsed()
    );
    assert_eq!(app.login(ADMIN, PASSWORD).await.status(), 200);
}

/// The directory's administrator changes an entry, as a directory's own tools would.
async fn directory_admin(port: u16) -> ldap3::Ldap {
    let (conn, mut ldap) = ldap3::LdapConnAsync::new(&format!("ldap://127.0.0.1:{port}"))
        .await
        .unwrap();
    ldap3::drive!(conn);
    ldap.simple_bind("cn=admin,dc=example,dc=org", "admin-secret")
        .await
        .unwrap()
        .success()
        .unwrap();
    ldap
}

/// People are known by their entry's `entryUUID`, so a renamed entry keeps its account; an
/// account linked by DN (as before the entry's id was used) keeps signing in too.
#[tokio::test]
async fn a_renamed_entry_keeps_its_account() {
    let slapd = Slapd::start().await;
    let (app, _) = app(Backend::Sqlite, directory(slapd.port)).await;
    let zoe = me(&app, "zoe", "zoe-pass").await;

    // Renamed (the uid stays, so she still signs in with it): the same account.
    let mut ldap = directory_admin(slapd.port).await;
    ldap.modifydn("uid=zoe,ou=people,dc=example,dc=org", "cn=Zoe", false, None)
        .await
        .unwrap()
        .success()
        .unwrap();
    let renamed = me(&app, "zoe", "zoe-pass").await;
    assert_eq!(renamed["id"], zoe["id"], "{renamed}");

    // A link keyed by the entry's DN moves to its id at the next sign-in.
    let db = app.store();
    let dn = "cn=Zoe,ou=people,dc=example,dc=org";
    sqlx::query("UPDATE user_identities SET subject = $1 WHERE provider = 'ldap'")
        .bind(dn)
        .execute(db.pool())
        .await
        .unwrap();
    assert_eq!(me(&app, "zoe", "zoe-pass").await["id"], zoe["id"]);
    let subject: String =
        sqlx::query_scalar("SELECT subject FROM user_identities WHERE provider = 'ldap'")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert!(subject.starts_with("entryUUID:"), "{subject}");
}

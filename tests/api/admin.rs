//! Admin user management and the audit log; the first admin from the environment.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with, status_and_json};
use crate::on_both_databases;

on_both_databases!(
    the_first_admin_comes_from_the_environment_and_lists_users,
    users_get_403_on_admin_routes_and_anonymous_callers_401,
    admin_creates_disables_resets_and_deletes_users,
    the_last_admin_cannot_be_demoted_disabled_or_deleted,
    the_audit_log_records_admin_actions_and_filters,
);

pub(crate) const ADMIN: &str = "root-admin";
pub(crate) const ADMIN_PASSWORD: &str = "a long admin passphrase";

/// An app whose first admin comes from `LLMCHAT_ADMIN_USERNAME`/`…_PASSWORD`, and its token.
pub(crate) async fn app_with_admin(backend: Backend) -> (TestApp, String) {
    let app = spawn_app_with(backend, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(ADMIN_PASSWORD));
    })
    .await;
    let (status, body) = status_and_json(app.login(ADMIN, ADMIN_PASSWORD).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["user"]["role"], "admin");
    let token = body["access_token"].as_str().unwrap().to_string();
    (app, token)
}

async fn the_first_admin_comes_from_the_environment_and_lists_users(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    for name in ["user-one", "user-two", "another"] {
        app.register(name, PASSWORD).await;
    }
    let (status, page1) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/users?limit=2",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200, "{page1}");
    assert_eq!(page1["items"].as_array().unwrap().len(), 2);
    assert_eq!(page1["items"][0]["username"], ADMIN, "oldest first");
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/admin/users?limit=2&cursor={cursor}"),
            &admin,
            None,
        )
        .await;
    let names: Vec<&str> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["user-two", "another"]);
    assert!(page2["next_cursor"].is_null());

    let (_, found) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/users?q=USER-",
            &admin,
            None,
        )
        .await;
    assert_eq!(found["items"].as_array().unwrap().len(), 2);
    assert!(
        !found.to_string().contains("argon2"),
        "hashes never leave the server"
    );

    let (status, body) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/users?cursor=garbage",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 422, "{body}");
}

async fn users_get_403_on_admin_routes_and_anonymous_callers_401(backend: Backend) {
    let (app, _) = app_with_admin(backend).await;
    let user = app.register("plainuser", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    for (method, path) in [
        (reqwest::Method::GET, "/api/admin/users"),
        (reqwest::Method::POST, "/api/admin/users"),
        (reqwest::Method::PATCH, "/api/admin/users/someone"),
        (reqwest::Method::DELETE, "/api/admin/users/someone"),
        (reqwest::Method::GET, "/api/admin/audit"),
    ] {
        let body = (method != reqwest::Method::GET && method != reqwest::Method::DELETE)
            .then(|| json!({}));
        let (status, error) = app.send(method.clone(), path, &user, body).await;
        assert_eq!(status, 403, "{method} {path}: {error}");
        assert_eq!(error["error"]["code"], "forbidden");
        let anonymous = app
            .client
            .request(method.clone(), app.url(path))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{method} {path}");
    }
}

async fn admin_creates_disables_resets_and_deletes_users(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (status, created) = app.send(reqwest::Method::POST,
        "/api/admin/users",
        &admin,
        Some(json!({ "username": "staffer", "password": PASSWORD, "email": "staff@example.com" })),
    )
    .await;
    assert_eq!(status, 201, "{created}");
    assert_eq!(created["role"], "user");
    let id = created["id"].as_str().unwrap().to_string();
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/users",
            &admin,
            Some(json!({ "username": "STAFFER", "password": PASSWORD })),
        )
        .await;
    assert_eq!(status, 409);

    let session: Value = app
        .login("staff@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let token = session["access_token"].as_str().unwrap();
    let refresh = session["refresh_token"].as_str().unwrap();
    assert_eq!(app.authed_get("/api/auth/me", token).await.status(), 200);

    // Disabled: the live access token stops working at once, the refresh token too.
    let (status, patched) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/users/{id}"),
            &admin,
            Some(json!({ "disabled": true })),
        )
        .await;
    assert_eq!(
        (status, patched["disabled"].as_bool()),
        (200, Some(true)),
        "{patched}"
    );
    assert_eq!(app.authed_get("/api/auth/me", token).await.status(), 401);
    assert_eq!(app.refresh(refresh).await.status(), 401);
    assert_eq!(
        app.login("staffer", PASSWORD).await.status(),
        403,
        "a disabled account cannot sign in"
    );

    // Re-enabled with a reset password: the old one no longer works.
    let (status, _) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/users/{id}"),
            &admin,
            Some(json!({ "disabled": false, "password": "a brand new passphrase" })),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(app.login("staffer", PASSWORD).await.status(), 401);
    assert_eq!(
        app.login("staffer", "a brand new passphrase")
            .await
            .status(),
        200
    );
    let (status, weak) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/users/{id}"),
            &admin,
            Some(json!({ "password": "short" })),
        )
        .await;
    assert_eq!(status, 422, "{weak}");
    let (status, _) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/users/{id}"),
            &admin,
            Some(json!({ "username": "renamed" })),
        )
        .await;
    assert_eq!(status, 422, "unknown fields are refused");

    // Promoted, then deleted: gone from lists and logins, the name free again.
    let (_, promoted) = app
        .send(
            reqwest::Method::PATCH,
            &format!("/api/admin/users/{id}"),
            &admin,
            Some(json!({ "role": "admin" })),
        )
        .await;
    assert_eq!(promoted["role"], "admin");
    let (status, _) = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/admin/users/{id}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        app.login("staffer", "a brand new passphrase")
            .await
            .status(),
        401
    );
    let (status, _) = app
        .send(
            reqwest::Method::DELETE,
            &format!("/api/admin/users/{id}"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = app
        .send(reqwest::Method::GET, "/api/admin/users", &admin, None)
        .await;
    assert!(!list.to_string().contains("staffer"));
    app.register("staffer", PASSWORD).await;
}

async fn the_last_admin_cannot_be_demoted_disabled_or_deleted(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (_, me) = status_and_json(app.authed_get("/api/auth/me", &admin).await).await;
    let id = me["id"].as_str().unwrap();
    let path = format!("/api/admin/users/{id}");
    for change in [json!({ "role": "user" }), json!({ "disabled": true })] {
        let (status, body) = app
            .send(reqwest::Method::PATCH, &path, &admin, Some(change))
            .await;
        assert_eq!(status, 409, "{body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("last active admin")
        );
    }
    let (status, _) = app.send(reqwest::Method::DELETE, &path, &admin, None).await;
    assert_eq!(status, 409);
    assert_eq!(
        app.authed_get("/api/auth/me", &admin).await.status(),
        200,
        "still an admin"
    );

    // With a second admin the first may step down.
    let (_, second) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/users",
            &admin,
            Some(json!({ "username": "second-admin", "password": PASSWORD, "role": "admin" })),
        )
        .await;
    assert_eq!(second["role"], "admin");
    let (status, demoted) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            &admin,
            Some(json!({ "role": "user" })),
        )
        .await;
    assert_eq!((status, demoted["role"].as_str()), (200, Some("user")));
    let (status, _) = app
        .send(reqwest::Method::GET, "/api/admin/users", &admin, None)
        .await;
    assert_eq!(
        status, 403,
        "the demotion applies to the live token at once"
    );
}

async fn the_audit_log_records_admin_actions_and_filters(backend: Backend) {
    let (app, admin) = app_with_admin(backend).await;
    let (_, created) = app
        .send(
            reqwest::Method::POST,
            "/api/admin/users",
            &admin,
            Some(json!({ "username": "audited", "password": PASSWORD })),
        )
        .await;
    let id = created["id"].as_str().unwrap();
    app.send(
        reqwest::Method::PATCH,
        &format!("/api/admin/users/{id}"),
        &admin,
        Some(json!({ "disabled": true })),
    )
    .await;
    assert_eq!(app.login(ADMIN, "wrong password!").await.status(), 401);

    let (status, updates) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/audit?action=admin.user_update",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 200, "{updates}");
    let entries = updates["items"].as_array().unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["target_id"], id);
    assert_eq!(entries[0]["result"], "success");
    assert_eq!(entries[0]["details"]["disabled"], true);
    assert_eq!(entries[0]["ip"], "127.0.0.1");
    assert!(entries[0]["request_id"].as_str().is_some());

    let (_, logins) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/audit?action=auth.login",
            &admin,
            None,
        )
        .await;
    let results: Vec<&str> = logins["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["failure", "success"], "newest first");
    assert!(
        !logins.to_string().contains("wrong password!"),
        "passwords are never audited"
    );

    let (_, actor) = app
        .send(
            reqwest::Method::GET,
            &format!(
                "/api/admin/audit?actor={}&limit=1",
                entries[0]["actor_id"].as_str().unwrap()
            ),
            &admin,
            None,
        )
        .await;
    assert_eq!(actor["items"].as_array().unwrap().len(), 1);
    assert!(actor["next_cursor"].is_string());

    let (_, future) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/audit?from=2999-01-01T00:00:00Z",
            &admin,
            None,
        )
        .await;
    assert!(future["items"].as_array().unwrap().is_empty());
    let (status, bad) = app
        .send(
            reqwest::Method::GET,
            "/api/admin/audit?from=yesterday",
            &admin,
            None,
        )
        .await;
    assert_eq!(status, 422);
    assert!(bad["error"]["message"].as_str().unwrap().contains("from"));
}

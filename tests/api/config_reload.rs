//! `POST /api/config/reload`: what can change without a restart changes; the rest is reported.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with_sources, status_and_json};

const ADMIN: &str = "config-admin";

struct Setup {
    app: TestApp,
    dir: tempfile::TempDir,
    admin: String,
}

impl Setup {
    fn write(&self, yaml: &str) {
        std::fs::write(self.dir.path().join("environments/development.yml"), yaml).unwrap();
    }

    async fn reload(&self) -> (u16, Value) {
        let response = self
            .app
            .client
            .post(self.app.url("/api/config/reload"))
            .bearer_auth(&self.admin)
            .send()
            .await
            .unwrap();
        status_and_json(response).await
    }
}

async fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("environments")).unwrap();
    let sources = llmchat::config::Sources {
        config_dir: dir.path().to_path_buf(),
        dotenv: None,
        vars: vec![
            ("LLMCHAT_ADMIN_USERNAME".into(), ADMIN.into()),
            ("LLMCHAT_ADMIN_PASSWORD".into(), PASSWORD.into()),
        ],
    };
    let app = spawn_app_with_sources(
        Backend::Sqlite,
        |s| {
            s.admin_username = Some(ADMIN.into());
            s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        },
        Some(sources),
    )
    .await;
    let session: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let admin = session["access_token"].as_str().unwrap().to_string();
    Setup { app, dir, admin }
}

#[tokio::test]
async fn limits_registration_and_cors_change_without_a_restart() {
    let s = setup().await;
    assert_eq!(
        s.app.register("before-closing", PASSWORD).await["user"]["role"],
        "user"
    );

    s.write(
        "rate_limit:\n  requests_per_minute: 4\nauth:\n  registration: closed\nserver:\n  cors_origins: [\"https://chat.example.com\"]\n  port: 4000\nlog:\n  level: debug\n",
    );
    let (status, outcome) = s.reload().await;
    assert_eq!(status, 200, "{outcome}");
    let applied: Vec<&str> = outcome["applied"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    for key in [
        "rate_limit.requests_per_minute",
        "auth.registration",
        "server.cors_origins",
        "log.level",
    ] {
        assert!(applied.contains(&key), "{key} not applied: {outcome}");
    }
    let restart: Vec<&str> = outcome["restart_required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert!(restart.contains(&"server.port"), "{outcome}");
    assert_eq!(outcome["agents"], json!(["demo"]));

    let closed = s
        .app
        .post_json(
            "/api/auth/register",
            &json!({ "username": "too-late", "password": PASSWORD }),
        )
        .await;
    assert_eq!(closed.status(), 403, "registration closed at once");

    let preflight = s
        .app
        .client
        .request(reqwest::Method::OPTIONS, s.app.url("/api/agents"))
        .header("origin", "https://chat.example.com")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://chat.example.com"
    );

    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            s.app
                .authed_get("/api/agents", &s.admin)
                .await
                .status()
                .as_u16(),
        );
    }
    assert!(
        statuses.contains(&429),
        "the new limit of 4/min holds: {statuses:?}"
    );
    assert_eq!(
        s.app.get("/api/health/live").await.status(),
        200,
        "still on the port it had"
    );
}

#[tokio::test]
async fn an_invalid_configuration_is_refused_and_nothing_changes() {
    let s = setup().await;
    s.write("auth:\n  registration: closed\n  lockot: 5m\n");
    let (status, body) = s.reload().await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_configuration");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("auth.lockot"),
        "{body}"
    );
    assert_eq!(
        s.app.register("still-open", PASSWORD).await["user"]["username"],
        "still-open"
    );

    let user = s.app.register("plain", PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let response = s
        .app
        .client
        .post(s.app.url("/api/config/reload"))
        .bearer_auth(user)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

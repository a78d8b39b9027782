//! Groups: admins create them and add members; an agent restricted to groups serves only
//! their members (and admins) in the agent list, chat, `/v1` and `/v1/models`.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    an_agent_given_to_a_group_serves_only_its_members_everywhere,
    group_changes_are_checked_and_a_group_an_agent_depends_on_is_kept,
    an_invitation_puts_the_new_account_in_its_groups
);

const ADMIN: &str = "group-admin";

const AGENTS: &str = r#"
agents:
  - id: demo
    name: Demo
    provider: {type: demo}
  - id: team-bot
    name: Team bot
    provider: {type: demo}
"#;

struct Org {
    app: TestApp,
    _dir: tempfile::TempDir,
    admin: String,
}

impl Org {
    async fn start(backend: Backend) -> Org {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("agents.yaml");
        std::fs::write(&path, AGENTS).unwrap();
        let app = spawn_app_with(backend, |s| {
            s.agents.config = path.clone();
            s.admin_username = Some(ADMIN.into());
            s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        })
        .await;
        let admin: Value = app.login(ADMIN, PASSWORD).await.json().await.unwrap();
        let admin = admin["access_token"].as_str().unwrap().to_string();
        Org {
            app,
            _dir: dir,
            admin,
        }
    }

    /// Registers a user: (id, access token).
    async fn user(&self, name: &str) -> (String, String) {
        let body = self.app.register(name, PASSWORD).await;
        (
            body["user"]["id"].as_str().unwrap().to_string(),
            body["access_token"].as_str().unwrap().to_string(),
        )
    }

    async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        self.app.send(method, path, &self.admin, body).await
    }

    async fn create_group(&self, name: &str) -> String {
        let (status, body) = self
            .admin(
                Method::POST,
                "/api/admin/groups",
                Some(json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_string()
    }

    async fn add(&self, group: &str, user: &str) {
        let path = format!("/api/admin/groups/{group}/members/{user}");
        let (status, body) = self.admin(Method::PUT, &path, None).await;
        assert_eq!(status, 204, "{body}");
    }

    async fn restrict(&self, agent: &str, groups: &[&str]) -> (u16, Value) {
        let path = format!("/api/admin/agents/{agent}/groups");
        self.admin(Method::PUT, &path, Some(json!({ "groups": groups })))
            .await
    }

    /// The agent ids `token` sees in `/api/agents` and in `/v1/models`, which must agree.
    async fn agents(&self, token: &str) -> Vec<String> {
        let (status, list) = self.app.send(Method::GET, "/api/agents", token, None).await;
        assert_eq!(status, 200, "{list}");
        let ids = |items: &Value, key: &str| -> Vec<String> {
            let mut ids: Vec<String> = items
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a[key].as_str().unwrap().to_string())
                .collect();
            ids.sort();
            ids
        };
        let (status, models) = self.app.send(Method::GET, "/v1/models", token, None).await;
        assert_eq!(status, 200, "{models}");
        let from_api = ids(&list["items"], "id");
        assert_eq!(
            from_api,
            ids(&models["data"], "id"),
            "/api/agents and /v1/models"
        );
        from_api
    }

    /// `POST /v1/chat/completions` to `model`: the status.
    async fn complete(&self, token: &str, model: &str) -> (u16, Value) {
        let body = json!({"model": model, "messages": [{"role": "user", "content": "hi"}]});
        self.app
            .send(Method::POST, "/v1/chat/completions", token, Some(body))
            .await
    }

    /// Creates a conversation with `agent`: the status.
    async fn converse(&self, token: &str, agent: &str) -> u16 {
        let body = json!({ "agent_id": agent });
        let (status, _) = self
            .app
            .send(Method::POST, "/api/conversations", token, Some(body))
            .await;
        status
    }
}

async fn an_agent_given_to_a_group_serves_only_its_members_everywhere(backend: Backend) {
    let org = Org::start(backend).await;
    let (alice_id, alice) = org.user("alice").await;
    let (_, bob) = org.user("bob").await;
    let engineering = org.create_group("engineering").await;
    org.add(&engineering, &alice_id).await;

    let (status, access) = org.restrict("team-bot", &[&engineering]).await;
    assert_eq!(status, 200, "{access}");
    assert_eq!(access["groups"][0]["name"], "engineering", "{access}");

    assert_eq!(org.agents(&alice).await, ["demo", "team-bot"]);
    assert_eq!(org.agents(&bob).await, ["demo"], "bob is in no group");
    assert_eq!(
        org.agents(&org.admin).await,
        ["demo", "team-bot"],
        "admins see all"
    );

    assert_eq!(org.complete(&alice, "team-bot").await.0, 200);
    let (status, refused) = org.complete(&bob, "team-bot").await;
    assert_eq!(status, 404, "{refused}");
    assert_eq!(org.converse(&alice, "team-bot").await, 201);
    assert_eq!(org.converse(&bob, "team-bot").await, 404);
    assert_eq!(org.converse(&bob, "demo").await, 201);

    // Alice's API key carries her groups too.
    let (status, key) = org
        .app
        .send(
            Method::POST,
            "/api/keys",
            &alice,
            Some(json!({ "name": "k" })),
        )
        .await;
    assert_eq!(status, 201, "{key}");
    let key = key["key"].as_str().unwrap().to_string();
    assert_eq!(org.complete(&key, "team-bot").await.0, 200);

    let (_, me) = org
        .app
        .send(Method::GET, "/api/auth/me", &alice, None)
        .await;
    assert_eq!(
        me["groups"],
        json!([{ "id": engineering, "name": "engineering" }])
    );
    assert_eq!(me["username"], "alice");

    // Out of the group: the agent is gone for her at once (token and key alike).
    let path = format!("/api/admin/groups/{engineering}/members/{alice_id}");
    assert_eq!(org.admin(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(org.agents(&alice).await, ["demo"]);
    assert_eq!(org.complete(&key, "team-bot").await.0, 404);
    assert_eq!(
        org.admin(Method::DELETE, &path, None).await.0,
        404,
        "not a member"
    );

    // No groups: everyone again.
    let (status, access) = org.restrict("team-bot", &[]).await;
    assert_eq!(status, 200, "{access}");
    assert_eq!(access["groups"], json!([]));
    assert_eq!(org.agents(&bob).await, ["demo", "team-bot"]);

    let (_, audit) = org
        .admin(Method::GET, "/api/admin/audit?limit=100", None)
        .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "admin.group_create",
        "admin.group_member_add",
        "admin.group_member_remove",
        "admin.agent_access_update",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

async fn group_changes_are_checked_and_a_group_an_agent_depends_on_is_kept(backend: Backend) {
    let org = Org::start(backend).await;
    let (user_id, user) = org.user("carol").await;
    let sales = org.create_group("sales").await;

    let (status, body) = org
        .admin(
            Method::POST,
            "/api/admin/groups",
            Some(json!({ "name": " sales " })),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (409, &json!("name")),
        "{body}"
    );
    let (status, body) = org
        .admin(
            Method::POST,
            "/api/admin/groups",
            Some(json!({ "name": "  " })),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (422, &json!("name")),
        "{body}"
    );
    let (status, body) = org.restrict("team-bot", &["no-such-group"]).await;
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no-such-group"),
        "{body}"
    );
    assert_eq!(org.restrict("no-such-agent", &[&sales]).await.0, 404);
    let missing = format!("/api/admin/groups/{sales}/members/no-such-user");
    assert_eq!(org.admin(Method::PUT, &missing, None).await.0, 404);

    // Members may not manage groups.
    for (method, path) in [
        (Method::GET, "/api/admin/groups".to_string()),
        (Method::DELETE, format!("/api/admin/groups/{sales}")),
        (
            Method::PUT,
            format!("/api/admin/groups/{sales}/members/{user_id}"),
        ),
        (Method::PUT, "/api/admin/agents/team-bot/groups".to_string()),
    ] {
        let body = (method == Method::PUT).then(|| json!({ "groups": [] }));
        let (status, _) = org.app.send(method.clone(), &path, &user, body).await;
        assert_eq!(status, 403, "{method} {path}");
    }

    // A body must be an object (serde alone would read `[name, description]` as the struct).
    let (status, body) = org
        .admin(
            Method::PATCH,
            &format!("/api/admin/groups/{sales}"),
            Some(json!([null, null])),
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("JSON object")
    );

    // Renamed and described; the list shows members and agents.
    org.add(&sales, &user_id).await;
    org.add(&sales, &user_id).await;
    assert_eq!(org.restrict("team-bot", &[&sales, &sales]).await.0, 200);
    let path = format!("/api/admin/groups/{sales}");
    let (status, group) = org
        .admin(
            Method::PATCH,
            &path,
            Some(json!({ "name": "sales-emea", "description": "EMEA" })),
        )
        .await;
    assert_eq!(status, 200, "{group}");
    assert_eq!(group["members"][0]["username"], "carol");
    assert_eq!(group["members"][0]["source"], "admin");
    let (_, list) = org.admin(Method::GET, "/api/admin/groups", None).await;
    assert_eq!(list["items"][0]["name"], "sales-emea");
    assert_eq!(list["items"][0]["description"], "EMEA");
    assert_eq!(list["items"][0]["member_count"], 1);
    assert_eq!(list["items"][0]["agents"], json!(["team-bot"]));

    // The only group of an agent cannot go: the agent would open to everyone.
    let (status, body) = org.admin(Method::DELETE, &path, None).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "group_in_use");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("team-bot")
    );
    assert_eq!(org.agents(&user).await, ["demo", "team-bot"]);

    // With a second group granted, it can; its members lose the agent.
    let support = org.create_group("support").await;
    assert_eq!(org.restrict("team-bot", &[&sales, &support]).await.0, 200);
    assert_eq!(org.admin(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(org.agents(&user).await, ["demo"]);
    assert_eq!(org.admin(Method::GET, &path, None).await.0, 404);
    let (_, access) = org
        .admin(Method::GET, "/api/admin/agents/team-bot/groups", None)
        .await;
    assert_eq!(
        access["groups"],
        json!([{ "id": support, "name": "support" }])
    );

    // An agent stored by an admin and deleted takes its access with it: the group it was
    // restricted to can go, and a new agent with its id starts open to everyone.
    let temp = json!({ "id": "temp", "name": "Temp", "provider": { "type": "demo" } });
    let (status, body) = org
        .admin(Method::POST, "/api/admin/agents", Some(temp.clone()))
        .await;
    assert_eq!(status, 201, "{body}");
    let research = org.create_group("research").await;
    assert_eq!(org.restrict("temp", &[&research]).await.0, 200);
    assert_eq!(
        org.admin(Method::DELETE, "/api/admin/agents/temp", None)
            .await
            .0,
        204
    );
    let (_, list) = org.admin(Method::GET, "/api/admin/groups", None).await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["agents"] != json!(["temp"])),
        "{list}"
    );
    let (status, body) = org
        .admin(Method::POST, "/api/admin/agents", Some(temp))
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(org.agents(&user).await, ["demo", "temp"]);
    let path = format!("/api/admin/groups/{research}");
    assert_eq!(org.admin(Method::DELETE, &path, None).await.0, 204);

    // The audit log names groups.
    let (_, audit) = org
        .admin(
            Method::GET,
            "/api/admin/audit?action=admin.group_create",
            None,
        )
        .await;
    let names: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["target_name"].as_str())
        .collect();
    assert!(names.contains(&"support"), "{audit}");
}

async fn an_invitation_puts_the_new_account_in_its_groups(backend: Backend) {
    let org = Org::start(backend).await;
    let research = org.create_group("research").await;
    assert_eq!(org.restrict("team-bot", &[&research]).await.0, 200);
    let (status, body) = org
        .admin(
            Method::PATCH,
            "/api/admin/settings",
            Some(json!({ "registration": "invite" })),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    let (status, body) = org
        .admin(
            Method::POST,
            "/api/admin/invitations",
            Some(json!({ "groups": ["no-such-group"] })),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (422, &json!("groups")),
        "{body}"
    );
    let (status, invitation) = org
        .admin(
            Method::POST,
            "/api/admin/invitations",
            Some(json!({ "groups": [research], "note": "for dana" })),
        )
        .await;
    assert_eq!(status, 201, "{invitation}");
    assert_eq!(
        invitation["groups"],
        json!([{ "id": research, "name": "research" }])
    );
    let (_, list) = org.admin(Method::GET, "/api/admin/invitations", None).await;
    assert_eq!(list["items"][0]["groups"][0]["name"], "research", "{list}");

    let response = org
        .app
        .post_json(
            "/api/auth/register",
            &json!({
                "username": "dana",
                "password": PASSWORD,
                "invite_code": invitation["code"],
            }),
        )
        .await;
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    let dana = body["access_token"].as_str().unwrap();
    let (_, me) = org.app.send(Method::GET, "/api/auth/me", dana, None).await;
    assert_eq!(me["groups"][0]["name"], "research", "{me}");
    assert_eq!(org.agents(dana).await, ["demo", "team-bot"]);

    let (_, group) = org
        .admin(Method::GET, &format!("/api/admin/groups/{research}"), None)
        .await;
    assert_eq!(group["members"][0]["username"], "dana");
    assert_eq!(group["members"][0]["source"], "invitation");
}

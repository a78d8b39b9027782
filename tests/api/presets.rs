//! Custom instructions (added to the system prompt of a user's chat turns) and prompt
//! presets (a user's own, and admins' shared ones for an agent).

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{FAST_DEMO, chat_app};
use crate::helpers::{Backend, Mock, PASSWORD};
use crate::on_both_databases;

on_both_databases!(
    custom_instructions_follow_the_agents_system_prompt_upstream,
    presets_are_the_users_own_or_shared_by_admins_for_an_agent
);

async fn custom_instructions_follow_the_agents_system_prompt_upstream(backend: Backend) {
    let mock = Mock::start();
    let agents = format!(
        "  - {{id: gpt, name: GPT, system_prompt: Be brief., provider: {{type: openai, base_url: \"{}\", api_key: k, model: gpt-test}}}}\n",
        mock.url("chunks=2", "openai/v1")
    );
    let chat = chat_app(backend, &agents, |_| {}).await;
    let conversation = chat.conversation("gpt").await;
    let turn = |content: &'static str| {
        let chat = &chat;
        let conversation = conversation.clone();
        async move {
            let response = chat
                .post(
                    &format!("/api/conversations/{conversation}/messages"),
                    json!({"content": content, "stream": false}),
                )
                .await;
            assert_eq!(response.status(), 200);
        }
    };
    let system_sent = || async {
        let requests = mock.requests().await;
        let last = &requests.as_array().unwrap().last().unwrap()["body"];
        last["messages"][0].clone()
    };

    turn("one").await;
    assert_eq!(
        system_sent().await,
        json!({"role": "system", "content": "Be brief."})
    );

    let (status, me) = chat
        .app
        .send(
            Method::PATCH,
            "/api/auth/me",
            &chat.token,
            Some(json!({"custom_instructions": "  Answer in French.  "})),
        )
        .await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["custom_instructions"], "Answer in French.");
    assert_eq!(me["username"], "chatter");
    turn("two").await;
    assert_eq!(
        system_sent().await["content"],
        "Be brief.\n\nThe user's custom instructions:\nAnswer in French."
    );

    let too_long = "x".repeat(4001);
    let (status, body) = chat
        .app
        .send(
            Method::PATCH,
            "/api/auth/me",
            &chat.token,
            Some(json!({"custom_instructions": too_long})),
        )
        .await;
    assert_eq!(
        (status, &body["error"]["field"]),
        (422, &json!("custom_instructions"))
    );
    // Absent: unchanged; null: cleared.
    let (_, me) = chat
        .app
        .send(Method::PATCH, "/api/auth/me", &chat.token, Some(json!({})))
        .await;
    assert_eq!(me["custom_instructions"], "Answer in French.");
    let (_, me) = chat
        .app
        .send(
            Method::PATCH,
            "/api/auth/me",
            &chat.token,
            Some(json!({"custom_instructions": null})),
        )
        .await;
    assert_eq!(me["custom_instructions"], Value::Null);
    turn("three").await;
    assert_eq!(system_sent().await["content"], "Be brief.");
}

async fn presets_are_the_users_own_or_shared_by_admins_for_an_agent(backend: Backend) {
    let agents = format!(
        "{FAST_DEMO}  - {{id: other, name: Other, provider: {{type: demo}}}}\n  - {{id: staff, name: Staff, provider: {{type: demo}}, visible_to: [admin]}}\n"
    );
    let chat = chat_app(backend, &agents, |s| {
        s.admin_username = Some("preset-admin".into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
    })
    .await;
    let admin: Value = chat
        .app
        .login("preset-admin", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_string();
    let user = chat.token.clone();
    let send = |token: &str, method: Method, path: &str, body: Option<Value>| {
        let app = &chat.app;
        let (token, path) = (token.to_string(), path.to_string());
        async move { app.send(method, &path, &token, body).await }
    };
    let titles = |list: &Value| -> Vec<String> {
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_string())
            .collect()
    };

    let (status, mine) = send(
        &user,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "Summarise", "content": "Summarise this:"})),
    )
    .await;
    assert_eq!(status, 201, "{mine}");
    assert_eq!(
        (&mine["shared"], &mine["agent_id"]),
        (&json!(false), &Value::Null)
    );
    let (status, _) = send(
        &user,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "Fast only", "content": "Quickly:", "agent_id": "fast"})),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = send(
        &user,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "Staff", "content": "x", "agent_id": "staff"})),
    )
    .await;
    assert_eq!((status, &body["error"]["field"]), (404, &json!("agent_id")));
    for bad in [
        json!({"title": " ", "content": "x"}),
        json!({"title": "t", "content": "x".repeat(8001)}),
    ] {
        assert_eq!(
            send(&user, Method::POST, "/api/presets", Some(bad)).await.0,
            422
        );
    }
    let (status, _) = send(
        &user,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "t", "content": "c", "agent_id": "fast", "shared": true})),
    )
    .await;
    assert_eq!(status, 403, "only admins share");

    let (status, shared) = send(
        &admin,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "House style", "content": "In our style:", "agent_id": "other", "shared": true})),
    )
    .await;
    assert_eq!(status, 201, "{shared}");
    assert_eq!(shared["shared"], true);
    let (status, _) = send(
        &admin,
        Method::POST,
        "/api/presets",
        Some(json!({"title": "Staff notes", "content": "Internal:", "agent_id": "staff", "shared": true})),
    )
    .await;
    assert_eq!(status, 201);

    let (_, all) = send(&user, Method::GET, "/api/presets", None).await;
    assert_eq!(
        titles(&all),
        ["Fast only", "House style", "Summarise"],
        "not the staff agent's"
    );
    let (_, for_other) = send(&user, Method::GET, "/api/presets?agent_id=other", None).await;
    assert_eq!(titles(&for_other), ["House style", "Summarise"]);
    let (_, for_admin) = send(&admin, Method::GET, "/api/presets?agent_id=staff", None).await;
    assert_eq!(titles(&for_admin), ["Staff notes"], "not the user's own");

    // Users change their own; shared ones only admins.
    let mine_path = format!("/api/presets/{}", mine["id"].as_str().unwrap());
    let shared_path = format!("/api/presets/{}", shared["id"].as_str().unwrap());
    let (status, changed) = send(
        &user,
        Method::PATCH,
        &mine_path,
        Some(json!({"content": "Summarise briefly:"})),
    )
    .await;
    assert_eq!(
        (status, &changed["content"]),
        (200, &json!("Summarise briefly:"))
    );
    assert_eq!(changed["title"], "Summarise");
    let rename = Some(json!({"title": "Mine now"}));
    assert_eq!(
        send(&user, Method::PATCH, &shared_path, rename).await.0,
        403
    );
    assert_eq!(send(&user, Method::DELETE, &shared_path, None).await.0, 403);
    assert_eq!(
        send(&admin, Method::DELETE, &mine_path, None).await.0,
        404,
        "another's own"
    );
    assert_eq!(send(&user, Method::DELETE, &mine_path, None).await.0, 204);
    assert_eq!(
        send(&admin, Method::DELETE, &shared_path, None).await.0,
        204
    );
    let (_, all) = send(&user, Method::GET, "/api/presets", None).await;
    assert_eq!(titles(&all), ["Fast only"]);

    // A shared preset of an agent that is gone stays in reach of admins, to delete it.
    let runtime_gone =
        json!({"title": "Orphan", "content": "x", "agent_id": "other", "shared": true});
    let (_, orphan) = send(&admin, Method::POST, "/api/presets", Some(runtime_gone)).await;
    sqlx::query("UPDATE prompt_presets SET agent_id = 'retired' WHERE id = $1")
        .bind(orphan["id"].as_str().unwrap())
        .execute(chat.app.store().pool())
        .await
        .unwrap();
    let (_, listed) = send(&admin, Method::GET, "/api/presets", None).await;
    assert!(titles(&listed).contains(&"Orphan".to_string()), "{listed}");
    let (_, listed) = send(&user, Method::GET, "/api/presets", None).await;
    assert!(!titles(&listed).contains(&"Orphan".to_string()), "{listed}");
    let orphan_path = format!("/api/presets/{}", orphan["id"].as_str().unwrap());
    assert_eq!(
        send(&admin, Method::DELETE, &orphan_path, None).await.0,
        204
    );
}

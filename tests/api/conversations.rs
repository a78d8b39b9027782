//! Conversations: create, list (search, filters, pages), change, delete; never another user's.

use serde_json::{Value, json};

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app};
use crate::on_both_databases;

on_both_databases!(
    conversations_are_created_listed_newest_first_and_paged,
    search_finds_titles_and_message_text_including_chinese_substrings,
    owners_rename_pin_archive_and_delete,
    another_users_conversation_is_404_everywhere,
);

async fn user(app: &TestApp, name: &str) -> String {
    app.register(name, PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn create(app: &TestApp, token: &str, title: &str) -> Value {
    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/conversations",
            token,
            Some(json!({ "agent_id": "demo", "title": title })),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body
}

fn titles(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap().to_string())
        .collect()
}

async fn conversations_are_created_listed_newest_first_and_paged(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = user(&app, "lister").await;
    for title in ["first", "second", "third"] {
        create(&app, &token, title).await;
    }
    let (status, page1) = app
        .send(
            reqwest::Method::GET,
            "/api/conversations?limit=2",
            &token,
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(titles(&page1), ["third", "second"]);
    let cursor = page1["next_cursor"].as_str().unwrap();
    let (_, page2) = app
        .send(
            reqwest::Method::GET,
            &format!("/api/conversations?limit=2&cursor={cursor}"),
            &token,
            None,
        )
        .await;
    assert_eq!(titles(&page2), ["first"]);
    assert!(page2["next_cursor"].is_null());
    // Outside what the API document allows: refused, naming the parameter.
    for query in [
        "limit=0",
        "limit=201",
        "cursor=not-a-cursor",
        "cursor=",
        "cursor=12_a%20b",
    ] {
        let (status, body) = app
            .send(
                reqwest::Method::GET,
                &format!("/api/conversations?{query}"),
                &token,
                None,
            )
            .await;
        assert_eq!(status, 422, "{query}: {body}");
        let field = query.split('=').next().unwrap();
        assert_eq!(body["error"]["field"], field, "{query}: {body}");
    }

    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/conversations",
            &token,
            Some(json!({ "agent_id": "no-such-agent" })),
        )
        .await;
    assert_eq!(
        status, 404,
        "an agent that does not exist is not found: {body}"
    );
    assert_eq!(body["error"]["field"], "agent_id", "{body}");
    let (status, _) = app
        .send(
            reqwest::Method::POST,
            "/api/conversations",
            &token,
            Some(json!({ "agent_id": "demo", "user_id": "someone" })),
        )
        .await;
    assert_eq!(status, 422, "no mass assignment");
}

async fn search_finds_titles_and_message_text_including_chinese_substrings(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = user(&app, "searcher").await;
    let deploy = create(&app, &token, "运维问题").await;
    create(&app, &token, "Weekly planning").await;
    let other = create(&app, &token, "闲聊").await;

    let db = app.store();
    for (conversation, text) in [
        (&deploy, "如何部署服务到 Kubernetes？"),
        (&other, "今天天气怎么样"),
    ] {
        llmchat::store::messages::insert_message(
            &db,
            llmchat::store::messages::NewMessage {
                conversation_id: conversation["id"].as_str().unwrap(),
                parent_id: None,
                role: "user",
                content: &json!([{ "type": "text", "text": text }]),
                status: "complete",
                agent_id: None,
            },
        )
        .await
        .unwrap();
    }
    let search = |q: &'static str| {
        let app = &app;
        let token = &token;
        async move {
            let url = format!("/api/conversations?q={}", urlencode(q));
            let (status, page) = app.send(reqwest::Method::GET, &url, token, None).await;
            assert_eq!(status, 200, "{page}");
            titles(&page)
        }
    };
    assert_eq!(
        search("部署").await,
        ["运维问题"],
        "a two-character Chinese word inside a sentence"
    );
    assert_eq!(
        search("部署服务").await,
        ["运维问题"],
        "longer Chinese substrings use the trigram index"
    );
    assert_eq!(search("kubernetes").await, ["运维问题"], "case-insensitive");
    assert_eq!(search("PLANNING").await, ["Weekly planning"], "titles too");
    assert_eq!(search("天气").await, ["闲聊"]);
    assert!(search("nothing like this").await.is_empty());
    assert!(
        search("100%").await.is_empty(),
        "LIKE wildcards are literal"
    );

    let url = format!("/api/conversations?q={}", urlencode("KUBERNETES"));
    let (_, page) = app.send(reqwest::Method::GET, &url, &token, None).await;
    assert_eq!(
        page["items"][0]["snippet"], "如何部署服务到 Kubernetes？",
        "the matching message, for the result's snippet: {page}"
    );
    let url = format!("/api/conversations?q={}", urlencode("planning"));
    let (_, page) = app.send(reqwest::Method::GET, &url, &token, None).await;
    assert!(
        page["items"][0].get("snippet").is_none(),
        "a title match has no snippet: {page}"
    );
    let (_, page) = app
        .send(reqwest::Method::GET, "/api/conversations", &token, None)
        .await;
    assert!(
        page["items"][0].get("snippet").is_none(),
        "no search, no snippet"
    );
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn owners_rename_pin_archive_and_delete(backend: Backend) {
    let app = spawn_app(backend).await;
    let token = user(&app, "owner").await;
    let conversation = create(&app, &token, "draft").await;
    let id = conversation["id"].as_str().unwrap();
    let path = format!("/api/conversations/{id}");

    let (status, changed) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            &token,
            Some(json!({ "title": "Final", "pinned": true, "archived": true })),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(
        (
            changed["title"].as_str(),
            changed["pinned"].as_bool(),
            changed["archived"].as_bool()
        ),
        (Some("Final"), Some(true), Some(true))
    );

    let (_, archived) = app
        .send(
            reqwest::Method::GET,
            "/api/conversations?archived=true",
            &token,
            None,
        )
        .await;
    assert_eq!(titles(&archived), ["Final"]);
    let (_, active) = app
        .send(
            reqwest::Method::GET,
            "/api/conversations?archived=false",
            &token,
            None,
        )
        .await;
    assert!(titles(&active).is_empty());

    let (status, body) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            &token,
            Some(json!({ "current_message_id": "not-a-message" })),
        )
        .await;
    assert_eq!(status, 404, "{body}");
    let (status, _) = app
        .send(
            reqwest::Method::PATCH,
            &path,
            &token,
            Some(json!({ "agent_id": "ghost" })),
        )
        .await;
    assert_eq!(status, 404, "an agent that does not exist is not found");

    let (status, _) = app.send(reqwest::Method::DELETE, &path, &token, None).await;
    assert_eq!(status, 204);
    let (status, _) = app.send(reqwest::Method::GET, &path, &token, None).await;
    assert_eq!(status, 404);
}

async fn another_users_conversation_is_404_everywhere(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = user(&app, "alice-c").await;
    let mallory = user(&app, "mallory").await;
    let conversation = create(&app, &alice, "private").await;
    let path = format!(
        "/api/conversations/{}",
        conversation["id"].as_str().unwrap()
    );
    assert_eq!(
        app.send(reqwest::Method::GET, &path, &mallory, None)
            .await
            .0,
        404
    );
    assert_eq!(
        app.send(
            reqwest::Method::PATCH,
            &path,
            &mallory,
            Some(json!({ "title": "mine" }))
        )
        .await
        .0,
        404
    );
    assert_eq!(
        app.send(reqwest::Method::DELETE, &path, &mallory, None)
            .await
            .0,
        404
    );
    let (_, list) = app
        .send(reqwest::Method::GET, "/api/conversations", &mallory, None)
        .await;
    assert!(titles(&list).is_empty());
    let (_, still) = app.send(reqwest::Method::GET, &path, &alice, None).await;
    assert_eq!(still["title"], "private");
    assert_eq!(app.get("/api/conversations").await.status(), 401);
}

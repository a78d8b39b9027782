//! The data lifecycle: a user's export of all their data, the deletion of their account after
//! a grace period (or at once), retention per group and orphaned uploads.

use std::io::Read;

use reqwest::Method;
use serde_json::{Value, json};

use crate::chat_support::{Chat, FAST_DEMO, chat_app};
use crate::helpers::{Backend, PASSWORD};
use crate::on_both_databases;
use crate::uploads::upload;

on_both_databases!(
    the_export_holds_every_conversation_upload_and_setting,
    a_deleted_account_waits_out_its_grace_then_goes_for_good,
    retention_and_orphaned_uploads_are_previewed_then_deleted
);

const ADMIN: &str = "life-admin";

async fn app(backend: Backend, grace: std::time::Duration) -> (Chat, String) {
    let chat = chat_app(backend, FAST_DEMO, |s| {
        s.admin_username = Some(ADMIN.into());
        s.admin_password = Some(llmchat::config::Secret::new(PASSWORD));
        s.auth.deletion_grace = grace;
    })
    .await;
    let admin: Value = chat.app.login(ADMIN, PASSWORD).await.json().await.unwrap();
    let admin = admin["access_token"].as_str().unwrap().to_string();
    (chat, admin)
}

async fn say(chat: &Chat, conversation: &str, body: Value) {
    let response = chat
        .post(&format!("/api/conversations/{conversation}/messages"), body)
        .await;
    assert_eq!(response.status(), 200);
}

async fn the_export_holds_every_conversation_upload_and_setting(backend: Backend) {
    let (chat, _) = app(backend, std::time::Duration::from_secs(3600)).await;
    let (status, file) = upload(
        &chat.app,
        &chat.token,
        "notes.md",
        "# 笔记\nkeep me\n".as_bytes(),
    )
    .await;
    assert_eq!(status, 201, "{file}");
    let conversation = chat.conversation("fast").await;
    say(
        &chat,
        &conversation,
        json!({"content": "read my notes", "attachments": [file["id"]], "stream": false}),
    )
    .await;
    let patch = json!({"custom_instructions": "Be kind."});
    chat.app
        .send(Method::PATCH, "/api/auth/me", &chat.token, Some(patch))
        .await;
    let preset = json!({"title": "Summarise", "content": "Summarise:"});
    chat.app
        .send(Method::POST, "/api/presets", &chat.token, Some(preset))
        .await;

    let response = chat.app.authed_get("/api/auth/export", &chat.token).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/zip");
    let disposition = response.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment;") && disposition.contains("chatter"),
        "{disposition}"
    );
    let bytes = response.bytes().await.unwrap();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut read = |name: &str| {
        let mut text = Vec::new();
        archive
            .by_name(name)
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .read_to_end(&mut text)
            .unwrap();
        text
    };
    let account: Value = serde_json::from_slice(&read("account.json")).unwrap();
    assert_eq!(account["user"]["username"], "chatter");
    assert_eq!(account["custom_instructions"], "Be kind.");
    assert_eq!(account["presets"][0]["title"], "Summarise");
    let stored: Value =
        serde_json::from_slice(&read(&format!("conversations/{conversation}.json"))).unwrap();
    let messages = stored["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2, "{stored}");
    let parts = messages[0]["content"].as_array().unwrap();
    assert!(
        parts.iter().any(|p| p["text"] == "read my notes")
            && parts
                .iter()
                .any(|p| p["type"] == "attachment" && p["name"] == "notes.md"),
        "{stored}"
    );
    let markdown = String::from_utf8(read(&format!("conversations/{conversation}.md"))).unwrap();
    assert!(
        markdown.contains("read my notes") && markdown.contains("📎 notes.md"),
        "{markdown}"
    );
    let id = file["id"].as_str().unwrap();
    assert_eq!(
        read(&format!("uploads/{id}-notes.md")),
        "# 笔记\nkeep me\n".as_bytes()
    );

    // Not with an API key.
    let (_, key) = chat
        .app
        .send(
            Method::POST,
            "/api/keys",
            &chat.token,
            Some(json!({"name": "k"})),
        )
        .await;
    let key = key["key"].as_str().unwrap();
    assert_eq!(
        chat.app.authed_get("/api/auth/export", key).await.status(),
        403
    );
}

async fn a_deleted_account_waits_out_its_grace_then_goes_for_good(backend: Backend) {
    let (chat, admin) = app(backend, std::time::Duration::from_secs(7 * 86400)).await;
    let conversation = chat.conversation("fast").await;
    say(
        &chat,
        &conversation,
        json!({"content": "hi", "stream": false}),
    )
    .await;
    let (_, key) = chat
        .app
        .send(
            Method::POST,
            "/api/keys",
            &chat.token,
            Some(json!({"name": "k"})),
        )
        .await;
    let key = key["key"].as_str().unwrap().to_string();
    let delete = |password: &str| {
        let body = json!({ "password": password });
        chat.app
            .send(Method::DELETE, "/api/auth/me", &chat.token, Some(body))
    };

    assert_eq!(delete("wrong password 123").await.0, 401);
    let (status, scheduled) = delete(PASSWORD).await;
    assert_eq!(status, 202, "{scheduled}");
    assert!(scheduled["delete_after"].is_string());
    assert_eq!(
        chat.app.authed_get("/api/agents", &key).await.status(),
        401,
        "keys end now"
    );
    let (_, me) = chat
        .app
        .send(Method::GET, "/api/auth/me", &chat.token, None)
        .await;
    assert_eq!(me["delete_after"], scheduled["delete_after"]);

    // Changed their mind.
    let restore = || {
        chat.app
            .send(Method::POST, "/api/auth/me/restore", &chat.token, None)
    };
    assert_eq!(restore().await.0, 204);
    assert_eq!(restore().await.0, 409, "nothing to cancel");
    let (_, me) = chat
        .app
        .send(Method::GET, "/api/auth/me", &chat.token, None)
        .await;
    assert_eq!(me["delete_after"], Value::Null);
    let (_, preview) = chat
        .app
        .send(Method::GET, "/api/admin/lifecycle", &admin, None)
        .await;
    assert_eq!(preview["accounts_due"], 0, "{preview}");

    // Asked again, and the grace period runs out.
    assert_eq!(delete(PASSWORD).await.0, 202);
    sqlx::query("UPDATE users SET delete_after = 1 WHERE username = 'chatter'")
        .execute(chat.app.store().pool())
        .await
        .unwrap();
    let (_, preview) = chat
        .app
        .send(Method::GET, "/api/admin/lifecycle", &admin, None)
        .await;
    assert_eq!(preview["accounts_due"], 1, "{preview}");
    let (status, swept) = chat
        .app
        .send(Method::POST, "/api/admin/lifecycle/run", &admin, None)
        .await;
    assert_eq!((status, &swept["accounts"]), (200, &json!(1)), "{swept}");
    assert_eq!(
        chat.app
            .authed_get("/api/auth/me", &chat.token)
            .await
            .status(),
        401
    );
    assert_eq!(chat.app.login("chatter", PASSWORD).await.status(), 401);
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM conversations")
        .fetch_one(chat.app.store().pool())
        .await
        .unwrap();
    assert_eq!(left, 0, "the conversations went with the account");
    let (_, audit) = chat
        .app
        .send(
            Method::GET,
            "/api/admin/audit?action=user.delete",
            &admin,
            None,
        )
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    // The name is free again.
    chat.app.register("chatter", PASSWORD).await;

    // The last admin cannot go.
    let body = Some(json!({ "password": PASSWORD }));
    let (status, _) = chat
        .app
        .send(Method::DELETE, "/api/auth/me", &admin, body)
        .await;
    assert_eq!(status, 409);
}

async fn retention_and_orphaned_uploads_are_previewed_then_deleted(backend: Backend) {
    let (chat, admin) = app(backend, std::time::Duration::ZERO).await;
    let old = chat.conversation("fast").await;
    let recent = chat.conversation("fast").await;
    say(&chat, &old, json!({"content": "old", "stream": false})).await;
    let db = chat.app.store();
    let long_ago = llmchat::store::now_ms() - 40 * 86_400_000;
    sqlx::query("UPDATE conversations SET updated_at = $1 WHERE id = $2")
        .bind(long_ago)
        .bind(&old)
        .execute(db.pool())
        .await
        .unwrap();

    // An untouched old conversation stays while no group of the owner's has a retention.
    let (_, preview) = chat
        .app
        .send(Method::GET, "/api/admin/lifecycle", &admin, None)
        .await;
    assert_eq!(preview["conversations_due"], 0, "{preview}");
    let (status, group) = chat
        .app
        .send(
            Method::POST,
            "/api/admin/groups",
            &admin,
            Some(json!({"name": "short-memory", "retention_days": 30})),
        )
        .await;
    assert_eq!(
        (status, &group["retention_days"]),
        (201, &json!(30)),
        "{group}"
    );
    let bad = json!({"retention_days": 0});
    let path = format!("/api/admin/groups/{}", group["id"].as_str().unwrap());
    assert_eq!(
        chat.app
            .send(Method::PATCH, &path, &admin, Some(bad))
            .await
            .0,
        422
    );
    let (_, me) = chat
        .app
        .send(Method::GET, "/api/auth/me", &chat.token, None)
        .await;
    let member = format!("{path}/members/{}", me["id"].as_str().unwrap());
    assert_eq!(
        chat.app.send(Method::PUT, &member, &admin, None).await.0,
        204
    );

    // Uploads: one never sent, one sent, both two days old.
    let (_, unsent) = upload(&chat.app, &chat.token, "unsent.txt", b"never sent").await;
    let (_, sent) = upload(&chat.app, &chat.token, "sent.txt", b"sent").await;
    say(
        &chat,
        &recent,
        json!({"content": "see", "attachments": [sent["id"]], "stream": false}),
    )
    .await;
    sqlx::query("UPDATE uploads SET created_at = $1")
        .bind(llmchat::store::now_ms() - 2 * 86_400_000)
        .execute(db.pool())
        .await
        .unwrap();

    let (_, preview) = chat
        .app
        .send(Method::GET, "/api/admin/lifecycle", &admin, None)
        .await;
    assert_eq!(
        (
            &preview["conversations_due"],
            &preview["orphan_uploads_due"]
        ),
        (&json!(1), &json!(1)),
        "{preview}"
    );
    assert_eq!(preview["groups"][0]["conversations_due"], 1);
    let (_, swept) = chat
        .app
        .send(Method::POST, "/api/admin/lifecycle/run", &admin, None)
        .await;
    assert_eq!(
        swept,
        json!({"accounts": 0, "conversations": 1, "uploads": 1})
    );
    let path = |id: &Value| format!("/api/conversations/{}", id.as_str().unwrap_or_default());
    assert_eq!(
        chat.app
            .authed_get(&path(&json!(old)), &chat.token)
            .await
            .status(),
        404
    );
    assert_eq!(
        chat.app
            .authed_get(&path(&json!(recent)), &chat.token)
            .await
            .status(),
        200
    );
    let file = |u: &Value| format!("/api/uploads/{}", u["id"].as_str().unwrap());
    assert_eq!(
        chat.app
            .authed_get(&file(&unsent), &chat.token)
            .await
            .status(),
        404
    );
    assert_eq!(
        chat.app
            .authed_get(&file(&sent), &chat.token)
            .await
            .status(),
        200
    );

    // With no grace period, an account goes at once.
    let response = chat
        .app
        .client
        .delete(chat.app.url("/api/auth/me"))
        .bearer_auth(&chat.token)
        .json(&json!({ "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    let cleared = crate::helpers::refresh_cookie(&response).unwrap_or_default();
    assert!(
        cleared.contains("Max-Age=0"),
        "the refresh cookie is cleared: {cleared}"
    );
    assert_eq!(chat.app.login("chatter", PASSWORD).await.status(), 401);
}

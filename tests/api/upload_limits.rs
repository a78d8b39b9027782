//! What a user's uploads may take: a storage quota per user (413 `upload_quota_exceeded`
//! naming it, room again after a delete), the list and usage a user sees, and retention that
//! deletes old uploads.

use std::time::Duration;

use bytesize::ByteSize;
use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, PASSWORD, spawn_app_with};
use crate::on_both_databases;
use crate::uploads::upload;

on_both_databases!(
    uploads_past_the_quota_are_refused_until_some_are_deleted,
    old_uploads_are_deleted_after_the_retention_period,
);

async fn uploads_past_the_quota_are_refused_until_some_are_deleted(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.uploads.max_size = ByteSize::kib(4);
        s.uploads.quota_per_user = ByteSize::kib(10);
    })
    .await;
    let session = app.register("collector", PASSWORD).await;
    let token = session["access_token"].as_str().unwrap();
    let other = app.register("neighbour", PASSWORD).await;
    let other = other["access_token"].as_str().unwrap();
    let file = "x".repeat(4000);

    let mut ids = Vec::new();
    for n in 0..2 {
        let (status, body) = upload(&app, token, &format!("notes{n}.txt"), file.as_bytes()).await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_string());
    }
    let (status, body) = upload(&app, token, "third.txt", file.as_bytes()).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"]["code"], "upload_quota_exceeded");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("uploads.quota_per_user"), "{message}");
    let (status, _) = upload(&app, other, "theirs.txt", file.as_bytes()).await;
    assert_eq!(status, 201, "the quota is per user");

    let (status, usage) = app
        .send(Method::GET, "/api/uploads/usage", token, None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        usage,
        json!({ "files": 2, "used_bytes": 8000, "quota_bytes": 10240, "retention_seconds": null })
    );
    let (status, list) = app.send(Method::GET, "/api/uploads", token, None).await;
    assert_eq!(status, 200, "{list}");
    let names: Vec<&str> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["notes1.txt", "notes0.txt"],
        "newest first, only mine"
    );

    let (status, _) = app
        .send(
            Method::DELETE,
            &format!("/api/uploads/{}", ids[0]),
            token,
            None,
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = upload(&app, token, "third.txt", file.as_bytes()).await;
    assert_eq!(status, 201, "room again after a delete: {body}");
}

async fn old_uploads_are_deleted_after_the_retention_period(backend: Backend) {
    let app = spawn_app_with(backend, |s| {
        s.uploads.retention = Some(Duration::from_secs(2));
    })
    .await;
    let session = app.register("forgetful", PASSWORD).await;
    let token = session["access_token"].as_str().unwrap();
    let (status, body) = upload(&app, token, "old.txt", b"soon gone").await;
    assert_eq!(status, 201, "{body}");
    let path = format!("/api/uploads/{}", body["id"].as_str().unwrap());
    let (_, usage) = app
        .send(Method::GET, "/api/uploads/usage", token, None)
        .await;
    assert_eq!(usage["retention_seconds"], 2);
    assert_eq!(app.authed_get(&path, token).await.status(), 200);

    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let status = app.authed_get(&path, token).await.status();
        if status == 404 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still there after 15 s: {status}"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics
            .lines()
            .any(|l| l.starts_with("llmchat_uploads_expired_total") && !l.ends_with(" 0")),
        "{metrics}"
    );
}

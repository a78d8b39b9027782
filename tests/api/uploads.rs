//! Uploads: every accepted type round-trips byte for byte, content must match the name, the
//! size limit answers 413 naming it, and only the owner sees or deletes an upload.

use serde_json::Value;

use crate::helpers::{Backend, PASSWORD, TestApp, spawn_app, spawn_app_with};
use crate::on_both_databases;

on_both_databases!(
    every_accepted_type_is_stored_and_read_back_byte_identical,
    content_that_does_not_match_its_name_is_refused_with_the_reason,
    files_over_the_upload_limit_get_413_naming_it_while_the_body_limit_does_not_apply,
    another_users_upload_is_404_and_anonymous_callers_get_401,
);

const BOUNDARY: &str = "llmchat-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body with one file field (and an extra text field before it).
fn form(field: &str, filename: &str, data: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n\
             --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(data);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_field(
    app: &TestApp,
    token: &str,
    field: &str,
    name: &str,
    data: &[u8],
) -> (u16, Value) {
    let response = app
        .client
        .post(app.url("/api/uploads"))
        .bearer_auth(token)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form(field, name, data))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

pub async fn upload(app: &TestApp, token: &str, name: &str, data: &[u8]) -> (u16, Value) {
    upload_field(app, token, "file", name, data).await
}

async fn user(app: &TestApp, name: &str) -> (String, String) {
    let body = app.register(name, PASSWORD).await;
    (
        body["access_token"].as_str().unwrap().to_string(),
        body["user"]["id"].as_str().unwrap().to_string(),
    )
}

fn message(body: &Value) -> String {
    body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

pub const PNG: &[u8] =
    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";
const GIF: &[u8] = b"GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!\xf9\x04\x01\0\0\0\0,\0\0\0\0\x01\0\x01\0\0\x02\x02D\x01\0;";
const WEBP: &[u8] =
    b"RIFF\x1a\0\0\0WEBPVP8L\x0d\0\0\0/\0\0\0\x10\x07\x10\x11\x11\x88\x88\xfe\x07\0";

async fn every_accepted_type_is_stored_and_read_back_byte_identical(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, user_id) = user(&app, "uploader").await;
    let cases: [(&str, &[u8], &str, &str); 8] = [
        ("pixel.png", PNG, "image/png", "image"),
        ("photo.JPG", JPEG, "image/jpeg", "image"),
        ("anim.gif", GIF, "image/gif", "image"),
        ("still.webp", WEBP, "image/webp", "image"),
        ("notes.txt", b"plain text\n", "text/plain", "text"),
        (
            "部署说明.md",
            "# 部署\n\n运行 `llmchat`。\n".as_bytes(),
            "text/markdown",
            "text",
        ),
        ("table.csv", b"a,b\n1,2\n", "text/csv", "text"),
        (
            "data.json",
            r#"{"k": [1, 2, "三"]}"#.as_bytes(),
            "application/json",
            "text",
        ),
    ];
    for (name, data, mime, kind) in cases {
        let (status, body) = upload(&app, &token, name, data).await;
        assert_eq!(status, 201, "{name}: {body}");
        assert_eq!(body["name"], name);
        assert_eq!(body["mime"], mime, "{name}");
        assert_eq!(body["kind"], kind, "{name}");
        assert_eq!(body["size"], data.len(), "{name}");
        assert!(body["created_at"].as_str().unwrap().ends_with('Z'));
        let id = body["id"].as_str().unwrap();

        let response = app.authed_get(&format!("/api/uploads/{id}"), &token).await;
        assert_eq!(response.status(), 200, "{name}");
        let headers = response.headers().clone();
        let content_type = headers["content-type"].to_str().unwrap();
        assert!(content_type.starts_with(mime), "{name}: {content_type}");
        if kind == "text" {
            assert!(content_type.ends_with("charset=utf-8"), "{content_type}");
        }
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert!(
            headers["cache-control"]
                .to_str()
                .unwrap()
                .contains("private")
        );
        let disposition = headers["content-disposition"].to_str().unwrap();
        if name.is_ascii() {
            assert_eq!(disposition, format!("inline; filename=\"{name}\""));
        } else {
            assert!(
                disposition.contains("filename*=UTF-8''%E9%83%A8%E7%BD%B2"),
                "{disposition}"
            );
        }
        assert_eq!(&response.bytes().await.unwrap()[..], data, "{name}");

        // The chat turn engine reads uploads through the store.
        let row = llmchat::store::uploads::get_upload(&app.store(), &user_id, id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((row.data.as_slice(), row.mime.as_str()), (data, mime));
        assert_eq!(row.kind().unwrap().as_str(), kind);
    }
}

async fn content_that_does_not_match_its_name_is_refused_with_the_reason(backend: Backend) {
    let app = spawn_app(backend).await;
    let (token, _) = user(&app, "mismatch").await;
    let refused: [(&str, &[u8], u16, &str); 7] = [
        ("cat.png", JPEG, 422, "not a PNG image"),
        ("cat.png", b"<svg onload=alert(1)>", 422, "not a PNG image"),
        ("data.json", b"{\"open\": ", 422, "not valid JSON"),
        ("notes.txt", b"text\0with NUL", 422, "NUL"),
        ("notes.md", b"\xff\xfe\xfd", 422, "UTF-8"),
        ("page.html", b"<html></html>", 415, ".html"),
        ("empty.txt", b"", 422, "empty"),
    ];
    for (name, data, status, reason) in refused {
        let (got, body) = upload(&app, &token, name, data).await;
        assert_eq!(got, status, "{name}: {body}");
        assert!(message(&body).contains(reason), "{name}: {body}");
    }

    let (status, body) = upload_field(&app, &token, "attachment", "a.txt", b"x").await;
    assert_eq!(status, 422, "{body}");
    assert!(message(&body).contains("`file`"), "{body}");

    let (status, body) = app
        .send(
            reqwest::Method::POST,
            "/api/uploads",
            &token,
            Some(serde_json::json!({ "file": "aGVsbG8=" })),
        )
        .await;
    assert_eq!(status, 415, "{body}");
    assert!(message(&body).contains("multipart/form-data"), "{body}");
}

async fn files_over_the_upload_limit_get_413_naming_it_while_the_body_limit_does_not_apply(
    backend: Backend,
) {
    let app = spawn_app_with(backend, |s| {
        s.uploads.max_size = bytesize::ByteSize::kib(4);
        // Smaller than the upload limit: uploads have a limit of their own.
        s.server.body_limit = bytesize::ByteSize::kib(1);
    })
    .await;
    let (token, _) = user(&app, "big").await;

    let (status, body) = upload(&app, &token, "fits.txt", &[b'a'; 4096]).await;
    assert_eq!(status, 201, "{body}");

    for size in [4097, 200 * 1024] {
        let (status, body) = upload(&app, &token, "big.txt", &vec![b'a'; size]).await;
        assert_eq!(status, 413, "{size}: {body}");
        assert_eq!(body["error"]["code"], "payload_too_large");
        assert!(message(&body).contains("4.0 KiB"), "{body}");
        assert!(message(&body).contains("uploads.max_size"), "{body}");
    }
}

async fn another_users_upload_is_404_and_anonymous_callers_get_401(backend: Backend) {
    let app = spawn_app(backend).await;
    let (alice, _) = user(&app, "alice").await;
    let (bob, _) = user(&app, "bob").await;
    let (_, body) = upload(&app, &alice, "secret.txt", b"alice's notes").await;
    let path = format!("/api/uploads/{}", body["id"].as_str().unwrap());

    let (status, _) = app.send(reqwest::Method::GET, &path, &bob, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.send(reqwest::Method::DELETE, &path, &bob, None).await;
    assert_eq!(status, 404);
    let (status, _) = app
        .send(
            reqwest::Method::GET,
            "/api/uploads/no-such-id",
            &alice,
            None,
        )
        .await;
    assert_eq!(status, 404);

    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let response = app
            .client
            .request(method, app.url(&path))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401);
    }
    let response = app
        .client
        .post(app.url("/api/uploads"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(form("file", "a.txt", b"hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);

    let response = app.authed_get(&path, &alice).await;
    assert_eq!(response.status(), 200, "bob's attempts changed nothing");
    let (status, _) = app.send(reqwest::Method::DELETE, &path, &alice, None).await;
    assert_eq!(status, 204);
    let (status, _) = app.send(reqwest::Method::GET, &path, &alice, None).await;
    assert_eq!(status, 404);
}

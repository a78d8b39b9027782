//! The token attack suite: missing, malformed, tampered, unsigned, foreign, misdirected,
//! expired and mistyped access tokens are all refused. Attacks on sessions and accounts
//! (refresh-token replay, disabled users, mass assignment, leaks in error bodies) are in
//! `attacks/sessions.rs`.

mod key_scopes;
mod quotas;
mod sessions;
mod slow_clients;
mod ssrf;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

use crate::helpers::{Backend, JWT_SECRET, PASSWORD, TestApp, spawn_app_with_jwt_secret};
use crate::on_both_databases;

on_both_databases!(
    requests_without_a_bearer_token_are_refused,
    malformed_tokens_are_refused,
    tokens_with_a_tampered_signature_or_edited_claims_are_refused,
    unsigned_and_other_algorithm_tokens_are_refused,
    tokens_signed_with_another_secret_are_refused,
    tokens_for_another_audience_or_issuer_are_refused,
    expired_tokens_are_refused,
    tokens_that_are_not_access_tokens_are_refused,
    a_validly_signed_token_for_a_user_that_does_not_exist_is_refused,
);

/// A signed-in user: the app, the registration's token response.
pub(crate) async fn signed_in(backend: Backend) -> (TestApp, Value) {
    let app = spawn_app_with_jwt_secret(backend, |_| {}).await;
    let session = app.register("alice", PASSWORD).await;
    (app, session)
}

pub(crate) fn text<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
}

/// The claims of a token, read without checking it.
fn claims_of(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT has a payload");
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).expect("base64url")).expect("JSON")
}

fn part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(value.to_string())
}

/// HS256 over `claims` with `secret`.
fn sign(claims: &Value, secret: &str) -> String {
    sign_with(Algorithm::HS256, claims, secret)
}

fn sign_with(algorithm: Algorithm, claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

/// `GET /api/auth/me` with this `Authorization` header (none for `None`).
async fn me_with(app: &TestApp, authorization: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url("/api/auth/me"));
    if let Some(value) = authorization {
        request = request.header("authorization", value);
    }
    request.send().await.expect("request")
}

/// The request is refused as unauthenticated, in the error shape, without echoing the token.
async fn assert_refused(app: &TestApp, authorization: Option<&str>, what: &str) {
    let response = me_with(app, authorization).await;
    assert_eq!(response.status(), 401, "{what}");
    assert_eq!(response.headers()["www-authenticate"], "Bearer", "{what}");
    let text = response.text().await.unwrap();
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["error"]["code"], "unauthorized", "{what}: {body}");
    if let Some(token) = authorization.and_then(|a| a.strip_prefix("Bearer "))
        && token.len() > 8
    {
        assert!(!text.contains(token), "{what}: the token is echoed: {text}");
    }
}

async fn assert_accepted(app: &TestApp, token: &str, what: &str) {
    let response = me_with(app, Some(&format!("Bearer {token}"))).await;
    assert_eq!(
        response.status(),
        200,
        "{what} (the forgery itself is sound)"
    );
}

async fn assert_token_refused(app: &TestApp, token: &str, what: &str) {
    assert_refused(app, Some(&format!("Bearer {token}")), what).await;
}

async fn requests_without_a_bearer_token_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    assert_refused(&app, None, "no Authorization header").await;
    assert_refused(&app, Some(""), "an empty header").await;
    assert_refused(&app, Some("Bearer "), "the scheme without a token").await;
    assert_refused(
        &app,
        Some("Basic YWxpY2U6cGFzc3dvcmQ="),
        "Basic credentials",
    )
    .await;
    let access = text(&session, "access_token");
    assert_refused(
        &app,
        Some(access),
        "a valid token without the Bearer scheme",
    )
    .await;
    assert_refused(
        &app,
        Some(&format!("Token {access}")),
        "a valid token under another scheme",
    )
    .await;
}

async fn malformed_tokens_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let claims = claims_of(text(&session, "access_token"));
    let header = part(&json!({ "alg": "HS256", "typ": "JWT" }));
    let not_json = format!("{header}.{}.c2ln", URL_SAFE_NO_PAD.encode("not json"));
    let two_parts = format!("{header}.{}", part(&claims));
    let four_parts = format!("{}.extra", text(&session, "access_token"));
    for (value, what) in [
        ("abc", "a bare word"),
        ("Bearer", "the scheme alone"),
        ("Bearer abc", "a word"),
        ("Bearer ...", "three dots"),
        ("Bearer a.b.c", "three parts of nothing"),
        (&format!("Bearer {not_json}"), "claims that are not JSON"),
        (&format!("Bearer {two_parts}"), "no signature part"),
        (&format!("Bearer {four_parts}"), "four parts"),
    ] {
        assert_refused(&app, Some(value), what).await;
    }
}

async fn tokens_with_a_tampered_signature_or_edited_claims_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let access = text(&session, "access_token");
    assert_accepted(&app, access, "the genuine token").await;
    let (signed, signature) = access.rsplit_once('.').unwrap();

    let mut flipped: Vec<char> = signature.chars().collect();
    flipped[0] = if flipped[0] == 'A' { 'B' } else { 'A' };
    let flipped: String = flipped.into_iter().collect();
    assert_token_refused(&app, &format!("{signed}.{flipped}"), "a flipped signature").await;
    assert_token_refused(&app, &format!("{signed}."), "the signature cut off").await;

    let bob = app.register("bob", PASSWORD).await;
    let (header, _) = signed.split_once('.').unwrap();
    let mut claims = claims_of(access);
    claims["role"] = json!("admin");
    let as_admin = format!("{header}.{}.{signature}", part(&claims));
    assert_token_refused(&app, &as_admin, "the role edited to admin").await;
    let mut claims = claims_of(access);
    claims["sub"] = bob["user"]["id"].clone();
    let as_bob = format!("{header}.{}.{signature}", part(&claims));
    assert_token_refused(&app, &as_bob, "the subject edited to another user").await;
    let mut claims = claims_of(access);
    claims["exp"] = json!(now() + 365 * 24 * 3600);
    let extended = format!("{header}.{}.{signature}", part(&claims));
    assert_token_refused(&app, &extended, "the expiry pushed a year out").await;
}

async fn unsigned_and_other_algorithm_tokens_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let claims = claims_of(text(&session, "access_token"));
    assert_accepted(
        &app,
        &sign(&claims, JWT_SECRET),
        "HS256 with the right secret",
    )
    .await;

    for alg in ["none", "None", "NONE", "nOnE"] {
        let header = part(&json!({ "alg": alg, "typ": "JWT" }));
        let token = format!("{header}.{}.", part(&claims));
        assert_token_refused(&app, &token, &format!("alg {alg}")).await;
    }
    let hs256_unsigned = format!(
        "{}.{}.",
        part(&json!({ "alg": "HS256", "typ": "JWT" })),
        part(&claims)
    );
    assert_token_refused(&app, &hs256_unsigned, "HS256 with an empty signature").await;
    for algorithm in [Algorithm::HS384, Algorithm::HS512] {
        let token = sign_with(algorithm, &claims, JWT_SECRET);
        assert_token_refused(
            &app,
            &token,
            &format!("{algorithm:?} with the right secret"),
        )
        .await;
    }
}

async fn tokens_signed_with_another_secret_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let claims = claims_of(text(&session, "access_token"));
    assert_accepted(&app, &sign(&claims, JWT_SECRET), "the right secret").await;
    for secret in [
        "another-secret-of-the-same-length-0123456789ab",
        "",
        "secret",
        "integration-test-jwt-secret-0123456789abcdeF",
    ] {
        assert_token_refused(&app, &sign(&claims, secret), &format!("secret {secret:?}")).await;
    }
}

async fn tokens_for_another_audience_or_issuer_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let genuine = claims_of(text(&session, "access_token"));
    assert_eq!(genuine["aud"], "llmchat-api");
    assert_eq!(genuine["iss"], "llmchat");
    let variants: [(&str, Value, &str); 5] = [
        ("aud", json!("another-api"), "another audience"),
        ("aud", json!("LLMCHAT-API"), "the audience in other case"),
        ("iss", json!("evil"), "another issuer"),
        ("aud", Value::Null, "no audience"),
        ("iss", Value::Null, "no issuer"),
    ];
    for (field, value, what) in variants {
        let mut claims = genuine.clone();
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(field);
        } else {
            claims[field] = value;
        }
        assert_token_refused(&app, &sign(&claims, JWT_SECRET), what).await;
    }
}

async fn expired_tokens_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let mut claims = claims_of(text(&session, "access_token"));
    claims["iat"] = json!(now() - 600);
    claims["exp"] = json!(now() + 600);
    assert_accepted(&app, &sign(&claims, JWT_SECRET), "not yet expired").await;

    for (ago, what) in [
        (60, "expired a minute ago"),
        (3600, "expired an hour ago"),
        (10 * 365 * 24 * 3600, "expired years ago"),
    ] {
        claims["iat"] = json!(now() - ago - 900);
        claims["exp"] = json!(now() - ago);
        assert_token_refused(&app, &sign(&claims, JWT_SECRET), what).await;
    }
    claims.as_object_mut().unwrap().remove("exp");
    assert_token_refused(&app, &sign(&claims, JWT_SECRET), "no expiry at all").await;
}

async fn tokens_that_are_not_access_tokens_are_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let genuine = claims_of(text(&session, "access_token"));
    assert_eq!(genuine["typ"], "access");
    for typ in [json!("refresh"), json!("ACCESS"), json!(""), json!(null)] {
        let mut claims = genuine.clone();
        claims["typ"] = typ.clone();
        assert_token_refused(&app, &sign(&claims, JWT_SECRET), &format!("typ {typ}")).await;
    }
    let mut claims = genuine.clone();
    claims.as_object_mut().unwrap().remove("typ");
    assert_token_refused(&app, &sign(&claims, JWT_SECRET), "no typ").await;

    let refresh = text(&session, "refresh_token");
    assert_token_refused(&app, refresh, "the refresh token as an access token").await;
    let access = text(&session, "access_token");
    let (status, body) = crate::helpers::status_and_json(app.refresh(access).await).await;
    assert_eq!(status, 401, "the access token as a refresh token: {body}");
    assert_eq!(body["error"]["code"], "unauthorized");
}

async fn a_validly_signed_token_for_a_user_that_does_not_exist_is_refused(backend: Backend) {
    let (app, session) = signed_in(backend).await;
    let mut claims = claims_of(text(&session, "access_token"));
    claims["sub"] = json!(uuid::Uuid::now_v7().to_string());
    assert_token_refused(&app, &sign(&claims, JWT_SECRET), "an unknown subject").await;
    claims["sub"] = json!("");
    assert_token_refused(&app, &sign(&claims, JWT_SECRET), "an empty subject").await;
    claims["sub"] = json!("' OR '1'='1");
    assert_token_refused(&app, &sign(&claims, JWT_SECRET), "SQL in the subject").await;
}

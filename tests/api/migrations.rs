//! Migrations create the schema on both databases and are idempotent.

use llmchat::store::Db;

use crate::helpers::{Backend, TestDatabase, test_settings};
use crate::on_both_databases;

on_both_databases!(migrations_run_twice_and_create_every_table);

/// Every table of the schema (a new one must be added here: the test compares).
const TABLES: &[&str] = &[
    "agent_groups",
    "agents",
    "api_keys",
    "audit_log",
    "budget_alerts",
    "budgets",
    "conversations",
    "group_members",
    "invitations",
    "login_throttle",
    "messages",
    "model_prices",
    "oidc_logins",
    "prompt_presets",
    "quota_reservations",
    "refresh_tokens",
    "server_instances",
    "server_settings",
    "shares",
    "uploads",
    "usage_records",
    "user_groups",
    "user_identities",
    "users",
];

async fn migrations_run_twice_and_create_every_table(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let data_dir = tempfile::tempdir().unwrap();
    let db = Db::connect_lazy(&test_settings(&database, data_dir.path())).unwrap();
    assert!(db.pending_migrations().await.unwrap() > 0);
    db.migrate().await.unwrap();
    db.migrate()
        .await
        .expect("a second run changes nothing and succeeds");
    assert_eq!(db.pending_migrations().await.unwrap(), 0);

    let listed = match backend {
        Backend::Sqlite => {
            // Not the full-text index (messages_search) and its shadow tables.
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name NOT LIKE 'messages_search%' AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    let found: Vec<String> = sqlx::query_scalar(listed)
        .fetch_all(db.pool())
        .await
        .unwrap();
    assert_eq!(
        found, TABLES,
        "the schema's tables (update TABLES with the migrations)"
    );
    for table in TABLES {
        let count: i64 =
            sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
                .fetch_one(db.pool())
                .await
                .unwrap_or_else(|e| panic!("table {table}: {e}"));
        assert_eq!(count, 0, "{table}");
    }

    // The message tree and its typed-part content round-trip through the portable schema.
    let now = 1_764_000_000_000_i64;
    let exec = |sql: &'static str| sqlx::query(sql);
    exec("INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES ($1, $2, lower($2), $3, $4, $4)")
        .bind("u1")
        .bind("Alice")
        .bind("hash")
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
    let duplicate = exec("INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) VALUES ($1, $2, lower($2), $3, $4, $4)")
        .bind("u2")
        .bind("alice")
        .bind("hash")
        .bind(now)
        .execute(db.pool())
        .await;
    let error = duplicate.expect_err("usernames are unique regardless of case");
    assert!(error.as_database_error().unwrap().is_unique_violation());

    exec("INSERT INTO conversations (id, user_id, agent_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)")
        .bind("c1")
        .bind("u1")
        .bind("demo")
        .bind(now)
        .execute(db.pool())
        .await
        .unwrap();
    let parts = r#"[{"type":"text","text":"你好"},{"type":"reasoning","text":"think"}]"#;
    for (id, parent, role) in [("m1", None, "user"), ("m2", Some("m1"), "assistant")] {
        exec("INSERT INTO messages (id, conversation_id, parent_id, role, content, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)")
            .bind(id)
            .bind("c1")
            .bind(parent)
            .bind(role)
            .bind(parts)
            .bind("complete")
            .bind(now)
            .execute(db.pool())
            .await
            .unwrap();
    }
    let (content, parent): (String, Option<String>) =
        sqlx::query_as("SELECT content, parent_id FROM messages WHERE id = $1")
            .bind("m2")
            .fetch_one(db.pool())
            .await
            .unwrap();
    assert_eq!(content, parts);
    assert_eq!(parent.as_deref(), Some("m1"));

    let bad_status = exec("INSERT INTO messages (id, conversation_id, role, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
        .bind("m3")
        .bind("c1")
        .bind("assistant")
        .bind("exploded")
        .bind(now)
        .execute(db.pool())
        .await;
    assert!(bad_status.is_err(), "status is constrained");

    // Deleting a conversation takes its messages with it.
    exec("DELETE FROM conversations WHERE id = $1")
        .bind("c1")
        .execute(db.pool())
        .await
        .unwrap();
    let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    db.close().await;
}

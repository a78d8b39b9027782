//! The integration suite: one binary, one file per area, every test through the real router
//! (or the real binary where a process is the point) on both SQLite and PostgreSQL.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests fail by panicking"
)]

mod helpers;

mod admin;
mod admin_agents;
mod admin_agents_secrets;
mod admin_stats;
mod agent_setup;
mod agents;
mod attacks;
mod auth;
mod budgets;
mod chat;
mod chat_apps;
mod chat_attachments;
mod chat_branches;
mod chat_support;
mod cluster;
mod cluster_redis;
mod compat_anthropic;
mod compat_openai;
mod compat_setup;
mod config_reload;
mod conversations;
mod first_run;
mod groups;
mod health;
mod http_behaviour;
mod keys;
mod ldap;
mod lifecycle;
mod logs;
mod migrations;
mod oidc;
mod ops;
mod presets;
mod process;
mod providers;
mod ratelimit;
mod recovery;
mod shares;
mod upload_limits;
mod uploads;
mod usage;
mod usage_doors;

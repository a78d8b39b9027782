//! LLMChat: a self-hosted, multi-user, multi-agent LLM chat platform in one binary.

pub mod agents;
pub mod app;
pub mod audit;
pub mod auth;
pub mod build_info;
pub mod chat;
pub mod cli;
pub mod cluster;
pub mod compat;
pub mod config;
pub mod content;
pub mod crypto;
pub mod data_lifecycle;
pub mod error;
pub mod extract;
pub mod http;
pub mod llm;
pub mod policy;
pub mod ratelimit;
pub mod reload;
pub mod reports;
pub mod roles;
pub mod routes;
pub mod runtime;
pub mod serve;
pub mod shared;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod timestamps;
pub mod tls;
pub mod tokens;
pub mod ui;
pub mod uploads;
pub mod usage;

pub use error::{Error, Result};

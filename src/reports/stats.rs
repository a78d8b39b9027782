//! The admin dashboard's figures: users, conversations and messages; tokens, requests and
//! messages per day; the busiest agents; each provider's share; error rate and 95th-percentile
//! time to first token over the last 24 hours and 7 days.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Result;
use crate::reports::{TTFT_SAMPLE_LIMIT, Window, percentile, ratio};
use crate::store::Db;
use crate::store::usage::{self as store, Key, UsageFilter};
use crate::timestamps::rfc3339;

const HOUR_MS: i64 = 3_600_000;
/// Agents listed in each top list.
const TOP: usize = 10;

/// Accounts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UserCounts {
    /// Accounts not deleted.
    pub total: i64,
    /// Of those, the ones who signed in or made a request in the last 7 days.
    pub active_7d: i64,
}

/// One day of the dashboard's series.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct DayStats {
    /// `YYYY-MM-DD` in the report's time zone.
    pub day: String,
    /// Messages written (every role).
    pub messages: i64,
    /// Requests to agents.
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// `prompt_tokens + completion_tokens`.
    pub tokens: i64,
    pub errors: i64,
}

/// One agent's requests and tokens over the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentStats {
    pub agent_id: String,
    pub requests: i64,
    pub tokens: i64,
}

/// The busiest agents over the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TopAgents {
    /// Up to 10 agents, most requests first.
    pub by_requests: Vec<AgentStats>,
    /// Up to 10 agents, most tokens first.
    pub by_tokens: Vec<AgentStats>,
}

/// One provider's part of the requests over the window.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProviderShare {
    /// `openai`, `anthropic`, `fastgpt`, `dify` or `demo`.
    pub provider: String,
    pub requests: i64,
    /// Of all requests in the window, 0–1.
    pub share: f64,
}

/// Health of the last hours.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecentHealth {
    pub requests: i64,
    pub errors: i64,
    /// `errors / requests` (0 without requests).
    pub error_rate: f64,
    /// 95th percentile (nearest rank) of the time to first token, in ms.
    pub p95_ttft_ms: Option<i64>,
}

/// `GET /api/admin/stats`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminStats {
    pub generated_at: String,
    /// The IANA time zone of the days.
    pub tz: String,
    /// Days in `daily` and the window of `top_agents` and `providers`.
    pub days: i64,
    pub users: UserCounts,
    /// Conversations in total.
    pub conversations: i64,
    /// Messages in total.
    pub messages: i64,
    /// Oldest first, one entry per day (zeros included), today last.
    pub daily: Vec<DayStats>,
    pub top_agents: TopAgents,
    /// Most requests first.
    pub providers: Vec<ProviderShare>,
    pub last_24h: RecentHealth,
    pub last_7d: RecentHealth,
}

/// The dashboard for the `window` (its days) as of `now_ms`.
pub async fn admin_stats(db: &Db, window: &Window, days: i64, now_ms: i64) -> Result<AdminStats> {
    let counts = store::counts(db, now_ms - 7 * 24 * HOUR_MS).await?;
    let everyone = UsageFilter {
        user_id: None,
        from_ms: window.from_ms,
        to_ms: window.to_ms,
    };
    let daily = daily(db, window, everyone).await?;

    let agents: Vec<AgentStats> = store::usage_groups(db, everyone, Key::Agent, None)
        .await?
        .into_iter()
        .map(|r| AgentStats {
            agent_id: r.key.unwrap_or_default(),
            requests: r.requests,
            tokens: r.prompt_tokens + r.completion_tokens,
        })
        .collect();
    let top = |by: fn(&AgentStats) -> i64| {
        let mut list = agents.clone();
        list.sort_by(|a, b| by(b).cmp(&by(a)).then(a.agent_id.cmp(&b.agent_id)));
        list.truncate(TOP);
        list
    };
    let top_agents = TopAgents {
        by_requests: top(|a| a.requests),
        by_tokens: top(|a| a.tokens),
    };

    let providers = provider_shares(db, everyone).await?;

    Ok(AdminStats {
        generated_at: rfc3339(now_ms),
        tz: window.tz_name().to_string(),
        days,
        users: UserCounts {
            total: counts.users,
            active_7d: counts.active_users,
        },
        conversations: counts.conversations,
        messages: counts.messages,
        daily,
        top_agents,
        providers,
        last_24h: recent(db, now_ms, 24).await?,
        last_7d: recent(db, now_ms, 7 * 24).await?,
    })
}

/// Requests, tokens, errors and messages per day of the window (days without any included).
async fn daily(db: &Db, window: &Window, everyone: UsageFilter<'_>) -> Result<Vec<DayStats>> {
    let bucket = window.bucket_ms();

    let mut daily: BTreeMap<String, DayStats> = window
        .days()
        .into_iter()
        .map(|d| {
            let day = d.to_string();
            let stats = DayStats {
                day: day.clone(),
                ..DayStats::default()
            };
            (day, stats)
        })
        .collect();
    for row in store::usage_groups(db, everyone, Key::None, Some(bucket)).await? {
        if let Some(day) = daily.get_mut(&window.day_of_bucket(row.bucket).to_string()) {
            day.requests += row.requests;
            day.prompt_tokens += row.prompt_tokens;
            day.completion_tokens += row.completion_tokens;
            day.tokens += row.prompt_tokens + row.completion_tokens;
            day.errors += row.errors;
        }
    }
    for (b, messages) in
        store::messages_per_bucket(db, window.from_ms, window.to_ms, bucket).await?
    {
        if let Some(day) = daily.get_mut(&window.day_of_bucket(b).to_string()) {
            day.messages += messages;
        }
    }
    Ok(daily.into_values().collect())
}

/// Each provider's share of the requests, most used first.
async fn provider_shares(db: &Db, everyone: UsageFilter<'_>) -> Result<Vec<ProviderShare>> {
    let providers = store::usage_groups(db, everyone, Key::Provider, None).await?;
    let all: i64 = providers.iter().map(|p| p.requests).sum();
    let mut providers: Vec<ProviderShare> = providers
        .into_iter()
        .map(|p| ProviderShare {
            provider: p.key.unwrap_or_default(),
            requests: p.requests,
            share: ratio(p.requests, all),
        })
        .collect();
    providers.sort_by(|a, b| {
        b.requests
            .cmp(&a.requests)
            .then(a.provider.cmp(&b.provider))
    });
    Ok(providers)
}

async fn recent(db: &Db, now_ms: i64, hours: i64) -> Result<RecentHealth> {
    let filter = UsageFilter {
        user_id: None,
        from_ms: now_ms - hours * HOUR_MS,
        // Inclusive of records stamped this very millisecond.
        to_ms: now_ms + 1,
    };
    let (requests, errors) = store::usage_groups(db, filter, Key::None, None)
        .await?
        .first()
        .map_or((0, 0), |r| (r.requests, r.errors));
    let mut ttfts: Vec<i64> = store::ttft_samples(db, filter, Key::None, TTFT_SAMPLE_LIMIT)
        .await?
        .into_iter()
        .map(|s| s.ttft_ms)
        .collect();
    Ok(RecentHealth {
        requests,
        errors,
        error_rate: ratio(errors, requests),
        p95_ttft_ms: percentile(&mut ttfts, 95),
    })
}

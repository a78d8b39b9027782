//! Usage reports: a user's own usage per day and agent, and the admins' view grouped by user,
//! agent or day with time-to-first-token figures.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::Result;
use crate::reports::{TTFT_SAMPLE_LIMIT, Window, percentile, ratio};
use crate::store::Db;
use crate::store::usage::{self as store, Key, UsageFilter, UsageGroupRow};

/// Request, token and error counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct UsageTotals {
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    /// Requests that ended in an error.
    pub errors: i64,
}

impl UsageTotals {
    fn add(&mut self, row: &UsageGroupRow) {
        self.requests += row.requests;
        self.prompt_tokens += row.prompt_tokens;
        self.completion_tokens += row.completion_tokens;
        self.errors += row.errors;
    }
}

/// One day and agent of a user's usage.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageDay {
    /// `YYYY-MM-DD` in the report's time zone.
    pub day: String,
    pub agent_id: String,
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub errors: i64,
}

/// `GET /api/usage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageReport {
    /// The window, RFC 3339: `from` inclusive, `to` exclusive.
    pub from: String,
    pub to: String,
    /// The IANA time zone of `day`.
    pub tz: String,
    /// By day, then agent.
    pub items: Vec<UsageDay>,
    pub totals: UsageTotals,
}

/// The caller's usage in `window`, per local day and agent.
pub async fn user_usage(db: &Db, user_id: &str, window: &Window) -> Result<UsageReport> {
    let filter = UsageFilter {
        user_id: Some(user_id),
        from_ms: window.from_ms,
        to_ms: window.to_ms,
    };
    let rows = store::usage_groups(db, filter, Key::Agent, Some(window.bucket_ms())).await?;
    let mut days: BTreeMap<(String, String), UsageTotals> = BTreeMap::new();
    let mut totals = UsageTotals::default();
    for row in &rows {
        let day = window.day_of_bucket(row.bucket).to_string();
        let agent = row.key.clone().unwrap_or_default();
        days.entry((day, agent)).or_default().add(row);
        totals.add(row);
    }
    let items = days
        .into_iter()
        .map(|((day, agent_id), t)| UsageDay {
            day,
            agent_id,
            requests: t.requests,
            prompt_tokens: t.prompt_tokens,
            completion_tokens: t.completion_tokens,
            errors: t.errors,
        })
        .collect();
    Ok(UsageReport {
        from: window.from_rfc3339(),
        to: window.to_rfc3339(),
        tz: window.tz_name().to_string(),
        items,
        totals,
    })
}

/// How the admin usage report groups records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    User,
    Agent,
    Day,
}

/// One group of the admin usage report.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UsageGroup {
    /// The user id, agent id or day (`YYYY-MM-DD`); null for requests without a user.
    pub key: Option<String>,
    /// With `group_by=user`: the user's name (null for requests without a user).
    pub username: Option<String>,
    pub requests: i64,
    pub prompt_tokens: i64,
    pub completion_tokens: i64,
    pub errors: i64,
    /// `errors / requests`.
    pub error_rate: f64,
    /// Mean time to first token over the requests that recorded one, in ms (rounded).
    pub avg_ttft_ms: Option<i64>,
    /// 95th percentile (nearest rank) of the time to first token, in ms.
    pub p95_ttft_ms: Option<i64>,
}

/// `GET /api/admin/usage`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AdminUsageReport {
    pub group_by: GroupBy,
    pub from: String,
    pub to: String,
    pub tz: String,
    /// Days oldest first; users and agents by requests, most first.
    pub items: Vec<UsageGroup>,
    pub totals: UsageTotals,
}

#[derive(Default)]
struct Acc {
    username: Option<String>,
    totals: UsageTotals,
    ttft_sum: i64,
    ttft_count: i64,
    ttfts: Vec<i64>,
}

/// Everyone's usage in `window`, grouped.
pub async fn admin_usage(db: &Db, group_by: GroupBy, window: &Window) -> Result<AdminUsageReport> {
    let filter = UsageFilter {
        user_id: None,
        from_ms: window.from_ms,
        to_ms: window.to_ms,
    };
    let (key, bucket) = match group_by {
        GroupBy::User => (Key::User, None),
        GroupBy::Agent => (Key::Agent, None),
        GroupBy::Day => (Key::None, Some(window.bucket_ms())),
    };
    let group_of = |bucket: i64, key: &Option<String>| match group_by {
        GroupBy::Day => Some(window.day_of_bucket(bucket).to_string()),
        _ => key.clone(),
    };
    let mut groups: HashMap<Option<String>, Acc> = HashMap::new();
    let mut totals = UsageTotals::default();
    for row in store::usage_groups(db, filter, key, bucket).await? {
        let acc = groups.entry(group_of(row.bucket, &row.key)).or_default();
        acc.username = acc.username.take().or(row.username.clone());
        acc.totals.add(&row);
        acc.ttft_sum += row.ttft_sum;
        acc.ttft_count += row.ttft_count;
        totals.add(&row);
    }
    for sample in store::ttft_samples(db, filter, key, TTFT_SAMPLE_LIMIT).await? {
        let group = match group_by {
            GroupBy::Day => Some(window.day_of(sample.created_at).to_string()),
            _ => sample.key,
        };
        if let Some(acc) = groups.get_mut(&group) {
            acc.ttfts.push(sample.ttft_ms);
        }
    }
    let mut items: Vec<UsageGroup> = groups
        .into_iter()
        .map(|(key, mut acc)| UsageGroup {
            key,
            username: acc.username,
            requests: acc.totals.requests,
            prompt_tokens: acc.totals.prompt_tokens,
            completion_tokens: acc.totals.completion_tokens,
            errors: acc.totals.errors,
            error_rate: ratio(acc.totals.errors, acc.totals.requests),
            avg_ttft_ms: (acc.ttft_count > 0)
                .then(|| (acc.ttft_sum as f64 / acc.ttft_count as f64).round() as i64),
            p95_ttft_ms: percentile(&mut acc.ttfts, 95),
        })
        .collect();
    match group_by {
        GroupBy::Day => items.sort_by(|a, b| a.key.cmp(&b.key)),
        _ => items.sort_by(|a, b| b.requests.cmp(&a.requests).then(a.key.cmp(&b.key))),
    }
    Ok(AdminUsageReport {
        group_by,
        from: window.from_rfc3339(),
        to: window.to_rfc3339(),
        tz: window.tz_name().to_string(),
        items,
        totals,
    })
}

//! Budgets: the limits a user's request must stay within — the server's daily token quota
//! (`chat.daily_token_quota`), the user's own budget and each of their groups' budgets (a
//! group's budget counts its members' use together), each in tokens per UTC day and/or cost
//! per UTC month from the price table. Requests reserve against all of them at once
//! (`store::reservations`); crossing 80 % and 100 % of one is written to the audit log once
//! per period, and posted to `budgets.webhook_url` when one is set.

use std::time::Duration;

pub use crate::budget_status::{BudgetKind, BudgetScope, BudgetStatus};
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::budgets;
use crate::store::now_ms;
use crate::store::reservations::{Limit, Measure, Scope};
use jiff::Timestamp;
use jiff::tz::TimeZone;

const DAY_MS: i64 = 24 * 3600 * 1000;

/// One limit that applies to a user, with what it is called.
#[derive(Debug, Clone)]
pub struct Applied {
    pub scope: BudgetScope,
    /// The scope's id (user or group); empty for the server's quota.
    pub scope_id: String,
    /// The group's name, the user's name, or `server`.
    pub name: String,
    pub kind: BudgetKind,
    pub limit: Limit,
    /// When the period ends (unix ms).
    pub resets_at: i64,
}

/// The limits that apply to `user_id` now.
pub async fn applied(state: &AppState, user_id: &str) -> Result<Vec<Applied>> {
    let now = now_ms();
    let day = now - now.rem_euclid(DAY_MS);
    let (month, next_month) = month_bounds(now);
    let mut out = Vec::new();
    if let Some(quota) = state.settings().chat.daily_token_quota {
        out.push(Applied {
            scope: BudgetScope::Server,
            scope_id: String::new(),
            name: "server".into(),
            kind: BudgetKind::TokensPerDay,
            limit: Limit {
                scope: Scope::User(user_id.to_string()),
                measure: Measure::Tokens,
                since_ms: day,
                max: i64::try_from(quota).unwrap_or(i64::MAX),
            },
            resets_at: day + DAY_MS,
        });
    }
    for row in budgets::budgets_for_user(&state.db, user_id).await? {
        let (scope, who) = match row.scope.as_str() {
            "group" => (BudgetScope::Group, Scope::Group(row.scope_id.clone())),
            _ => (BudgetScope::User, Scope::User(row.scope_id.clone())),
        };
        let name = row.name.clone().unwrap_or_else(|| row.scope_id.clone());
        let mut push = |kind, measure, since_ms, max, resets_at| {
            out.push(Applied {
                scope,
                scope_id: row.scope_id.clone(),
                name: name.clone(),
                kind,
                limit: Limit {
                    scope: who.clone(),
                    measure,
                    since_ms,
                    max,
                },
                resets_at,
            });
        };
        if let Some(max) = row.tokens_per_day {
            push(
                BudgetKind::TokensPerDay,
                Measure::Tokens,
                day,
                max,
                day + DAY_MS,
            );
        }
        if let Some(max) = row.cost_per_month_micros {
            push(
                BudgetKind::CostPerMonth,
                Measure::Cost,
                month,
                max,
                next_month,
            );
        }
    }
    Ok(out)
}

/// The start of this UTC month and of the next, in unix ms.
fn month_bounds(now: i64) -> (i64, i64) {
    let date = Timestamp::from_millisecond(now)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned_datetime(TimeZone::UTC)
        .date();
    let first = date.first_of_month();
    let next = first
        .checked_add(jiff::Span::new().months(1))
        .unwrap_or(first);
    let ms = |d: jiff::civil::Date| {
        d.to_zoned_datetime(TimeZone::UTC)
            .map_or(now, |z| z.timestamp().as_millisecond())
    };
    (ms(first), ms(next))
}

/// The cost held for a request of `tokens` to `model` while it runs: all of it at the output
/// price (the dearer one), so a reservation never holds too little. 0 without a price.
pub async fn estimate_cost(state: &AppState, model: Option<&str>, tokens: u64) -> Result<i64> {
    let Some(model) = model else { return Ok(0) };
    let Some(price) = budgets::price_of(&state.db, model).await? else {
        return Ok(0);
    };
    let tokens = i64::try_from(tokens).unwrap_or(i64::MAX);
    Ok(price
        .input_micros
        .max(price.output_micros)
        .saturating_mul(tokens)
        / 1_000_000)
}

/// The 429 for a request the limits refused: names the first limit without room.
pub async fn refusal(state: &AppState, limits: &[Applied], cutoff: i64) -> Error {
    let now = now_ms();
    for applied in limits {
        let held = match crate::store::reservations::held(&state.db, &applied.limit, cutoff).await {
            Ok(held) => held,
            Err(e) => return e,
        };
        if held < applied.limit.max {
            continue;
        }
        let retry_after_s = ((applied.resets_at - now) / 1000).max(1) as u64;
        let currency = &state.settings().budgets.currency;
        let amount = |v: i64| match applied.kind {
            BudgetKind::TokensPerDay => format!("{v} tokens"),
            BudgetKind::CostPerMonth => format!("{} {currency}", money(v)),
        };
        let (used, max) = (amount(held), amount(applied.limit.max));
        if applied.scope == BudgetScope::Server {
            return Error::LimitReached {
                code: "daily_quota_exceeded",
                message: format!(
                    "daily token quota reached: {held} of {} tokens used or held by running requests today (UTC); it resets in {retry_after_s} s",
                    applied.limit.max
                ),
                retry_after_s,
            };
        }
        return Error::OverBudget {
            message: format!(
                "the {} budget of {} {:?} is used up: {used} of {max} used or held by running requests; it resets in {retry_after_s} s",
                applied.kind.as_str().replace('_', " "),
                applied.scope.as_str(),
                applied.name
            ),
            retry_after_s,
            budget: Box::new(view(state, applied, held)),
        };
    }
    // Room again (a request finished meanwhile): the caller may simply retry.
    Error::LimitReached {
        code: "budget_exceeded",
        message: "a budget was full a moment ago; retry".into(),
        retry_after_s: 1,
    }
}

/// Micros as a decimal amount with up to 6 places, trailing zeros cut (`12.5`).
pub fn money(micros: i64) -> String {
    let sign = if micros < 0 { "-" } else { "" };
    let abs = micros.unsigned_abs();
    let text = format!("{sign}{}.{:06}", abs / 1_000_000, abs % 1_000_000);
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// Every budget that applies to `user_id`, with what is left of it.
pub async fn status(state: &AppState, user_id: &str) -> Result<Vec<BudgetStatus>> {
    let cutoff = heartbeat_cutoff(state);
    let mut out = Vec::new();
    for applied in applied(state, user_id).await? {
        let held = crate::store::reservations::held(&state.db, &applied.limit, cutoff).await?;
        out.push(view(state, &applied, held));
    }
    Ok(out)
}

/// `applied` as its user sees it, with `held` used or held of it.
fn view(state: &AppState, applied: &Applied, held: i64) -> BudgetStatus {
    let (scale, currency) = match applied.kind {
        BudgetKind::TokensPerDay => (1.0, None),
        BudgetKind::CostPerMonth => (1_000_000.0, Some(state.settings().budgets.currency.clone())),
    };
    let max = applied.limit.max;
    BudgetStatus {
        scope: applied.scope,
        name: applied.name.clone(),
        kind: applied.kind,
        limit: max as f64 / scale,
        used: held as f64 / scale,
        remaining: (max - held).max(0) as f64 / scale,
        currency,
        resets_at: crate::timestamps::rfc3339(applied.resets_at),
    }
}

pub fn heartbeat_cutoff(state: &AppState) -> i64 {
    now_ms() - state.settings().chat.heartbeat_timeout.as_millis() as i64
}

/// After a request of `user_id` settled: reports each budget of theirs that crossed 80 % or
/// 100 % in this period (once per budget, period and level).
pub async fn report_thresholds(state: &AppState, user_id: &str) {
    if let Err(e) = try_report(state, user_id).await {
        tracing::warn!(error = %e, "cannot check budget thresholds");
    }
}

async fn try_report(state: &AppState, user_id: &str) -> Result<()> {
    let cutoff = heartbeat_cutoff(state);
    for applied in applied(state, user_id).await? {
        if applied.scope == BudgetScope::Server || applied.limit.max <= 0 {
            continue;
        }
        let held = crate::store::reservations::held(&state.db, &applied.limit, cutoff).await?;
        for level in [80, 100] {
            if held.saturating_mul(100) < applied.limit.max.saturating_mul(level) {
                continue;
            }
            let first = budgets::note_alert(
                &state.db,
                applied.scope.as_str(),
                &applied.scope_id,
                applied.kind.as_str(),
                applied.limit.since_ms,
                level,
            )
            .await?;
            if first {
                alert(state, &applied, level, held).await;
            }
        }
    }
    Ok(())
}

async fn alert(state: &AppState, applied: &Applied, level: i64, held: i64) {
    let details = serde_json::json!({
        "scope": applied.scope.as_str(),
        "scope_id": applied.scope_id,
        "name": applied.name,
        "kind": applied.kind.as_str(),
        "percent": level,
        "used": held,
        "limit": applied.limit.max,
        "unit": match applied.kind { BudgetKind::TokensPerDay => "tokens", BudgetKind::CostPerMonth => "micros" },
        "period_start": crate::timestamps::rfc3339(applied.limit.since_ms),
    });
    let entry = crate::store::audit::NewAudit {
        action: "budget.threshold",
        target_type: Some(applied.scope.as_str()),
        target_id: Some(applied.scope_id.clone()),
        result: "success",
        details: details.clone(),
        ..Default::default()
    };
    if let Err(e) = crate::store::audit::insert_audit(&state.db, &entry).await {
        tracing::error!(error = %e, "could not write the budget threshold to the audit log");
    }
    let Some(url) = state.settings().budgets.webhook_url.clone() else {
        return;
    };
    let body = serde_json::json!({ "event": "budget.threshold", "budget": details });
    let Some(client) = webhook_client() else {
        return;
    };
    let sent = client
        .post(&url)
        .json(&body)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status);
    if let Err(e) = sent {
        tracing::warn!(error = %e.without_url(), "the budget webhook failed");
    }
}

fn webhook_client() -> Option<&'static reqwest::Client> {
    static CLIENT: std::sync::OnceLock<Option<reqwest::Client>> = std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .tls_backend_preconfigured(crate::tls::client_config())
                .timeout(Duration::from_secs(5))
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .inspect_err(
                    |e| tracing::error!(error = %e, "no HTTP client for the budget webhook"),
                )
                .ok()
        })
        .as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_print_as_decimals_without_trailing_zeros() {
        assert_eq!(money(12_500_000), "12.5");
        assert_eq!(money(2_500), "0.0025");
        assert_eq!(money(3_000_000), "3");
        assert_eq!(money(0), "0");
    }

    #[test]
    fn a_month_runs_from_its_first_day_to_the_next_months_in_utc() {
        // 2026-02-15T10:00:00Z
        let (start, end) = month_bounds(1_771_149_600_000);
        assert_eq!(crate::timestamps::rfc3339(start), "2026-02-01T00:00:00Z");
        assert_eq!(crate::timestamps::rfc3339(end), "2026-03-01T00:00:00Z");
    }
}

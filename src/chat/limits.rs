//! Per-agent limits (`requests_per_minute`, `tokens_per_minute` per user) and the per-user
//! daily token quota, checked before a request goes upstream. Each rejection is a 429 whose
//! message names the limit and when it frees up.

use crate::agents::AgentDef;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::now_ms;

const DAY_MS: i64 = 24 * 3600 * 1000;
const MINUTE_MS: i64 = 60 * 1000;

/// Checks (and, for requests per minute, counts) one request of `user_id` to `agent`.
pub async fn check(state: &AppState, user_id: &str, agent: &AgentDef) -> Result<()> {
    if let Some(limits) = agent.limits {
        if let Some(rpm) = limits.requests_per_minute {
            let key = format!("agent:{}:user:{user_id}", agent.id);
            let decision = state.limiter.check(&key, rpm).await?;
            if let Some(retry_after_s) = decision.retry_after_secs() {
                return Err(Error::LimitReached {
                    code: "agent_rate_limited",
                    message: format!(
                        "agent {:?} allows {rpm} requests per minute per user; retry in {retry_after_s} s",
                        agent.id
                    ),
                    retry_after_s,
                });
            }
        }
        if let Some(tpm) = limits.tokens_per_minute {
            let used = crate::usage::tokens_since(
                &state.db,
                user_id,
                Some(&agent.id),
                now_ms() - MINUTE_MS,
            )
            .await?;
            if used >= u64::from(tpm) {
                return Err(Error::LimitReached {
                    code: "agent_token_limit",
                    message: format!(
                        "agent {:?} allows {tpm} tokens per minute per user and {used} were used in the last minute; retry in 60 s",
                        agent.id
                    ),
                    retry_after_s: 60,
                });
            }
        }
    }
    if let Some(quota) = state.settings().chat.daily_token_quota {
        let now = now_ms();
        let day_start = now - now.rem_euclid(DAY_MS);
        let used = crate::usage::tokens_since(&state.db, user_id, None, day_start).await?;
        if used >= quota {
            let retry_after_s = ((day_start + DAY_MS - now) / 1000).max(1) as u64;
            return Err(Error::LimitReached {
                code: "daily_quota_exceeded",
                message: format!(
                    "daily token quota reached: {used} of {quota} tokens used today (UTC); it resets in {retry_after_s} s"
                ),
                retry_after_s,
            });
        }
    }
    Ok(())
}

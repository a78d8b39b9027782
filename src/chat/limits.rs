//! Admission of one request to an agent, before it goes upstream: the per-user cap on requests
//! in flight (`chat.max_concurrent_requests`, per replica), the agent's limits
//! (`requests_per_minute`, `tokens_per_minute` per user), and the budgets (the server's daily
//! token quota, the user's and their groups' budgets: `usage::budgets`), which are *reserved*: the request's estimated tokens are held against the quota (in the
//! database, so every replica sees them) until its usage record is written. Each refusal is a
//! 429 whose message names the limit and when it frees up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::agents::AgentDef;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::{Db, now_ms, reservations};
use crate::usage::UsageRecord;

const MINUTE_MS: i64 = 60 * 1000;

/// A request let through: while it lives it counts as in flight, and it holds its quota
/// reservation until [`Admission::settle`] hands that to the request's usage record (dropped
/// unsettled, it gives the reservation back).
pub struct Admission {
    _in_flight: InFlightGuard,
    reservation: Option<Reservation>,
    /// Whose budgets to check for thresholds crossed once the request has settled.
    budgets: Option<(AppState, String)>,
}

impl Admission {
    /// Moves the reservation into `record`, shrunk to the tokens the request really used: the
    /// usage writer deletes it in the transaction that writes the record, so the tokens never
    /// count twice or not at all, and the estimate stops counting as soon as this returns.
    pub async fn settle(mut self, record: &mut UsageRecord) {
        let budgets = self.budgets.take();
        if let Some((db, id)) = self.hand_over(record) {
            shrink(&db, &id, Used::of(record)).await;
        }
        if let Some((state, user_id)) = budgets {
            crate::usage::budgets::report_thresholds(&state, &user_id).await;
        }
    }

    /// [`Admission::settle`] where nothing can wait (a `Drop`): the shrink runs in a task.
    pub fn settle_soon(mut self, record: &mut UsageRecord) {
        let budgets = self.budgets.take();
        let used = Used::of(record);
        let handed = self.hand_over(record);
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                if let Some((db, id)) = handed {
                    shrink(&db, &id, used).await;
                }
                if let Some((state, user_id)) = budgets {
                    crate::usage::budgets::report_thresholds(&state, &user_id).await;
                }
            });
        }
    }

    fn hand_over(mut self, record: &mut UsageRecord) -> Option<(Db, String)> {
        let reservation = self.reservation.as_mut()?;
        let id = reservation.id.take()?;
        record.reservation_id = Some(id.clone());
        Some((reservation.db.clone(), id))
    }
}

/// What a request really used, for its reservation.
struct Used {
    prompt: u64,
    completion: u64,
    model: Option<String>,
}

impl Used {
    fn of(record: &UsageRecord) -> Used {
        Used {
            prompt: record.prompt_tokens,
            completion: record.completion_tokens,
            model: record.model.clone(),
        }
    }
}

async fn shrink(db: &Db, id: &str, used: Used) {
    let shrunk =
        reservations::shrink(db, id, used.prompt, used.completion, used.model.as_deref()).await;
    if let Err(e) = shrunk {
        tracing::warn!(error = %e, "cannot shrink a quota reservation to the tokens used");
    }
}

struct Reservation {
    db: Db,
    /// `None` once settled.
    id: Option<String>,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        let Some(id) = self.id.take() else { return };
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return; // the process is ending; the reservation stops counting with the instance
        };
        let db = self.db.clone();
        runtime.spawn(async move {
            if let Err(e) = reservations::release(&db, &id).await {
                tracing::warn!(error = %e, "cannot release a quota reservation; it expires with this instance");
            }
        });
    }
}

/// Checks `user_id`'s request to `agent`, whose prompt and answer are estimated at
/// `estimated_tokens`, against every limit; counts it and reserves its tokens when it passes.
pub async fn admit(
    state: &AppState,
    user_id: &str,
    agent: &AgentDef,
    estimated_tokens: u64,
) -> Result<Admission> {
    let settings = state.settings();
    let in_flight = state
        .in_flight
        .enter(user_id, settings.chat.max_concurrent_requests)
        .ok_or_else(|| Error::LimitReached {
            code: "too_many_concurrent_requests",
            message: format!(
                "at most {} requests per user may run at once; retry when one has finished",
                settings.chat.max_concurrent_requests
            ),
            retry_after_s: 1,
        })?;
    check_agent_limits(state, user_id, agent).await?;
    let limits = crate::usage::budgets::applied(state, user_id).await?;
    if limits.is_empty() {
        return Ok(Admission {
            _in_flight: in_flight,
            reservation: None,
            budgets: None,
        });
    }
    let reservation = reserve(state, user_id, agent, &limits, estimated_tokens).await?;
    Ok(Admission {
        _in_flight: in_flight,
        reservation: Some(reservation),
        budgets: Some((state.clone(), user_id.to_string())),
    })
}

async fn check_agent_limits(state: &AppState, user_id: &str, agent: &AgentDef) -> Result<()> {
    let Some(limits) = agent.limits else {
        return Ok(());
    };
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
        let used =
            crate::usage::tokens_since(&state.db, user_id, Some(&agent.id), now_ms() - MINUTE_MS)
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
    Ok(())
}

/// Reserves the request's estimated tokens (and their cost) against every limit that applies
/// while each still has room (what was used in its period plus what requests in flight hold):
/// a request that may need more than is left still runs, but nothing runs beside it until it
/// has settled.
async fn reserve(
    state: &AppState,
    user_id: &str,
    agent: &AgentDef,
    limits: &[crate::usage::budgets::Applied],
    tokens: u64,
) -> Result<Reservation> {
    let cutoff = crate::usage::budgets::heartbeat_cutoff(state);
    let costs = limits
        .iter()
        .any(|l| l.limit.measure == reservations::Measure::Cost);
    let cost_micros = if costs {
        crate::usage::budgets::estimate_cost(state, agent.provider.model(), tokens).await?
    } else {
        0
    };
    let id = uuid::Uuid::now_v7().to_string();
    let ask = reservations::Ask {
        id: &id,
        user_id,
        instance_id: &state.instance_id,
        tokens,
        cost_micros,
        heartbeat_cutoff_ms: cutoff,
    };
    let plain: Vec<reservations::Limit> = limits.iter().map(|l| l.limit.clone()).collect();
    if reservations::reserve(&state.db, &ask, &plain).await? {
        return Ok(Reservation {
            db: state.db.clone(),
            id: Some(id),
        });
    }
    Err(crate::usage::budgets::refusal(state, limits, cutoff).await)
}

/// Requests in flight per user on this replica.
#[derive(Default)]
pub struct InFlight {
    users: Mutex<HashMap<String, u32>>,
}

impl InFlight {
    /// Counts a request of `user_id` in, unless `max` are already running.
    fn enter(self: &Arc<Self>, user_id: &str, max: u32) -> Option<InFlightGuard> {
        let mut users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        let running = users.entry(user_id.to_string()).or_insert(0);
        if *running >= max {
            return None;
        }
        *running += 1;
        Some(InFlightGuard {
            in_flight: Arc::clone(self),
            user_id: user_id.to_string(),
        })
    }

    /// Requests of `user_id` running now.
    pub fn running(&self, user_id: &str) -> u32 {
        let users = self.users.lock().unwrap_or_else(|e| e.into_inner());
        users.get(user_id).copied().unwrap_or(0)
    }
}

struct InFlightGuard {
    in_flight: Arc<InFlight>,
    user_id: String,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let mut users = self
            .in_flight
            .users
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(running) = users.get_mut(&self.user_id) {
            *running = running.saturating_sub(1);
            if *running == 0 {
                users.remove(&self.user_id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_flight_requests_are_capped_per_user_and_freed_when_they_end() {
        let in_flight = Arc::new(InFlight::default());
        let first = in_flight.enter("alice", 2).expect("first");
        let second = in_flight.enter("alice", 2).expect("second");
        assert!(in_flight.enter("alice", 2).is_none(), "a third is refused");
        assert!(
            in_flight.enter("bob", 2).is_some(),
            "other users are not affected"
        );
        drop(first);
        assert_eq!(in_flight.running("alice"), 1);
        let third = in_flight.enter("alice", 2).expect("room again");
        drop((second, third));
        assert_eq!(in_flight.running("alice"), 0);
        assert!(in_flight.users.lock().unwrap().is_empty(), "no entry kept");
    }
}

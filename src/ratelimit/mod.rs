//! Request rate limits: one [`RateLimiter`] with two backends that make the same GCRA decision.
//!
//! The in-process backend (the default) keeps each principal's theoretical arrival time (TAT)
//! in a sharded map; the Redis backend (with `REDIS_URL`) keeps it in Redis and decides in one
//! atomic Lua script on Redis server time, so that every replica shares one limit. When Redis
//! cannot answer, [`RedisFailureMode`] says whether requests fall back to in-process limits or
//! are refused. This module also owns the translation of a [`Decision`] into the `429`,
//! `Retry-After` and IETF `RateLimit-*` headers.
//!
//! GCRA with `N` requests per minute: emission interval `T = 60 s / N`, burst tolerance `N * T`,
//! so a fresh principal may make `N` requests at once and then one every `T`.

mod memory;
mod redis;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, header};

pub use crate::config::RedisFailureMode;
use crate::shared::Redis;

use memory::MemoryLimiter;
use redis::RedisLimiter;

const MICROS_PER_MINUTE: u64 = 60_000_000;

/// The limiter could not decide: Redis is unreachable and the failure mode is `fail_closed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("rate limiter unavailable: Redis cannot be reached and redis_failure is fail_closed")]
pub struct RateLimitUnavailable;

impl From<RateLimitUnavailable> for crate::Error {
    fn from(_: RateLimitUnavailable) -> Self {
        crate::Error::Unavailable("rate limiter unavailable")
    }
}

/// The outcome of one [`RateLimiter::check`], with what the HTTP layer needs to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the request may proceed; a denied request consumed nothing.
    pub allowed: bool,
    /// Requests per minute for this principal (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests that could be made right now after this one (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Time until the principal is back to its full burst of `limit` requests.
    pub reset_after: Duration,
    /// For a denied request, the time until the same request would be allowed.
    pub retry_after: Option<Duration>,
}

static RATELIMIT_LIMIT: HeaderName = HeaderName::from_static("ratelimit-limit");
static RATELIMIT_REMAINING: HeaderName = HeaderName::from_static("ratelimit-remaining");
static RATELIMIT_RESET: HeaderName = HeaderName::from_static("ratelimit-reset");

impl Decision {
    /// `Retry-After` in whole seconds: rounded up, at least 1, so that a client that waits
    /// exactly this long is allowed. `None` when the request was allowed.
    pub fn retry_after_secs(&self) -> Option<u64> {
        self.retry_after.map(|d| ceil_secs(d).max(1))
    }

    /// `RateLimit-Reset` in whole seconds, rounded up: when the full burst is available again.
    pub fn reset_after_secs(&self) -> u64 {
        ceil_secs(self.reset_after)
    }

    /// `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset`, plus `Retry-After` when
    /// denied.
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::with_capacity(4);
        self.apply_headers(&mut headers);
        headers
    }

    /// Sets (replacing) the headers of [`Decision::headers`] on a response's headers.
    pub fn apply_headers(&self, headers: &mut HeaderMap) {
        headers.insert(RATELIMIT_LIMIT.clone(), HeaderValue::from(self.limit));
        headers.insert(
            RATELIMIT_REMAINING.clone(),
            HeaderValue::from(self.remaining),
        );
        headers.insert(
            RATELIMIT_RESET.clone(),
            HeaderValue::from(self.reset_after_secs()),
        );
        if let Some(secs) = self.retry_after_secs() {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
    }

    /// The `429` error for a denied request (its response carries `Retry-After`); `None` when
    /// the request was allowed.
    pub fn rejection(&self) -> Option<crate::Error> {
        self.retry_after_secs().map(crate::Error::rate_limited)
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The rate limiter of the platform; cheap to clone (clones share state).
#[derive(Clone)]
pub struct RateLimiter {
    backend: Arc<Backend>,
}

enum Backend {
    Memory(MemoryLimiter),
    Redis(RedisLimiter),
}

impl RateLimiter {
    /// Limits kept in this process: right for a single replica.
    pub fn memory() -> RateLimiter {
        RateLimiter {
            backend: Arc::new(Backend::Memory(MemoryLimiter::new())),
        }
    }

    /// Limits kept in Redis under `{key_prefix}ratelimit:{key}`, shared by every limiter that
    /// uses the same Redis and prefix (`llmchat:` in production, a unique prefix per test).
    pub fn redis(
        redis: Arc<Redis>,
        key_prefix: impl Into<String>,
        failure: RedisFailureMode,
    ) -> RateLimiter {
        RateLimiter {
            backend: Arc::new(Backend::Redis(RedisLimiter::new(
                redis,
                key_prefix.into(),
                failure,
            ))),
        }
    }

    /// A Redis limiter that waits up to `timeout` for Redis, for tests on a loaded machine.
    #[cfg(test)]
    fn redis_with_timeout(redis: Arc<Redis>, key_prefix: &str, timeout: Duration) -> RateLimiter {
        let limiter = RedisLimiter::new(redis, key_prefix.into(), RedisFailureMode::FailOpen)
            .with_timeout(timeout);
        RateLimiter {
            backend: Arc::new(Backend::Redis(limiter)),
        }
    }

    /// The backend the deployment asks for: Redis when it is configured, memory otherwise.
    pub fn from_settings(
        settings: &crate::config::RateLimitSettings,
        redis: Option<Arc<Redis>>,
        key_prefix: &str,
    ) -> RateLimiter {
        match redis {
            Some(redis) => RateLimiter::redis(redis, key_prefix, settings.redis_failure),
            None => RateLimiter::memory(),
        }
    }

    /// Counts one request by `key` (an opaque principal such as `user:<id>` or
    /// `ip:<addr>`) against `limit_per_minute` (0 is treated as 1). Denied requests are not
    /// counted. Never waits on Redis for longer than a short timeout.
    pub async fn check(
        &self,
        key: &str,
        limit_per_minute: u32,
    ) -> Result<Decision, RateLimitUnavailable> {
        let gcra = Gcra::new(limit_per_minute);
        match &*self.backend {
            Backend::Memory(memory) => Ok(memory.check(key, gcra)),
            Backend::Redis(redis) => redis.check(key, gcra).await,
        }
    }

    /// While the Redis backend is degraded, tries Redis again (at most once a second), so that
    /// `/api/health` reports its return without waiting for a limited request.
    pub async fn recheck(&self) {
        if let Backend::Redis(redis) = &*self.backend {
            redis.probe().await;
        }
    }

    /// True while the Redis backend's last attempt failed (decisions come from the fallback or
    /// are refused); always false for the memory backend. For `/api/health`.
    pub fn redis_degraded(&self) -> bool {
        match &*self.backend {
            Backend::Memory(_) => false,
            Backend::Redis(redis) => redis.degraded(),
        }
    }

    /// `memory` or `redis`, for health reports and logs.
    pub fn backend_name(&self) -> &'static str {
        match &*self.backend {
            Backend::Memory(_) => "memory",
            Backend::Redis(_) => "redis",
        }
    }
}

impl fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RateLimiter")
            .field("backend", &self.backend_name())
            .field("redis_degraded", &self.redis_degraded())
            .finish()
    }
}

/// One limit's GCRA parameters, in microseconds: the resolution of Redis `TIME`, and exact in
/// the doubles of Redis's Lua for centuries of timestamps.
#[derive(Debug, Clone, Copy)]
struct Gcra {
    limit: u32,
    /// Emission interval `T`.
    interval: u64,
    /// Burst tolerance `N * T`: how far the TAT may run ahead of now.
    burst: u64,
}

impl Gcra {
    fn new(limit_per_minute: u32) -> Gcra {
        let limit = limit_per_minute.max(1);
        // Truncating T (rather than rounding) keeps `N * T` within a minute, so exactly N fit.
        let interval = (MICROS_PER_MINUTE / u64::from(limit)).max(1);
        Gcra {
            limit,
            interval,
            burst: interval * u64::from(limit),
        }
    }

    /// Decides a request at `now` given the stored TAT; the new TAT to store when allowed.
    /// `GCRA_LUA` in `redis.rs` is the same algorithm: change both together.
    fn decide(&self, now: u64, stored_tat: Option<u64>) -> (Decision, Option<u64>) {
        // A TAT in the past means a full bucket, the same as no state at all.
        let tat = stored_tat.map_or(now, |t| t.max(now));
        let new_tat = tat + self.interval;
        let allow_at = new_tat.saturating_sub(self.burst);
        if now < allow_at {
            (self.decision(false, tat - now, allow_at - now), None)
        } else {
            (self.decision(true, new_tat - now, 0), Some(new_tat))
        }
    }

    /// The decision from the TAT's lead over now (`reset_us`) and, when denied, the wait.
    fn decision(&self, allowed: bool, reset_us: u64, retry_us: u64) -> Decision {
        let remaining = self.burst.saturating_sub(reset_us) / self.interval;
        Decision {
            allowed,
            limit: self.limit,
            remaining: u32::try_from(remaining).unwrap_or(u32::MAX).min(self.limit),
            reset_after: Duration::from_micros(reset_us),
            retry_after: (!allowed).then(|| Duration::from_micros(retry_us)),
        }
    }
}

#[cfg(test)]
mod tests;

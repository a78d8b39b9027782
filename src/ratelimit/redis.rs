//! The Redis backend: one atomic Lua script per decision, on Redis server time, so that every
//! replica shares each principal's limit whatever their clocks say. Every call is bounded by
//! [`REDIS_TIMEOUT`]; while Redis fails, decisions come from an in-process fallback or are
//! refused ([`RedisFailureMode`]), and Redis is probed again once per [`PROBE_EVERY_US`]
//! rather than on every request, so that an unreachable Redis costs requests nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use super::memory::MemoryLimiter;
use super::{Decision, Gcra, RateLimitUnavailable, RedisFailureMode};
use crate::shared::Redis;

/// The longest a request waits on Redis (connecting included).
const REDIS_TIMEOUT: Duration = Duration::from_millis(250);
/// While degraded, one request per interval tries Redis again (µs).
const PROBE_EVERY_US: u64 = 1_000_000;
/// While degraded, "still failing" is logged at most once per interval (µs).
const WARN_EVERY_US: u64 = 10_000_000;

/// GCRA as in `Gcra::decide`, on microseconds of Redis `TIME`.
/// KEYS[1]: the TAT; ARGV[1]: emission interval; ARGV[2]: burst tolerance.
/// Returns {allowed (0|1), TAT lead over now (reset), wait until allowed (retry)}.
const GCRA_LUA: &str = r"
-- Redis < 5 replicates whole scripts and so refuses writes after TIME without this;
-- later versions replicate effects only, and this call is a no-op or absent.
if redis.replicate_commands then redis.replicate_commands() end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1])) or now
if tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - burst
if now < allow_at then
  return {0, tat - now, allow_at - now}
end
-- The key expires when the TAT is reached: from then on it would mean a full bucket anyway.
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, new_tat - now, 0}
";

pub(super) struct RedisLimiter {
    redis: Arc<Redis>,
    prefix: String,
    failure: RedisFailureMode,
    /// [`REDIS_TIMEOUT`], except in tests on the shared Redis of a loaded machine.
    timeout: Duration,
    script: ::redis::Script,
    /// Answers while Redis cannot (fail_open); its clock also times probes and warnings.
    fallback: MemoryLimiter,
    degraded: AtomicBool,
    /// While degraded, when (fallback clock) the next request may try Redis.
    next_probe: AtomicU64,
    last_warn: AtomicU64,
    /// Requests decided without Redis since the last log line.
    without_redis: AtomicU64,
}

impl RedisLimiter {
    pub(super) fn new(redis: Arc<Redis>, prefix: String, failure: RedisFailureMode) -> Self {
        RedisLimiter {
            redis,
            prefix,
            failure,
            timeout: REDIS_TIMEOUT,
            script: ::redis::Script::new(GCRA_LUA),
            fallback: MemoryLimiter::new(),
            degraded: AtomicBool::new(false),
            next_probe: AtomicU64::new(0),
            last_warn: AtomicU64::new(0),
            without_redis: AtomicU64::new(0),
        }
    }

    #[cfg(test)]
    pub(super) fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub(super) fn degraded(&self) -> bool {
        self.degraded.load(Ordering::Acquire)
    }

    pub(super) async fn check(
        &self,
        key: &str,
        gcra: Gcra,
    ) -> Result<Decision, RateLimitUnavailable> {
        if self.should_try(self.fallback.now()) {
            match self.eval(key, gcra).await {
                Ok(decision) => {
                    self.succeeded();
                    return Ok(decision);
                }
                Err(e) => self.failed(&e),
            }
        }
        self.without_redis.fetch_add(1, Ordering::Relaxed);
        match self.failure {
            RedisFailureMode::FailOpen => Ok(self.fallback.check(key, gcra)),
            RedisFailureMode::FailClosed => Err(RateLimitUnavailable),
        }
    }

    /// While degraded, tries Redis (when a probe is due) with a request of its own, so that an
    /// idle replica notices Redis is back without waiting for traffic.
    pub(super) async fn probe(&self) {
        if self.degraded() && self.should_try(self.fallback.now()) {
            match self.eval("_probe", Gcra::new(60_000)).await {
                Ok(_) => self.succeeded(),
                Err(e) => self.failed(&e),
            }
        }
    }

    async fn eval(&self, key: &str, gcra: Gcra) -> anyhow::Result<Decision> {
        let attempt = async {
            let mut conn = self.redis.connection(self.timeout).await?;
            let (allowed, reset_us, retry_us): (i64, i64, i64) = self
                .script
                .key(format!("{}ratelimit:{key}", self.prefix))
                .arg(gcra.interval)
                .arg(gcra.burst)
                .invoke_async(&mut conn)
                .await
                .map_err(|e| anyhow::anyhow!("rate limit script failed: {e}"))?;
            let micros = |v: i64| u64::try_from(v).unwrap_or(0);
            anyhow::Ok(gcra.decision(allowed == 1, micros(reset_us), micros(retry_us)))
        };
        tokio::time::timeout(self.timeout, attempt)
            .await
            .map_err(|_| anyhow::anyhow!("no answer within {} ms", self.timeout.as_millis()))?
    }

    /// Healthy: always. Degraded: only the one request that claims the due probe.
    fn should_try(&self, now: u64) -> bool {
        if !self.degraded() {
            return true;
        }
        let due = self.next_probe.load(Ordering::Acquire);
        now >= due
            && self
                .next_probe
                .compare_exchange(
                    due,
                    now + PROBE_EVERY_US,
                    Ordering::AcqRel,
                    Ordering::Acquire,
                )
                .is_ok()
    }

    fn failed(&self, error: &anyhow::Error) {
        let now = self.fallback.now();
        self.next_probe
            .store(now + PROBE_EVERY_US, Ordering::Release);
        let mode = self.failure.as_str();
        let consequence = match self.failure {
            RedisFailureMode::FailOpen => "limits are per replica until it recovers",
            RedisFailureMode::FailClosed => "requests are refused until it recovers",
        };
        if !self.degraded.swap(true, Ordering::AcqRel) {
            self.last_warn.store(now, Ordering::Release);
            tracing::warn!(error = %format!("{error:#}"), redis_failure = mode, "rate limiter cannot use Redis; {consequence}");
            return;
        }
        let last = self.last_warn.load(Ordering::Acquire);
        if now.saturating_sub(last) >= WARN_EVERY_US
            && self
                .last_warn
                .compare_exchange(last, now, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
        {
            let requests = self.without_redis.swap(0, Ordering::Relaxed);
            tracing::warn!(error = %format!("{error:#}"), redis_failure = mode, requests, "rate limiter still cannot use Redis; {consequence}");
        }
    }

    fn succeeded(&self) {
        if self.degraded.swap(false, Ordering::AcqRel) {
            let requests = self.without_redis.swap(0, Ordering::Relaxed);
            tracing::info!(
                requests,
                "rate limiter reaches Redis again; limits are shared between replicas"
            );
        }
    }
}

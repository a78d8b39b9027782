mod redis_failures;
mod shared_redis;

use std::path::PathBuf;
use std::time::Instant;

use axum::response::IntoResponse;

use super::memory::MemoryLimiter;
use super::*;
use crate::config::{Settings, Sources};

/// One second on the injected clock of the in-memory tests (µs).
const SEC: u64 = 1_000_000;

#[test]
fn a_fresh_key_gets_exactly_n_requests_then_one_per_interval() {
    let limiter = MemoryLimiter::new();
    let gcra = Gcra::new(600); // T = 100 ms
    let t0 = 5 * SEC;
    for i in 0..600 {
        let d = limiter.check_at("user:1", gcra, t0);
        assert!(d.allowed, "request {i} of the burst");
        assert_eq!(d.remaining, 599 - i, "remaining counts down");
        assert_eq!(d.limit, 600);
    }
    let denied = limiter.check_at("user:1", gcra, t0);
    assert!(!denied.allowed);
    assert_eq!(denied.remaining, 0);
    assert_eq!(denied.retry_after, Some(Duration::from_millis(100)));
    assert_eq!(denied.reset_after, Duration::from_secs(60));

    let almost = limiter.check_at("user:1", gcra, t0 + 99_999);
    assert_eq!(almost.retry_after, Some(Duration::from_micros(1)));
    let after_t = limiter.check_at("user:1", gcra, t0 + 100_000);
    assert!(after_t.allowed, "one more after waiting T");
    assert_eq!(after_t.remaining, 0);
    assert!(!limiter.check_at("user:1", gcra, t0 + 100_000).allowed);
}

#[test]
fn an_idle_key_refills_to_the_full_burst() {
    let limiter = MemoryLimiter::new();
    let gcra = Gcra::new(10);
    for _ in 0..10 {
        assert!(limiter.check_at("k", gcra, SEC).allowed);
    }
    assert!(!limiter.check_at("k", gcra, SEC).allowed);
    let half = limiter.check_at("k", gcra, SEC + 30 * SEC);
    assert_eq!(
        (half.allowed, half.remaining),
        (true, 4),
        "5 refilled in 30 s"
    );
    let full = limiter.check_at("k", gcra, SEC + 120 * SEC);
    assert_eq!((full.allowed, full.remaining), (true, 9));
}

#[test]
fn keys_are_independent() {
    let limiter = MemoryLimiter::new();
    let gcra = Gcra::new(3);
    for _ in 0..3 {
        assert!(limiter.check_at("user:1", gcra, SEC).allowed);
    }
    assert!(!limiter.check_at("user:1", gcra, SEC).allowed);
    let other = limiter.check_at("ip:10.0.0.1", gcra, SEC);
    assert_eq!((other.allowed, other.remaining), (true, 2));
}

#[test]
fn stale_keys_are_evicted_and_live_ones_kept() {
    let limiter = MemoryLimiter::with_shards(1);
    let gcra = Gcra::new(600);
    for i in 0..100 {
        limiter.check_at(&format!("ip:{i}"), gcra, SEC);
    }
    for _ in 0..600 {
        limiter.check_at("busy", gcra, SEC);
    }
    assert_eq!(limiter.len(), 101);
    // 11 s later the timed sweep runs: the one-request keys are back to full (TAT passed),
    // "busy" is not (its TAT is SEC + 60 s).
    limiter.check_at("new", gcra, 12 * SEC);
    assert_eq!(limiter.len(), 2, "only busy and new hold state");
    let busy = limiter.check_at("busy", gcra, 12 * SEC);
    assert_eq!(
        busy.remaining, 109,
        "busy kept its state: 110 refilled in 11 s, 1 used"
    );
    limiter.sweep_all(200 * SEC);
    assert_eq!(limiter.len(), 0);
}

#[test]
fn a_flood_of_new_keys_triggers_a_sweep_before_the_timer() {
    let limiter = MemoryLimiter::with_shards(1);
    let gcra = Gcra::new(600);
    for i in 0..1000 {
        limiter.check_at(&format!("ip:a{i}"), gcra, 1);
    }
    // One second later all of those are stale, well before the 10 s timer.
    for i in 0..100 {
        limiter.check_at(&format!("ip:b{i}"), gcra, SEC);
    }
    assert!(limiter.len() <= 100, "{} keys held", limiter.len());
}

#[test]
fn a_limit_of_zero_is_treated_as_one() {
    let limiter = MemoryLimiter::new();
    let gcra = Gcra::new(0);
    assert!(limiter.check_at("k", gcra, SEC).allowed);
    let denied = limiter.check_at("k", gcra, SEC);
    assert_eq!(denied.limit, 1);
    assert_eq!(denied.retry_after, Some(Duration::from_secs(60)));
}

#[test]
fn headers_carry_the_ietf_fields_rounded_up() {
    let allowed = Decision {
        allowed: true,
        limit: 600,
        remaining: 598,
        reset_after: Duration::from_millis(200),
        retry_after: None,
    };
    let h = allowed.headers();
    assert_eq!(h["ratelimit-limit"], "600");
    assert_eq!(h["ratelimit-remaining"], "598");
    assert_eq!(h["ratelimit-reset"], "1");
    assert!(!h.contains_key("retry-after"));
    assert!(allowed.rejection().is_none());

    let denied = Decision {
        allowed: false,
        limit: 10,
        remaining: 0,
        reset_after: Duration::from_millis(59_900),
        retry_after: Some(Duration::from_millis(5_100)),
    };
    let h = denied.headers();
    assert_eq!(h["ratelimit-remaining"], "0");
    assert_eq!(h["ratelimit-reset"], "60");
    assert_eq!(h["retry-after"], "6");
    let zero_wait = Decision {
        retry_after: Some(Duration::ZERO),
        ..denied.clone()
    };
    assert_eq!(zero_wait.headers()["retry-after"], "1", "at least 1 s");

    let response = denied.rejection().unwrap().into_response();
    assert_eq!(response.status(), 429);
    assert_eq!(response.headers()["retry-after"], "6");
}

#[test]
fn unavailable_maps_to_503() {
    assert_eq!(crate::Error::from(RateLimitUnavailable).status(), 503);
}

#[test]
fn redis_failure_mode_is_read_from_the_environment() {
    let load = |vars: &[(&str, &str)]| {
        Settings::load(&Sources {
            config_dir: PathBuf::from("/nonexistent/llmchat-ratelimit-test"),
            dotenv: None,
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        })
    };
    let mode = |vars| load(vars).unwrap().rate_limit.redis_failure;
    assert_eq!(mode(&[]), RedisFailureMode::FailOpen);
    assert_eq!(
        mode(&[("LLMCHAT_RATE_LIMIT__REDIS_FAILURE", "fail_closed")]),
        RedisFailureMode::FailClosed
    );
    assert!(load(&[("LLMCHAT_RATE_LIMIT__REDIS_FAILURE", "sometimes")]).is_err());
}

/// Checks until the first denial (or 2N checks); returns the decisions and how long it took.
async fn exhaust(limiter: &RateLimiter, key: &str, limit: u32) -> (Vec<Decision>, Duration) {
    let started = Instant::now();
    let mut decisions = Vec::new();
    while decisions.len() < 2 * limit as usize {
        let d = limiter.check(key, limit).await.expect("a decision");
        let denied = !d.allowed;
        decisions.push(d);
        if denied {
            break;
        }
    }
    (decisions, started.elapsed())
}

/// Requests that may have been refilled while the burst ran (so a slow machine cannot fail
/// the test), plus one for rounding.
fn refilled(elapsed: Duration, limit: u32) -> usize {
    let interval_us = MICROS_PER_MINUTE / u64::from(limit);
    usize::try_from(elapsed.as_micros() as u64 / interval_us).unwrap() + 1
}

/// A fresh key allows N at once (N more only if refilled meanwhile), counting down, then
/// denies for at most T; after waiting, one more is allowed.
async fn assert_gcra_behaviour(limiter: &RateLimiter, key: &str, limit: u32) {
    let interval = Duration::from_micros(MICROS_PER_MINUTE / u64::from(limit));
    let n = limit as usize;
    let (decisions, elapsed) = exhaust(limiter, key, limit).await;
    let slack = refilled(elapsed, limit);
    let (denial, allowed) = decisions.split_last().unwrap();
    assert!(
        !denial.allowed,
        "never denied in {} requests",
        decisions.len()
    );
    assert!(
        (n..=n + slack).contains(&allowed.len()),
        "allowed {} of a limit of {limit} (slack {slack})",
        allowed.len()
    );
    for (i, d) in allowed.iter().enumerate() {
        let floor = (n - 1).saturating_sub(i);
        assert!(
            (floor..=floor + slack).contains(&(d.remaining as usize)),
            "remaining {} after {} requests",
            d.remaining,
            i + 1
        );
    }
    assert_eq!(allowed[0].remaining, limit - 1);
    assert_eq!(denial.remaining, 0);
    let retry = denial.retry_after.expect("a denial says when to retry");
    assert!(
        retry > Duration::ZERO && retry <= interval,
        "retry {retry:?}"
    );
    assert!(denial.reset_after > Duration::from_secs(60) - interval);
    assert!(denial.reset_after <= Duration::from_secs(60));

    // Timed from the denial, not from the wake-up: a loaded machine may oversleep, and a
    // second request is then rightly allowed.
    let denied_at = Instant::now();
    tokio::time::sleep(retry + Duration::from_millis(30)).await;
    let again = limiter.check(key, limit).await.unwrap();
    let next = limiter.check(key, limit).await.unwrap();
    assert!(again.allowed, "allowed again after waiting retry_after");
    assert!(
        !next.allowed || denied_at.elapsed() >= retry + interval,
        "only one more after one interval"
    );
}

#[tokio::test]
async fn memory_limiter_allows_n_then_one_more_per_interval() {
    let limiter = RateLimiter::memory();
    assert_gcra_behaviour(&limiter, "user:1", 600).await;
    assert!(!limiter.redis_degraded());
}

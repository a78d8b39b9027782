//! Against the shared Redis at `TEST_REDIS_URL` (default `redis://127.0.0.1:6379`), each test
//! under its own key prefix.

use super::*;

async fn shared_redis() -> Arc<Redis> {
    let url =
        std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_string());
    let redis = Redis::open(&url).unwrap();
    if let Err(e) = redis.ping(Duration::from_secs(3)).await {
        panic!(
            "Redis is not reachable at {url} ({e:#}). These tests need a real Redis: install and \
             start redis-server (e.g. `apt-get install redis-server && redis-server --daemonize \
             yes`) or set TEST_REDIS_URL to one."
        );
    }
    Arc::new(redis)
}

pub(super) fn unique_prefix() -> String {
    format!("llmchat-test:{}:", uuid::Uuid::now_v7())
}

/// Generous, so that a busy machine slows these tests down instead of falling back to memory.
const PATIENT: Duration = Duration::from_secs(3);

#[tokio::test]
async fn redis_limiter_allows_n_then_one_more_per_interval() {
    let limiter = RateLimiter::redis_with_timeout(shared_redis().await, &unique_prefix(), PATIENT);
    assert_gcra_behaviour(&limiter, "user:1", 300).await;
    assert!(!limiter.redis_degraded());
}

#[tokio::test]
async fn two_limiters_on_one_redis_share_the_limit() {
    // Two connections and two limiters: two replicas.
    let prefix = unique_prefix();
    let a = RateLimiter::redis_with_timeout(shared_redis().await, &prefix, PATIENT);
    let b = RateLimiter::redis_with_timeout(shared_redis().await, &prefix, PATIENT);
    let limit = 60; // T = 1 s: no refill during the test on any machine
    let started = Instant::now();
    let mut allowed = [0, 0];
    for _ in 0..limit {
        for (i, limiter) in [&a, &b].into_iter().enumerate() {
            if limiter.check("user:7", limit).await.unwrap().allowed {
                allowed[i] += 1;
            }
        }
    }
    let total = allowed[0] + allowed[1];
    let slack = refilled(started.elapsed(), limit);
    assert!(
        (60..=60 + slack).contains(&total),
        "allowed {allowed:?} across both replicas, the limit is 60 in total"
    );
    assert!(allowed[0] >= 30 && allowed[1] >= 30, "{allowed:?}");
    assert!(!a.redis_degraded() && !b.redis_degraded());
}

#[tokio::test]
async fn redis_keys_are_independent_and_expire_when_idle() {
    let redis = shared_redis().await;
    let prefix = unique_prefix();
    let limiter = RateLimiter::redis_with_timeout(redis.clone(), &prefix, PATIENT);
    for _ in 0..3 {
        assert!(limiter.check("user:1", 3).await.unwrap().allowed);
    }
    assert!(!limiter.check("user:1", 3).await.unwrap().allowed);
    let other = limiter.check("key:1", 3).await.unwrap();
    assert_eq!((other.allowed, other.remaining), (true, 2));

    let mut conn = redis.connection(PATIENT).await.unwrap();
    let pttl = |key: String| ::redis::cmd("PTTL").arg(key).clone();
    let full: i64 = pttl(format!("{prefix}ratelimit:user:1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        (59_000..=60_000).contains(&full),
        "an exhausted key lives until its TAT: {full} ms"
    );

    limiter.check("ip:127.0.0.1", 600).await.unwrap();
    let short: i64 = pttl(format!("{prefix}ratelimit:ip:127.0.0.1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(
        (1..=100).contains(&short),
        "one request at 600/min: {short} ms"
    );
    tokio::time::sleep(Duration::from_millis(150)).await;
    let exists: bool = ::redis::cmd("EXISTS")
        .arg(format!("{prefix}ratelimit:ip:127.0.0.1"))
        .query_async(&mut conn)
        .await
        .unwrap();
    assert!(!exists, "an idle key vanishes once its TAT has passed");
}

//! Redis failing: a private `redis-server` that the test kills and restarts; the shared one
//! is never touched.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};

use super::shared_redis::unique_prefix;
use super::*;

/// A `redis-server` child process on a free port, killed on drop even when the test fails.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    async fn start() -> PrivateRedis {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        PrivateRedis::start_on(port).await
    }

    async fn start_on(port: u16) -> PrivateRedis {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot run redis-server ({e}); install it (e.g. `apt-get install \
                     redis-server`) to run the rate limiter's tests"
                )
            });
        let server = PrivateRedis {
            port,
            child: Some(child),
        };
        let client = ::redis::Client::open(server.url()).unwrap();
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ping = async {
                let mut conn = client.get_multiplexed_async_connection().await?;
                ::redis::cmd("PING").query_async::<String>(&mut conn).await
            };
            if let Ok(Ok(_)) = tokio::time::timeout(Duration::from_secs(1), ping).await {
                return server;
            }
            assert!(
                Instant::now() < deadline,
                "private redis-server on port {port} did not answer PING"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Long enough for the first check after a kill (bounded by the 250 ms Redis timeout) on a
/// busy machine; a limiter that waits on a dead Redis would exceed it.
const BOUND: Duration = Duration::from_secs(2);

async fn bounded_check(
    limiter: &RateLimiter,
    key: &str,
    limit: u32,
) -> Result<Decision, RateLimitUnavailable> {
    tokio::time::timeout(BOUND, limiter.check(key, limit))
        .await
        .expect("the limiter must not wait on a dead Redis")
}

/// Polls until the limiter uses Redis again (it probes about once a second).
async fn recovered(limiter: &RateLimiter, key: &str, limit: u32) -> Decision {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let decision = bounded_check(limiter, key, limit).await;
        if !limiter.redis_degraded() {
            return decision.expect("Redis answers again");
        }
        assert!(Instant::now() < deadline, "never went back to Redis");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn fail_open_limits_from_memory_while_redis_is_down_and_returns_to_redis() {
    let mut server = PrivateRedis::start().await;
    let redis = Arc::new(Redis::open(&server.url()).unwrap());
    let limiter = RateLimiter::redis(redis, unique_prefix(), RedisFailureMode::FailOpen);
    let limit = 5; // T = 12 s: no refill during the test
    assert!(
        bounded_check(&limiter, "user:1", limit)
            .await
            .unwrap()
            .allowed
    );
    assert!(!limiter.redis_degraded());

    server.kill();
    let mut allowed = 0;
    for _ in 0..limit + 2 {
        if bounded_check(&limiter, "user:1", limit)
            .await
            .unwrap()
            .allowed
        {
            allowed += 1;
        }
        assert!(limiter.redis_degraded());
    }
    assert_eq!(allowed, limit, "the in-process fallback still limits");

    let server = PrivateRedis::start_on(server.port).await;
    let back = recovered(&limiter, "user:1", limit).await;
    // The restarted Redis has no state: a decision from memory would have been a denial.
    assert_eq!((back.allowed, back.remaining), (true, limit - 1));
    drop(server);
}

#[tokio::test]
async fn fail_closed_refuses_while_redis_is_down_and_returns_to_redis() {
    let mut server = PrivateRedis::start().await;
    let redis = Arc::new(Redis::open(&server.url()).unwrap());
    let limiter = RateLimiter::redis(redis, unique_prefix(), RedisFailureMode::FailClosed);
    assert!(bounded_check(&limiter, "user:1", 60).await.unwrap().allowed);

    server.kill();
    for _ in 0..3 {
        assert_eq!(
            bounded_check(&limiter, "user:1", 60).await,
            Err(RateLimitUnavailable)
        );
        assert!(limiter.redis_degraded());
    }

    let _server = PrivateRedis::start_on(server.port).await;
    assert!(recovered(&limiter, "user:1", 60).await.allowed);
}

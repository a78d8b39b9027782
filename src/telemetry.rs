//! Logs (tracing: JSON lines, or pretty on a development terminal) and metrics (the Prometheus
//! recorder behind `/metrics`, process metrics, build info).

use std::io::IsTerminal;
use std::sync::OnceLock;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tracing_subscriber::EnvFilter;

use crate::build_info;
use crate::config::{Environment, LogFormat, Settings};

/// Seconds; tuned for an API whose alert fires at a p95 of 500 ms.
/// Time to first token: from a fast local model to a slow reasoning one.
const TTFT_BUCKETS: &[f64] = &[
    0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 60.0,
];
const HTTP_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Libraries whose debug output drowns ours (every SQL statement, whole migration files, TLS
/// and HTTP internals): kept at info unless the filter names them itself.
const QUIET_TARGETS: &[&str] = &[
    "sqlx",
    "rustls",
    "hyper",
    "hyper_util",
    "h2",
    "reqwest",
    "tower",
    "tower_http",
    "redis",
    "mio",
    "tokio_util",
    "want",
];

/// The log filter in effect: `RUST_LOG` when set (taken as it is), else `log.level` with
/// LLMChat's own modules at debug in debug mode, and the libraries of [`QUIET_TARGETS`] held at
/// info unless the level names them (`debug,sqlx=debug` shows the SQL again).
pub fn log_filter(settings: &Settings, rust_log: Option<&str>) -> String {
    if let Some(filter) = rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        return filter.to_string();
    }
    let mut filter = settings.log.level.clone();
    if settings.debug {
        filter.push_str(",llmchat=debug");
    }
    let directives: Vec<&str> = settings.log.level.split(',').map(str::trim).collect();
    // Only a default level above info makes the libraries noisy (and `sqlx=info` must not
    // make a `warn` filter louder).
    let verbose = directives
        .iter()
        .any(|d| ["debug", "trace"].contains(&d.to_ascii_lowercase().as_str()));
    if !verbose {
        return filter;
    }
    let named: Vec<&str> = directives
        .iter()
        .filter_map(|directive| directive.split(['=', '[', ':']).next())
        .collect();
    for target in QUIET_TARGETS {
        if !named.contains(target) {
            filter.push_str(&format!(",{target}=info"));
        }
    }
    filter
}

type FilterHandle = tracing_subscriber::reload::Handle<EnvFilter, tracing_subscriber::Registry>;

/// The handle that changes the log filter of the running process (`/api/config/reload`).
static FILTER: OnceLock<FilterHandle> = OnceLock::new();

/// Installs the global subscriber. Calling it again (tests) is harmless.
pub fn init_logs(settings: &Settings) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;

    let rust_log = std::env::var("RUST_LOG").ok();
    let filter = EnvFilter::builder()
        .parse(log_filter(settings, rust_log.as_deref()))
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let (filter, handle) = tracing_subscriber::reload::Layer::new(filter);
    let pretty = match settings.log.format {
        LogFormat::Pretty => true,
        LogFormat::Json => false,
        LogFormat::Auto => {
            settings.environment == Environment::Development && std::io::stdout().is_terminal()
        }
    };
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stdout);
    let result = if pretty {
        tracing_subscriber::registry()
            .with(filter)
            .with(fmt)
            .try_init()
    } else {
        let json = fmt
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false);
        tracing_subscriber::registry()
            .with(filter)
            .with(json)
            .try_init()
    };
    // Already installed (a second app in one test process): keep the first.
    if result.is_ok() {
        let _ = FILTER.set(handle);
        // Panics become one structured log line (with the request's span) instead of raw stderr.
        std::panic::set_hook(Box::new(|info| {
            let location = info
                .location()
                .map(|l| format!("{}:{}", l.file(), l.line()));
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(location, %message, "panic");
        }));
    }
}

/// Applies the log level of `settings` to the running process (unless `RUST_LOG` rules).
/// Returns whether a subscriber was there to change.
pub fn apply_log_level(settings: &Settings) -> bool {
    let Some(handle) = FILTER.get() else {
        return false;
    };
    let rust_log = std::env::var("RUST_LOG").ok();
    match EnvFilter::builder().parse(log_filter(settings, rust_log.as_deref())) {
        Ok(filter) => handle.reload(filter).is_ok(),
        Err(_) => false,
    }
}

/// The process-wide Prometheus recorder, installed on first use.
pub fn metrics() -> &'static Metrics {
    static METRICS: OnceLock<Metrics> = OnceLock::new();
    METRICS.get_or_init(Metrics::install)
}

pub struct Metrics {
    handle: PrometheusHandle,
    process: metrics_process::Collector,
}

/// What each metric of ours means (the `# HELP` lines), for every metric `Metrics` exports.
fn describe() {
    metrics::describe_counter!(
        "http_requests_total",
        "HTTP requests by method, matched route template and status code"
    );
    metrics::describe_histogram!(
        "http_request_duration_seconds",
        metrics::Unit::Seconds,
        "HTTP request duration until the response head"
    );
    metrics::describe_gauge!("llmchat_build_info", "Build facts; the value is always 1");
    metrics::describe_counter!(
        "llm_requests_total",
        "Requests to agents by agent, provider and outcome (ok, error, stopped)"
    );
    metrics::describe_histogram!(
        "llm_time_to_first_token_seconds",
        metrics::Unit::Seconds,
        "Time from sending a request upstream to its first token, by agent and provider"
    );
    metrics::describe_counter!(
        "llm_tokens_total",
        "Tokens by agent, provider and type (prompt, completion); estimates where the upstream gave none"
    );
    metrics::describe_gauge!("llm_active_streams", "Replies being streamed right now");
    metrics::describe_counter!(
        "llm_upstream_errors_total",
        "Failed upstream calls by agent, provider and kind"
    );
    metrics::describe_counter!(
        "llmchat_usage_dropped_total",
        "Usage records that could not be written"
    );
    metrics::describe_counter!(
        "llmchat_password_hash_rejected_total",
        "Logins, registrations and password changes answered 503 because every password hashing slot stayed busy"
    );
    metrics::describe_counter!(
        "llmchat_login_delayed_total",
        "Login attempts refused unchecked (423) because their source failed too often on that account"
    );
    metrics::describe_counter!(
        "llmchat_uploads_expired_total",
        "Uploads deleted because they were older than uploads.retention"
    );
    metrics::describe_gauge!("llmchat_http_connections_open", "HTTP connections open now");
    metrics::describe_counter!(
        "llmchat_http_connection_limit_reached_total",
        "Times server.max_connections was reached and new connections waited"
    );
    metrics::describe_counter!(
        "llmchat_http_header_timeouts_total",
        "Connections closed because their request headers did not arrive in time"
    );
    metrics::describe_counter!(
        "llmchat_http_body_timeouts_total",
        "Requests answered 408 because their body paused too long"
    );
    metrics::describe_gauge!(
        "llmchat_ready",
        "1 while /api/health/ready would answer 200 (sampled at each scrape)"
    );
    metrics::describe_gauge!(
        "llmchat_redis_up",
        "1 when Redis answers a PING (only with REDIS_URL; sampled at each scrape)"
    );
    metrics::describe_gauge!(
        "llmchat_ratelimit_fallback",
        "1 while the rate limiter runs on its in-process fallback because Redis failed"
    );
    metrics::describe_gauge!(
        "llmchat_db_pool_connections",
        "Open database connections by state (idle, in_use)"
    );
    metrics::describe_gauge!(
        "llmchat_db_pool_max_connections",
        "The database pool's connection limit"
    );
}

impl Metrics {
    fn install() -> Metrics {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(
                Matcher::Full("http_request_duration_seconds".into()),
                HTTP_BUCKETS,
            )
            .and_then(|b| {
                b.set_buckets_for_metric(
                    Matcher::Full("llm_time_to_first_token_seconds".into()),
                    TTFT_BUCKETS,
                )
            })
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        // Fails only if another recorder is installed; ours then simply stays unread.
        drop(metrics::set_global_recorder(recorder));

        let process = metrics_process::Collector::default();
        process.describe();
        describe();
        // Present from the start, so that rate() and alerts see its first increment.
        metrics::counter!("llmchat_usage_dropped_total").absolute(0);
        metrics::gauge!(
            "llmchat_build_info",
            "version" => build_info::VERSION,
            "commit" => build_info::GIT_COMMIT,
            "rustc" => build_info::RUSTC_VERSION,
        )
        .set(1.0);
        Metrics { handle, process }
    }

    /// Folds the histogram samples recorded since the last call into their buckets. Until then
    /// every sample is kept (8 bytes each): without this, a busy server that nobody scrapes
    /// would grow by megabytes a minute. Runs every few seconds (see `app.rs`) and before each
    /// render.
    pub fn upkeep(&self) {
        self.handle.run_upkeep();
    }

    /// The Prometheus text exposition, with process metrics sampled now.
    pub fn render(&self) -> String {
        self.process.collect();
        self.handle.run_upkeep();
        self.handle.render()
    }
}

/// Metric handles by a label value, made once. `metrics::counter!` with run-time labels builds
/// a key, hashes it and looks it up in the recorder's registry on every call — several
/// microseconds a request on the hot path (`/v1` records six metrics); a handle found here
/// costs one hash of `key` and a read lock.
///
/// For labels with few values (matched route templates, agent ids): entries are never
/// evicted. Handles must not be made before the recorder is installed ([`metrics`] does that
/// when the server starts), or they would stay unconnected.
pub struct HandleCache<V> {
    map: std::sync::RwLock<std::collections::HashMap<String, Vec<V>>>,
}

impl<V: Clone> HandleCache<V> {
    pub fn new() -> Self {
        HandleCache {
            map: std::sync::RwLock::new(std::collections::HashMap::new()),
        }
    }

    /// The handles for `key` that `matches` picks among those made for it, else made by `make`
    /// and kept.
    pub fn get(&self, key: &str, matches: impl Fn(&V) -> bool, make: impl FnOnce() -> V) -> V {
        if let Ok(map) = self.map.read()
            && let Some(found) = map.get(key).and_then(|v| v.iter().find(|h| matches(h)))
        {
            return found.clone();
        }
        let made = make();
        if let Ok(mut map) = self.map.write() {
            let entry = map.entry(key.to_owned()).or_default();
            if !entry.iter().any(&matches) {
                entry.push(made.clone());
            }
        }
        made
    }
}

impl<V: Clone> Default for HandleCache<V> {
    fn default() -> Self {
        Self::new()
    }
}

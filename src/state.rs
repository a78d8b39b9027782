//! The application state handed to every handler, and the server's lifecycle flags.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use arc_swap::ArcSwap;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::auth::Auth;
use crate::config::Settings;
use crate::llm::transport::Transport;
use crate::ratelimit::RateLimiter;
use crate::runtime::{Runtime, SharedRuntime};
use crate::shared::Redis;
use crate::store::Db;

/// Cheap to clone (one reference count): axum clones the state for every extractor and
/// middleware of every request.
#[derive(Clone)]
pub struct AppState(Arc<Services>);

impl AppState {
    pub fn new(services: Services) -> AppState {
        AppState(Arc::new(services))
    }
}

impl std::ops::Deref for AppState {
    type Target = Services;

    fn deref(&self) -> &Services {
        &self.0
    }
}

/// What every handler can reach through [`AppState`].
pub struct Services {
    /// In force now; `/api/config/reload` swaps in a new value (restart-only fields kept).
    pub settings: Arc<ArcSwap<Settings>>,
    pub db: Db,
    pub redis: Option<Arc<Redis>>,
    pub auth: Arc<Auth>,
    pub limiter: RateLimiter,
    /// Agents in force; swapped whole on reload.
    pub runtime: SharedRuntime,
    /// The HTTP client for LLM providers.
    pub transport: Transport,
    /// Encrypts provider keys stored in the database; `None` when none may be stored.
    pub cipher: Option<crate::crypto::KeyCipher>,
    /// Where `/api/config/reload` reads from; `None`: the process environment and `./config`.
    pub config_sources: Option<Arc<crate::config::Sources>>,
    pub lifecycle: Arc<Lifecycle>,
    /// Running turns' events, read by every SSE response.
    pub hub: crate::chat::hub::Hub,
    /// This server instance's id (owner of the turns it runs).
    pub instance_id: Arc<str>,
    /// Requests in flight per user (`chat.max_concurrent_requests`).
    pub in_flight: Arc<crate::chat::limits::InFlight>,
    /// Usage records, written to the database in batches.
    pub usage: crate::usage::UsageRecorder,
    /// Background work that shutdown waits for.
    pub tasks: TaskTracker,
}

/// Where the server is in its life: schema ready, shutting down.
pub struct Lifecycle {
    pub started: Instant,
    schema_ready: AtomicBool,
    /// Cancelled when shutdown begins.
    pub shutdown: CancellationToken,
    /// Cancelled when the HTTP server has finished: no request can start anything any more.
    pub serving_done: CancellationToken,
    /// Cancelled when every background task has ended: the usage writer writes what is left.
    pub finished: CancellationToken,
}

impl Lifecycle {
    pub fn new() -> Lifecycle {
        Lifecycle {
            started: Instant::now(),
            schema_ready: AtomicBool::new(false),
            shutdown: CancellationToken::new(),
            serving_done: CancellationToken::new(),
            finished: CancellationToken::new(),
        }
    }

    pub fn schema_ready(&self) -> bool {
        self.schema_ready.load(Ordering::Acquire)
    }

    pub fn mark_schema_ready(&self) {
        self.schema_ready.store(true, Ordering::Release);
    }

    pub fn shutting_down(&self) -> bool {
        self.shutdown.is_cancelled()
    }
}

impl Default for Lifecycle {
    fn default() -> Self {
        Lifecycle::new()
    }
}

impl AppState {
    /// The settings in force (cheap: an `Arc` clone).
    pub fn settings(&self) -> Arc<Settings> {
        self.settings.load_full()
    }

    /// Re-reads the agents (file and database), validates them, and swaps them in; the
    /// running set stays when they are not valid.
    pub async fn reload_agents(&self) -> Result<Arc<Runtime>, crate::agents::Report> {
        let settings = self.settings();
        let runtime = Runtime::load_with_db(&settings, &self.db, self.cipher.as_ref()).await?;
        let runtime = Arc::new(runtime);
        self.runtime.store(runtime.clone());
        Ok(runtime)
    }
}

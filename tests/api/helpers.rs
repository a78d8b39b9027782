//! `spawn_app()`: the real router on port 0 with a fresh database — a temp SQLite file, or a
//! new database created on the PostgreSQL server of `TEST_DATABASE_URL` — and, when asked,
//! the Redis of `TEST_REDIS_URL`.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};

use llmchat::app::App;
use llmchat::config::Settings;
use sqlx::Connection;
use tokio::sync::oneshot;

pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/test";
pub const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one `#[tokio::test]` per backend for each `async fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_databases {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::helpers::Backend::Sqlite).await
            })+
        }
        mod postgres {
            $(#[tokio::test]
            async fn $name() {
                super::$name($crate::helpers::Backend::Postgres).await
            })+
        }
    };
}

pub fn test_database_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.into())
}

pub fn test_redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| DEFAULT_REDIS_URL.into())
}

/// A database for one test, dropped with it.
pub struct TestDatabase {
    pub url: String,
    pg_name: Option<String>,
    _dir: tempfile::TempDir,
}

impl TestDatabase {
    pub async fn create(backend: Backend) -> TestDatabase {
        let dir = tempfile::tempdir().expect("temp dir");
        match backend {
            Backend::Sqlite => TestDatabase {
                url: format!("sqlite://{}/llmchat.db", dir.path().display()),
                pg_name: None,
                _dir: dir,
            },
            Backend::Postgres => {
                let admin_url = test_database_url();
                let name = format!("llmchat_test_{}", uuid::Uuid::now_v7().simple());
                let mut conn = sqlx::PgConnection::connect(&admin_url).await.unwrap_or_else(|e| {
                    panic!(
                        "PostgreSQL is needed at TEST_DATABASE_URL={admin_url} ({e}). Run the tests \
                         with ./scripts/test.sh, which starts one, or install it: apt-get install -y postgresql"
                    )
                });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                conn.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("TEST_DATABASE_URL is a URL");
                url.set_path(&name);
                TestDatabase {
                    url: url.to_string(),
                    pg_name: Some(name),
                    _dir: dir,
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some(name) = self.pg_name.take() else {
            return;
        };
        // Best effort, on a thread of its own: Drop cannot await. scripts/test.sh also sweeps
        // leftovers before each run.
        let admin_url = test_database_url();
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await;
                }
            });
        })
        .join();
    }
}

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    pub db: TestDatabase,
    pub data_dir: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn get_json(&self, path: &str) -> (u16, serde_json::Value) {
        let response = self.get(path).await;
        let status = response.status().as_u16();
        (status, response.json().await.expect("JSON body"))
    }

    /// Starts graceful shutdown, as SIGTERM does for the binary.
    pub fn begin_shutdown(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits for the server task to finish after [`TestApp::begin_shutdown`].
    pub async fn wait_stopped(mut self) -> anyhow::Result<()> {
        match self.server.take() {
            Some(server) => server.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// Settings for a test: loopback, port 0, a temp data dir, no shutdown grace.
pub fn test_settings(db: &TestDatabase, data_dir: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.data_dir = data_dir.to_path_buf();
    settings.database.url = Some(db.url.clone());
    settings.shutdown_grace = std::time::Duration::from_secs(5);
    settings
}

pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, |_| {}).await
}

pub async fn spawn_app_with(backend: Backend, configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn_app_with_sources(backend, configure, None).await
}

/// `spawn_app_with`, with `/api/config/reload` reading `sources`.
pub async fn spawn_app_with_sources(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
    sources: Option<llmchat::config::Sources>,
) -> TestApp {
    let db = TestDatabase::create(backend).await;
    let data_dir = tempfile::tempdir().expect("temp dir");
    let mut settings = test_settings(&db, data_dir.path());
    configure(&mut settings);
    let app = App::build_with_sources(settings, sources)
        .await
        .expect("app builds");
    let addr = app.local_addr().expect("bound");
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    TestApp {
        addr,
        client: http_client(),
        db,
        data_dir,
        stop: Some(stop),
        server: Some(server),
    }
}

/// An HTTP client for tests (the crate's reqwest is built without a default TLS provider).
pub fn http_client() -> reqwest::Client {
    llmchat::tls::install_provider();
    reqwest::Client::new()
}

/// An address on loopback where nothing listens.
pub fn closed_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    port
}

/// The JWT secret of apps started with [`spawn_app_with_jwt_secret`], so tests can forge tokens.
pub const JWT_SECRET: &str = "integration-test-jwt-secret-0123456789abcdef";

/// A password the policy accepts.
pub const PASSWORD: &str = "correct horse battery staple";

/// `spawn_app_with` and a known JWT secret ([`JWT_SECRET`]).
pub async fn spawn_app_with_jwt_secret(
    backend: Backend,
    configure: impl FnOnce(&mut Settings),
) -> TestApp {
    spawn_app_with(backend, |s| {
        s.auth.jwt_secret = Some(llmchat::config::Secret::new(JWT_SECRET));
        configure(s);
    })
    .await
}

/// The status and JSON body of a response.
pub async fn status_and_json(response: reqwest::Response) -> (u16, serde_json::Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

/// The `llmchat_refresh` cookie a response sets, as the raw `Set-Cookie` value.
pub fn refresh_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("llmchat_refresh="))
        .map(String::from)
}

impl TestApp {
    pub async fn post_json(&self, path: &str, body: &serde_json::Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Any request with `Authorization: Bearer {token}` and an optional JSON body; the status
    /// and the JSON body (`Null` when there is none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<serde_json::Value>,
    ) -> (u16, serde_json::Value) {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let text = response.text().await.expect("body");
        (
            status,
            serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
        )
    }

    /// A GET with `Authorization: Bearer {token}`.
    pub async fn authed_get(&self, path: &str, token: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .expect("request")
    }

    /// Registers an account and returns the token response; panics unless it is 201.
    pub async fn register(&self, username: &str, password: &str) -> serde_json::Value {
        let response = self
            .post_json(
                "/api/auth/register",
                &serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        let (status, body) = status_and_json(response).await;
        assert_eq!(status, 201, "register {username}: {body}");
        body
    }

    pub async fn login(&self, login: &str, password: &str) -> reqwest::Response {
        self.post_json(
            "/api/auth/login",
            &serde_json::json!({ "username": login, "password": password }),
        )
        .await
    }

    /// `POST /api/auth/refresh` with `{refresh_token}` in the body.
    pub async fn refresh(&self, refresh_token: &str) -> reqwest::Response {
        self.post_json(
            "/api/auth/refresh",
            &serde_json::json!({ "refresh_token": refresh_token }),
        )
        .await
    }

    /// A second connection pool on the app's database, for checks and changes behind its back.
    pub fn store(&self) -> llmchat::store::Db {
        llmchat::store::Db::connect_lazy(&test_settings(&self.db, self.data_dir.path()))
            .expect("database settings")
    }

    /// The usage records' `columns`, oldest first, once there are at least `n` (they are
    /// written in the background); panics after 10 s.
    pub async fn usage_rows<T>(&self, columns: &str, n: usize) -> Vec<T>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        let db = self.store();
        let sql = format!("SELECT {columns} FROM usage_records ORDER BY created_at, id");
        for _ in 0..100 {
            let rows: Vec<T> = sqlx::query_as(sqlx::AssertSqlSafe(sql.as_str()))
                .fetch_all(db.pool())
                .await
                .unwrap();
            if rows.len() >= n {
                return rows;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("fewer than {n} usage records after 10 s");
    }
}

/// A second server on a [`TestApp`]'s database, as another replica behind a load balancer.
pub struct Replica {
    pub addr: SocketAddr,
    _data_dir: tempfile::TempDir,
    // Dropping it starts the replica's shutdown.
    _stop: oneshot::Sender<()>,
}

impl Replica {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }
}

impl TestApp {
    /// Starts another server on this app's database; `configure` should give it the same
    /// JWT secret (and whatever else the test relies on).
    pub async fn spawn_replica(&self, configure: impl FnOnce(&mut Settings)) -> Replica {
        let data_dir = tempfile::tempdir().expect("temp dir");
        let mut settings = test_settings(&self.db, data_dir.path());
        configure(&mut settings);
        let app = App::build(settings).await.expect("replica builds");
        let addr = app.local_addr().expect("bound");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(app.run(async {
            let _ = stopped.await;
        }));
        Replica {
            addr,
            _data_dir: data_dir,
            _stop: stop,
        }
    }
}

/// `llmchat-mock` on a free port, stopped on drop.
pub struct Mock {
    child: Child,
    pub base: String,
}

impl Mock {
    pub fn start() -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_llmchat-mock"))
            .args(["--port", "0", "--exit-on-eof", "--fixtures"])
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("llmchat-mock runs");
        let stdout = child.stdout.take().unwrap();
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).unwrap();
        let addr = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_string();
        Mock {
            child,
            base: format!("http://{addr}"),
        }
    }

    /// The base URL of `protocol` (`openai/v1`, `anthropic`, …) with `knobs` (`fault=500,…`).
    pub fn url(&self, knobs: &str, protocol: &str) -> String {
        if knobs.is_empty() {
            format!("{}/{protocol}", self.base)
        } else {
            format!("{}/k/{knobs}/{protocol}", self.base)
        }
    }

    /// The requests the mock received, oldest first.
    pub async fn requests(&self) -> serde_json::Value {
        crate::helpers::http_client()
            .get(format!("{}/_mock/requests", self.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The `llmchat` command line: `serve` (default), `migrate`, `health`, `version`, `openapi`,
//! `config check`, `agents validate`, `user create` and `user reset-password`.
//! Exit codes: 0 success, 1 failure, 2 unusable configuration.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};

use crate::app::App;
use crate::build_info;
use crate::config::{Settings, Sources};
use crate::store::Db;
use crate::telemetry;

#[derive(Debug, Parser)]
#[command(
    name = "llmchat",
    version,
    about = "Self-hosted multi-user, multi-agent LLM chat platform"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Ask a running server for its health; exit 0 when ok or degraded (or, for the probe
    /// paths `/api/health/live` and `/ready`, alive or ready), 1 otherwise.
    Health {
        /// Health URL; default http://127.0.0.1:{PORT}/api/health.
        #[arg(long)]
        url: Option<String>,
        /// Also fail (exit 1) when the server reports `degraded`.
        #[arg(long)]
        strict: bool,
        /// Give up after this long.
        #[arg(long, default_value = "3s", value_parser = humantime::parse_duration)]
        timeout: Duration,
    },
    /// Print version and build facts.
    Version,
    /// Print the OpenAPI document of the API (as served at /api/openapi.json).
    Openapi,
    /// Configuration tools.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Agents: check an agents file.
    Agents {
        #[command(subcommand)]
        command: AgentsCommand,
    },
    /// User accounts: create one, or reset a password (recovery).
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Validate an agents file (default: the configured one, `AGENTS_CONFIG`) and print every
    /// problem; exit 0 when valid, 1 otherwise.
    Validate { file: Option<std::path::PathBuf> },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user; the password is read from standard input.
    Create {
        username: String,
        #[arg(long)]
        email: Option<String>,
        /// Make the user an admin.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password (read from standard input), unlock the account and end its
    /// sessions.
    ResetPassword { username: String },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Load and validate the configuration; print it with secrets masked.
    Check,
}

/// Parses the command line and runs the command.
pub fn main() -> ExitCode {
    crate::tls::install_provider();
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::Version => {
            let _ = writeln!(
                std::io::stdout(),
                "llmchat {} (commit {}, built {}, {})",
                build_info::VERSION,
                build_info::GIT_COMMIT,
                build_info::build_time(),
                build_info::RUSTC_VERSION
            );
            ExitCode::SUCCESS
        }
        Command::Openapi => {
            let _ = writeln!(std::io::stdout(), "{}", crate::routes::openapi_json());
            ExitCode::SUCCESS
        }
        Command::Config {
            command: ConfigCommand::Check,
        } => match load_settings() {
            Ok(settings) => {
                // A closed pipe (`llmchat config check | head`) is not an error worth a panic.
                let _ = writeln!(std::io::stdout(), "{}", settings.to_masked_json());
                ExitCode::SUCCESS
            }
            Err(code) => code,
        },
        Command::Health {
            url,
            strict,
            timeout,
        } => runtime(health(url, strict, timeout)),
        Command::Agents {
            command: AgentsCommand::Validate { file },
        } => match load_settings() {
            Ok(mut settings) => {
                if let Some(file) = file {
                    if !file.is_file() {
                        eprintln!("no agents file at {}", file.display());
                        return ExitCode::FAILURE;
                    }
                    settings.agents.config = file;
                }
                match crate::runtime::Runtime::load(&settings) {
                    Ok(runtime) => {
                        let ids: Vec<&str> = runtime.ids().collect();
                        let _ = writeln!(
                            std::io::stdout(),
                            "{}: {} agent(s) valid: {}",
                            settings.agents.config.display(),
                            ids.len(),
                            ids.join(", ")
                        );
                        ExitCode::SUCCESS
                    }
                    Err(report) => {
                        eprintln!("{report}");
                        ExitCode::FAILURE
                    }
                }
            }
            Err(code) => code,
        },
        Command::User { command } => match load_settings() {
            Ok(settings) => runtime(user_command(settings, command)),
            Err(code) => code,
        },
        Command::Migrate => match load_settings() {
            Ok(settings) => runtime(migrate(settings)),
            Err(code) => code,
        },
        Command::Serve => match load_settings() {
            Ok(settings) => runtime(serve(settings)),
            Err(code) => code,
        },
    }
}

fn load_settings() -> Result<Settings, ExitCode> {
    Settings::load(&Sources::from_process()).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

fn runtime(future: impl std::future::Future<Output = ExitCode>) -> ExitCode {
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt.block_on(future),
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(settings: Settings) -> ExitCode {
    telemetry::init_logs(&settings);
    crate::tls::log_roots();
    // The handlers are installed before the server logs that it is listening, so a signal
    // sent right after that line is a clean shutdown rather than the default (death).
    let shutdown = shutdown_signal();
    let app = match App::build(settings).await {
        Ok(app) => app,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "start-up failed");
            return ExitCode::FAILURE;
        }
    };
    match app.run(shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %format!("{e:#}"), "server failed");
            ExitCode::FAILURE
        }
    }
}

async fn migrate(settings: Settings) -> ExitCode {
    telemetry::init_logs(&settings);
    let db = match Db::connect_lazy(&settings) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("{e:#}");
            return ExitCode::FAILURE;
        }
    };
    let result = db.migrate().await;
    db.close().await;
    match result {
        Ok(()) => {
            println!("migrations applied ({})", db.backend().as_str());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("migration failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn health(url: Option<String>, strict: bool, timeout: Duration) -> ExitCode {
    let url = match url {
        Some(url) => url,
        None => match Settings::load(&Sources::from_process()) {
            Ok(settings) => {
                let host = match settings.server.host.as_str() {
                    "0.0.0.0" | "::" | "[::]" => "127.0.0.1",
                    host => host,
                };
                format!("http://{host}:{}/api/health", settings.server.port)
            }
            Err(e) => {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
        },
    };
    let client = match reqwest::Client::builder()
        .tls_backend_preconfigured(crate::tls::client_config())
        .timeout(timeout)
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            eprintln!("cannot build HTTP client: {e}");
            return ExitCode::FAILURE;
        }
    };
    let body: serde_json::Value = match client.get(&url).send().await {
        Ok(response) => response.json().await.unwrap_or_default(),
        Err(e) => {
            eprintln!("no answer from {url}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let status = body
        .get("status")
        .and_then(|s| s.as_str())
        .unwrap_or("unknown");
    let _ = writeln!(std::io::stdout(), "{status}");
    match status {
        // `alive` and `ready` are the probes' answers (`/api/health/live`, `/ready`).
        "ok" | "alive" | "ready" => ExitCode::SUCCESS,
        "degraded" if !strict => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

async fn user_command(settings: Settings, command: UserCommand) -> ExitCode {
    let result = async {
        let db = Db::connect_lazy(&settings)?;
        db.migrate().await?;
        let outcome = run_user_command(&db, command).await;
        db.close().await;
        outcome
    }
    .await;
    match result {
        Ok(message) => {
            let _ = writeln!(std::io::stdout(), "{message}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn run_user_command(db: &Db, command: UserCommand) -> anyhow::Result<String> {
    use crate::auth::{Role, password};
    use crate::store::{refresh_tokens, users};
    match command {
        UserCommand::Create {
            username,
            email,
            admin,
        } => {
            crate::routes::check_username(&username)?;
            let secret = read_password()?;
            crate::policy::check_policy(&secret, &username)?;
            let hash = password::hash(
                &password::Gate::new(1, std::time::Duration::from_secs(60)),
                secret,
            )
            .await?;
            let role = if admin { Role::Admin } else { Role::User };
            let user = users::insert_user(
                db,
                users::NewUser {
                    username: &username,
                    email: email.as_deref(),
                    password_hash: &hash,
                    role: role.as_str(),
                },
            )
            .await?;
            let details = serde_json::json!({ "via": "cli", "role": role.as_str() });
            crate::audit::record_offline(db, "user.create", &user.id, details).await;
            Ok(format!(
                "created {} {} ({})",
                role.as_str(),
                user.username,
                user.id
            ))
        }
        UserCommand::ResetPassword { username } => {
            let user = users::find_user_by_login(db, &username)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no user named {username:?}"))?;
            let secret = read_password()?;
            crate::policy::check_policy(&secret, &user.username)?;
            let hash = password::hash(
                &password::Gate::new(1, std::time::Duration::from_secs(60)),
                secret,
            )
            .await?;
            users::update_password(db, &user.id, &hash).await?;
            refresh_tokens::revoke_user_tokens(db, &user.id, None).await?;
            let details = serde_json::json!({ "via": "cli" });
            crate::audit::record_offline(db, "user.password_reset", &user.id, details).await;
            Ok(format!(
                "password of {} reset; its sessions are signed out",
                user.username
            ))
        }
    }
}

/// The first line of standard input, so that passwords stay out of shell history and `ps`.
fn read_password() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        anyhow::bail!(
            "no password on standard input (pipe it in: echo \"$PASSWORD\" | llmchat user …)"
        );
    }
    Ok(password)
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM; the handlers are installed when this is called.
fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        async fn received(signal: std::io::Result<Signal>) {
            match signal {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        }
        let interrupt = signal(SignalKind::interrupt());
        let terminate = signal(SignalKind::terminate());
        async move {
            tokio::select! {
                () = received(interrupt) => tracing::info!("received SIGINT"),
                () = received(terminate) => tracing::info!("received SIGTERM"),
            }
        }
    }
    #[cfg(not(unix))]
    async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
        tracing::info!("received SIGINT");
    }
}

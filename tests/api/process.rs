//! The real binary as a subprocess: signals, exit codes, the CLI.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::{Backend, closed_port, spawn_app, spawn_app_with};

const BIN: &str = env!("CARGO_BIN_EXE_llmchat");

/// The binary in an empty directory with a clean environment plus `vars`.
pub(crate) fn llmchat(dir: &std::path::Path, args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.current_dir(dir).env_clear().args(args);
    for (k, v) in vars {
        command.env(k, v);
    }
    command
}

pub(crate) struct Server {
    pub child: Child,
    pub addr: String,
}

/// Starts `llmchat serve` on a free port and waits for its "listening" log line.
pub(crate) fn start_server(dir: &std::path::Path, vars: &[(&str, &str)]) -> Server {
    let mut all = vec![
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("LLMCHAT_LOG__FORMAT", "json"),
    ];
    all.extend_from_slice(vars);
    let mut child = llmchat(dir, &["serve"], &all)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Ok(log) = serde_json::from_str::<serde_json::Value>(&line)
                && log["message"] == "listening"
            {
                let _ = tx.send(log["addr"].as_str().unwrap_or_default().to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the server logs the address it listens on");
    Server { child, addr }
}

pub(crate) fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .args(["-s", name, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub(crate) fn wait_with_timeout(child: &mut Child, timeout: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the process did not exit within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[cfg(feature = "test-hooks")]
#[tokio::test]
async fn sigterm_lets_a_slow_request_finish_while_readiness_is_503_then_exits_0() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(
        dir.path(),
        &[
            ("LLMCHAT_SHUTDOWN_DRAIN", "1s"),
            ("LLMCHAT_SHUTDOWN_GRACE", "10s"),
        ],
    );
    let base = format!("http://{}", server.addr);
    let client = crate::helpers::http_client();
    assert_eq!(
        client
            .get(format!("{base}/api/health/ready"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let slow = tokio::spawn({
        let client = client.clone();
        let url = format!("{base}/api/test/slow?ms=2000");
        async move {
            let response = client.get(url).send().await.unwrap();
            (response.status().as_u16(), response.text().await.unwrap())
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    signal(&server.child, "TERM");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let ready = client
        .get(format!("{base}/api/health/ready"))
        .send()
        .await
        .expect("still accepting during the drain period");
    assert_eq!(ready.status(), 503);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["reason"], "shutting down");

    let (status, text) = slow.await.unwrap();
    assert_eq!((status, text.as_str()), (200, "slept 2000 ms"));
    let exit = wait_with_timeout(&mut server.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0));
    // The SQLite file was created in the data directory (and nowhere else).
    assert!(dir.path().join("data/llmchat.db").is_file());
}

#[test]
fn sigint_also_shuts_down_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start_server(dir.path(), &[]);
    signal(&server.child, "INT");
    let exit = wait_with_timeout(&mut server.child, Duration::from_secs(15));
    assert_eq!(exit.code(), Some(0));
}

#[test]
fn bad_configuration_exits_2_with_one_line_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = llmchat(
        dir.path(),
        &["config", "check"],
        &[("LLMCHAT_SERVER__PROT", "1")],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("LLMCHAT_SERVER__PROT"), "{stderr}");

    std::fs::create_dir_all(dir.path().join("config/environments")).unwrap();
    std::fs::write(
        dir.path().join("config/environments/production.yml"),
        "log:\n  levl: warn\n",
    )
    .unwrap();
    let out = llmchat(dir.path(), &["serve"], &[("NODE_ENV", "production")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("log.levl") && stderr.contains("config/environments/production.yml"),
        "{stderr}"
    );

    std::fs::remove_file(dir.path().join("config/environments/production.yml")).unwrap();
    let out = llmchat(dir.path(), &["serve"], &[("NODE_ENV", "production")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "production needs JWT_SECRET");
    assert!(
        String::from_utf8(out.stderr)
            .unwrap()
            .contains("JWT_SECRET")
    );
}

#[test]
fn config_check_prints_the_configuration_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join(".env"),
        "JWT_SECRET=a-very-long-development-secret-value-0123456789\n",
    )
    .unwrap();
    let out = llmchat(
        dir.path(),
        &["config", "check"],
        &[
            ("DATABASE_URL", "postgres://app:db-password-1@db/llmchat"),
            ("PORT", "8080"),
        ],
    )
    .output()
    .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let printed: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(printed["server"]["port"], 8080);
    assert!(!stdout.contains("a-very-long-development-secret"));
    assert!(!stdout.contains("db-password-1"));
    assert_eq!(printed["auth"]["jwt_secret"], "********");
}

// Multi-threaded: the subprocess is awaited synchronously while the app serves it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_command_exit_codes_follow_healthcheck_semantics() {
    let dir = tempfile::tempdir().unwrap();
    let healthy = spawn_app(Backend::Sqlite).await;
    let run = |url: String, strict: bool| {
        let mut args = vec!["health".to_string(), "--url".into(), url];
        if strict {
            args.push("--strict".into());
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        llmchat(dir.path(), &args, &[]).output().unwrap()
    };
    let out = run(healthy.url("/api/health"), true);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "ok");

    let port = closed_port();
    let degraded = spawn_app_with(Backend::Sqlite, |s| {
        s.redis.url = Some(format!("redis://127.0.0.1:{port}"))
    })
    .await;
    assert_eq!(
        run(degraded.url("/api/health"), false).status.code(),
        Some(0)
    );
    assert_eq!(
        run(degraded.url("/api/health"), true).status.code(),
        Some(1)
    );

    let nobody = format!("http://127.0.0.1:{}/api/health", closed_port());
    let out = run(nobody, false);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no answer"));
}

#[test]
fn migrate_command_applies_migrations_and_is_idempotent() {
    let dir = tempfile::tempdir().unwrap();
    for _ in 0..2 {
        let out = llmchat(dir.path(), &["migrate"], &[("LLMCHAT_LOG__LEVEL", "warn")])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(dir.path().join("data/llmchat.db").is_file());
}

/// Runs `llmchat user …` with `stdin` as standard input.
fn user_command(dir: &std::path::Path, args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = llmchat(dir, args, &[("LOG_LEVEL", "warn")])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_commands_create_an_admin_and_reset_a_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let out = user_command(
        dir.path(),
        &["user", "create", "--admin", "opsadmin"],
        "first passphrase!\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("created admin opsadmin"));

    let weak = user_command(dir.path(), &["user", "create", "weakling"], "password123\n");
    assert_eq!(weak.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("common"));
    let missing = user_command(
        dir.path(),
        &["user", "reset-password", "ghost"],
        "whatever passphrase\n",
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no user named"));

    let out = user_command(
        dir.path(),
        &["user", "reset-password", "OpsAdmin"],
        "second passphrase!\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut server = start_server(dir.path(), &[]);
    let client = crate::helpers::http_client();
    let login = |password: &'static str| {
        client
            .post(format!("http://{}/api/auth/login", server.addr))
            .json(&serde_json::json!({ "username": "opsadmin", "password": password }))
            .send()
    };
    assert_eq!(login("first passphrase!").await.unwrap().status(), 401);
    let response = login("second passphrase!").await.unwrap();
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["user"]["role"], "admin");
    signal(&server.child, "TERM");
    wait_with_timeout(&mut server.child, Duration::from_secs(15));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_passwords_tokens_or_keys() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let agents_path = dir.path().join("agents.yaml");
    let closed = crate::helpers::closed_port();
    // A real upstream too, so that the key travels in a header while trace logging is on.
    let mut mock = Command::new(env!("CARGO_BIN_EXE_llmchat-mock"))
        .args(["--port", "0", "--exit-on-eof"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut mock_line = String::new();
    BufReader::new(mock.stdout.take().unwrap())
        .read_line(&mut mock_line)
        .unwrap();
    let mock_addr = mock_line
        .trim()
        .trim_start_matches("listening on ")
        .to_string();
    std::fs::write(
        &agents_path,
        format!(
            "agents:\n  - id: keyed\n    name: Keyed\n    provider: {{type: openai, base_url: \"http://127.0.0.1:{closed}/v1\", api_key: \"${{UPSTREAM_KEY}}\", model: m, max_retries: 1}}\n  - id: mocked\n    name: Mocked\n    provider: {{type: anthropic, base_url: \"http://{mock_addr}/anthropic\", api_key: \"${{UPSTREAM_KEY}}\", model: m}}\n"
        ),
    )
    .unwrap();
    let mut child = llmchat(
        dir.path(),
        &["serve"],
        &[
            ("HOST", "127.0.0.1"),
            ("PORT", "0"),
            ("LLMCHAT_LOG__FORMAT", "json"),
            ("RUST_LOG", "trace"),
            ("LLMCHAT_ADMIN_USERNAME", "logadmin"),
            ("LLMCHAT_ADMIN_PASSWORD", "admin secret passphrase"),
            ("AGENTS_CONFIG", agents_path.to_str().unwrap()),
            ("UPSTREAM_KEY", "sk-upstream-provider-secret"),
        ],
    )
    .stdout(log)
    .spawn()
    .unwrap();
    let addr = {
        let mut found = None;
        for _ in 0..300 {
            let text = std::fs::read_to_string(&log_path).unwrap_or_default();
            found = text.lines().find_map(|line| {
                let log: serde_json::Value = serde_json::from_str(line).ok()?;
                (log["message"] == "listening")
                    .then(|| log["addr"].as_str().unwrap_or_default().to_string())
            });
            if found.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        found.expect("listening")
    };
    let base = format!("http://{addr}");
    let client = crate::helpers::http_client();
    let post = |path: &str, body: serde_json::Value, token: Option<&str>| {
        let mut request = client.post(format!("{base}{path}")).json(&body);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send()
    };
    let user_password = "user secret passphrase";
    let registered: serde_json::Value = post(
        "/api/auth/register",
        serde_json::json!({ "username": "logged", "password": user_password }),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access = registered["access_token"].as_str().unwrap().to_string();
    let refresh = registered["refresh_token"].as_str().unwrap().to_string();
    let refreshed: serde_json::Value = post(
        "/api/auth/refresh",
        serde_json::json!({ "refresh_token": refresh }),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let access2 = refreshed["access_token"].as_str().unwrap().to_string();
    let key: serde_json::Value = post(
        "/api/keys",
        serde_json::json!({ "name": "logged key" }),
        Some(&access2),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let key = key["key"].as_str().unwrap().to_string();
    client
        .get(format!("{base}/api/auth/me?token={access}"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap();
    post(
        "/api/auth/login",
        serde_json::json!({ "username": "logged", "password": "a wrong password guess" }),
        None,
    )
    .await
    .unwrap();
    post("/api/auth/password", serde_json::json!({ "current_password": user_password, "new_password": "next secret passphrase" }), Some(&access2)).await.unwrap();
    let admin: serde_json::Value = post(
        "/api/auth/login",
        serde_json::json!({ "username": "logadmin", "password": "admin secret passphrase" }),
        None,
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let admin_token = admin["access_token"].as_str().unwrap().to_string();
    let tested: serde_json::Value = post(
        "/api/admin/agents/keyed/test",
        serde_json::json!({}),
        Some(&admin_token),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(tested["ok"], false, "{tested}");
    let reached: serde_json::Value = post(
        "/api/admin/agents/mocked/test",
        serde_json::json!({}),
        Some(&admin_token),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(reached["ok"], true, "{reached}");
    let stored = post(
        "/api/admin/agents",
        serde_json::json!({"id": "stored-keyed", "name": "S", "provider": {"type": "openai", "base_url": "https://api.example.com/v1", "api_key": "sk-stored-provider-secret", "model": "m"}}),
        Some(&admin_token),
    )
    .await
    .unwrap();
    assert_eq!(stored.status(), 201);

    signal(&child, "TERM");
    wait_with_timeout(&mut child, Duration::from_secs(15));
    let _ = mock.kill();
    let _ = mock.wait();
    let logs = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        logs.lines().count() > 20,
        "trace logging was on: {} lines",
        logs.lines().count()
    );
    for secret in [
        user_password,
        "admin secret passphrase",
        "a wrong password guess",
        "next secret passphrase",
        access.as_str(),
        access2.as_str(),
        refresh.as_str(),
        key.as_str(),
        admin_token.as_str(),
        "sk-upstream-provider-secret",
        "sk-stored-provider-secret",
    ] {
        assert!(
            !logs.contains(secret),
            "a secret reached the logs: {secret}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_reloads_the_agents_file() {
    let dir = tempfile::tempdir().unwrap();
    let agents = dir.path().join("agents.yaml");
    std::fs::write(
        &agents,
        "agents:\n  - {id: demo, name: Demo, provider: {type: demo}}\n",
    )
    .unwrap();
    let mut server = start_server(
        dir.path(),
        &[
            ("AGENTS_CONFIG", agents.to_str().unwrap()),
            ("LLMCHAT_ADMIN_USERNAME", "hupadmin"),
            ("LLMCHAT_ADMIN_PASSWORD", "hangup passphrase"),
        ],
    );
    let client = crate::helpers::http_client();
    let base = format!("http://{}", server.addr);
    let session: serde_json::Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({ "username": "hupadmin", "password": "hangup passphrase" }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = session["access_token"].as_str().unwrap().to_string();
    let ids = || async {
        let body: serde_json::Value = client
            .get(format!("{base}/api/agents"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(ids().await, ["demo"]);

    std::fs::write(
        &agents,
        "agents:\n  - {id: demo, name: Demo, provider: {type: demo}}\n  - {id: second, name: Second, provider: {type: demo}}\n",
    )
    .unwrap();
    signal(&server.child, "HUP");
    let mut seen = Vec::new();
    for _ in 0..50 {
        seen = ids().await;
        if seen.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(seen, ["demo", "second"]);
    assert!(
        server.child.try_wait().unwrap().is_none(),
        "SIGHUP does not stop the server"
    );
    signal(&server.child, "TERM");
    assert_eq!(
        wait_with_timeout(&mut server.child, Duration::from_secs(15)).code(),
        Some(0)
    );
}

/// A development server at `LOG_LEVEL=debug` shows LLMChat's own debug lines, not every SQL
/// statement, migration file or TLS detail; `LOG_LEVEL=debug,sqlx=debug` brings the SQL back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_show_our_lines_not_every_sql_statement() {
    for (level, want_sql) in [("debug", false), ("debug,sqlx=debug", true)] {
        let dir = tempfile::tempdir().unwrap();
        let log_path = dir.path().join("server.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = llmchat(
            dir.path(),
            &["serve"],
            &[
                ("HOST", "127.0.0.1"),
                ("PORT", "0"),
                ("LLMCHAT_LOG__FORMAT", "json"),
                ("LOG_LEVEL", level),
            ],
        )
        .stdout(log)
        .spawn()
        .unwrap();
        let lines = || -> Vec<serde_json::Value> {
            std::fs::read_to_string(&log_path)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        };
        let mut addr = None;
        for _ in 0..300 {
            addr = lines()
                .iter()
                .find(|l| l["message"] == "listening")
                .and_then(|l| l["addr"].as_str().map(String::from));
            if addr.is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let base = format!("http://{}", addr.expect("listening"));
        let client = crate::helpers::http_client();
        let session: serde_json::Value = client
            .post(format!("{base}/api/auth/register"))
            .json(&serde_json::json!({"username": "quiet", "password": "a quiet passphrase 1"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let token = session["access_token"].as_str().unwrap();
        let conversation: serde_json::Value = client
            .post(format!("{base}/api/conversations"))
            .bearer_auth(token)
            .json(&serde_json::json!({"agent_id": "demo"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let id = conversation["id"].as_str().unwrap();
        let answer = client
            .post(format!("{base}/api/conversations/{id}/messages"))
            .bearer_auth(token)
            .json(&serde_json::json!({"content": "hello", "stream": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200);
        signal(&child, "TERM");
        wait_with_timeout(&mut child, Duration::from_secs(15));

        let logs = lines();
        let target = |l: &serde_json::Value| l["target"].as_str().unwrap_or_default().to_string();
        let sql = logs
            .iter()
            .filter(|l| target(l).starts_with("sqlx"))
            .count();
        let noisy = logs
            .iter()
            .filter(|l| {
                ["rustls", "hyper", "h2"]
                    .iter()
                    .any(|t| target(l).starts_with(t))
            })
            .count();
        let ours = logs
            .iter()
            .filter(|l| l["level"] == "DEBUG" && target(l).starts_with("llmchat"))
            .count();
        assert!(ours > 0, "{level}: our debug lines are there");
        assert_eq!(noisy, 0, "{level}: no TLS or HTTP internals");
        if want_sql {
            assert!(sql > 0, "{level}: the SQL is back when asked for");
        } else {
            assert_eq!(sql, 0, "{level}: no SQL statements or migration files");
        }
    }
}

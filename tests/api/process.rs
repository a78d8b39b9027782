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
    let before = client
        .get(format!("{base}/api/health/live"))
        .send()
        .await
        .unwrap();
    assert!(before.headers().get("connection").is_none());

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
    // Keep-alive clients are told to take their next request elsewhere.
    assert_eq!(ready.headers()["connection"], "close");
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
    // The probes' paths too, so the same command serves a liveness or readiness check.
    for (path, said) in [
        ("/api/health/live", "alive"),
        ("/api/health/ready", "ready"),
    ] {
        let out = run(healthy.url(path), true);
        assert_eq!(out.status.code(), Some(0), "{path}");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), said);
    }

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
async fn sighup_reloads_the_configuration_and_the_agents_file() {
    let dir = tempfile::tempdir().unwrap();
    let environments = dir.path().join("config/environments");
    std::fs::create_dir_all(&environments).unwrap();
    let layer = environments.join("development.yml");
    std::fs::write(&layer, "auth:\n  registration: open\n").unwrap();
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
    let mode = || async {
        let response = client.get(format!("{base}/api/auth/registration")).send();
        let (_, body) = crate::helpers::status_and_json(response.await.unwrap()).await;
        body["mode"].as_str().unwrap().to_string()
    };
    assert_eq!(ids().await, ["demo"]);
    assert_eq!(mode().await, "open");

    std::fs::write(
        &agents,
        "agents:\n  - {id: demo, name: Demo, provider: {type: demo}}\n  - {id: second, name: Second, provider: {type: demo}}\n",
    )
    .unwrap();
    std::fs::write(&layer, "auth:\n  registration: closed\n").unwrap();
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
    assert_eq!(
        mode().await,
        "closed",
        "the configuration's layer is read again too"
    );
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

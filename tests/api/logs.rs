//! What the server writes to its log: never a secret, and at debug level our own lines
//! rather than every library's.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::process::{llmchat, signal, wait_with_timeout};

/// `llmchat serve` on a free loopback port with JSON logs written to a file, plus `vars`;
/// returns the process, the log file and the address from its "listening" line.
fn serve_logging(dir: &Path, vars: &[(&str, &str)]) -> (Child, PathBuf, String) {
    let log_path = dir.join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut all = vec![
        ("HOST", "127.0.0.1"),
        ("PORT", "0"),
        ("LLMCHAT_LOG__FORMAT", "json"),
    ];
    all.extend_from_slice(vars);
    let mut child = llmchat(dir, &["serve"], &all).stdout(log).spawn().unwrap();
    for _ in 0..300 {
        let text = std::fs::read_to_string(&log_path).unwrap_or_default();
        let found = text.lines().find_map(|line| {
            let log: serde_json::Value = serde_json::from_str(line).ok()?;
            (log["message"] == "listening")
                .then(|| log["addr"].as_str().unwrap_or_default().to_string())
        });
        if let Some(addr) = found {
            return (child, log_path, addr);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("the server did not log \"listening\"");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_passwords_tokens_or_keys() {
    let dir = tempfile::tempdir().unwrap();
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
    let (mut child, log_path, addr) = serve_logging(
        dir.path(),
        &[
            ("RUST_LOG", "trace"),
            ("LLMCHAT_ADMIN_USERNAME", "logadmin"),
            ("LLMCHAT_ADMIN_PASSWORD", "admin secret passphrase"),
            ("AGENTS_CONFIG", agents_path.to_str().unwrap()),
            ("UPSTREAM_KEY", "sk-upstream-provider-secret"),
        ],
    );
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

/// A development server at `LOG_LEVEL=debug` shows LLMChat's own debug lines, not every SQL
/// statement, migration file or TLS detail; `LOG_LEVEL=debug,sqlx=debug` brings the SQL back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_logs_show_our_lines_not_every_sql_statement() {
    for (level, want_sql) in [("debug", false), ("debug,sqlx=debug", true)] {
        let dir = tempfile::tempdir().unwrap();
        let (mut child, log_path, addr) = serve_logging(dir.path(), &[("LOG_LEVEL", level)]);
        let lines = || -> Vec<serde_json::Value> {
            std::fs::read_to_string(&log_path)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect()
        };
        let base = format!("http://{addr}");
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

/// Without a single CA certificate on the system (a minimal container image) the server and
/// `llmchat health` still start, on the compiled-in Mozilla roots, and the log says which
/// roots outbound TLS trusts, in one line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_up_says_which_ca_roots_outbound_tls_trusts() {
    for want in ["system", "bundled"] {
        let dir = tempfile::tempdir().unwrap();
        let (no_file, no_dir) = (dir.path().join("none.pem"), dir.path().join("none.d"));
        std::fs::write(&no_file, "").unwrap();
        std::fs::create_dir(&no_dir).unwrap();
        let mut vars = Vec::new();
        if want == "bundled" {
            vars.push(("SSL_CERT_FILE", no_file.to_str().unwrap()));
            vars.push(("SSL_CERT_DIR", no_dir.to_str().unwrap()));
        }
        let (mut child, log_path, addr) = serve_logging(dir.path(), &vars);
        let url = format!("http://{addr}/api/health");
        let health = llmchat(dir.path(), &["health", "--url", &url], &vars)
            .output()
            .unwrap();
        signal(&child, "TERM");
        let status = wait_with_timeout(&mut child, Duration::from_secs(15));
        assert!(
            health.status.success(),
            "llmchat health ({want} roots): {}",
            String::from_utf8_lossy(&health.stderr)
        );
        assert!(
            status.success(),
            "the server ({want} roots) exited with {status}"
        );
        let roots: Vec<String> = std::fs::read_to_string(&log_path)
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|l| l["tls_roots"].as_str().map(str::to_string))
            .collect();
        assert_eq!(roots, [want], "the start-up log's TLS roots");
    }
}

/// At production's `warn` level (no per-request lines), a server error still names its request
/// (the id the client got back, method, path) and a failed upstream call names its agent,
/// provider and kind: what an operator needs to find a user's "request id …" in the logs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_warn_a_failed_request_names_its_request_and_upstream() {
    let dir = tempfile::tempdir().unwrap();
    let agents_path = dir.path().join("agents.yaml");
    let closed = crate::helpers::closed_port();
    std::fs::write(
        &agents_path,
        format!(
            "agents:\n  - id: gone\n    name: Gone\n    provider: {{type: openai, base_url: \"http://127.0.0.1:{closed}/v1\", api_key: k, model: m, max_retries: 0}}\n"
        ),
    )
    .unwrap();
    let (mut child, log_path, addr) = serve_logging(
        dir.path(),
        &[
            // Production's level; the start-up line (info) tells the test the address.
            ("LOG_LEVEL", "warn,llmchat::app=info"),
            ("LLMCHAT_ADMIN_USERNAME", "warnadmin"),
            ("LLMCHAT_ADMIN_PASSWORD", "warn admin passphrase"),
            ("AGENTS_CONFIG", agents_path.to_str().unwrap()),
        ],
    );
    let base = format!("http://{addr}");
    let client = crate::helpers::http_client();
    let login: serde_json::Value = client
        .post(format!("{base}/api/auth/login"))
        .json(&serde_json::json!({"username": "warnadmin", "password": "warn admin passphrase"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key: serde_json::Value = client
        .post(format!("{base}/api/keys"))
        .bearer_auth(login["access_token"].as_str().unwrap())
        .json(&serde_json::json!({"name": "k"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let failed = client
        .post(format!("{base}/v1/chat/completions"))
        .bearer_auth(key["key"].as_str().unwrap())
        .json(
            &serde_json::json!({"model": "gone", "messages": [{"role": "user", "content": "hi"}]}),
        )
        .send()
        .await
        .unwrap();
    assert!(failed.status().is_server_error(), "{}", failed.status());
    let request_id = failed.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    signal(&child, "TERM");
    wait_with_timeout(&mut child, Duration::from_secs(15));

    let logs: Vec<serde_json::Value> = std::fs::read_to_string(&log_path)
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let failure = logs
        .iter()
        .find(|l| l["message"] == "request failed")
        .unwrap_or_else(|| panic!("no \"request failed\" line: {logs:#?}"));
    assert_eq!(failure["request_id"], request_id.as_str());
    assert_eq!(failure["method"], "POST");
    assert_eq!(failure["path"], "/v1/chat/completions");
    let upstream = logs
        .iter()
        .find(|l| l["message"] == "upstream call failed")
        .unwrap_or_else(|| panic!("no \"upstream call failed\" line: {logs:#?}"));
    assert_eq!(upstream["agent"], "gone");
    assert_eq!(upstream["provider"], "openai");
    assert_eq!(upstream["kind"], "connect");
}

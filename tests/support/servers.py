"""The real `llmchat` (SQLite, in a temporary directory) and `llmchat-mock` as subprocesses on
free ports, for the Python-driven suites (tests/sdk, tests/contract). The binaries come from
$LLMCHAT_BIN / $LLMCHAT_MOCK_BIN, or the debug builds in the cargo target directory."""

import contextlib
import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Resolved now: a relative CARGO_TARGET_DIR is relative to where cargo ran (the checkout),
# and the servers start in temporary directories.
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve()
LLMCHAT = str(Path(os.environ.get("LLMCHAT_BIN", TARGET / "debug" / "llmchat")).resolve())
MOCK = str(Path(os.environ.get("LLMCHAT_MOCK_BIN", TARGET / "debug" / "llmchat-mock")).resolve())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict, token: str | None = None) -> dict:
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, json.dumps(body).encode(), headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def wait_ready(base: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"llmchat exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/api/health/ready", timeout=1):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    raise RuntimeError("llmchat did not become ready within 30 s")


def missing_binaries() -> list[str]:
    return [binary for binary in (LLMCHAT, MOCK) if not os.access(binary, os.X_OK)]


@contextlib.contextmanager
def running(agents_yaml, env: dict[str, str] | None = None):
    """Starts llmchat-mock, then llmchat (development, SQLite) with the agents that
    `agents_yaml(mock_base_url)` returns; yields (base URL, the log file's path)."""
    with tempfile.TemporaryDirectory() as tmp:
        mock = subprocess.Popen([MOCK, "--port", "0", "--exit-on-eof"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        line = mock.stdout.readline().strip()
        mock_base = "http://" + line.removeprefix("listening on ")
        agents = Path(tmp) / "agents.yaml"
        agents.write_text(agents_yaml(mock_base))
        port = free_port()
        server_env = {k: v for k, v in os.environ.items()
                      if not k.startswith(("LLMCHAT_", "DATABASE_"))}
        server_env.update({
            "LLMCHAT_ENV": "development", "HOST": "127.0.0.1", "PORT": str(port),
            "LLMCHAT_DATA_DIR": str(Path(tmp) / "data"), "AGENTS_CONFIG": str(agents),
            "LOG_LEVEL": "warn", "LLMCHAT_LOG__FORMAT": "json",
        })
        server_env.update(env or {})
        log_path = Path(tmp) / "llmchat.log"
        log = open(log_path, "w")
        app = subprocess.Popen([LLMCHAT, "serve"], cwd=tmp, env=server_env, stdout=log,
                               stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, app)
            yield base, log_path
        finally:
            app.terminate()
            app.wait(10)
            mock.stdin.close()
            mock.kill()
            mock.wait(10)
            log.close()

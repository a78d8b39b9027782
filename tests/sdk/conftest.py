"""Starts the real `llmchat` (SQLite, in a temp dir) and `llmchat-mock` as subprocesses on free
ports, with agents of every provider pointing at the mock, and creates a user with API keys
through the HTTP API. The binaries come from $LLMCHAT_BIN / $LLMCHAT_MOCK_BIN (run.sh sets
them from the cargo target directory)."""

import json
import os
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# Resolved now: a relative CARGO_TARGET_DIR is relative to where cargo ran (this directory),
# and the servers start in temporary directories.
TARGET = Path(os.environ.get("CARGO_TARGET_DIR") or ROOT / "target").resolve()
LLMCHAT = str(Path(os.environ.get("LLMCHAT_BIN", TARGET / "debug" / "llmchat")).resolve())
MOCK = str(Path(os.environ.get("LLMCHAT_MOCK_BIN", TARGET / "debug" / "llmchat-mock")).resolve())
PASSWORD = "correct horse battery staple"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def agents_yaml(mock: str) -> str:
    def upstream(kind: str, path: str, knobs: str = "") -> str:
        base = f"{mock}/k/{knobs}/{path}" if knobs else f"{mock}/{path}"
        return (f'{{type: {kind}, base_url: "{base}", api_key: sk-upstream, model: mock-model, '
                f"max_retries: 0}}")

    agents = {
        "gpt": upstream("openai", "openai/v1"),
        "gpt-tools": upstream("openai", "openai/v1", "scenario=stream_tool_calls"),
        "claude": upstream("anthropic", "anthropic"),
        "claude-tools": upstream("anthropic", "anthropic", "scenario=stream_tool_use"),
        "dify-app": upstream("dify", "dify/v1"),
        "demo": "{type: demo, chars_per_second: 1000000}",
        "limited": "{type: demo, chars_per_second: 1000000}",
    }
    lines = ["agents:"]
    for agent_id, provider in agents.items():
        lines += [f"  - id: {agent_id}", f"    name: Agent {agent_id}", f"    provider: {provider}"]
        if agent_id == "limited":
            lines.append("    limits: {requests_per_minute: 1}")
    return "\n".join(lines) + "\n"


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


class Server:
    def __init__(self, base: str, key: str, demo_key: str):
        self.base = base
        self.key = key
        self.demo_key = demo_key


@pytest.fixture(scope="session")
def server():
    for binary in (LLMCHAT, MOCK):
        if not os.access(binary, os.X_OK):
            pytest.exit(f"{binary} is missing: run `cargo build --bins` (or tests/sdk/run.sh)", 2)
    with tempfile.TemporaryDirectory() as tmp:
        mock = subprocess.Popen([MOCK, "--port", "0", "--exit-on-eof"], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, text=True)
        line = mock.stdout.readline().strip()
        mock_base = "http://" + line.removeprefix("listening on ")
        agents = Path(tmp) / "agents.yaml"
        agents.write_text(agents_yaml(mock_base))
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LLMCHAT_", "DATABASE_"))}
        env.update({
            "LLMCHAT_ENV": "development", "HOST": "127.0.0.1", "PORT": str(port),
            "LLMCHAT_DATA_DIR": str(Path(tmp) / "data"), "AGENTS_CONFIG": str(agents),
            "LOG_LEVEL": "warn", "LLMCHAT_LOG__FORMAT": "json",
        })
        log = open(Path(tmp) / "llmchat.log", "w")
        app = subprocess.Popen([LLMCHAT, "serve"], cwd=tmp, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_ready(base, app)
            token = post(f"{base}/api/auth/register",
                         {"username": "sdk-user", "password": PASSWORD})["access_token"]
            key = post(f"{base}/api/keys", {"name": "sdk"}, token)["key"]
            demo_key = post(f"{base}/api/keys", {"name": "demo", "allowed_agents": ["demo"]},
                            token)["key"]
            yield Server(base, key, demo_key)
        finally:
            app.terminate()
            app.wait(10)
            mock.stdin.close()
            mock.kill()
            mock.wait(10)
            log.close()

"""Starts the real `llmchat` (SQLite, in a temp dir) and `llmchat-mock` (tests/support/servers.py)
with agents of every provider pointing at the mock, and creates a user with API keys through
the HTTP API."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from servers import missing_binaries, post, running  # noqa: E402

PASSWORD = "correct horse battery staple"


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


class Server:
    def __init__(self, base: str, key: str, demo_key: str):
        self.base = base
        self.key = key
        self.demo_key = demo_key


@pytest.fixture(scope="session")
def server():
    for binary in missing_binaries():
        pytest.exit(f"{binary} is missing: run `cargo build --bins` (or tests/sdk/run.sh)", 2)
    with running(agents_yaml) as (base, _log):
        token = post(f"{base}/api/auth/register",
                     {"username": "sdk-user", "password": PASSWORD})["access_token"]
        key = post(f"{base}/api/keys", {"name": "sdk"}, token)["key"]
        demo_key = post(f"{base}/api/keys", {"name": "demo", "allowed_agents": ["demo"]},
                        token)["key"]
        yield Server(base, key, demo_key)

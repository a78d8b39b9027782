#!/usr/bin/env python3
"""What the Redis stream hub adds: time to first event of a chat turn with the in-process hub
and with the Redis hub, and the delay of each event read through another replica (Redis
Streams, XREAD BLOCK) against the same event read on the replica that runs the turn.

Setup: llmchat-mock as the upstream (OpenAI protocol, evenly spaced chunks), PostgreSQL from
TEST_DATABASE_URL (a fresh database per run), Redis from TEST_REDIS_URL (a fresh key prefix).
Replica A runs every turn; replica B reads it with GET /api/conversations/{id}/stream and
Last-Event-ID set to A's `start` event, so B replays nothing and follows live.

Usage: python3 bench/hub.py [--no-build] [--turns 40] [--chunks 100] [--delay-ms 10]
Builds the release binaries (cargo build --release --bins) unless --no-build. Loopback only;
every run is bounded.
"""

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark passphrase 42"
JWT = "hub-benchmark-jwt-secret-0123456789abcdefghij"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(base, method, path, body=None, token=None):
    req = urllib.request.Request(base + path, method=method,
                                 data=json.dumps(body).encode() if body is not None else None)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read())


def start_mock(binary):
    mock = subprocess.Popen([binary, "--port", "0", "--keep-requests", "0", "--exit-on-eof"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    return mock, "http://" + mock.stdout.readline().strip().removeprefix("listening on ")


def start_llmchat(binary, workdir, name, database_url, redis=None):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOST": "127.0.0.1", "PORT": str(port),
        "LOG_LEVEL": "warn", "AGENTS_CONFIG": str(Path(workdir) / "agents.yaml"),
        "DATABASE_URL": database_url, "JWT_SECRET": JWT, "API_RATE_LIMIT": "1000000000",
        "LLMCHAT_DATA_DIR": str(Path(workdir) / name),
    }
    if redis:
        env["REDIS_URL"], env["LLMCHAT_REDIS__KEY_PREFIX"] = redis
    proc = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(f"{base}/api/health/ready", timeout=1)
            return proc, base
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"llmchat ({name}) did not become ready")


def events(base, method, path, token, body=None, headers=None):
    """Yields (arrival time, event name, id, data) of an SSE response as events arrive."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    all_headers = {"authorization": f"Bearer {token}", "content-type": "application/json"}
    all_headers.update(headers or {})
    conn.request(method, path, json.dumps(body) if body is not None else None, all_headers)
    response = conn.getresponse()
    if response.status != 200:
        raise SystemExit(f"{method} {path}: HTTP {response.status}")
    name, event_id, data = None, None, None
    for raw in response:
        line = raw.decode().rstrip("\n")
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and name:
            yield time.perf_counter(), name, event_id, data
            if name == "done":
                break
            name, event_id, data = None, None, None
    conn.close()


def first_event_ms(base, token, conversation):
    """Milliseconds from sending a message to its `start` event; the rest is read out."""
    sent = time.perf_counter()
    first = None
    for arrived, _, _, _ in events(base, "POST", f"/api/conversations/{conversation}/messages",
                                   token, {"content": "hello"}):
        first = first or arrived
    return (first - sent) * 1000


def follow_delays(a, b, token, conversation):
    """Per event of one turn, how much later B had it than A (ms)."""
    on_a, on_b = {}, {}
    stream = events(a, "POST", f"/api/conversations/{conversation}/messages", token,
                    {"content": "count for me"})
    _, _, start_id, _ = next(stream)

    def read_b():
        for arrived, _, event_id, _ in events(b, "GET", f"/api/conversations/{conversation}/stream",
                                              token, headers={"last-event-id": start_id}):
            on_b[event_id] = arrived

    reader = threading.Thread(target=read_b)
    reader.start()
    for arrived, _, event_id, _ in stream:
        on_a[event_id] = arrived
    reader.join(timeout=30)
    missing = set(on_a) - set(on_b)
    if missing:
        raise SystemExit(f"replica B missed {len(missing)} events")
    # B's first events may be a catch-up (sent before B's XREAD began): drop the first 3.
    seqs = sorted(on_a, key=lambda i: int(i.rsplit(":", 1)[1]))[3:]
    return [(on_b[i] - on_a[i]) * 1000 for i in seqs]


def summary(values):
    values = sorted(values)
    pick = lambda q: values[min(len(values) - 1, int(q * len(values)))]
    return (f"{statistics.median(values):.2f} | {pick(0.9):.2f} | {pick(0.99):.2f} | "
            f"{values[-1]:.2f} | {len(values)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--turns", type=int, default=40)
    parser.add_argument("--chunks", type=int, default=100)
    parser.add_argument("--delay-ms", type=int, default=10)
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=ROOT, check=True)
    release = Path(args.target) / "release"
    pg = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
    redis_url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")
    database = f"llmchat_bench_hub_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", pg, "-qc", f"CREATE DATABASE {database}"], check=True)
    database_url = pg.rsplit("/", 1)[0] + "/" + database
    mock, mock_base = start_mock(str(release / "llmchat-mock"))
    procs = []
    try:
        with tempfile.TemporaryDirectory() as workdir:
            spaced = f"/k/chunks={args.chunks},delay_ms={args.delay_ms}/openai/v1"
            Path(workdir, "agents.yaml").write_text(
                "agents:\n"
                f"  - {{id: quick, name: Quick, provider: {{type: openai, base_url: \"{mock_base}/k/chunks=5/openai/v1\", api_key: sk-bench, model: mock, max_retries: 0}}}}\n"
                f"  - {{id: spaced, name: Spaced, provider: {{type: openai, base_url: \"{mock_base}{spaced}\", api_key: sk-bench, model: mock, max_retries: 0}}}}\n")
            shared = (redis_url, f"llmchat-bench-{uuid.uuid4().hex[:8]}:")
            for name, redis in (("memory", None), ("a", shared), ("b", shared)):
                procs.append(start_llmchat(str(release / "llmchat"), workdir, name, database_url, redis))
            (_, memory), (_, a), (_, b) = procs
            token = request(a, "POST", "/api/auth/register",
                            {"username": "bench", "password": PASSWORD})["access_token"]

            def conversation(base, agent):
                return request(base, "POST", "/api/conversations", {"agent_id": agent}, token)["id"]

            print("| hub | first event, ms: p50 | p90 | p99 | max | turns |")
            print("|---|---|---|---|---|---|")
            for label, base in (("in-process", memory), ("Redis", a)):
                first_event_ms(base, token, conversation(base, "quick"))  # warm-up
                times = [first_event_ms(base, token, conversation(base, "quick"))
                         for _ in range(args.turns)]
                print(f"| {label} | {summary(times)} |")
            delays = []
            for _ in range(args.turns // 4 or 1):
                delays += follow_delays(a, b, token, conversation(a, "spaced"))
            print()
            print("| read through | event delay after the owner's reader, ms: p50 | p90 | p99 | max | events |")
            print("|---|---|---|---|---|---|")
            print(f"| another replica (Redis) | {summary(delays)} |")
    finally:
        for proc, _ in procs:
            proc.terminate()
            proc.wait(timeout=20)
        mock.stdin.close()
        mock.wait(timeout=10)
        subprocess.run(["psql", pg, "-qc", f"DROP DATABASE IF EXISTS {database} WITH (FORCE)"],
                       check=False)


if __name__ == "__main__":
    main()

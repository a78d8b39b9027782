#!/usr/bin/env python3
"""Reliability suite (issue #17, item 7): what happens to turns, streams and requests when a
replica is killed, a client's connection drops, the upstream misbehaves, the database or
Redis goes away, the server is told to stop with 100 streams open, replicas restart one after
the other under load, and the server runs for a while under steady load.

Scenarios (each run --runs times; `soak` --soak-runs times):
  kill9_mid_turn       2 replicas (PG + Redis); 5 slow turns on A read through B; kill -9 A
  disconnect_resume    1 server; a slow turn read across 3 abrupt disconnects (Last-Event-ID)
  upstream_faults      1 server; 500, 429, 401, cut, bad JSON, stall, byte-at-a-time upstreams
  database_down        1 server on a private PostgreSQL that stops for --db-down-seconds
  redis_down           2 replicas on a private Redis that is killed and restarted under load
  sigterm_100_streams  1 server; 100 streaming turns, then SIGTERM
  rolling_restart      tests/cluster/bed.py: 3 replicas behind nginx restarted one by one
  soak                 1 server (PG + Redis); --soak-rate requests/s for --soak-minutes

Needs: the release binaries (llmchat, llmchat-mock) in --bin; PostgreSQL at TEST_DATABASE_URL
(a fresh database per run), Redis at TEST_REDIS_URL (a fresh key prefix per run); for the
private servers /usr/lib/postgresql/15/bin (run as the `postgres` user, hence root) and
redis-server; nginx for rolling_restart. Python 3.11, standard library only. Loopback only;
every wait has a timeout and every run a time limit. Prints a Markdown table at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "cluster"))

import bed as cluster  # noqa: E402  (the cluster bed: HTTP/SSE clients, the 3-replica bed)
from bed import (  # noqa: E402
    Event, Failure, Sse, attach, call, check, deltas, expect, free_port, new_conversation,
    register, saved_answer, send_message,
)

DATABASE_URL = cluster.DATABASE_URL  # TEST_DATABASE_URL
REDIS_URL = cluster.REDIS_URL  # TEST_REDIS_URL
PG_BIN = Path("/usr/lib/postgresql/15/bin")
JWT_SECRET = "reliability-suite-jwt-secret-0123456789abcdefgh"

READY_TIMEOUT_S = 60  # a server's start until /api/health/ready answers 200
EXIT_TIMEOUT_S = 20  # SIGTERM until exit: drain 1 s + grace 10 s + margin
TURN_BOUND_S = 20  # any single turn or /v1 request: longer counts as a hang
HANG = "hang"  # the reason given when a bounded read ran out of time


class Aborted(BaseException):
    """A run's time limit passed: skip to its clean-up."""


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# Small helpers: processes, psql, timing, threads
# ---------------------------------------------------------------------------------------------


def psql(url: str, sql: str, timeout: float = 30) -> str:
    """Runs `sql` on `url` with psql; its unaligned output."""
    done = subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True,
                          timeout=timeout, capture_output=True, text=True)
    return done.stdout


def quiet_port() -> int:
    """A free loopback port below the kernel's ephemeral range: while a private server is
    stopped, no other program's port-0 socket can take its port (one did once, and the
    database driver got an HTTP answer)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for _ in range(200):
        port = random.randint(max(1024, low - 20000), low - 1)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    return free_port()


def with_database(url: str, name: str) -> str:
    """`url` with its database replaced by `name`."""
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def parallel(actions: list[Callable[[], Any]], timeout: float) -> list[Any]:
    """Runs the actions in threads; their results in order (an exception is returned as is,
    an action still running after `timeout` gives None)."""
    results: list[Any] = [None] * len(actions)

    def run(index: int) -> None:
        try:
            results[index] = actions[index]()
        except Exception as e:  # the caller inspects it
            results[index] = e

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return results


def wait_until(condition: Callable[[], bool], timeout: float,
               interval: float = 0.1) -> float | None:
    """Seconds until `condition()` held, or None when it did not within `timeout`."""
    start = time.monotonic()
    while True:
        try:
            if condition():
                return time.monotonic() - start
        except OSError:
            pass
        if time.monotonic() - start > timeout:
            return None
        time.sleep(interval)


def slope_per_minute(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (seconds, value) points, per minute."""
    if len(points) < 2:
        return 0.0
    xs = [t / 60 for t, _ in points]
    ys = [v for _, v in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else 0.0


def spread(values: list[float]) -> str:
    """`median (max)` of some seconds."""
    if not values:
        return "n/a"
    return f"{statistics.median(values):.1f} s (max {max(values):.1f} s)"


# ---------------------------------------------------------------------------------------------
# SSE and /v1 clients that report instead of raising
# ---------------------------------------------------------------------------------------------


def open_stream(port: int, method: str, path: str, token: str, body: Any = None,
                headers: dict | None = None) -> tuple[int, Sse | None, Any]:
    """Sends the request: (status, a reader when it is a 200 event stream, else the body)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data,
                     headers=cluster.request_headers(body, token, headers))
        sock = conn.sock
        response = conn.getresponse()
        kind = response.getheader("content-type", "")
        if response.status == 200 and kind.startswith("text/event-stream"):
            return 200, Sse(conn, sock, response), None
        raw = response.read()
    except BaseException:
        conn.close()
        raise
    conn.close()
    try:
        return response.status, None, json.loads(raw)
    except ValueError:
        return response.status, None, raw[:300].decode(errors="replace")


def finish(reader: Sse, timeout: float) -> tuple[Event | None, str]:
    """Reads to the `done` event: (done, "") or (None, why: HANG, the stream's end, an error)."""
    deadline = time.monotonic() + timeout
    try:
        while True:
            event = reader.next(deadline)
            if event is None:
                return None, "the stream ended without done"
            if event.name == "done":
                return event, ""
    except Failure:
        return None, HANG
    except (OSError, http.client.HTTPException, ValueError) as e:
        return None, f"{type(e).__name__}: {e}"


def hang_up(reader: Sse) -> None:
    """Closes the connection abruptly: a TCP reset, not a polite FIN."""
    try:
        reader.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    reader.close()


@dataclass
class TurnResult:
    """One chat turn as the client saw it."""

    http_status: int | None
    done: Event | None
    why: str  # why there is no done (or the error body), "" otherwise
    text: str
    events: list[Event] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.done.data["status"] if self.done else "none"

    @property
    def message_id(self) -> str | None:
        return self.events[0].data.get("message_id") if self.events else None


def chat_turn(port: int, token: str, conversation: str, content: str,
              bound: float = TURN_BOUND_S) -> TurnResult:
    """Sends a message and reads its stream to `done`, within `bound` seconds."""
    path = f"/api/conversations/{conversation}/messages"
    try:
        status, reader, body = open_stream(port, "POST", path, token, {"content": content})
    except (OSError, http.client.HTTPException) as e:
        return TurnResult(None, None, f"{type(e).__name__}: {e}", "")
    if reader is None:
        return TurnResult(status, None, str(body)[:200], "")
    try:
        done, why = finish(reader, bound)
    finally:
        reader.close()
    return TurnResult(status, done, why, deltas(reader.events), reader.events)


@dataclass
class V1Result:
    """One /v1/chat/completions request as the client saw it."""

    status: int | None
    hang: bool = False
    ending: str = ""  # "json" (a whole answer), "error" (a JSON error), "done", "error frame"…
    text: str = ""
    error: str = ""


def v1_completion(port: int, key: str, model: str, stream: bool,
                  bound: float = TURN_BOUND_S) -> V1Result:
    """POST /v1/chat/completions, read whole within `bound` seconds."""
    deadline = time.monotonic() + bound
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=bound)
    body = {"model": model, "stream": stream, "messages": [{"role": "user", "content": "hi"}]}
    try:
        conn.request("POST", "/v1/chat/completions", body=json.dumps(body).encode(),
                     headers=cluster.request_headers(body, key, None))
        sock = conn.sock
        response = conn.getresponse()
        if stream and response.status == 200:
            return read_v1_stream(response, sock, deadline)
        return read_v1_json(response, sock, deadline)
    except TimeoutError:
        return V1Result(None, hang=True, error=HANG)
    except (OSError, http.client.HTTPException) as e:
        return V1Result(None, error=f"{type(e).__name__}: {e}")
    except ValueError as e:  # a frame that is not JSON
        return V1Result(200, ending="bad frame", error=str(e)[:200])
    finally:
        conn.close()


def read_bounded(response: http.client.HTTPResponse, sock: socket.socket, deadline: float) -> bytes:
    parts = []
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        part = response.read1(65536)
        if not part:
            return b"".join(parts)
        parts.append(part)


def read_v1_json(response: http.client.HTTPResponse, sock: socket.socket,
                 deadline: float) -> V1Result:
    raw = read_bounded(response, sock, deadline)
    try:
        body = json.loads(raw)
    except ValueError:
        text = raw[:200].decode(errors="replace")
        return V1Result(response.status, ending="not json", error=text)
    if response.status == 200:
        text = body.get("choices", [{}])[0].get("message", {}).get("content") or ""
        return V1Result(200, ending="json", text=text)
    error = body.get("error", {}) if isinstance(body, dict) else {}
    ending = "error" if error.get("message") else "error without message"
    return V1Result(response.status, ending=ending, error=str(error.get("code")))


def read_v1_stream(response: http.client.HTTPResponse, sock: socket.socket,
                   deadline: float) -> V1Result:
    """Reads `data:` frames to the end: a clean stream ends with [DONE] or an error frame."""
    result = V1Result(200, ending="ended without [DONE]")
    while True:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        line = response.readline()
        if not line:
            return result
        line = line.decode().strip()
        if not line.startswith("data:"):
            continue
        data = line.removeprefix("data:").strip()
        if data == "[DONE]":
            if result.ending != "error frame":
                result.ending = "done"
            continue
        frame = json.loads(data)
        if "error" in frame:
            result.ending, result.error = "error frame", str(frame["error"].get("code"))
        for choice in frame.get("choices") or []:
            result.text += (choice.get("delta") or {}).get("content") or ""


def new_key(port: int, token: str) -> str:
    return expect(201, call(port, "POST", "/api/keys", {"name": "suite"}, token), "key")["key"]


# ---------------------------------------------------------------------------------------------
# Services: the mock upstream, private PostgreSQL and Redis, llmchat servers, workspaces
# ---------------------------------------------------------------------------------------------


@dataclass
class Fault:
    """An upstream fault: the mock's knobs for streamed requests (chat turns, /v1 streams) and
    for whole ones (/v1 without stream), and what the client should see."""

    agent: str
    stream_knobs: str
    whole_knobs: str
    v1_status: int  # the mapped status of a /v1 request that fails before its first event
    turn_status: str = "failed"
    idle_timeout: str | None = None


FAULTS = [
    Fault("f500", "fault=500", "fault=500", 502),
    Fault("f429", "fault=429", "fault=429", 429),
    Fault("f401", "fault=401", "fault=401", 502),
    Fault("cut", "chunks=20,fault=cut:3", "chunks=20,fault=cut:0+30", 502),
    Fault("badjson", "chunks=20,fault=badjson:2", "chunks=20,fault=badjson:1", 502),
    Fault("stall", "chunks=20,fault=stall:30000@2", "chunks=20,fault=stall:30000@1", 504,
          idle_timeout="3s"),
    Fault("bytewise", "chunks=50,bytewise=1", "chunks=50,bytewise=1", 200, "complete"),
]
BYTEWISE_TEXT = "".join(f"tok{n} " for n in range(1, 51))


def agents_yaml(mock: str) -> str:
    """Demo agents (slow ~3 s a turn, crawl ~18 s, fast at once) and one mock agent per fault
    and mode (`<fault>` streams, `<fault>-whole` for /v1 without stream)."""
    lines = ["agents:",
             "  - {id: slow, name: Slow, provider: {type: demo, chars_per_second: 400}}",
             "  - {id: crawl, name: Crawl, provider: {type: demo, chars_per_second: 60}}",
             "  - {id: fast, name: Fast, provider: {type: demo, chars_per_second: 100000}}"]
    for fault in FAULTS:
        for agent, knobs in ((fault.agent, fault.stream_knobs),
                             (f"{fault.agent}-whole", fault.whole_knobs)):
            idle = f", idle_timeout: {fault.idle_timeout}" if fault.idle_timeout else ""
            lines.append(f"  - {{id: {agent}, name: {agent}, provider: {{type: openai, "
                         f"base_url: \"{mock}/k/{knobs}/openai/v1\", api_key: sk-x, model: m, "
                         f"max_retries: 0{idle}}}}}")
    return "\n".join(lines) + "\n"


class Mock:
    """llmchat-mock on a free loopback port; exits when its stdin closes."""

    def __init__(self, binary: Path):
        self.process = subprocess.Popen(
            [str(binary), "--port", "0", "--keep-requests", "0", "--exit-on-eof"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline().strip()
        check(line.startswith("listening on "), f"llmchat-mock said {line!r}")
        self.base = "http://" + line.removeprefix("listening on ")

    def stop(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


class PrivatePostgres:
    """A throwaway PostgreSQL 15 cluster owned by the `postgres` user, on its own port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="llmchat-rel-pg-"))
        os.chmod(self.dir, 0o755)
        shutil.chown(self.dir, "postgres", "postgres")
        self.data = self.dir / "data"
        self.port = quiet_port()
        self.pg("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                "--no-sync")

    def pg(self, tool: str, *args: str) -> None:
        with open(self.dir / "tools.log", "ab") as out:
            subprocess.run(["runuser", "-u", "postgres", "--", str(PG_BIN / tool), *args],
                           check=True, timeout=90, stdin=subprocess.DEVNULL, stdout=out,
                           stderr=subprocess.STDOUT, cwd=self.dir)

    def start(self) -> None:
        options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c fsync=off "
                   f"-c unix_socket_directories={self.dir}")
        self.pg("pg_ctl", "-D", str(self.data), "-l", str(self.dir / "server.log"), "-o",
                options, "-w", "-t", "60", "start")

    def stop(self, mode: str = "immediate") -> None:
        self.pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def close(self) -> None:
        try:
            self.stop("fast")
        except subprocess.SubprocessError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)


class PrivateRedis:
    """A throwaway redis-server on its own port, without persistence."""

    def __init__(self, directory: Path):
        self.dir = directory
        self.port = quiet_port()
        self.url = f"redis://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.dir / "redis.log", "ab") as out:
            self.process = subprocess.Popen(
                ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                 "--appendonly", "no", "--dir", str(self.dir)],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        check(wait_until(self.ping, 10, 0.05) is not None, "redis-server did not answer PING")

    def ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")

    def kill(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


class Server:
    """One `llmchat serve` on a fixed loopback port; JSON logs (level warn) in its log file."""

    def __init__(self, ws: Workspace, name: str, redis_url: str | None, extra: dict):
        self.ws, self.name = ws, name
        self.port = free_port()
        self.log_path = ws.tmp / f"{name}.log"
        self.env = self.environment(redis_url, extra)
        self.process: subprocess.Popen | None = None

    def environment(self, redis_url: str | None, extra: dict) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": self.ws.database_url,
            "JWT_SECRET": JWT_SECRET,
            "LLMCHAT_DATA_DIR": str(self.ws.tmp / self.name),
            "AGENTS_CONFIG": str(self.ws.agents_path),
            "LOG_LEVEL": "warn",
            "LLMCHAT_LOG__FORMAT": "json",
            "API_RATE_LIMIT": "1000000000",
            "LLMCHAT_CHAT__HEARTBEAT_INTERVAL": "200ms",
            "LLMCHAT_CHAT__HEARTBEAT_TIMEOUT": "2s",
            "LLMCHAT_CHAT__FLUSH_INTERVAL": "200ms",
            "LLMCHAT_SHUTDOWN_GRACE": "10s",
            "LLMCHAT_SHUTDOWN_DRAIN": "1s",
        }
        if redis_url:
            env["REDIS_URL"] = redis_url
            env["LLMCHAT_REDIS__KEY_PREFIX"] = self.ws.redis_prefix
        env.update(extra)
        return env

    def start(self) -> float:
        """Starts the process and waits for readiness; the seconds it took."""
        started = time.monotonic()
        with open(self.log_path, "ab") as out:
            self.process = subprocess.Popen(
                [str(self.ws.ctx.llmchat), "serve"], cwd=self.ws.tmp, env=self.env,
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        while not self.ready():
            check(self.process.poll() is None,
                  f"{self.name} exited with {self.process.returncode} at start")
            check(time.monotonic() - started < READY_TIMEOUT_S,
                  f"{self.name} not ready within {READY_TIMEOUT_S} s")
            time.sleep(0.1)
        body = call(self.port, "GET", "/api/version")[1]
        self.ws.ctx.versions.add(f"{body['version']} ({body['git_commit']}, built "
                                 f"{body['build_time']})")
        return time.monotonic() - started

    def ready(self) -> bool:
        try:
            return call(self.port, "GET", "/api/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def health(self) -> str:
        """/api/health's `status`, or what went wrong asking."""
        try:
            status, body = call(self.port, "GET", "/api/health", timeout=3)
        except OSError as e:
            return type(e).__name__
        return body.get("status", str(status)) if isinstance(body, dict) else str(status)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> tuple[int | None, float]:
        """SIGTERM; the exit code (None: still running after EXIT_TIMEOUT_S, then killed) and
        the seconds until the exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            code = None
            self.kill()
        return code, time.monotonic() - started

    def kill(self) -> None:
        if self.running():
            self.process.kill()
            self.process.wait(10)

    def rss_mib(self) -> float:
        text = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", text).group(1)) / 1024

    def panics(self) -> list[str]:
        """Log lines of panics: the panic hook's `panic` event or a 'panicked' message."""
        if not self.log_path.exists():
            return []
        lines = self.log_path.read_text(errors="replace").splitlines()
        return [line for line in lines if "panicked" in line or '"panic"' in line]


class Workspace:
    """One run's temporary directory, fresh database, Redis key prefix and servers; all of it
    removed on exit (the directory is kept, with the logs, when `keep` is set)."""

    def __init__(self, ctx: Context, name: str, admin_url: str = DATABASE_URL):
        self.ctx = ctx
        self.tmp = Path(tempfile.mkdtemp(prefix=f"llmchat-rel-{name}-"))
        suffix = secrets.token_hex(4)
        self.admin_url = admin_url
        self.database = f"llmchat_rel_{suffix}"
        self.database_url = with_database(admin_url, self.database)
        self.redis_prefix = f"llmchat-rel-{suffix}:"
        self.agents_path = self.tmp / "agents.yaml"
        self.servers: list[Server] = []
        self.keep = False

    def __enter__(self) -> Workspace:
        psql(self.admin_url, f'CREATE DATABASE "{self.database}"')
        self.agents_path.write_text(agents_yaml(self.ctx.mock))
        return self

    def server(self, name: str, redis_url: str | None = None, **extra: str) -> Server:
        server = Server(self, name, redis_url, extra)
        self.servers.append(server)
        return server

    def panics(self) -> list[str]:
        return [line for server in self.servers for line in server.panics()]

    def __exit__(self, kind: Any, *_: Any) -> None:
        for server in self.servers:
            server.kill()
        try:
            psql(self.admin_url, f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        except subprocess.SubprocessError as e:
            log(f"    could not drop {self.database}: {e}")
        try:
            cluster.redis_delete_prefix(self.redis_prefix)
        except (OSError, RuntimeError) as e:
            log(f"    could not delete the Redis keys under {self.redis_prefix}: {e}")
        if self.keep or kind is not None:
            log(f"    logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


@dataclass
class Context:
    """What every scenario needs: the binaries, the mock's base URL and the options."""

    llmchat: Path
    mock: str
    args: argparse.Namespace
    versions: set[str] = field(default_factory=set)  # /api/version of every server started


@dataclass
class RunResult:
    ok: bool  # this run met the scenario's goal
    figures: dict[str, Any]
    note: str  # one line for the log


# ---------------------------------------------------------------------------------------------
# Load: client threads alternating chat turns and /v1 calls, every request recorded
# ---------------------------------------------------------------------------------------------


@dataclass
class Client:
    port: int
    token: str
    key: str


@dataclass
class Record:
    kind: str
    at: float  # monotonic time when it was sent
    seconds: float
    status: int | None  # the HTTP status (None: no answer)
    ok: bool
    why: str = ""


def make_clients(ports: list[int], per_port: int, label: str) -> list[Client]:
    """`per_port` users (session token and API key each) registered on each port."""
    clients = []
    for port in ports:
        for n in range(per_port):
            token = register(port, f"{label}{port}x{n}")
            clients.append(Client(port, token, new_key(port, token)))
    return clients


class Traffic:
    """One thread per client: chat turns with the fast agent (a new conversation every ten)
    alternating with /v1 calls (every other one streamed), each thread at most one request
    per `period_s` (0: back to back), until stopped."""

    def __init__(self, clients: list[Client], period_s: float = 0.0):
        self.clients, self.period_s = clients, period_s
        self.records: list[Record] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def start(self) -> None:
        for client in self.clients:
            thread = threading.Thread(target=self.loop, args=(client,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(TURN_BOUND_S + 15)
        check(not any(t.is_alive() for t in self.threads), "a load thread did not stop")

    def loop(self, client: Client) -> None:
        conversation, number = None, 0
        next_at = time.monotonic()
        while not self.stopping.is_set():
            if number % 20 == 0:  # ten turns per conversation keep the history short
                conversation = self.record("conversation", lambda: self.conversation(client))
            if number % 2 == 0 and conversation:
                self.record("turn", lambda: self.turn(client, conversation, number))
            else:
                self.record("v1", lambda: self.completion(client, stream=number % 4 == 1))
            number += 1
            next_at += self.period_s
            self.stopping.wait(max(0.0, next_at - time.monotonic()) if self.period_s else 0.01)

    def record(self, kind: str, action: Callable[[], tuple[int | None, bool, str, Any]]) -> Any:
        """Runs one request; its value (None when it failed)."""
        started = time.monotonic()
        try:
            status, ok, why, value = action()
        except Exception as e:  # a failure of any kind is recorded, none stops the thread
            status, ok, why, value = None, False, f"{type(e).__name__}: {e}", None
        with self.lock:
            self.records.append(Record(kind, started, time.monotonic() - started, status, ok, why))
        return value if ok else None

    @staticmethod
    def conversation(client: Client) -> tuple[int | None, bool, str, Any]:
        status, body = call(client.port, "POST", "/api/conversations", {"agent_id": "fast"},
                            client.token)
        created = status == 201
        return status, created, "" if created else str(body)[:200], body["id"] if created else None

    @staticmethod
    def turn(client: Client, conversation: str, number: int) -> tuple[int | None, bool, str, Any]:
        result = chat_turn(client.port, client.token, conversation, f"load turn {number}")
        ok = result.status == "complete"
        return result.http_status, ok, "" if ok else f"done {result.status} {result.why}", None

    @staticmethod
    def completion(client: Client, stream: bool) -> tuple[int | None, bool, str, Any]:
        answer = v1_completion(client.port, client.key, "fast", stream)
        ok = answer.status == 200 and answer.ending in ("json", "done") and bool(answer.text)
        why = "" if ok else f"{answer.ending} {answer.error}".strip()
        return answer.status, ok, why, None

    def summary(self) -> tuple[int, int, int]:
        """(requests, failed, 5xx answers)."""
        with self.lock:
            records = list(self.records)
        failed = sum(not r.ok for r in records)
        fivexx = sum(r.status is not None and r.status >= 500 for r in records)
        return len(records), failed, fivexx

    def failures(self, limit: int = 5) -> list[str]:
        with self.lock:
            return [f"{r.kind} {r.status}: {r.why}" for r in self.records if not r.ok][:limit]


# ---------------------------------------------------------------------------------------------
# 1. kill -9 of the replica that runs the turns
# ---------------------------------------------------------------------------------------------

KILL9_TURNS = 5


@dataclass
class Watched:
    """A turn running on replica A, with its reader on A and a reader on B."""

    conversation: str
    message_id: str
    on_a: Sse
    on_b: Sse


def watched_turn(a: Server, b: Server, token: str, number: int) -> Watched:
    conversation = new_conversation(a.port, token, "slow")
    on_a = send_message(a.port, token, conversation, f"a long story, part {number}")
    start = on_a.read_until(bool, time.monotonic() + 10)[0]
    on_b = attach(b.port, token, conversation)
    return Watched(conversation, start.data["message_id"], on_a, on_b)


def interrupted_kept(port: int, token: str, turn: Watched, done: Event | None, why: str) -> str:
    """Why the turn counts as lost ("" when B's reader ended `done interrupted` and the stored
    answer is `interrupted` with non-empty text that prefixes what B's reader got)."""
    if done is None:
        return why
    if done.data["status"] != "interrupted":
        return f"done {done.data['status']}"
    status, stored = saved_answer(port, token, turn.conversation, turn.message_id)
    streamed = deltas(turn.on_b.events)
    if status != "interrupted":
        return f"stored {status}"
    if not stored or not streamed.startswith(stored):
        return f"stored {len(stored)} chars, not a prefix of the {len(streamed)} streamed"
    return ""


def kill9_mid_turn(ctx: Context) -> RunResult:
    with Workspace(ctx, "kill9") as ws:
        a = ws.server("a", REDIS_URL)
        a.start()  # alone: it applies the migrations
        b = ws.server("b", REDIS_URL)
        b.start()
        token = register(a.port, "owner")
        turns = [watched_turn(a, b, token, n) for n in range(KILL9_TURNS)]
        for turn in turns:
            turn.on_b.read_until(lambda evs: len(deltas(evs)) >= 40, time.monotonic() + 10)
        time.sleep(0.3)  # past a flush of the partial answers
        a.kill()
        killed = time.monotonic()
        for turn in turns:
            turn.on_a.close()

        def end(turn: Watched) -> tuple[Event | None, str, float]:
            done, why = finish(turn.on_b, 15)
            return done, why, time.monotonic() - killed

        ends = parallel([lambda t=t: end(t) for t in turns], 20)
        lost, full, seconds = [], 0, []
        for turn, (done, why, after) in zip(turns, ends):
            seconds.append(after)
            reason = interrupted_kept(b.port, token, turn, done, why)
            if reason:
                lost.append(f"{turn.message_id}: {reason}")
            elif saved_answer(b.port, token, turn.conversation, turn.message_id)[1] == \
                    deltas(turn.on_b.events):
                full += 1
            turn.on_b.close()
        panics = ws.panics()
        ws.keep = bool(lost or panics)
    figures = {"turns": len(turns), "lost": len(lost), "full": full, "seconds": max(seconds),
               "panics": len(panics)}
    note = (f"lost {len(lost)} of {len(turns)}; B's readers done {max(seconds):.1f} s after "
            f"kill -9 at most; stored text equal to B's in {full}")
    return RunResult(not lost and not panics, figures, note + "".join(f"\n      {x}" for x in lost))


def summarize_kill9(results: list[RunResult]) -> str:
    f = totals(results, "turns", "lost", "full", "panics")
    seconds = [r.figures["seconds"] for r in results if r.figures]
    return (f"lost {f['lost']} of {f['turns']} turns; readers on B got `done interrupted` "
            f"within {spread(seconds)} of the kill; stored text = all B's reader got in "
            f"{f['full']} of {f['turns'] - f['lost']}; panics {f['panics']}")


# ---------------------------------------------------------------------------------------------
# 2. abrupt disconnects and resumption with Last-Event-ID
# ---------------------------------------------------------------------------------------------

RESUME_TURNS = 3
RESUME_CUTS = 3


def read_some(reader: Sse, count: int, deadline: float) -> list[Event]:
    """Up to `count` events, fewer when `done` comes first."""
    events = []
    while len(events) < count:
        event = reader.next(deadline)
        check(event is not None, "the stream ended before done")
        events.append(event)
        if event.name == "done":
            break
    return events


def resumed_turn(port: int, token: str, number: int, rng: random.Random) -> str:
    """One slow turn read across RESUME_CUTS abrupt disconnects; "" when the concatenated text
    is byte-identical to the stored answer and to a full replay, else what differed."""
    conversation = new_conversation(port, token, "slow")
    deadline = time.monotonic() + TURN_BOUND_S
    reader = send_message(port, token, conversation, f"a long story, part {number}")
    events: list[Event] = []
    for _ in range(RESUME_CUTS):
        events += read_some(reader, rng.randint(8, 30), deadline)
        hang_up(reader)
        if events[-1].name == "done":
            break
        reader = attach(port, token, conversation, events[-1].id)
    else:
        events += read_some(reader, 10_000, deadline)
        reader.close()
    check(events[-1].name == "done", "no done event")
    seqs = [e.seq for e in events]
    if seqs != list(range(1, len(seqs) + 1)):
        return f"gaps or repeats in the event ids: {seqs}"
    message_id = events[-1].data["message_id"]
    resumed = deltas(events).encode()
    status, stored = saved_answer(port, token, conversation, message_id)
    replay = attach(port, token, conversation)
    replay.read_to_done()
    replay.close()
    replayed = deltas(replay.events).encode()
    if events[-1].data["status"] != "complete" or status != "complete":
        return f"done {events[-1].data['status']}, stored {status}"
    if not resumed == stored.encode() == replayed:
        return (f"resumed {len(resumed)} bytes, stored {len(stored.encode())}, "
                f"replayed {len(replayed)}")
    return ""


def disconnect_resume(ctx: Context) -> RunResult:
    rng = random.Random()
    with Workspace(ctx, "resume") as ws:
        server = ws.server("one")
        server.start()
        token = register(server.port, "reader")
        differences = [resumed_turn(server.port, token, n, rng) for n in range(RESUME_TURNS)]
        differences = [d for d in differences if d]
        panics = ws.panics()
        ws.keep = bool(differences or panics)
    figures = {"turns": RESUME_TURNS, "identical": RESUME_TURNS - len(differences),
               "panics": len(panics)}
    note = f"{figures['identical']} of {RESUME_TURNS} identical" + \
        "".join(f"\n      {d}" for d in differences)
    return RunResult(not differences and not panics, figures, note)


def summarize_resume(results: list[RunResult]) -> str:
    f = totals(results, "turns", "identical", "panics")
    return (f"{f['identical']} of {f['turns']} turns byte-identical (resumed = stored = "
            f"replayed, ids contiguous) after {RESUME_CUTS} abrupt disconnects each")


# ---------------------------------------------------------------------------------------------
# 3. upstream faults
# ---------------------------------------------------------------------------------------------


@dataclass
class FaultTally:
    requests: int = 0
    hangs: int = 0
    unmapped_5xx: int = 0
    wrong: list[str] = field(default_factory=list)
    seen: dict[str, str] = field(default_factory=dict)  # "agent mode" -> what the client saw


def fault_turn(port: int, token: str, fault: Fault, tally: FaultTally) -> None:
    conversation = new_conversation(port, token, fault.agent)
    started = time.monotonic()
    result = chat_turn(port, token, conversation, "hello")
    errors = [e.data.get("code") for e in result.events if e.name == "error"]
    tally.requests += 1
    tally.hangs += result.why == HANG
    if result.http_status is not None and result.http_status >= 500:
        tally.unmapped_5xx += 1
    tally.seen[f"{fault.agent} turn"] = (f"{result.http_status} done {result.status} "
                                         f"{'/'.join(map(str, errors))} "
                                         f"{time.monotonic() - started:.1f}s").replace("  ", " ")
    if result.status != fault.turn_status:
        tally.wrong.append(f"{fault.agent} turn: done {result.status} {result.why}")
    elif fault.turn_status == "complete" and result.text != BYTEWISE_TEXT:
        tally.wrong.append(f"{fault.agent} turn: text {result.text[:60]!r}")


def fault_v1(port: int, key: str, fault: Fault, stream: bool, tally: FaultTally) -> None:
    agent = fault.agent if stream else f"{fault.agent}-whole"
    started = time.monotonic()
    answer = v1_completion(port, key, agent, stream)
    mode = "v1 stream" if stream else "v1 whole"
    tally.requests += 1
    tally.hangs += answer.hang
    tally.seen[f"{fault.agent} {mode}"] = (f"{answer.status} {answer.ending} {answer.error} "
                                           f"{time.monotonic() - started:.1f}s")
    if answer.status is not None and answer.status >= 500 and answer.status != fault.v1_status:
        tally.unmapped_5xx += 1
    ok = v1_as_expected(fault, answer)
    if not ok:
        tally.wrong.append(f"{fault.agent} {mode}: {answer.status} {answer.ending} "
                           f"{answer.error} {answer.text[:40]!r}")


def v1_as_expected(fault: Fault, answer: V1Result) -> bool:
    """A clean answer: the whole text for bytewise; for faults the mapped JSON error, or a 200
    stream that ends with an error frame (a fault after the first event)."""
    if fault.turn_status == "complete":
        return answer.status == 200 and answer.ending in ("json", "done") and \
            answer.text == BYTEWISE_TEXT
    if answer.status == fault.v1_status and answer.ending == "error":
        return True
    return answer.status == 200 and answer.ending == "error frame"


def upstream_faults(ctx: Context) -> RunResult:
    tally = FaultTally()
    with Workspace(ctx, "faults") as ws:
        server = ws.server("one")
        server.start()
        token = register(server.port, "faults")
        key = new_key(server.port, token)
        for fault in FAULTS:
            fault_turn(server.port, token, fault, tally)
            fault_v1(server.port, key, fault, True, tally)
            fault_v1(server.port, key, fault, False, tally)
        panics = ws.panics()
        alive = server.running()
        ws.keep = bool(tally.hangs or panics or tally.unmapped_5xx or tally.wrong or not alive)
    figures = {"requests": tally.requests, "hangs": tally.hangs, "panics": len(panics),
               "unmapped": tally.unmapped_5xx, "wrong": len(tally.wrong), "seen": tally.seen,
               "alive": alive}
    ok = not (tally.hangs or panics or tally.unmapped_5xx or tally.wrong) and alive
    note = (f"{tally.requests} requests: hangs {tally.hangs}, panics {len(panics)}, unmapped "
            f"5xx {tally.unmapped_5xx}, wrong endings {len(tally.wrong)}"
            + "".join(f"\n      {w}" for w in tally.wrong)
            + "".join(f"\n      panic: {p[:300]}" for p in panics[:3])
            + "".join(f"\n      {k}: {v}" for k, v in tally.seen.items()))
    return RunResult(ok, figures, note)


def summarize_faults(results: list[RunResult]) -> str:
    f = totals(results, "requests", "hangs", "panics", "unmapped", "wrong")
    return (f"{f['requests']} requests (7 faults × turn, /v1 stream, /v1 whole): hangs "
            f"{f['hangs']}, panics {f['panics']}, unmapped 5xx {f['unmapped']}, wrong endings "
            f"{f['wrong']}")


# ---------------------------------------------------------------------------------------------
# 4. the database goes away and comes back
# ---------------------------------------------------------------------------------------------

SLOW_ANSWER_S = 5.5  # slower than this (5 s, plus timer slack) during an outage: a hang


@dataclass
class Probe:
    at: float  # seconds since the outage began
    what: str
    status: int | None
    seconds: float


def probe(server: Server, started: float, what: str, method: str, path: str,
          token: str | None = None, body: Any = None) -> Probe:
    sent = time.monotonic()
    try:
        status = call(server.port, method, path, body, token, timeout=15)[0]
    except OSError:
        status = None
    return Probe(sent - started, what, status, time.monotonic() - sent)


def outage_probes(server: Server, token: str, conversation: str, seconds: float) -> list[Probe]:
    """Until `seconds` have passed, in three threads: readiness and liveness every half
    second, the conversation list (it needs the database) and a chat turn every 3 s."""
    started, probes = time.monotonic(), []
    turn_path = f"/api/conversations/{conversation}/messages"
    turn_body = {"content": "during the outage", "stream": False}

    def every(interval: float, *requests: tuple) -> None:
        while time.monotonic() - started < seconds:
            sent = time.monotonic()
            for what, method, path, *rest in requests:
                probes.append(probe(server, started, what, method, path, *rest))
            time.sleep(max(0.0, interval - (time.monotonic() - sent)))

    parallel([lambda: every(0.5, ("ready", "GET", "/api/health/ready"),
                            ("live", "GET", "/api/health/live")),
              lambda: every(0.5, ("list", "GET", "/api/conversations", token)),
              lambda: every(3.0, ("turn", "POST", turn_path, token, turn_body))],
             seconds + 20)
    return sorted(probes, key=lambda p: p.at)


def first_complete_turn(server: Server, token: str, conversation: str,
                        bound: float) -> float | None:
    """Seconds until a chat turn completes, trying again after each failure."""
    started = time.monotonic()
    while time.monotonic() - started < bound:
        if chat_turn(server.port, token, conversation, "after the outage", 10).status == "complete":
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def outage_figures(probes: list[Probe]) -> dict[str, Any]:
    ready = [p for p in probes if p.what == "ready"]
    first_503 = next((p.at for p in ready if p.status == 503), None)
    ready_200_after = sum(p.status == 200 for p in ready
                          if first_503 is not None and p.at > first_503)
    return {
        "first_503": first_503,
        "ready_503": first_503 is not None and first_503 <= 5 and not ready_200_after,
        "live_ok": all(p.status == 200 for p in probes if p.what == "live"),
        "slow": sum(p.seconds > SLOW_ANSWER_S or p.status is None for p in probes),
        "max_answer": max(p.seconds for p in probes),
        "statuses": sorted({f"{p.what} {p.status}" for p in probes}),
        "slow_list": [f"{p.what} at {p.at:.1f} s: {p.status} after {p.seconds:.2f} s"
                      for p in probes if p.seconds > SLOW_ANSWER_S or p.status is None],
    }


def database_down(ctx: Context) -> RunResult:
    pg = PrivatePostgres()
    try:
        pg.start()
        with Workspace(ctx, "dbdown", admin_url=pg.url()) as ws:
            server = ws.server("one")
            server.start()
            pid = server.process.pid
            token = register(server.port, "patient")
            conversation = new_conversation(server.port, token, "fast")
            check(chat_turn(server.port, token, conversation, "before").status == "complete",
                  "the turn before the outage did not complete")
            pg.stop("immediate")
            probes = outage_probes(server, token, conversation, ctx.args.db_down_seconds)
            pg.start()
            ready_s = wait_until(server.ready, 120, 0.1)
            turn_s = first_complete_turn(server, token, conversation, 120)
            same = server.running() and server.process.pid == pid
            panics = ws.panics()
            figures = outage_figures(probes) | {"ready_s": ready_s, "turn_s": turn_s,
                                                "same": same, "panics": len(panics)}
            ok = (figures["ready_503"] and figures["live_ok"] and not figures["slow"]
                  and ready_s is not None and turn_s is not None and same and not panics)
            ws.keep = not ok
    finally:
        pg.close()
    note = (f"ready 503 from {fmt_s(figures['first_503'])} after the stop: "
            f"{yes(figures['ready_503'])}; live always 200: {yes(figures['live_ok'])}; "
            f"answers > {SLOW_ANSWER_S} s or none: {figures['slow']} "
            f"(slowest {figures['max_answer']:.2f} s); after the restart ready in "
            f"{fmt_s(ready_s)}, a turn completes in {fmt_s(turn_s)}; same process: {yes(same)}; "
            f"seen {', '.join(figures['statuses'])}"
            + "".join(f"\n      {x}" for x in figures["slow_list"]))
    return RunResult(ok, figures, note)


def summarize_dbdown(results: list[RunResult]) -> str:
    done = [r.figures for r in results if r.figures]
    ready = [f["ready_s"] for f in done if f["ready_s"] is not None]
    turn = [f["turn_s"] for f in done if f["turn_s"] is not None]
    first = [f["first_503"] for f in done if f["first_503"] is not None]
    slowest = max((f["max_answer"] for f in done), default=0)
    return (f"readiness 503 during the outage in "
            f"{sum(f['ready_503'] for f in done)} of {len(results)} runs (first 503 after "
            f"{spread(first)}); live 200 in {sum(f['live_ok'] for f in done)}; answers > "
            f"{SLOW_ANSWER_S} s: {sum(f['slow'] for f in done)} (slowest {slowest:.2f} s); "
            f"recovered without restart in {sum(f['same'] for f in done)}: ready "
            f"{spread(ready)}, first turn {spread(turn)} after PostgreSQL was back")


# ---------------------------------------------------------------------------------------------
# 5. Redis goes away under load and comes back
# ---------------------------------------------------------------------------------------------

REDIS_LOAD_S, REDIS_KILL_AT, REDIS_BACK_AT = 10.0, 3.0, 7.0


def sample_health(servers: list[Server], stopping: threading.Event,
                  samples: list[tuple[float, str, str]]) -> None:
    while not stopping.is_set():
        for server in servers:
            samples.append((time.monotonic(), server.name, server.health()))
        stopping.wait(0.25)


def first_ok(samples: list[tuple[float, str, str]], servers: list[Server],
             since: float) -> float | None:
    """When every server had said `ok` after `since` (None: not all yet)."""
    firsts = [next((at for at, name, status in list(samples)
                    if at >= since and name == s.name and status == "ok"), None) for s in servers]
    return None if None in firsts else max(firsts)


def shared_again(a: Server, b: Server, token: str) -> bool:
    """A slow turn on A read from its start through B, to the same complete text."""
    conversation = new_conversation(a.port, token, "slow")
    on_a = send_message(a.port, token, conversation, "are we shared again?")
    on_a.read_until(bool, time.monotonic() + 10)
    on_b = attach(b.port, token, conversation)
    (done_a, _), (done_b, _) = parallel([lambda: finish(on_a, 15), lambda: finish(on_b, 15)], 20)
    on_a.close()
    on_b.close()
    return bool(done_a and done_b and done_b.data["status"] == "complete"
                and deltas(on_a.events) == deltas(on_b.events))


def redis_down(ctx: Context) -> RunResult:
    with Workspace(ctx, "redisdown") as ws:
        redis = PrivateRedis(ws.tmp)
        redis.start()
        try:
            a, b = ws.server("a", redis.url), ws.server("b", redis.url)
            a.start()
            b.start()
            figures = redis_outage(a, b, redis)
        finally:
            redis.kill()
        figures["panics"] = len(ws.panics())
        ok = not figures["fivexx"] and not figures["panics"]
        ws.keep = not ok or bool(figures["failed"])
    note = (f"{figures['requests']} requests: 5xx {figures['fivexx']}, failed {figures['failed']}; "
            f"health during the outage: {figures['health']}; ok again {fmt_s(figures['ok_s'])} "
            f"after the restart; a turn shared through B again: {yes(figures['shared'])}"
            + "".join(f"\n      {x}" for x in figures["examples"]))
    return RunResult(ok, figures, note)


def redis_outage(a: Server, b: Server, redis: PrivateRedis) -> dict[str, Any]:
    traffic = Traffic(make_clients([a.port, b.port], 2, "load"), 0.0)
    stopping, samples = threading.Event(), []
    sampler = threading.Thread(target=sample_health, args=([a, b], stopping, samples), daemon=True)
    started = time.monotonic()
    traffic.start()
    sampler.start()
    try:
        time.sleep(REDIS_KILL_AT)
        redis.kill()
        killed = time.monotonic()
        time.sleep(REDIS_BACK_AT - REDIS_KILL_AT)
        redis.start()
        back = time.monotonic()
        time.sleep(max(0.0, REDIS_LOAD_S - (back - started)))
        traffic.stop()
        wait_until(lambda: first_ok(samples, [a, b], back) is not None, 30, 0.25)
    finally:
        traffic.stop()
        stopping.set()
        sampler.join(10)
    ok_at = first_ok(samples, [a, b], back)
    ok_s = None if ok_at is None else ok_at - back
    requests, failed, fivexx = traffic.summary()
    during = sorted({f"{name} {status}" for at, name, status in samples
                     if killed + 1.0 <= at <= back})
    token = traffic.clients[0].token
    return {"requests": requests, "failed": failed, "fivexx": fivexx,
            "health": ", ".join(during) or "no samples",
            "degraded": bool(during) and all(s.endswith("degraded") for s in during),
            "ok_s": ok_s, "shared": shared_again(a, b, token), "examples": traffic.failures()}


def summarize_redis(results: list[RunResult]) -> str:
    f = totals(results, "requests", "fivexx", "failed", "panics")
    done = [r.figures for r in results if r.figures]
    ok_s = [x["ok_s"] for x in done if x["ok_s"] is not None]
    return (f"5xx {f['fivexx']}, failed {f['failed']} of {f['requests']} requests; /api/health "
            f"`degraded` during the outage in {sum(x['degraded'] for x in done)} of "
            f"{len(results)} runs, `ok` again {spread(ok_s)} after the restart; turns shared "
            f"again in {sum(x['shared'] for x in done)}")


# ---------------------------------------------------------------------------------------------
# 6. SIGTERM with 100 streams open
# ---------------------------------------------------------------------------------------------

SIGTERM_USERS, SIGTERM_PER_USER = 20, 5  # 100 streams; 5 per user stays under the limit of 8
SIGTERM_SLOW_SHARE = 0.3  # the last 30 turns are `slow` (end in the grace), the rest `crawl`


@dataclass
class Stream:
    token: str
    agent: str
    reader: Sse
    done: Event | None = None
    why: str = ""


def open_streams(port: int) -> list[Stream]:
    """The crawl turns first, the slow ones last, so that all of them are still running."""
    tokens = [register(port, f"user{n}") for n in range(SIGTERM_USERS)]
    total = SIGTERM_USERS * SIGTERM_PER_USER
    slow_from = total - int(total * SIGTERM_SLOW_SHARE)
    streams = []
    for n in range(total):
        token = tokens[n % SIGTERM_USERS]
        agent = "slow" if n >= slow_from else "crawl"
        conversation = new_conversation(port, token, agent)
        streams.append(Stream(token, agent, send_message(port, token, conversation, f"turn {n}")))
    return streams


def stored_answers(database_url: str) -> dict[str, tuple[str, str]]:
    """Every stored answer's (status, text), read from the database directly."""
    sql = ("SELECT coalesce(json_agg(json_build_object('id', id, 'status', status, "
           "'content', content)), '[]') FROM messages WHERE role = 'assistant'")
    rows = json.loads(psql(database_url, sql))
    return {row["id"]: (row["status"], "".join(p.get("text", "") for p in json.loads(row["content"])
                                               if p.get("type") == "text")) for row in rows}


def stream_lost(stream: Stream, stored: dict[str, tuple[str, str]]) -> str:
    """Why the stream counts as lost, "" when it was kept."""
    if stream.done is None:
        return stream.why
    status = stream.done.data["status"]
    got = deltas(stream.reader.events)
    saved_status, saved = stored.get(stream.done.data["message_id"], ("missing", ""))
    if status not in ("complete", "interrupted") or saved_status != status:
        return f"done {status}, stored {saved_status}"
    if status == "complete" and saved != got:
        return f"complete: stored {len(saved)} chars, the client got {len(got)}"
    if status == "interrupted" and not (saved and got.startswith(saved)):
        return f"interrupted: stored {len(saved)} chars not a prefix of the {len(got)} got"
    return ""


def sigterm_100_streams(ctx: Context) -> RunResult:
    with Workspace(ctx, "sigterm") as ws:
        server = ws.server("one")
        server.start()
        streams = open_streams(server.port)

        def read(stream: Stream) -> None:
            stream.done, stream.why = finish(stream.reader, 45)

        readers = [threading.Thread(target=read, args=(s,), daemon=True) for s in streams]
        for thread in readers:
            thread.start()
        all_streaming = wait_until(
            lambda: all(any(e.name == "delta" for e in s.reader.events) for s in streams), 30)
        check(all_streaming is not None, "not every turn was streaming within 30 s")
        code, exit_s = server.terminate()
        for thread in readers:
            thread.join(max(0.0, 45 - exit_s))
        stored = stored_answers(ws.database_url)
        lost = [f"{s.agent}: {why}" for s in streams if (why := stream_lost(s, stored))]
        counts = {k: sum(s.done is not None and s.done.data["status"] == k for s in streams)
                  for k in ("complete", "interrupted")}
        counts["full"] = sum(s.done is not None and s.done.data["status"] == "interrupted"
                             and stored.get(s.done.data["message_id"], ("", ""))[1]
                             == deltas(s.reader.events) for s in streams)
        for stream in streams:
            stream.reader.close()
        panics = ws.panics()
        ok = not lost and code == 0 and not panics
        ws.keep = not ok
    figures = {"turns": len(streams), "lost": len(lost), "exit0": code == 0, "exit_s": exit_s,
               "panics": len(panics)} | counts
    note = (f"lost {len(lost)} of {len(streams)} (done complete {counts['complete']}, "
            f"interrupted {counts['interrupted']}, of which stored with all the client got "
            f"{counts['full']}); exit code {code} {exit_s:.1f} s after SIGTERM"
            + "".join(f"\n      {x}" for x in lost[:10]))
    return RunResult(ok, figures, note)


def summarize_sigterm(results: list[RunResult]) -> str:
    f = totals(results, "turns", "lost", "complete", "interrupted", "full", "exit0", "panics")
    exits = [r.figures["exit_s"] for r in results if r.figures]
    return (f"lost {f['lost']} of {f['turns']} turns (complete {f['complete']}, interrupted "
            f"{f['interrupted']}, stored with all the client got: {f['full']}); exit 0 in "
            f"{f['exit0']} of {len(results)} runs, "
            f"{spread(exits)} after SIGTERM")


# ---------------------------------------------------------------------------------------------
# 7. rolling restart behind nginx (tests/cluster/bed.py)
# ---------------------------------------------------------------------------------------------


def rolling_restart(ctx: Context) -> RunResult:
    bed = cluster.Bed()
    failed = True
    try:
        bed.set_up()
        load = cluster.Load(bed.nginx.port, cluster.load_clients(bed))
        load.start()
        try:
            restarts = cluster.restart_each(bed)
        finally:
            load.stop()
        total = sum(load.requests.values())
        wrong = cluster.stored_mismatches(bed.nginx.port, load.completed)
        panics = [line for r in bed.replicas for line in r.log_path.read_text(errors="replace")
                  .splitlines() if "panicked" in line or '"panic"' in line]
        failed = bool(load.failures or wrong or panics)
    finally:
        bed.tear_down(failed)
    figures = {"requests": total, "failed": len(load.failures), "interrupted": load.interrupted,
               "wrong": len(wrong), "completed": len(load.completed), "panics": len(panics)}
    note = (f"failed {len(load.failures)} of {total} requests ({load.interrupted} interrupted); "
            f"{len(wrong)} of {len(load.completed)} completed turns stored otherwise; "
            f"{'; '.join(restarts)}"
            + "".join(f"\n      {x}" for x in load.failures[:5] + wrong[:5]))
    return RunResult(not failed, figures, note)


def summarize_rolling(results: list[RunResult]) -> str:
    f = totals(results, "requests", "failed", "interrupted", "wrong", "completed", "panics")
    return (f"failed {f['failed']} of {f['requests']} requests ({f['interrupted']} interrupted) "
            f"through 3 × {len(results)} restarts; completed turns stored otherwise "
            f"{f['wrong']} of {f['completed']}")


# ---------------------------------------------------------------------------------------------
# 8. soak: steady load, resident memory over time
# ---------------------------------------------------------------------------------------------

SOAK_THREADS = 4
RSS_EVERY_S = 10
SOAK_SLOPE_GOAL = 0.5  # MiB per minute over the second half


def soak(ctx: Context) -> RunResult:
    seconds = ctx.args.soak_minutes * 60
    with Workspace(ctx, "soak") as ws:
        server = ws.server("one", REDIS_URL)
        server.start()
        clients = make_clients([server.port], SOAK_THREADS, "soak")
        traffic = Traffic(clients, SOAK_THREADS / ctx.args.soak_rate)
        started = time.monotonic()
        rss = [(0.0, server.rss_mib())]
        traffic.start()
        try:
            while time.monotonic() - started < seconds:
                time.sleep(min(RSS_EVERY_S, max(0.0, seconds - (time.monotonic() - started))))
                rss.append((time.monotonic() - started, server.rss_mib()))
        finally:
            traffic.stop()
        requests, failed, fivexx = traffic.summary()
        latencies = sorted(r.seconds for r in traffic.records)
        panics = ws.panics()
        examples = traffic.failures()
        ws.keep = bool(failed or panics)
    # The sample at 0 s follows the users' registration (argon2: 19 MiB a hash), before the
    # load; first, last and max are of the samples under load.
    values = [v for _, v in rss[1:]] or [rss[0][1]]
    second_half = [(t, v) for t, v in rss if t >= seconds / 2]
    figures = {"requests": requests, "errors": failed, "fivexx": fivexx, "panics": len(panics),
               "rss_start": rss[0][1], "rss_first": values[0], "rss_last": values[-1],
               "rss_max": max(values),
               "slope": slope_per_minute(second_half), "minutes": seconds / 60,
               "rate": requests / seconds,
               "p99_ms": latencies[int(0.99 * (len(latencies) - 1))] * 1000 if latencies else 0}
    ok = not failed and not panics and abs(figures["slope"]) <= SOAK_SLOPE_GOAL
    note = (f"{requests} requests in {seconds / 60:.0f} min ({figures['rate']:.1f}/s, p99 "
            f"{figures['p99_ms']:.0f} ms), errors {failed}; RSS at start {rss[0][1]:.1f}, under "
            f"load {values[0]:.1f} → {values[-1]:.1f} MiB (max {max(values):.1f}), slope over the "
            f"second half {figures['slope']:+.2f} MiB/min; samples "
            f"{' '.join(f'{v:.1f}' for _, v in rss)}"
            + "".join(f"\n      {x}" for x in examples))
    return RunResult(ok, figures, note)



def summarize_soak(results: list[RunResult]) -> str:
    parts = []
    for r in results:
        f = r.figures
        if f:
            parts.append(f"{f['requests']} requests in {f['minutes']:.0f} min ({f['rate']:.1f}/s), "
                         f"errors {f['errors']}; RSS at start {f['rss_start']:.1f}, under load "
                         f"first {f['rss_first']:.1f}, last "
                         f"{f['rss_last']:.1f}, max {f['rss_max']:.1f} MiB; slope (second half) "
                         f"{f['slope']:+.2f} MiB/min")
    return "; ".join(parts) or "no figures"


# ---------------------------------------------------------------------------------------------
# The runner
# ---------------------------------------------------------------------------------------------


def totals(results: list[RunResult], *keys: str) -> dict[str, int]:
    return {k: sum(int(r.figures.get(k, 0)) for r in results) for k in keys}


def yes(flag: bool) -> str:
    return "yes" if flag else "no"


def fmt_s(seconds: float | None) -> str:
    return "never" if seconds is None else f"{seconds:.1f} s"


@dataclass
class Scenario:
    name: str
    run: Callable[[Context], RunResult]
    summarize: Callable[[list[RunResult]], str]
    goal: str
    limit_s: Callable[[argparse.Namespace], float]  # one run's time limit


SCENARIOS = [
    Scenario("kill9_mid_turn", kill9_mid_turn, summarize_kill9, "0 turns lost", lambda a: 120),
    Scenario("disconnect_resume", disconnect_resume, summarize_resume, "all identical",
             lambda a: 120),
    Scenario("upstream_faults", upstream_faults, summarize_faults,
             "hangs 0, panics 0 (and no unmapped 5xx, no wrong ending)", lambda a: 240),
    Scenario("database_down", database_down, summarize_dbdown,
             "503 during the outage, no answer > 5 s, recovered without restart",
             lambda a: a.db_down_seconds + 360),
    Scenario("redis_down", redis_down, summarize_redis, "5xx 0; health degraded during",
             lambda a: 150),
    Scenario("sigterm_100_streams", sigterm_100_streams, summarize_sigterm,
             "0 turns lost, exit 0", lambda a: 200),
    Scenario("rolling_restart", rolling_restart, summarize_rolling, "0 failed requests",
             lambda a: 240),
    Scenario("soak", soak, summarize_soak,
             f"errors 0; RSS slope ≈ 0 (within ±{SOAK_SLOPE_GOAL} MiB/min)",
             lambda a: a.soak_minutes * 60 + 240),
]


def on_alarm(signum: int, _frame: Any) -> None:
    raise Aborted(f"signal {signum}: the run's time limit passed")


def run_once(ctx: Context, scenario: Scenario, number: int) -> RunResult:
    started = time.monotonic()
    signal.alarm(int(scenario.limit_s(ctx.args)))
    try:
        result = scenario.run(ctx)
    except (Exception, Aborted) as e:  # the run errored: recorded, the others still run
        result = RunResult(False, {}, f"ERROR {type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
    verdict = "ok" if result.ok else "NOT MET"
    log(f"  {scenario.name} run {number}: {verdict} [{time.monotonic() - started:.0f} s] "
        f"{result.note}")
    return result


def table(rows: list[tuple[Scenario, list[RunResult]]]) -> str:
    lines = ["| scenario | runs | figure measured | goal | met? |", "|---|---|---|---|---|"]
    for scenario, results in rows:
        errored = sum(not r.figures for r in results)
        figure = scenario.summarize([r for r in results if r.figures]) if len(results) > errored \
            else "no figures"
        if errored:
            figure += f" ({errored} of {len(results)} runs errored)"
        met = all(r.ok for r in results)
        lines.append(f"| {scenario.name} | {len(results)} | {figure} | {scenario.goal} | "
                     f"{'yes' if met else '**no**'} |")
    return "\n".join(lines)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog=__doc__.split("\n\n", 1)[1],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=str(ROOT / "target" / "release"),
                        help="directory of the llmchat and llmchat-mock binaries (target/release)")
    parser.add_argument("--runs", type=int, default=5, help="runs of each scenario (5)")
    parser.add_argument("--only", default="", help="NAME[,NAME]: run only these scenarios")
    parser.add_argument("--soak-minutes", type=float, default=10, help="soak duration (10)")
    parser.add_argument("--soak-rate", type=float, default=20,
                        help="soak requests per second over 4 threads (20)")
    parser.add_argument("--soak-runs", type=int, default=1,
                        help="runs of the soak, which is long (1)")
    parser.add_argument("--db-down-seconds", type=float, default=30,
                        help="how long PostgreSQL stays down in database_down (30)")
    args = parser.parse_args()
    names = {s.name for s in SCENARIOS}
    unknown = [n for n in args.only.split(",") if n and n not in names]
    if unknown:
        parser.error(f"unknown scenario {', '.join(unknown)} (known: {', '.join(sorted(names))})")
    return args


def main() -> int:
    args = parse_args()
    binaries = Path(args.bin)
    for name in ("llmchat", "llmchat-mock"):
        if not os.access(binaries / name, os.X_OK):
            log(f"{binaries / name} is not an executable file (see --bin)")
            return 2
    cluster.LLMCHAT_BIN = str((binaries / "llmchat").resolve())
    selected = [s for s in SCENARIOS if not args.only or s.name in args.only.split(",")]
    signal.signal(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    mock = Mock(binaries / "llmchat-mock")
    rows = []
    try:
        ctx = Context((binaries / "llmchat").resolve(), mock.base, args)
        for scenario in selected:
            runs = args.soak_runs if scenario.name == "soak" else args.runs
            log(f"{scenario.name}: {runs} run(s)")
            rows.append((scenario, [run_once(ctx, scenario, n + 1) for n in range(runs)]))
    finally:
        mock.stop()
    log("")
    log(table(rows))
    log(f"\nllmchat {', '.join(sorted(ctx.versions))}; total run time: "
        f"{(time.monotonic() - started) / 60:.1f} min")
    return 0 if all(r.ok for _, results in rows for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())

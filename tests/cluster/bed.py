"""The multi-replica test bed: three `llmchat serve` processes on loopback sharing one fresh
PostgreSQL database and one Redis key prefix, behind a real nginx (round-robin, no stickiness),
and the tests that prove they act as one server: turns read and stopped through any replica,
reloads and revoked keys reaching every replica, a killed owner's turn closed by another
replica, and a rolling restart under load without a failed request, after which every turn
a client saw complete is stored complete and every answered request has its usage record.

Run through tests/cluster/run.sh, which checks the prerequisites. Standard library only.
Environment: LLMCHAT_BIN (required), TEST_DATABASE_URL, TEST_REDIS_URL."""

from __future__ import annotations

import collections
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

LLMCHAT_BIN = os.environ.get("LLMCHAT_BIN", "")
DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379")

PASSWORD = "correct horse battery staple"
JWT_SECRET = "cluster-bed-jwt-secret-0123456789abcdefghij"
AGENTS_YAML = """agents:
  - {id: slow, name: Slow, provider: {type: demo, chars_per_second: 400}}
  - {id: fast, name: Fast, provider: {type: demo, chars_per_second: 100000}}
"""

RUN_LIMIT_S = 170  # the whole run, set-up and tear-down included
READY_TIMEOUT_S = 60  # a replica's start until /api/health/ready answers 200
EXIT_TIMEOUT_S = 20  # SIGTERM until exit: drain 1 s + grace 10 s + margin
TURN_TIMEOUT_S = 30  # a whole slow turn (about 3 s) read to `done`
PROPAGATION_LIMIT_S = 1.0  # stop, reload and revocation must reach every replica within this
LOAD_CLIENTS = 3
LOAD_PAUSE_S = 0.05  # between a client's requests: stays under 1000 requests/min per user


class Failure(AssertionError):
    """A test's expectation did not hold."""


class Interrupted(Failure):
    """A load turn ended `interrupted` (a shutdown cut it): reported on its own."""


class Aborted(BaseException):
    """The run limit passed, or the bed was told to stop: skip to the tear-down."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Failure(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log(message: str) -> None:
    print(message, flush=True)


# ---------------------------------------------------------------------------------------------
# HTTP and SSE clients (http.client, one fresh connection per request)
# ---------------------------------------------------------------------------------------------


def request_headers(body: Any, token: str | None, extra: dict | None) -> dict:
    headers = {"accept": "application/json", **(extra or {})}
    if body is not None:
        headers["content-type"] = "application/json"
    if token:
        headers["authorization"] = f"Bearer {token}"
    return headers


def call(port: int, method: str, path: str, body: Any = None, token: str | None = None,
         timeout: float = 10.0) -> tuple[int, Any]:
    """One request; returns the status and the body (parsed JSON, else text, else None)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=request_headers(body, token, None))
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    if not raw:
        return response.status, None
    try:
        return response.status, json.loads(raw)
    except ValueError:
        return response.status, raw.decode(errors="replace")


def expect(want: int, answer: tuple[int, Any], what: str) -> Any:
    """The body of `answer` when its status is `want`, else a Failure naming `what`."""
    status, body = answer
    check(status == want, f"{what}: expected {want}, got {status}: {str(body)[:300]}")
    return body


@dataclass
class Event:
    id: str
    name: str
    data: Any

    @property
    def seq(self) -> int:
        return int(self.id.rsplit(":", 1)[1])


def deltas(events: list[Event]) -> str:
    """The answer text: the delta events' texts joined."""
    return "".join(e.data["text"] for e in events if e.name == "delta")


class Sse:
    """An open SSE response, read event by event; every read is bounded by a deadline."""

    def __init__(self, conn: http.client.HTTPConnection, sock: socket.socket,
                 response: http.client.HTTPResponse):
        self.conn, self.sock, self.response = conn, sock, response
        self.events: list[Event] = []  # everything read so far

    @classmethod
    def open(cls, port: int, method: str, path: str, token: str, body: Any = None,
             headers: dict | None = None) -> Sse:
        """Sends the request and checks for a 200 event stream."""
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        data = None if body is None else json.dumps(body).encode()
        conn.request(method, path, body=data, headers=request_headers(body, token, headers))
        sock = conn.sock  # kept: a `Connection: close` answer detaches it from `conn`
        response = conn.getresponse()
        if response.status != 200:
            text = response.read()[:300]
            conn.close()
            raise Failure(f"{method} {path}: expected a 200 stream, got {response.status}: {text!r}")
        kind = response.getheader("content-type", "")
        check(kind.startswith("text/event-stream"), f"{path}: content-type {kind}")
        return cls(conn, sock, response)

    def _line(self, deadline: float) -> bytes:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("no SSE event before the deadline")
        self.sock.settimeout(left)
        try:
            return self.response.readline()
        except TimeoutError as e:
            raise Failure("no SSE event before the deadline") from e

    def next(self, deadline: float) -> Event | None:
        """The next event (comments such as `: ping` skipped), or None at the stream's end."""
        fields: dict[str, list[str]] = collections.defaultdict(list)
        while True:
            line = self._line(deadline)
            if not line:
                return None
            line = line.decode().rstrip("\r\n")
            if line.startswith(":"):
                continue
            if line:
                name, _, value = line.partition(":")
                fields[name].append(value.removeprefix(" "))
            elif fields.get("event") or fields.get("data"):
                event = Event(fields["id"][-1] if fields["id"] else "",
                              fields["event"][-1] if fields["event"] else "message",
                              json.loads("\n".join(fields["data"]) or "null"))
                self.events.append(event)
                return event

    def read_until(self, enough: Callable[[list[Event]], bool], deadline: float) -> list[Event]:
        """Reads until `enough(all events so far)`; fails at the stream's end or the deadline."""
        while not enough(self.events):
            check(self.next(deadline) is not None, "the stream ended early")
        return self.events

    def read_to_done(self, timeout: float = TURN_TIMEOUT_S) -> Event:
        """Reads to the `done` event and checks that the stream ends right after it."""
        deadline = time.monotonic() + timeout
        while True:
            event = self.next(deadline)
            check(event is not None, "the stream ended without a done event")
            if event.name == "done":
                break
        check(self.next(time.monotonic() + 5) is None, "events after done")
        return event

    def close(self) -> None:
        self.response.close()
        self.conn.close()
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# API steps
# ---------------------------------------------------------------------------------------------


def register(port: int, username: str) -> str:
    body = {"username": username, "password": PASSWORD}
    created = expect(201, call(port, "POST", "/api/auth/register", body), "register")
    return created["access_token"]


def new_conversation(port: int, token: str, agent: str) -> str:
    body = {"agent_id": agent}
    return expect(201, call(port, "POST", "/api/conversations", body, token), "conversation")["id"]


def send_message(port: int, token: str, conversation: str, content: str) -> Sse:
    body = {"content": content, "stream": True}
    return Sse.open(port, "POST", f"/api/conversations/{conversation}/messages", token, body)


def attach(port: int, token: str, conversation: str, last_event_id: str | None = None) -> Sse:
    headers = {"last-event-id": last_event_id} if last_event_id else None
    return Sse.open(port, "GET", f"/api/conversations/{conversation}/stream", token,
                    headers=headers)


def saved_answer(port: int, token: str, conversation: str, message_id: str) -> tuple[str, str]:
    """The stored answer's status and text."""
    path = f"/api/conversations/{conversation}/messages"
    items = expect(200, call(port, "GET", path, token=token), "messages")["items"]
    answer = next((m for m in items if m["id"] == message_id), None)
    check(answer is not None, f"message {message_id} is not stored")
    text = "".join(p.get("text", "") for p in answer["content"] if p.get("type") == "text")
    return answer["status"], text


def agent_ids(port: int, token: str) -> tuple[int, list[str]]:
    status, body = call(port, "GET", "/api/agents", token=token, timeout=5)
    ids = [a["id"] for a in body["items"]] if status == 200 else []
    return status, ids


def wait_for(condition: Callable[[], bool], timeout: float, interval: float = 0.02) -> float:
    """Seconds until `condition()` held; a Failure when it did not within `timeout`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            raise Failure(f"not within {timeout} s")
        time.sleep(interval)
    return time.monotonic() - start


def in_threads(*actions: Callable[[], Any]) -> list[Any]:
    """Runs the actions at once; their results in order, re-raising the first exception."""
    results: list[Any] = [None] * len(actions)
    errors: list[BaseException] = []

    def run(index: int, action: Callable[[], Any]) -> None:
        try:
            results[index] = action()
        except Exception as e:  # handed to the caller below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i, a), daemon=True)
               for i, a in enumerate(actions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TURN_TIMEOUT_S + 10)
    if errors:
        raise errors[0]
    return results


# ---------------------------------------------------------------------------------------------
# Services: PostgreSQL, Redis, the replicas and nginx
# ---------------------------------------------------------------------------------------------


def psql(sql: str) -> None:
    subprocess.run(["psql", DATABASE_URL, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True,
                   timeout=30, stdout=subprocess.DEVNULL)


def database_url(name: str) -> str:
    """TEST_DATABASE_URL with its database replaced by `name`."""
    return urllib.parse.urlsplit(DATABASE_URL)._replace(path=f"/{name}").geturl()


def redis_delete_prefix(prefix: str) -> int:
    """Deletes the keys under `prefix` (a minimal RESP client: SCAN, then DEL); their count."""
    url = urllib.parse.urlsplit(REDIS_URL)
    if url.scheme != "redis":
        return 0  # TLS: left to the keys' own expiry
    with socket.create_connection((url.hostname or "127.0.0.1", url.port or 6379), 5) as s:
        reader = s.makefile("rb")

        def command(*args: str) -> Any:
            parts = [f"*{len(args)}\r\n".encode()]
            for arg in args:
                parts.append(f"${len(arg.encode())}\r\n{arg}\r\n".encode())
            s.sendall(b"".join(parts))
            return resp_reply(reader)

        if url.password:
            user = [urllib.parse.unquote(url.username)] if url.username else []
            command("AUTH", *user, urllib.parse.unquote(url.password))
        if url.path.strip("/"):
            command("SELECT", url.path.strip("/"))
        return resp_scan_delete(command, prefix)


def resp_scan_delete(command: Callable[..., Any], prefix: str) -> int:
    cursor, deleted = "0", 0
    while True:
        cursor, keys = command("SCAN", cursor, "MATCH", f"{prefix}*", "COUNT", "1000")
        if keys:
            deleted += command("DEL", *keys)
        if cursor == "0":
            return deleted


def resp_reply(reader: Any) -> Any:
    line = reader.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:].decode()
    if kind == b"-":
        raise RuntimeError(f"redis: {rest}")
    if kind == b":":
        return int(rest)
    if kind == b"$":
        return None if rest == "-1" else reader.read(int(rest) + 2)[:-2].decode()
    if kind == b"*":
        return [resp_reply(reader) for _ in range(int(rest))]
    return rest


class Replica:
    """One `llmchat serve` on a fixed loopback port; restarts keep the port and append to the log."""

    def __init__(self, bed: Bed, number: int):
        self.bed, self.number = bed, number
        self.name = f"replica-{number}"
        self.port = free_port()
        self.log_path = bed.tmp / f"{self.name}.log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "DATABASE_URL": self.bed.database_url,
            "REDIS_URL": REDIS_URL,
            "LLMCHAT_REDIS__KEY_PREFIX": self.bed.redis_prefix,
            "JWT_SECRET": JWT_SECRET,
            "LLMCHAT_DATA_DIR": str(self.bed.tmp / self.name),
            "AGENTS_CONFIG": str(self.bed.agents_path),
            "LLMCHAT_LOG__FORMAT": "json",
            "LLMCHAT_CHAT__HEARTBEAT_INTERVAL": "200ms",
            "LLMCHAT_CHAT__HEARTBEAT_TIMEOUT": "2s",
            "LLMCHAT_CHAT__FLUSH_INTERVAL": "200ms",
            "LLMCHAT_SHUTDOWN_GRACE": "10s",
            "LLMCHAT_SHUTDOWN_DRAIN": "1s",
        }

    def start(self) -> float:
        """Starts the process and waits for readiness; the seconds it took."""
        started = time.monotonic()
        with open(self.log_path, "ab") as log_file:
            log_file.write(f"--- bed: starting {self.name} on port {self.port}\n".encode())
            log_file.flush()
            # The temporary directory as working directory: no config/ or .env is read.
            self.process = subprocess.Popen(
                [LLMCHAT_BIN, "serve"], cwd=self.bed.tmp, env=self.environment(),
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT)
        self.wait_ready()
        return time.monotonic() - started

    def ready(self) -> bool:
        try:
            return call(self.port, "GET", "/api/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while not self.ready():
            if self.process.poll() is not None:
                raise Failure(f"{self.name} exited with {self.process.returncode} at start")
            if time.monotonic() > deadline:
                raise Failure(f"{self.name} not ready within {READY_TIMEOUT_S} s")
            time.sleep(0.1)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def terminate(self) -> tuple[int, float]:
        """SIGTERM, then the exit code and the seconds until the exit."""
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        return self.wait_exit(), time.monotonic() - started

    def wait_exit(self) -> int:
        try:
            return self.process.wait(EXIT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
            raise Failure(f"{self.name} still running {EXIT_TIMEOUT_S} s after SIGTERM")

    def kill(self) -> None:
        """kill -9."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


class Nginx:
    """A real nginx in the foreground with its own prefix, config, logs and temporary paths."""

    def __init__(self, tmp: Path, replicas: list[Replica]):
        self.dir = tmp / "nginx"
        self.replicas = replicas
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def config(self) -> str:
        # fail_timeout 1s instead of the default 10 s: a rolling restart takes a replica down
        # every few seconds, and with 10 s all three would be marked failed at once ("no live
        # upstreams"); with 1 s a restarted replica gets traffic again a second later.
        servers = "\n".join(f"        server 127.0.0.1:{r.port} max_fails=1 fail_timeout=1s;"
                            for r in self.replicas)
        temp = "\n".join(f"    {kind}_temp_path {self.dir}/temp/{kind};"
                         for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
        return f"""user root;
daemon off;
master_process on;
worker_processes 1;
error_log {self.dir}/error.log warn;
pid {self.dir}/nginx.pid;
events {{ worker_connections 512; }}
http {{
    log_format bed '$request_method|$uri|$status|$upstream_addr|$upstream_status';
    access_log {self.dir}/access.log bed;
{temp}
    # Round-robin over the three replicas: no ip_hash, no sticky sessions.
    upstream llmchat {{
{servers}
    }}
    server {{
        listen 127.0.0.1:{self.port};
        location / {{
            proxy_pass http://llmchat;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_buffering off;
            proxy_read_timeout 3600s;
            proxy_next_upstream error timeout;
        }}
    }}
}}
"""

    def start(self) -> None:
        (self.dir / "temp").mkdir(parents=True)
        conf = self.dir / "nginx.conf"
        conf.write_text(self.config())
        self.process = subprocess.Popen(
            ["nginx", "-p", f"{self.dir}/", "-c", str(conf), "-e", f"{self.dir}/error.log"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        wait_for(self.ready, 10, 0.05)

    def ready(self) -> bool:
        check(self.process.poll() is None, f"nginx exited with {self.process.returncode}")
        try:
            return call(self.port, "GET", "/api/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # graceful
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def upstream_log(self, since_line: int = 0) -> list[list[str]]:
        """Access-log lines (method, uri, status, upstream addresses, upstream statuses)."""
        path = self.dir / "access.log"
        lines = path.read_text().splitlines()[since_line:] if path.exists() else []
        return [line.split("|") for line in lines]


class Bed:
    """The temporary directory, the fresh database, the Redis prefix, the replicas and nginx."""

    def __init__(self):
        self.tmp = Path(tempfile.mkdtemp(prefix="llmchat-cluster-"))
        suffix = secrets.token_hex(4)
        self.database = f"llmchat_cluster_{suffix}"
        self.database_url = database_url(self.database)
        self.redis_prefix = f"llmchat-cluster-{suffix}:"
        self.agents_path = self.tmp / "agents.yaml"
        self.replicas = [Replica(self, n) for n in (1, 2, 3)]
        self.nginx = Nginx(self.tmp, self.replicas)
        self.database_created = False
        self.admin = ""  # the first account's session token: an administrator
        self.load: Load | None = None  # the rolling restart's load, checked afterwards

    def set_up(self) -> None:
        log(f"bed: {self.tmp}, database {self.database}, redis prefix {self.redis_prefix}")
        psql(f'CREATE DATABASE "{self.database}"')
        self.database_created = True
        self.agents_path.write_text(AGENTS_YAML)
        first = self.replicas[0].start()  # alone: it applies the migrations
        others = in_threads(*(r.start for r in self.replicas[1:]))
        self.nginx.start()
        ports = ", ".join(f"{r.name}={r.port}" for r in self.replicas)
        log(f"bed: up in {first:.1f}s + {max(others):.1f}s; {ports}, nginx={self.nginx.port}")
        self.admin = register(self.replicas[0].port, "admin")

    def revive(self) -> None:
        """Restarts any replica that a failed test left stopped."""
        for replica in self.replicas:
            if not replica.running():
                log(f"bed: restarting {replica.name}")
                replica.start()

    def tear_down(self, failed: bool) -> None:
        self.nginx.stop()
        for replica in self.replicas:
            if replica.running():
                replica.process.kill()
                replica.process.wait(10)
        if failed:
            self.print_logs()
        if self.database_created:
            psql(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')
        try:
            redis_delete_prefix(self.redis_prefix)
        except (OSError, RuntimeError) as e:
            log(f"bed: could not delete the Redis keys under {self.redis_prefix}: {e}")
        if failed:
            log(f"bed: logs kept in {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def print_logs(self, lines: int = 40) -> None:
        paths = [r.log_path for r in self.replicas] + [self.nginx.dir / "error.log"]
        for path in paths:
            if path.exists():
                log(f"----- last {lines} lines of {path}")
                for line in path.read_text(errors="replace").splitlines()[-lines:]:
                    log(line)


# ---------------------------------------------------------------------------------------------
# The tests: each returns its measured figure or raises Failure
# ---------------------------------------------------------------------------------------------


def start_slow_turn(bed: Bed, user: str, content: str) -> tuple[str, str, Sse]:
    """A user, a slow conversation and a turn sent to replica 1, read up to its third delta;
    returns (token, conversation id, the reader on replica 1)."""
    r1 = bed.replicas[0]
    token = register(r1.port, user)
    conversation = new_conversation(r1.port, token, "slow")
    reader = send_message(r1.port, token, conversation, content)
    reader.read_until(lambda evs: sum(e.name == "delta" for e in evs) >= 3,
                      time.monotonic() + 10)
    return token, conversation, reader


def read_through_others(bed: Bed) -> str:
    token, conversation, on_1 = start_slow_turn(bed, "reader", "tell me a long story")
    seen = list(on_1.events)
    last = seen[-1]
    r2, r3 = bed.replicas[1].port, bed.replicas[2].port
    on_2 = attach(r2, token, conversation, last.id)
    on_3 = attach(r3, token, conversation)
    dones = in_threads(on_1.read_to_done, on_2.read_to_done, on_3.read_to_done)
    for reader in (on_1, on_2, on_3):
        reader.close()
    check(all(d.data["status"] == "complete" for d in dones),
          f"done statuses {[d.data['status'] for d in dones]}")
    first_resumed = on_2.events[0]
    check(first_resumed.id == f"{last.id.rsplit(':', 1)[0]}:{last.seq + 1}",
          f"resumed after {last.id} at {first_resumed.id}")
    texts = [deltas(on_1.events), deltas(seen) + deltas(on_2.events), deltas(on_3.events)]
    encoded = [t.encode() for t in texts]
    check(encoded[0] == encoded[1] == encoded[2],
          f"the readers differ: {[len(t) for t in encoded]} bytes")
    status, stored = saved_answer(r3, token, conversation, dones[0].data["message_id"])
    check(status == "complete" and stored == texts[0], f"stored answer {status}, {len(stored)} chars")
    return (f"{len(encoded[0])} bytes identical on replicas 1, 2 (resumed after seq {last.seq}) "
            f"and 3 (from the start), and stored; done complete")


def stop_through_another(bed: Bed) -> str:
    token, conversation, on_1 = start_slow_turn(bed, "stopper", "a long answer, please")
    started = time.monotonic()
    path = f"/api/conversations/{conversation}/stop"
    expect(202, call(bed.replicas[2].port, "POST", path, token=token), "stop on replica 3")
    done = on_1.read_to_done(5)
    elapsed = time.monotonic() - started
    on_1.close()
    check(done.data["status"] == "stopped", f"done status {done.data['status']}")
    check(elapsed <= PROPAGATION_LIMIT_S, f"stopped after {elapsed * 1000:.0f} ms")
    return f"replica 1's stream done stopped {elapsed * 1000:.0f} ms after the stop on replica 3"


def reload_everywhere(bed: Bed) -> str:
    added = f"extra-{secrets.token_hex(3)}"
    bed.agents_path.write_text(
        AGENTS_YAML + f"  - {{id: {added}, name: Extra, provider: {{type: demo}}}}\n")
    started = time.monotonic()
    reloaded = expect(200, call(bed.replicas[1].port, "POST", "/api/agents/reload",
                                token=bed.admin), "reload on replica 2")
    check(added in json.dumps(reloaded), "the reload's answer lacks the new agent")
    others = (bed.replicas[0].port, bed.replicas[2].port)

    def listed() -> bool:
        return all(added in agent_ids(port, bed.admin)[1] for port in others)

    wait_for(listed, PROPAGATION_LIMIT_S)
    elapsed = time.monotonic() - started
    return f"agent {added} listed on replicas 1 and 3 {elapsed * 1000:.0f} ms after the reload"


def revoke_everywhere(bed: Bed) -> str:
    ports = [r.port for r in bed.replicas]
    token = register(ports[0], "keyholder")
    key = expect(201, call(ports[0], "POST", "/api/keys", {"name": "bed"}, token), "new key")
    for port in ports:
        check(agent_ids(port, key["key"])[0] == 200, f"the key is refused on port {port}")
    started = time.monotonic()
    expect(204, call(ports[1], "DELETE", f"/api/keys/{key['id']}", token=token), "revoke")

    def refused() -> bool:
        return all(agent_ids(port, key["key"])[0] == 401 for port in ports)

    wait_for(refused, PROPAGATION_LIMIT_S)
    elapsed = time.monotonic() - started
    return f"the key answered 200 on all three, 401 on all three {elapsed * 1000:.0f} ms after revoking"


def kill_owner(bed: Bed) -> str:
    r1, r2 = bed.replicas[0], bed.replicas[1]
    token = register(r1.port, "victim")
    conversation = new_conversation(r1.port, token, "slow")
    on_1 = send_message(r1.port, token, conversation, "a long one")
    message_id = on_1.read_until(bool, time.monotonic() + 10)[0].data["message_id"]
    on_2 = attach(r2.port, token, conversation)
    on_2.read_until(lambda evs: len(deltas(evs)) >= 40, time.monotonic() + 10)
    time.sleep(0.3)  # past a flush of the partial answer
    r1.kill()
    killed = time.monotonic()
    on_1.close()
    done = on_2.read_to_done(15)
    elapsed = time.monotonic() - killed
    on_2.close()
    check(done.data["status"] == "interrupted", f"done status {done.data['status']}")
    check(done.data["message_id"] == message_id, "done names another message")
    before = on_2.events[-2]
    check(before.name == "error" and before.data.get("code") == "interrupted",
          f"done is preceded by {before.name} {before.data}, not an interrupted error")
    status, stored = saved_answer(r2.port, token, conversation, message_id)
    streamed = deltas(on_2.events)
    check(status == "interrupted", f"stored status {status}")
    check(stored and streamed.startswith(stored),
          f"stored text ({len(stored)} chars) is not a prefix of the streamed ({len(streamed)})")
    restart = r1.start()
    return (f"replica 2's reader got done interrupted {elapsed:.2f} s after kill -9; stored "
            f"{len(stored)} of {len(streamed)} streamed chars; replica 1 back in {restart:.1f} s")


@dataclass
class Turn:
    """A load turn whose stream ended `done complete`, as the client received it."""

    token: str
    conversation: str
    message_id: str
    text: str


@dataclass
class Load:
    """Client threads chatting through nginx until stopped; every request is counted."""

    port: int
    clients: list[tuple[str, str]]  # (session token, API key) of each client's own user
    requests: collections.Counter = field(default_factory=collections.Counter)
    failures: list[str] = field(default_factory=list)
    interrupted: int = 0
    completed: list[Turn] = field(default_factory=list)
    # Requests to an agent (turns, completions) that succeeded, per session token: each
    # should leave one usage record.
    answered: collections.Counter = field(default_factory=collections.Counter)
    stopping: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    threads: list[threading.Thread] = field(default_factory=list)

    def start(self) -> None:
        for token, key in self.clients:
            thread = threading.Thread(target=self.client, args=(token, key), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(TURN_TIMEOUT_S + 10)
        check(not any(t.is_alive() for t in self.threads), "a load client did not stop")

    def client(self, token: str, key: str) -> None:
        conversation, turns = None, 0
        while not self.stopping.is_set():
            if conversation is None or turns % 10 == 0:  # keeps the history short
                conversation = self.attempt("conversation",
                                            lambda: new_conversation(self.port, token, "fast"))
            if conversation is not None:
                turn = self.attempt("turn", lambda: self.turn(token, conversation, turns))
                self.record(token, turn)
            self.record(token, self.attempt("completion", lambda: self.completion(key)))
            turns += 1
            self.stopping.wait(LOAD_PAUSE_S)

    def attempt(self, kind: str, action: Callable[[], Any]) -> Any:
        """Runs one request, counting it and its failure; its result, or None on failure."""
        with self.lock:
            self.requests[kind] += 1
        try:
            return action()
        except Exception as e:  # every kind of failure is counted, none stops the client
            with self.lock:
                self.interrupted += isinstance(e, Interrupted)
                self.failures.append(f"{time.strftime('%H:%M:%S')} {kind}: {type(e).__name__}: {e}")
            return None

    def record(self, token: str, answered: Turn | bool | None) -> None:
        if answered:
            with self.lock:
                self.answered[token] += 1
                if isinstance(answered, Turn):
                    self.completed.append(answered)

    def turn(self, token: str, conversation: str, number: int) -> Turn:
        reader = send_message(self.port, token, conversation, f"load turn {number}")
        try:
            done = reader.read_to_done()
        finally:
            reader.close()
        status = done.data["status"]
        if status == "interrupted":
            raise Interrupted("the turn ended interrupted")
        check(status == "complete", f"the turn ended {status}")
        return Turn(token, conversation, done.data["message_id"], deltas(reader.events))

    def completion(self, key: str) -> bool:
        body = {"model": "fast", "messages": [{"role": "user", "content": "hi"}]}
        answer = expect(200, call(self.port, "POST", "/v1/chat/completions", body, key, 30),
                        "chat completion")
        check(bool(answer.get("choices")), "a completion without choices")
        return True


def load_clients(bed: Bed) -> list[tuple[str, str]]:
    clients = []
    for n in range(LOAD_CLIENTS):
        token = register(bed.nginx.port, f"load{n}")
        key = expect(201, call(bed.nginx.port, "POST", "/api/keys", {"name": "load"}, token),
                     "load key")["key"]
        clients.append((token, key))
    return clients


def restart_each(bed: Bed) -> list[str]:
    """SIGTERM, exit 0, restart on the same port, ready: one replica after the other."""
    figures = []
    for replica in bed.replicas:
        time.sleep(1.0)  # let the load reach every replica between restarts
        code, stopped = replica.terminate()
        check(code == 0, f"{replica.name} exited with {code} on SIGTERM")
        ready = replica.start()
        figures.append(f"{replica.name} exit 0 in {stopped:.1f}s, ready in {ready:.1f}s")
    time.sleep(1.0)
    return figures


def nginx_spread(bed: Bed, since_line: int) -> str:
    """Which replica answered how many requests, and how many were passed on after an error."""
    entries = [e for e in bed.nginx.upstream_log(since_line) if len(e) > 3]
    names = {f"127.0.0.1:{r.port}": r.name for r in bed.replicas}
    spread = collections.Counter(names.get(e[3].split(",")[-1].strip(), e[3]) for e in entries)
    retried = sum("," in e[3] for e in entries)
    shares = ", ".join(f"{name} {n}" for name, n in sorted(spread.items()))
    return f"nginx: {shares}; {retried} passed to the next upstream"


def rolling_restart(bed: Bed) -> str:
    log_start = len(bed.nginx.upstream_log())
    load = Load(bed.nginx.port, load_clients(bed))
    bed.load = load
    load.start()
    try:
        restarts = restart_each(bed)
    finally:
        load.stop()
    total = sum(load.requests.values())
    counts = ", ".join(f"{kind} {n}" for kind, n in sorted(load.requests.items()))
    for failure in load.failures[:10]:
        log(f"    {failure}")
    check(not load.failures, f"{len(load.failures)} of {total} requests failed "
                             f"({load.interrupted} interrupted); {counts}")
    return (f"{total} requests ({counts}), 0 failures, 0 interrupted; {'; '.join(restarts)}; "
            f"{nginx_spread(bed, log_start)}")


def stored_mismatches(port: int, turns: list[Turn]) -> list[str]:
    """The turns whose stored answer is not `complete` with the text the client received."""
    wrong = []
    for turn in turns:
        status, text = saved_answer(port, turn.token, turn.conversation, turn.message_id)
        if status != "complete" or text != turn.text:
            wrong.append(f"{turn.message_id}: stored {status} with {len(text)} of "
                         f"{len(turn.text)} chars")
    return wrong


def usage_shortfall(port: int, load: Load) -> list[str]:
    """The load users whose usage report counts fewer requests than they were answered."""
    short = []
    for token, answered in load.answered.items():
        body = expect(200, call(port, "GET", "/api/usage", token=token), "usage")
        if body["totals"]["requests"] != answered:
            short.append(f"{body['totals']['requests']} usage records for {answered} answers")
    return short


def rolling_restart_kept(bed: Bed) -> str:
    """Beyond the clients' view: every turn a client saw `done complete` is stored complete
    with the same text, and every answered request has its usage record."""
    load = bed.load
    check(load is not None and bool(load.completed), "no load turns to check")
    port = bed.nginx.port
    wrong = stored_mismatches(port, load.completed)
    try:  # usage is written in batches (every 250 ms): give it a moment
        wait_for(lambda: not usage_shortfall(port, load), 3, 0.25)
        short = []
    except Failure:
        short = usage_shortfall(port, load)
    for line in (wrong + short)[:10]:
        log(f"    {line}")
    check(not wrong and not short,
          f"{len(wrong)} of {len(load.completed)} completed turns stored otherwise; "
          f"usage short for {len(short)} of {len(load.answered)} users")
    return (f"{len(load.completed)} completed turns stored complete with the streamed text; "
            f"usage records for all {sum(load.answered.values())} answered requests")


def all_exit_cleanly(bed: Bed) -> str:
    started = time.monotonic()
    for replica in bed.replicas:
        replica.process.send_signal(signal.SIGTERM)
    codes = [replica.wait_exit() for replica in bed.replicas]
    elapsed = time.monotonic() - started
    check(codes == [0, 0, 0], f"exit codes {codes}")
    return f"all three exited 0 within {elapsed:.1f} s of SIGTERM"


TESTS = [read_through_others, stop_through_another, reload_everywhere, revoke_everywhere,
         kill_owner, rolling_restart, rolling_restart_kept]


def run_tests(bed: Bed) -> int:
    """Runs every test, then the final shutdown check; the number of failures."""
    failed = 0
    for test in TESTS + [all_exit_cleanly]:
        started = time.monotonic()
        try:
            figure = test(bed)
            log(f"PASS {test.__name__}: {figure} [{time.monotonic() - started:.1f}s]")
        except Exception as e:  # a test's failure is reported, the others still run
            failed += 1
            log(f"FAIL {test.__name__}: {type(e).__name__}: {e} [{time.monotonic() - started:.1f}s]")
        if test is not all_exit_cleanly:
            bed.revive()
    log(f"{len(TESTS) + 1 - failed} passed, {failed} failed")
    return failed


def abort(signum: int, _frame: Any) -> None:
    raise Aborted(f"signal {signum}: the run limit of {RUN_LIMIT_S} s passed or it was stopped")


def main() -> int:
    if not LLMCHAT_BIN or not os.access(LLMCHAT_BIN, os.X_OK):
        log("LLMCHAT_BIN must name the llmchat binary")
        return 2
    signal.signal(signal.SIGALRM, abort)
    signal.signal(signal.SIGTERM, abort)
    signal.alarm(RUN_LIMIT_S)
    started = time.monotonic()
    bed = Bed()
    failed = 1
    try:
        bed.set_up()
        failed = run_tests(bed)
    except (Exception, Aborted) as e:
        log(f"FAIL bed: {type(e).__name__}: {e}")
    finally:
        signal.alarm(0)
        bed.tear_down(failed > 0)
    log(f"bed: {'FAILED' if failed else 'passed'} in {time.monotonic() - started:.1f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

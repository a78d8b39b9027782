#!/usr/bin/env python3
"""Gateway benchmark: `POST /v1/chat/completions` through llmchat against llmchat-mock (zero
delay), side by side with the mock itself (the floor), in one run.

Reports: requests/s and p50/p99 at 50 connections (wrk), latency added over the floor at one
connection (wrk), and for streaming the time to first byte and llmchat's resident memory with
1,000 concurrent streams (an asyncio client of our own).

Usage: python3 bench/gateway.py [--no-build] [--seconds 10] [--streams 1000]
Needs wrk (apt-get install -y wrk). Builds the release binaries (cargo build --release --bins)
unless --no-build. Loopback only; every run is bounded.
"""

import argparse
import asyncio
import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "benchmark passphrase 42"
BODY = {"model": "bench", "messages": [{"role": "user", "content": "Hello there"}]}
CHUNKS = 5


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url, body, token=None):
    req = urllib.request.Request(url, json.dumps(body).encode(), method="POST")
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


def start_llmchat(binary, workdir, mock_base, wrapper=()):
    agents = Path(workdir) / "agents.yaml"
    upstream = "{type: openai, base_url: \"%s\", api_key: sk-bench, model: mock, max_retries: 0}"
    agents.write_text(
        "agents:\n"
        f"  - {{id: bench, name: Bench, provider: {upstream % (mock_base + f'/k/chunks={CHUNKS}/openai/v1')}}}\n"
        f"  - {{id: slow, name: Slow, provider: {upstream % (mock_base + '/k/chunks=60,delay_ms=100/openai/v1')}}}\n")
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""), "HOST": "127.0.0.1", "PORT": str(port),
        "LOG_LEVEL": "warn", "AGENTS_CONFIG": str(agents),
        # High enough that the benchmark measures checking the limit, never refusing.
        "API_RATE_LIMIT": "1000000000",
    }
    proc = subprocess.Popen([*wrapper, binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            urllib.request.urlopen(f"{base}/api/health/ready", timeout=1)
            break
        except OSError:
            time.sleep(0.05)
    token = post(f"{base}/api/auth/register",
                 {"username": "bench", "password": PASSWORD})["access_token"]
    key = post(f"{base}/api/keys", {"name": "bench"}, token)["key"]
    return proc, base, key


@contextlib.contextmanager
def servers(release, wrapper=(), warmup=50):
    """llmchat-mock and llmchat (run under `wrapper`, e.g. a profiler) with the benchmark's
    agents, warmed up; yields (base URL, API key). Both are stopped afterwards."""
    with tempfile.TemporaryDirectory() as workdir:
        mock, mock_base = start_mock(str(Path(release) / "llmchat-mock"))
        app, base, key = start_llmchat(str(Path(release) / "llmchat"), workdir, mock_base,
                                       wrapper)
        try:
            for _ in range(warmup):  # connections, caches, lazily made statics
                post(f"{base}/v1/chat/completions", BODY, key)
            yield base, key
        finally:
            app.terminate()
            app.wait(120)
            mock.kill()
            mock.wait(10)


def to_ms(value):
    match = re.match(r"([\d.]+)(us|ms|s)", value)
    if not match:
        raise SystemExit(f"cannot read the latency {value!r} in wrk's output")
    number, unit = match.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, body, key, connections, seconds, workdir):
    script = Path(workdir) / f"post-{connections}.lua"
    auth = f'wrk.headers["Authorization"] = "Bearer {key}"\n' if key else ""
    script.write_text('wrk.method = "POST"\n'
                      f"wrk.body = {json.dumps(json.dumps(body))}\n"
                      'wrk.headers["Content-Type"] = "application/json"\n' + auth)
    threads = min(2, connections)
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s",
                          "--latency", "-s", str(script), url],
                         capture_output=True, text=True, check=True).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"wrk saw {errors.group(1)} error responses:\n{out}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
        "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
    }


async def one_stream(host, port, path, body, key, ttfb):
    reader, writer = await asyncio.open_connection(host, port)
    payload = json.dumps(body).encode()
    auth = f"Authorization: Bearer {key}\r\n" if key else ""
    started = time.perf_counter()
    writer.write((f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
                  f"{auth}Content-Length: {len(payload)}\r\nConnection: close\r\n\r\n").encode()
                 + payload)
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    if b" 200 " not in head.split(b"\r\n", 1)[0]:
        raise RuntimeError(head.decode(errors="replace"))
    await reader.read(1)
    ttfb.append((time.perf_counter() - started) * 1000)
    while await reader.read(65536):
        pass
    writer.close()


def rss_mib(pid, field="VmRSS"):
    """Resident memory in MiB: `VmRSS` (all of it), `RssAnon` (heap and stacks) or `RssFile`
    (the binary's code and data pages that were touched)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def listen_overflows():
    """The kernel's count of connections dropped because a listen queue was full (all
    sockets): each one costs its client a SYN retransmission, a second or more."""
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2]):
        if names.startswith("TcpExt:"):
            return int(dict(zip(names.split(), values.split()))["ListenOverflows"])
    return 0


async def streams(base, path, body, key, count, pid):
    host, port = base.removeprefix("http://").split(":")
    overflows = listen_overflows()
    ttfb, peak, peak_anon = [], 0.0, 0.0
    tasks = [asyncio.create_task(one_stream(host, int(port), path, body, key, ttfb))
             for _ in range(count)]
    while not all(t.done() for t in tasks):
        rss = rss_mib(pid)
        if rss > peak:
            peak, peak_anon = rss, rss_mib(pid, "RssAnon")
        await asyncio.sleep(0.1)
    for task in tasks:
        task.result()
    ttfb.sort()
    return {"p50": statistics.median(ttfb), "p99": ttfb[int(len(ttfb) * 0.99) - 1],
            "rss_peak": peak, "anon_peak": peak_anon,
            "overflows": listen_overflows() - overflows}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-build", action="store_true")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    args = parser.parse_args()
    if not args.no_build:
        subprocess.run(["cargo", "build", "--release", "--bins"], cwd=ROOT, check=True)
    release = Path(args.target) / "release"

    with tempfile.TemporaryDirectory() as workdir:
        mock, mock_base = start_mock(str(release / "llmchat-mock"))
        app, base, key = start_llmchat(str(release / "llmchat"), workdir, mock_base)
        try:
            floor_url = f"{mock_base}/k/chunks={CHUNKS}/openai/v1/chat/completions"
            gateway_url = f"{base}/v1/chat/completions"
            post(gateway_url, BODY, key)  # warm-up: connections, caches
            rows = {}
            for name, url, k in (("mock (floor)", floor_url, None),
                                 ("llmchat /v1", gateway_url, key)):
                rows[name] = {
                    "c50": wrk(url, BODY, k, 50, args.seconds, workdir),
                    "c1": wrk(url, BODY, k, 1, args.seconds, workdir),
                }
            stream_body = {**BODY, "model": "slow", "stream": True}
            mock_idle = rss_mib(mock.pid)
            floor_stream = asyncio.run(streams(
                mock_base, "/k/chunks=60,delay_ms=100/openai/v1/chat/completions",
                stream_body, None, args.streams, mock.pid))
            idle, idle_anon = rss_mib(app.pid), rss_mib(app.pid, "RssAnon")
            gateway_stream = asyncio.run(streams(base, "/v1/chat/completions", stream_body,
                                                 key, args.streams, app.pid))
        finally:
            app.terminate()
            app.wait(10)
            mock.kill()
            mock.wait(10)

    floor, gw = rows["mock (floor)"], rows["llmchat /v1"]
    print(f"\n| measure | mock (floor) | llmchat /v1 | goal |\n|---|---|---|---|")
    print(f"| req/s, 50 connections | {floor['c50']['rps']:,.0f} | {gw['c50']['rps']:,.0f} | ≥ 20,000 |")
    print(f"| p50 / p99 ms, 50 connections | {floor['c50']['p50']:.3f} / {floor['c50']['p99']:.3f} "
          f"| {gw['c50']['p50']:.3f} / {gw['c50']['p99']:.3f} | — |")
    print(f"| p50 / p99 ms, 1 connection | {floor['c1']['p50']:.3f} / {floor['c1']['p99']:.3f} "
          f"| {gw['c1']['p50']:.3f} / {gw['c1']['p99']:.3f} | — |")
    print(f"| added p50 / p99 ms, 1 connection | — | {gw['c1']['p50'] - floor['c1']['p50']:.3f} / "
          f"{gw['c1']['p99'] - floor['c1']['p99']:.3f} | ≤ 0.08 / ≤ 0.15 |")
    print(f"| time to first byte p50 / p99 ms, {args.streams} streams | {floor_stream['p50']:.2f} / "
          f"{floor_stream['p99']:.2f} | {gateway_stream['p50']:.2f} / {gateway_stream['p99']:.2f} | — |")
    print(f"| RSS MiB: idle → peak with {args.streams} streams | {mock_idle:.1f} → "
          f"{floor_stream['rss_peak']:.1f} | {idle:.1f} → {gateway_stream['rss_peak']:.1f} | ≤ 40 |")
    print(f"| of which anonymous (heap, stacks) MiB | — | {idle_anon:.1f} → "
          f"{gateway_stream['anon_peak']:.1f} | — |")
    print(f"| listen queue overflows during the streams | {floor_stream['overflows']} | "
          f"{gateway_stream['overflows']} | 0 |")


if __name__ == "__main__":
    main()

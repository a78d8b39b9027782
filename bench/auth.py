#!/usr/bin/env python3
"""Authentication benchmark: login latency (argon2id) and the latency the auth + rate-limit
layers add to a trivial authenticated route, with the in-process limiter and with Redis.

Usage: python3 bench/auth.py [--bin target/release/llmchat] [--redis redis://127.0.0.1:6379]
Needs `hey` and `wrk` (Debian packages). Only loopback; every run is bounded.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

PASSWORD = "benchmark passphrase 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, token=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method)
    req.add_header("content-type", "application/json")
    if token:
        req.add_header("authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=10) as response:
        return json.loads(response.read() or b"null")


def start(binary, workdir, extra_env):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warn",
        # Generous limits: the benchmark measures the cost of checking, not of refusing.
        "API_RATE_LIMIT": "100000000",
        "LLMCHAT_AUTH__LOGIN_ATTEMPTS_PER_IP": "100000000",
        **extra_env,
    }
    proc = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            request(port, "GET", "/api/health/ready")
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def hey_login(port, n):
    body = json.dumps({"username": "bench", "password": PASSWORD})
    out = subprocess.run(
        ["hey", "-n", str(n), "-c", "1", "-m", "POST", "-T", "application/json", "-d", body,
         f"http://127.0.0.1:{port}/api/auth/login"],
        capture_output=True, text=True, check=True).stdout
    pct = dict(re.findall(r"\s+(\d+)% in ([\d.]+) secs", out))
    codes = re.findall(r"\[(\d+)\]\s+(\d+) responses", out)
    return float(pct["50"]) * 1000, float(pct["99"]) * 1000, codes


def wrk(port, path, token, seconds):
    cmd = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd + [f"http://127.0.0.1:{port}{path}"],
                         capture_output=True, text=True, check=True).stdout

    def ms(label):
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out).groups()
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return ms("50"), ms("99"), rps, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/llmchat")
    parser.add_argument("--redis", default=os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379"))
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)

    rows = []
    for label, env in [("in-process limiter", {}),
                       ("Redis limiter", {"REDIS_URL": args.redis,
                                          "LLMCHAT_REDIS__KEY_PREFIX": f"bench{os.getpid()}:"})]:
        workdir = tempfile.mkdtemp(prefix="llmchat-bench-")
        try:
            proc, port = start(binary, workdir, env)
            token = request(port, "POST", "/api/auth/register",
                            {"username": "bench", "password": PASSWORD})["access_token"]
            if not rows:
                p50, p99, codes = hey_login(port, 100)
                print(f"login (argon2id m=19456 KiB, t=2, p=1), 100 sequential: "
                      f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, statuses {codes}")
            base = wrk(port, "/api/health/live", None, args.seconds)
            authed = wrk(port, "/api/auth/session", token, args.seconds)
            rows.append((label, base, authed))
            proc.terminate()
            proc.wait(timeout=10)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    print("\nwrk -t2 -c16, %d s each, loopback, client and server on the same 2 cores\n" % args.seconds)
    print("| limiter | route | p50 ms | p99 ms | req/s | non-2xx |")
    print("|---|---|---|---|---|---|")
    for label, base, authed in rows:
        print(f"| {label} | GET /api/health/live (no auth, not limited) | {base[0]:.3f} | {base[1]:.3f} | {base[2]:.0f} | {base[3]} |")
        print(f"| {label} | GET /api/auth/session (JWT + user check + rate limit) | {authed[0]:.3f} | {authed[1]:.3f} | {authed[2]:.0f} | {authed[3]} |")
        print(f"| {label} | added by auth + rate limit | {authed[0] - base[0]:+.3f} | {authed[1] - base[1]:+.3f} | | |")


if __name__ == "__main__":
    main()

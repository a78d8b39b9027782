#!/usr/bin/env python3
"""Start-up and footprint benchmark for the llmchat binary (SQLite, embedded defaults).

Measures, over N runs each:
  * cold start: `llmchat serve` in a fresh directory (creates the SQLite file, runs every
    migration) until GET /api/health/ready answers 200;
  * warm start: the same with the database already migrated;
  * resident memory (VmRSS) when idle after start, and after 2,000 requests;
  * the binary's size.

Usage: python3 bench/startup.py [--bin target/release/llmchat] [--runs 20]
Only the standard library; prints a Markdown table.
"""

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def start(binary, workdir):
    """Starts the server in workdir; returns (process, port, seconds until ready)."""
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warn",
    }
    began = time.perf_counter()
    proc = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = began + 10
    while time.perf_counter() < deadline:
        try:
            if get(port, "/api/health/ready") == 200:
                return proc, port, time.perf_counter() - began
        except OSError:
            pass
        time.sleep(0.0005)
    proc.kill()
    raise SystemExit("server did not become ready within 10 s")


def stop(proc):
    proc.terminate()
    proc.wait(timeout=10)


def summary(values_ms):
    values_ms = sorted(values_ms)
    p90 = values_ms[int(0.9 * (len(values_ms) - 1))]
    return f"{statistics.median(values_ms):.1f} | {p90:.1f} | {values_ms[0]:.1f} | {values_ms[-1]:.1f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", default="target/release/llmchat")
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)

    cold, warm, idle_rss, busy_rss = [], [], [], []
    for _ in range(args.runs):
        workdir = tempfile.mkdtemp(prefix="llmchat-bench-")
        try:
            proc, _, seconds = start(binary, workdir)
            cold.append(seconds * 1000)
            stop(proc)

            proc, port, seconds = start(binary, workdir)
            warm.append(seconds * 1000)
            time.sleep(1.0)
            idle_rss.append(rss_kib(proc.pid) / 1024)
            for _ in range(2000):
                get(port, "/api/health")
            busy_rss.append(rss_kib(proc.pid) / 1024)
            stop(proc)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)

    size_mib = os.path.getsize(binary) / (1024 * 1024)
    print(f"runs: {args.runs}; binary: {args.bin}\n")
    print("| measure | median | p90 | min | max |")
    print("|---|---|---|---|---|")
    print(f"| cold start to ready, ms (new SQLite file, all migrations) | {summary(cold)} |")
    print(f"| warm start to ready, ms (migrated database) | {summary(warm)} |")
    print(f"| idle RSS after start, MiB | {summary(idle_rss)} |")
    print(f"| RSS after 2,000 /api/health requests, MiB | {summary(busy_rss)} |")
    print(f"\nrelease binary size: {size_mib:.1f} MiB")


if __name__ == "__main__":
    main()

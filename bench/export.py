#!/usr/bin/env python3
"""What a user's data export costs the server in memory.

Starts `llmchat serve` (SQLite, in a fresh directory), registers a user, uploads FILES text
files of SIZE_MIB MiB each (random letters, so they hardly compress), then downloads
`GET /api/auth/export` RUNS times while sampling the server's resident memory (VmRSS, every
10 ms). Prints the archive's size and, per run, the resident memory before the export and its
peak during it. Only the standard library; loopback only; stops by itself.

    python3 bench/export.py --bin target/release/llmchat [--files 30] [--size-mib 8] [--runs 3]
"""

import argparse
import http.client
import json
import os
import random
import socket
import string
import subprocess
import tempfile
import threading
import time

PASSWORD = "a long enough passphrase"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=300):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def upload(port, token, name, data):
    boundary = "----llmchatbench" + "".join(random.choices(string.ascii_letters, k=16))
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    body = head + data + f"\r\n--{boundary}--\r\n".encode()
    status, answer = request(port, "POST", "/api/uploads", body, {
        "Authorization": f"Bearer {token}",
        "Content-Type": f"multipart/form-data; boundary={boundary}",
    })
    if status != 201:
        raise SystemExit(f"upload refused: {status} {answer[:200]!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default="target/release/llmchat")
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--size-mib", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    port = free_port()
    with tempfile.TemporaryDirectory() as workdir:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "warn",
            "LLMCHAT_UPLOADS__QUOTA_PER_USER": "2GiB",
            "LLMCHAT_RATE_LIMIT__REQUESTS_PER_MINUTE": "100000",
        }
        server = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(300):
                try:
                    if request(port, "GET", "/api/health/ready", timeout=2)[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.05)
            else:
                raise SystemExit("the server did not become ready")
            status, body = request(port, "POST", "/api/auth/register",
                                   json.dumps({"username": "bench", "password": PASSWORD}),
                                   {"Content-Type": "application/json"})
            if status != 201:
                raise SystemExit(f"register: {status} {body[:200]!r}")
            token = json.loads(body)["access_token"]
            line = (string.ascii_letters * 2)[:63]
            for n in range(args.files):
                rows = ["".join(random.sample(line, 63)) for _ in range(args.size_mib * 16384)]
                upload(port, token, f"file{n}.txt", ("\n".join(rows) + "\n").encode())
            total = args.files * args.size_mib
            print(f"{args.files} uploads of {args.size_mib} MiB ({total} MiB) on SQLite; {binary}")
            print("| run | archive, MiB | seconds | RSS before, MiB | peak RSS during, MiB |")
            print("|---|---|---|---|---|")
            for run in range(1, args.runs + 1):
                time.sleep(1)
                before = rss_mib(server.pid)
                peak = [before]
                done = threading.Event()

                def sample():
                    while not done.is_set():
                        peak[0] = max(peak[0], rss_mib(server.pid))
                        time.sleep(0.01)

                sampler = threading.Thread(target=sample)
                sampler.start()
                started = time.perf_counter()
                status, archive = request(port, "GET", "/api/auth/export",
                                          headers={"Authorization": f"Bearer {token}"})
                seconds = time.perf_counter() - started
                done.set()
                sampler.join()
                if status != 200:
                    raise SystemExit(f"export: {status} {archive[:200]!r}")
                print(f"| {run} | {len(archive) / 1048576:.1f} | {seconds:.2f} | {before:.1f} "
                      f"| {peak[0]:.1f} |")
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Login guessing benchmark: how many passwords an attacker gets checked against one account
from one address, and whether the owner, from another address, can sign in meanwhile.

The server runs with a short ceiling on the wait (`auth.lockout`, default here 4 s instead of
15 min) so that a bounded run reaches the steady state; the attacker sends wrong passwords as
fast as the server answers (from 127.0.0.2), the owner signs in with the right one every
2 s (from 127.0.0.3). Reports the passwords checked (answered 401) and refused unchecked (423),
the owner's sign-ins, and what the measured schedule means with the defaults (5 free
failures, waits doubling from 1 s up to 15 min).

Usage: python3 bench/login_guessing.py [--bin target/release/llmchat] [--seconds 60]
    [--ceiling 4]
Loopback only; the run stops by itself.
"""

import argparse
import http.client
import json
import os
import socket
import subprocess
import tempfile
import time

PASSWORD = "benchmark passphrase 42"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def login(port, source, password):
    """POST /api/auth/login from the address `source`; the HTTP status."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    try:
        conn.request("POST", "/api/auth/login",
                     json.dumps({"username": "owner", "password": password}),
                     {"content-type": "application/json"})
        return conn.getresponse().status
    finally:
        conn.close()


def start(binary, workdir, ceiling):
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "LOG_LEVEL": "warn",
        "LLMCHAT_ADMIN_USERNAME": "owner",
        "LLMCHAT_ADMIN_PASSWORD": PASSWORD,
        "LLMCHAT_AUTH__LOCKOUT": f"{ceiling}s",
        # The per-address limit across accounts is a separate defence; off here so that the
        # per-account schedule is what is measured.
        "LLMCHAT_AUTH__LOGIN_ATTEMPTS_PER_IP": "100000000",
        "API_RATE_LIMIT": "100000000",
    }
    proc = subprocess.Popen([binary, "serve"], cwd=workdir, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(400):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("server did not start")


def schedule(free, ceiling_s, horizon_s):
    """Passwords checked within `horizon_s` when every wait is taken as soon as it ends."""
    t, checked, failures = 0.0, 0, 0
    while True:
        failures += 1
        checked += 1
        wait = 0 if failures < free else min(ceiling_s, 2 ** (failures - free))
        t += wait
        if t > horizon_s:
            return checked


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/llmchat")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--ceiling", type=int, default=4)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as workdir:
        proc, port = start(os.path.abspath(args.bin), workdir, args.ceiling)
        try:
            checked = refused = owner_ok = owner_tries = 0
            started = time.monotonic()
            next_owner = started
            while time.monotonic() - started < args.seconds:
                status = login(port, "127.0.0.2", "wrong guess %d" % (checked + refused))
                checked += status == 401
                refused += status == 423
                if time.monotonic() >= next_owner:
                    owner_tries += 1
                    owner_ok += login(port, "127.0.0.3", PASSWORD) == 200
                    next_owner += 2
            elapsed = time.monotonic() - started
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    expected = schedule(5, args.ceiling, elapsed)
    print(f"{elapsed:.0f} s, ceiling {args.ceiling} s: attacker's passwords checked {checked} "
          f"(schedule says {expected}), refused unchecked {refused}; "
          f"owner signed in {owner_ok}/{owner_tries}")
    print("with the defaults (5 free, waits 1 s doubling to 15 min), per account and address: "
          f"{schedule(5, 900, 3600)} passwords in the first hour, "
          f"{schedule(5, 900, 86400)} in the first day, then {3600 // 900} an hour")
    if owner_ok != owner_tries or abs(checked - expected) > 2:
        raise SystemExit("unexpected: see above")


if __name__ == "__main__":
    main()

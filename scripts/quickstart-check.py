#!/usr/bin/env python3
"""Runs README.md's Quick start as a newcomer would, and checks that it works.

The run command is taken literally from the first fenced block under "## Quick start" (its
first line; a trailing `# comment` is dropped) and started in this directory with nothing
configured. Then, over the API: wait for /api/health, register an account, start a
conversation with the built-in demo agent, send one message and read its streamed answer to
the end; finally stop the server with SIGTERM and expect a clean exit (status 0).

Prints how long each phase took (the first build dominates) and exits non-zero on any failure.

Usage: scripts/quickstart-check.py [--print-test-command] [--timeout SECONDS]
  --print-test-command  print the Quick start's test command (its second line) and exit
"""

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = "http://127.0.0.1:3001"


def quick_start_commands():
    """The commands of the first fenced block under '## Quick start', comments dropped."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Quick start", 1)
    if len(section) < 2:
        sys.exit("README.md has no '## Quick start' section")
    block = re.search(r"```[a-z]*\n(.*?)```", section[1], re.S)
    if not block:
        sys.exit("README.md's Quick start has no fenced command block")
    commands = []
    for line in block.group(1).splitlines():
        command = re.sub(r"\s+#.*$", "", line).strip()
        if command and not command.startswith("#"):
            commands.append(command)
    if len(commands) < 2:
        sys.exit(f"expected a run command and a test command in the Quick start, found {commands}")
    return commands[0], commands[1]


def call(method, path, body=None, token=None, timeout=30):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def fail(message, server=None, log=None):
    print(f"\nquickstart-check: FAILED: {message}", file=sys.stderr)
    if log is not None and log.exists():
        tail = log.read_text(errors="replace").splitlines()[-40:]
        print("---- last lines of the run command's output ----", file=sys.stderr)
        print("\n".join(tail), file=sys.stderr)
    if server is not None and server.poll() is None:
        os.killpg(server.pid, signal.SIGKILL)
    sys.exit(1)


def wait_healthy(server, log, deadline):
    while time.monotonic() < deadline:
        if server.poll() is not None:
            fail(f"the run command exited with status {server.returncode} before /api/health answered", None, log)
        try:
            status, body = call("GET", "/api/health", timeout=2)
            if status == 200:
                return json.loads(body)
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(1)
    fail("/api/health did not answer in time", server, log)


def chat_once(server, log):
    """Registers, asks the demo agent one question, returns (seconds to first delta, answer)."""
    user = {"username": "quickstart", "password": "a first-run passphrase 7"}
    status, body = call("POST", "/api/auth/register", user)
    if status == 409:
        status, body = call("POST", "/api/auth/login", user)
    if status not in (200, 201):
        fail(f"could not register or sign in: {status} {body[:300]!r}", server, log)
    token = json.loads(body)["access_token"]
    status, body = call("POST", "/api/conversations", {"agent_id": "demo"}, token)
    if status != 201:
        fail(f"could not start a conversation with the demo agent: {status} {body[:300]!r}", server, log)
    conversation = json.loads(body)["id"]
    request = urllib.request.Request(
        f"{BASE}/api/conversations/{conversation}/messages",
        data=json.dumps({"content": "Hello! What can you do?"}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    sent = time.monotonic()
    first_delta = None
    answer = []
    done = None
    event = None
    with urllib.request.urlopen(request, timeout=60) as response:
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:") and event == "delta":
                if first_delta is None:
                    first_delta = time.monotonic() - sent
                answer.append(json.loads(line[5:])["text"])
            elif line.startswith("data:") and event == "done":
                done = json.loads(line[5:])
                break
    if not done or done.get("status") != "complete":
        fail(f"the demo agent's answer did not complete: {done}", server, log)
    if first_delta is None or not "".join(answer).strip():
        fail("the demo agent streamed no text", server, log)
    return first_delta, "".join(answer)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--print-test-command", action="store_true")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for /api/health (the first build included)")
    args = parser.parse_args()
    run_command, test_command = quick_start_commands()
    if args.print_test_command:
        print(test_command)
        return

    log = ROOT / "target" / "quickstart-run.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    print(f"quickstart-check: running the README's run command: {run_command}", flush=True)
    started = time.monotonic()
    with log.open("wb") as out:
        server = subprocess.Popen(
            ["bash", "-c", run_command], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    health = wait_healthy(server, log, started + args.timeout)
    healthy_after = time.monotonic() - started
    print(f"quickstart-check: /api/health answered {health.get('status')!r} after {healthy_after:.0f} s", flush=True)
    if health.get("status") != "ok":
        fail(f"health is {health}", server, log)

    first_delta, answer = chat_once(server, log)
    answered_after = time.monotonic() - started
    print(f"quickstart-check: the demo agent answered ({len(answer)} characters, first text after {first_delta * 1000:.0f} ms)")

    os.killpg(server.pid, signal.SIGTERM)
    try:
        code = server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        fail("the server did not stop within 60 s of SIGTERM", server, log)
    if code != 0:
        fail(f"the server exited with status {code} after SIGTERM", None, log)
    print(
        f"quickstart-check: ok — start to healthy {healthy_after:.0f} s, to the first streamed answer "
        f"{answered_after:.0f} s; stopped cleanly (exit 0). Log: {log.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    main()

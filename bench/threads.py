#!/usr/bin/env python3
"""CPU time per gateway request, by llmchat thread: which threads (the runtime's workers, the
usage writer's SQLite thread, …) pay for a `POST /v1/chat/completions`.

Starts the same servers as bench/gateway.py, reads every llmchat thread's user + system time
from /proc/<pid>/task/*/stat around one wrk run, and prints each thread's share per request.

Usage: python3 bench/threads.py [--target DIR] [--connections 1] [--seconds 6]
Needs wrk (apt-get install -y wrk). Loopback only; bounded.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway  # noqa: E402  (the same servers, agents and request as the gateway benchmark)

TICK = os.sysconf("SC_CLK_TCK")


def cpu_by_thread(pid):
    """{thread id: (name, CPU seconds)} for every thread of `pid`."""
    threads = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        stat = (task / "stat").read_text()
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        threads[task.name] = (name, (int(fields[11]) + int(fields[12])) / TICK)
    return threads


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", gateway.ROOT / "target"))
    parser.add_argument("--connections", type=int, default=1)
    parser.add_argument("--seconds", type=int, default=6)
    args = parser.parse_args()
    release = Path(args.target) / "release"
    with gateway.servers(release) as (base, key), tempfile.TemporaryDirectory() as workdir:
        pid = int(subprocess.run(["pgrep", "-n", "-f", "release/llmchat serve"],
                                 capture_output=True, text=True, check=True).stdout)
        before = cpu_by_thread(pid)
        result = gateway.wrk(f"{base}/v1/chat/completions", gateway.BODY, key,
                             args.connections, args.seconds, workdir)
        time.sleep(0.5)  # the usage writer's last batch
        after = cpu_by_thread(pid)
    requests = result["rps"] * args.seconds
    print(f"{result['rps']:,.0f} req/s at {args.connections} connection(s), "
          f"p50 {result['p50']:.3f} ms, p99 {result['p99']:.3f} ms")
    rows = []
    for tid, (name, seconds) in after.items():
        spent = seconds - before.get(tid, (name, 0.0))[1]
        if spent > 0:
            rows.append((spent, f"{name} ({tid})"))
    for spent, name in sorted(rows, reverse=True):
        print(f"{name:28} {spent * 1000:8.0f} ms  {spent * 1e6 / requests:7.1f} µs per request")


if __name__ == "__main__":
    main()

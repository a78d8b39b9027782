#!/usr/bin/env python3
"""Instructions per gateway request, by function: a measure that does not depend on what else
the machine is doing (unlike wrk's timings).

Runs llmchat under `valgrind --tool=callgrind` twice (the same start-up and warm-up, then N and
3N sequential `POST /v1/chat/completions` through `hey`, against llmchat-mock with zero delay)
and subtracts the two profiles: what is left is the cost of 2N requests. Prints the
instructions per request and the functions that cost the most (self cost, or with
`--inclusive` including callees). Function names need symbols: build with
`CARGO_PROFILE_RELEASE_STRIP=none CARGO_PROFILE_RELEASE_DEBUG=line-tables-only` (the totals
are right either way).

Usage: python3 bench/callgrind.py [--target DIR] [--requests 1000] [--top 40] [--inclusive]
Needs valgrind and hey (apt-get install -y valgrind hey). Loopback only; bounded.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway  # noqa: E402  (the same servers, agents and request as the gateway benchmark)


def profile(release, requests, out):
    wrapper = ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}"]
    with gateway.servers(release, wrapper) as (base, key):
        subprocess.run(["hey", "-n", str(requests), "-c", "1", "-m", "POST",
                        "-H", f"Authorization: Bearer {key}", "-T", "application/json",
                        "-d", json.dumps(gateway.BODY), f"{base}/v1/chat/completions"],
                       check=True, capture_output=True)


def costs(path, inclusive):
    out = subprocess.run(["callgrind_annotate", "--auto=no", "--threshold=100",
                          f"--inclusive={'yes' if inclusive else 'no'}", path],
                         capture_output=True, text=True, check=True).stdout
    table = {}
    for line in out.splitlines():
        match = re.match(r"\s*([\d,]+) \(\s*[\d.]+%\)\s+(.*)", line)
        if not match:
            continue
        name = re.sub(r" \[.*\]$", "", match.group(2))
        if not name.startswith("PROGRAM"):
            name = re.sub(r"^[^:]*:", "", name)  # drop the source file
        table[name] = table.get(name, 0) + int(match.group(1).replace(",", ""))
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--target", default=os.environ.get("CARGO_TARGET_DIR", gateway.ROOT / "target"))
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--inclusive", action="store_true")
    args = parser.parse_args()
    release = Path(args.target) / "release"
    with tempfile.TemporaryDirectory() as tmp:
        few, many = Path(tmp) / "few.out", Path(tmp) / "many.out"
        profile(release, args.requests, few)
        profile(release, 3 * args.requests, many)
        a, b = costs(str(few), args.inclusive), costs(str(many), args.inclusive)
    n = 2 * args.requests
    total = b["PROGRAM TOTALS"] - a["PROGRAM TOTALS"]
    print(f"instructions per request: {total / n:,.0f}")
    rows = sorted(((b.get(k, 0) - a.get(k, 0), k) for k in set(a) | set(b)
                   if k != "PROGRAM TOTALS"), reverse=True)
    for cost, name in rows[:args.top]:
        print(f"{cost / n:9,.0f} {100 * cost / total:5.1f}%  {name[:150]}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Where llmchat's memory goes with 1,000 concurrent `/v1` streams: the peak heap by
allocation site, from heaptrack.

Builds llmchat with the `system-allocator` feature (heaptrack sees malloc, not mimalloc) into
its own target directory, runs it under heaptrack against llmchat-mock with the same agents,
warm-up and streams as bench/gateway.py, and prints the peak heap and its biggest consumers,
each as the first frames of its call stack outside the standard library.

Usage: python3 bench/heap.py [--streams 1000] [--top 25] [--target DIR] [--no-build]
Needs heaptrack (apt-get install -y heaptrack). Loopback only; bounded.
"""

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gateway  # noqa: E402  (the same servers, agents and streams as the gateway benchmark)


def run(release, streams, out):
    with gateway.servers(release, ["heaptrack", "-o", str(out)], warmup=200) as (base, key):
        pid = int(subprocess.run(["pgrep", "-n", "-f", "release/llmchat serve"],
                                 capture_output=True, text=True, check=True).stdout)
        body = {**gateway.BODY, "model": "slow", "stream": True}
        return asyncio.run(gateway.streams(base, "/v1/chat/completions", body, key, streams,
                                           pid))


def consumers(path, top):
    """The peak heap in bytes, and (bytes, calls, frames) for its biggest consumers. Every Rust
    allocation goes through one allocator function, so heaptrack's top-level entries are that
    function; the consumers are the call sites below it."""
    text = subprocess.run(["heaptrack_print", "-f", str(path), "--print-peaks", "1",
                           "--print-allocators", "0", "--print-temporary", "0",
                           "--print-leaks", "0", "--peak-limit", "3",
                           "--sub-peak-limit", str(top)],
                          capture_output=True, text=True, check=True).stdout
    total, rows, lines = 0.0, [], text.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"\s*([\d.]+)([KMG]?) (peak memory )?consumed over (\d+) calls from",
                         line)
        if not match:
            continue
        size = float(match.group(1)) * {"": 1, "K": 1e3, "M": 1e6, "G": 1e9}[match.group(2)]
        if match.group(3):
            total += size
            continue
        frames = []
        for follow in lines[i + 1:]:
            if "consumed over" in follow:
                break
            where = re.search(r"at (\S+):(\d+)", follow)
            if where and "/rustc/" not in where.group(1) and "/alloc/" not in where.group(1):
                frames.append(re.sub(r".*index\.crates\.io-[^/]+/", "", where.group(1))
                              + ":" + where.group(2))
            if len(frames) == 4:
                break
        rows.append((size, int(match.group(4)), frames))
    rows.sort(key=lambda row: -row[0])
    return total, rows[:top]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--target", default=str(gateway.ROOT / "target" / "heap"))
    parser.add_argument("--no-build", action="store_true")
    args = parser.parse_args()
    if not args.no_build:
        # Line tables, so that heaptrack can name the call sites.
        env = {**os.environ, "CARGO_PROFILE_RELEASE_STRIP": "none",
               "CARGO_PROFILE_RELEASE_DEBUG": "line-tables-only", "LLMCHAT_SKIP_WEB_BUILD": "1"}
        subprocess.run(["cargo", "build", "--release", "--bins", "--features", "system-allocator",
                        "--target-dir", args.target], cwd=gateway.ROOT, env=env, check=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "llmchat"
        result = run(Path(args.target) / "release", args.streams, out)
        total, rows = consumers(next(Path(tmp).glob("llmchat*")), args.top)
    print(f"RSS peak {result['rss_peak']:.1f} MiB (anonymous {result['anon_peak']:.1f}) "
          f"with {args.streams} streams, under heaptrack and the system allocator; "
          f"peak heap {total / 2**20:.1f} MiB, of which:\n")
    for size, calls, frames in rows:
        print(f"{size / 2**20:7.2f} MiB {calls:7d} calls  {' < '.join(frames)}")


if __name__ == "__main__":
    main()

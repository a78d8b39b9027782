#!/usr/bin/env python3
"""How long the data lifecycle's search for orphaned uploads takes on a populated database.

An upload is orphaned when no message mentions it. The search used to look through every
message of every user for each upload; it now looks only through its owner's messages (an
upload can only be attached by its owner). This script fills a fresh SQLite file and a fresh
PostgreSQL database (`llmchat migrate`, then plain SQL through the `sqlite3` and `psql`
clients) with USERS users, each with CONVERSATIONS conversations of MESSAGES messages
(about 600 bytes of JSON content each) and UPLOADS uploads (every other one attached to a
message), then times both forms of the query (`COUNT(*)`, as the admin's dry run asks it),
RUNS times each, and prints the medians. Loopback only; it stops by itself.

    python3 bench/orphans.py --bin target/release/llmchat [--users 100] [--conversations 5]
        [--messages 40] [--uploads 5] [--runs 3] [--database-url postgres://…/test]
"""

import argparse
import os
import statistics
import subprocess
import tempfile
import time
import uuid

OLD = (
    "SELECT COUNT(*) FROM uploads u WHERE u.created_at < {before} "
    "AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.content LIKE '%' || u.id || '%')"
)
NEW = (
    "SELECT COUNT(*) FROM uploads u WHERE u.created_at < {before} "
    "AND NOT EXISTS (SELECT 1 FROM conversations c JOIN messages m ON m.conversation_id = c.id "
    "WHERE c.user_id = u.user_id AND m.content LIKE '%' || u.id || '%')"
)
FILLER = "lorem ipsum dolor sit amet " * 18


def rows(args):
    """The INSERT statements of the whole data set, in batches."""
    now = 1_764_000_000_000
    for n in range(args.users):
        user = str(uuid.uuid4())
        yield (
            "INSERT INTO users (id, username, username_key, password_hash, created_at, updated_at) "
            f"VALUES ('{user}', 'user{n}', 'user{n}', 'x', {now}, {now});"
        )
        uploads = [str(uuid.uuid4()) for _ in range(args.uploads)]
        for upload in uploads:
            yield (
                "INSERT INTO uploads (id, user_id, name, mime, size, sha256, data, created_at) "
                f"VALUES ('{upload}', '{user}', 'f.txt', 'text/plain', 1, 'x', 'x', {now});"
            )
        attached = uploads[::2]
        values = []
        for c in range(args.conversations):
            conversation = str(uuid.uuid4())
            yield (
                "INSERT INTO conversations (id, user_id, agent_id, created_at, updated_at) "
                f"VALUES ('{conversation}', '{user}', 'demo', {now}, {now});"
            )
            for m in range(args.messages):
                part = f'{{"type":"text","text":"{FILLER}{c}-{m}"}}'
                if attached and m == 0:
                    part += f',{{"type":"attachment","upload_id":"{attached.pop()}"}}'
                values.append(
                    f"('{uuid.uuid4()}', '{conversation}', 'user', '[{part}]', {now + m}, {now + m})"
                )
        for i in range(0, len(values), 500):
            yield (
                "INSERT INTO messages (id, conversation_id, role, content, created_at, updated_at) "
                "VALUES " + ", ".join(values[i : i + 500]) + ";"
            )


def migrate(binary, url, workdir):
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "LLMCHAT_LOG__LEVEL": "warn"}
    subprocess.run([binary, "migrate"], env=env, cwd=workdir, check=True, capture_output=True)


def timed(run, sql, runs):
    seconds = []
    answer = None
    for _ in range(runs):
        started = time.perf_counter()
        answer = run(sql)
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds), answer


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default="target/release/llmchat")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--conversations", type=int, default=5)
    parser.add_argument("--messages", type=int, default=40)
    parser.add_argument("--uploads", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/test"),
    )
    args = parser.parse_args()
    binary = os.path.abspath(args.bin)
    before = 1_764_000_000_000 + 1
    statements = "BEGIN;\n" + "\n".join(rows(args)) + "\nCOMMIT;\n"
    messages = args.users * args.conversations * args.messages
    uploads = args.users * args.uploads
    orphaned = args.users * (args.uploads // 2)
    print(f"{args.users} users, {messages} messages, {uploads} uploads ({orphaned} orphaned)")
    print("| database | query | median of runs, s | orphans found |")
    print("|---|---|---|---|")

    with tempfile.TemporaryDirectory() as workdir:
        path = os.path.join(workdir, "bench.sqlite")
        migrate(binary, f"sqlite://{path}", workdir)
        subprocess.run(["sqlite3", path], input=statements, text=True, check=True)

        def sqlite(sql):
            out = subprocess.run(["sqlite3", path, sql], capture_output=True, text=True, check=True)
            return out.stdout.strip()

        for name, sql in (("every message (before)", OLD), ("the owner's messages (now)", NEW)):
            seconds, found = timed(sqlite, sql.format(before=before), args.runs)
            print(f"| SQLite | {name} | {seconds:.3f} | {found} |")

    admin = args.database_url
    database = f"bench_orphans_{os.getpid()}"
    base = admin.rsplit("/", 1)[0]
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {database}"], check=True)
    try:
        url = f"{base}/{database}"
        with tempfile.TemporaryDirectory() as workdir:
            migrate(binary, url, workdir)
        subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"], input=statements,
                       text=True, check=True, capture_output=True)
        subprocess.run(["psql", url, "-qc", "ANALYZE"], check=True)

        def postgres(sql):
            out = subprocess.run(["psql", url, "-Atc", sql], capture_output=True, text=True,
                                 check=True)
            return out.stdout.strip()

        for name, sql in (("every message (before)", OLD), ("the owner's messages (now)", NEW)):
            seconds, found = timed(postgres, sql.format(before=before), args.runs)
            print(f"| PostgreSQL | {name} | {seconds:.3f} | {found} |")
    finally:
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {database}"], check=True)


if __name__ == "__main__":
    main()

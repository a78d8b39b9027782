#!/usr/bin/env bash
# scripts/backup/backup.sh and restore.sh, round trip on SQLite and on PostgreSQL with a real
# llmchat writing to the database: data made through the API (users, API keys, conversations,
# a chat with the demo agent, an OpenAI-compatible completion), an online backup while the
# server runs, a restore into a fresh target, and every table's row count and content
# checksum identical. Also: a backup under a write load restores to a consistent database
# the server starts on; restore refuses a live or non-empty target without --force (exit 2);
# a corrupt file is refused (exit 3); SQLite --force restores online into the open database;
# --keep N retention; the Redis snapshot round trip; no password in any output.
# Needs: the release binary (LLMCHAT_BIN), sqlite3, psql/pg_dump/pg_restore, PostgreSQL on
# 127.0.0.1:5432 (user postgres, trust), redis-server/redis-cli, curl, jq, python3. About 60 s.
# shellcheck disable=SC2119 # free_port's argument is optional
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s)
need_binaries
need sqlite3 sqlite3
need psql postgresql-client
need pg_dump postgresql-client
need pg_restore postgresql-client
need redis-server redis-server
need redis-cli redis-tools
need curl curl
need jq jq
need python3 python3
REPO=$PWD
BACKUP=$REPO/scripts/backup/backup.sh
RESTORE=$REPO/scripts/backup/restore.sh
PG_ADMIN=(psql -X -q -A -t -v ON_ERROR_STOP=1 -h 127.0.0.1 -p 5432 -U postgres -d postgres)
"${PG_ADMIN[@]}" -c "SELECT 1" >/dev/null 2>&1 || die "no PostgreSQL on 127.0.0.1:5432 (user postgres, trust)"

# The passwords below must never appear in an output or a manifest (trust ignores the PG one).
PG_SECRET=pgsecret$RANDOM$RANDOM
REDIS_SECRET=redissecret$RANDOM$RANDOM
LOG=$OPS_WORK/all-output.txt
: >"$LOG"

# --- servers ---------------------------------------------------------------------------------

declare -A PIDS
# start_server NAME DATABASE_URL [VAR=VALUE...]: a development llmchat on a free port; URL_NAME.
start_server() {
    local name=$1 db=$2 port dir
    shift 2
    port=$(free_port)
    dir=$OPS_WORK/srv-$name
    mkdir -p "$dir"
    (cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" LLMCHAT_ENV=development PORT="$port" \
        LLMCHAT_CONFIG_DIR="$REPO/config" AGENTS_CONFIG="$REPO/config/agents.yaml" \
        DATABASE_URL="$db" LOG_LEVEL=warn "$@" "$LLMCHAT_BIN" serve >"$dir/log" 2>&1) &
    PIDS[$name]=$!
    printf -v "URL_$name" 'http://127.0.0.1:%s' "$port"
    local i
    for ((i = 0; i < 80; i++)); do
        curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/api/health/ready" 2>/dev/null && return 0
        kill -0 "${PIDS[$name]}" 2>/dev/null || { cat "$dir/log"; die "server $name exited"; }
        sleep 0.25
    done
    die "server $name was not ready within 20 s"
}
stop_server() {
    local pid=${PIDS[$1]:-}
    [[ -n $pid ]] || return 0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "PIDS[$1]"
}
stop_servers() {
    local name
    for name in "${!PIDS[@]}"; do stop_server "$name"; done
}
on_exit stop_servers
# stop_redis PIDFILE: SIGTERM and wait (it writes its log until it is gone).
stop_redis() {
    local pid
    pid=$(cat "$1" 2>/dev/null) || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
}

# Data through the API: 3 users (the first is the admin), an API key each, CONVERSATIONS
# conversations, one chat turn with the demo agent (streamed to its end), one
# /v1/chat/completions, a failed login, 200 /v1/models calls.
cat >"$OPS_WORK/populate.py" <<'PY'
import http.client, json, sys
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
conn = http.client.HTTPConnection(host, port, timeout=60)
def call(method, path, body=None, token=None, expect=(200, 201)):
    headers = {"Content-Type": "application/json"}
    if token: headers["Authorization"] = "Bearer " + token
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    r = conn.getresponse(); data = r.read()
    if r.status not in expect: sys.exit("%s %s: HTTP %d %s" % (method, path, r.status, data[:200]))
    return data
tokens, keys = [], []
for user in ("alice", "bob", "carol"):
    d = json.loads(call("POST", "/api/auth/register", {"username": user, "password": "correct horse battery " + user}))
    tokens.append(d["access_token"])
    keys.append(json.loads(call("POST", "/api/keys", {"name": user + "-key"}, tokens[-1]))["key"])
call("POST", "/api/auth/login", {"username": "bob", "password": "wrong"}, expect=(401,))
convs = []
for i in range(n):
    convs.append(json.loads(call("POST", "/api/conversations", {"agent_id": "demo"}, tokens[i % 3]))["id"])
stream = call("POST", "/api/conversations/%s/messages" % convs[0], {"content": "Hello, demo"}, tokens[0])
if b"event: done" not in stream and b"event: end" not in stream and b"Demo reply" not in stream:
    sys.exit("the chat turn did not finish: " + stream[-300:].decode(errors="replace"))
call("POST", "/v1/chat/completions", {"model": "demo", "messages": [{"role": "user", "content": "hi"}]}, keys[1])
# 200 requests with one API key: its rate-limit window in Redis (GCRA, 1000 a minute) now
# reaches about 12 s ahead, so Redis holds a key while the backup runs.
for _ in range(200):
    call("GET", "/v1/models", token=keys[2])
print(json.dumps({"users": 3, "keys": 3, "conversations": n}))
PY
populate() { python3 "$OPS_WORK/populate.py" 127.0.0.1 "${1##*:}" "$2" >/dev/null || die "populating $1 failed"; }

# A write load (new conversations, about 12 a second: under the default 1000 requests a
# minute) until the stop file exists; prints how many it made.
cat >"$OPS_WORK/writer.py" <<'PY'
import http.client, json, os, sys, time
host, port, token, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
conn = http.client.HTTPConnection(host, port, timeout=30); n = 0
while not os.path.exists(stop):
    conn.request("POST", "/api/conversations", json.dumps({"agent_id": "demo"}),
                 {"Content-Type": "application/json", "Authorization": "Bearer " + token})
    r = conn.getresponse(); r.read()
    if r.status != 201 and r.status != 200: sys.exit("HTTP %d" % r.status)
    n += 1
    time.sleep(0.08)
print(n)
PY
login() {
    curl -fsS -H 'Content-Type: application/json' -d "{\"username\":\"$2\",\"password\":\"correct horse battery $2\"}" \
        "$1/api/auth/login" | jq -r .access_token
}

# --- checksums -------------------------------------------------------------------------------

# Per table: "name rows md5" lines, sorted.
sqlite_sums() {
    local db=$1 t
    while IFS= read -r t; do
        printf '%s %s %s\n' "$t" "$(sqlite3 "$db" "SELECT count(*) FROM \"$t\"")" "$(sqlite3 "$db" ".dump \"$t\"" | md5sum | cut -c1-32)"
    done < <(sqlite3 "$db" "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
}
pg_sums() {
    local db=$1 t
    while IFS= read -r t; do
        psql -X -q -A -t -F ' ' -h 127.0.0.1 -U postgres -d "$db" -c \
            "SELECT '$t', count(*), md5(coalesce(string_agg(x::text, '|' ORDER BY x::text), '')) FROM public.\"$t\" x"
    done < <(psql -X -q -A -t -h 127.0.0.1 -U postgres -d "$db" -c "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")
}
# same_sums KIND A B: identical, with a table of what was compared.
same_sums() {
    diff "$2" "$3" >"$OPS_WORK/sums.diff" || { cat "$OPS_WORK/sums.diff"; die "$1: the restored database differs from the source"; }
    local tables rows
    tables=$(wc -l <"$2")
    rows=$(awk '{ s += $2 } END { print s }' "$2")
    ((tables >= 10)) || die "$1: only $tables tables compared"
    note "$1: $tables tables, $rows rows: every count and md5 identical ($(awk '$2 > 0 { printf "%s=%s ", $1, $2 }' "$2"))"
}

# run_logged EXPECTED CMD...: runs, keeps the output in $LOG and $OUT, checks the exit code.
run_logged() {
    local expected=$1 rc=0
    shift
    OUT=$("$@" 2>&1) || rc=$?
    printf '%s\n' "$OUT" >>"$LOG"
    ((rc == expected)) || { printf '%s\n' "$OUT"; die "$(basename "$1") ${*:2}: exit $rc, expected $expected"; }
}
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

section "usage"
"$BACKUP" --help | grep -q '^Exit codes:' || die "backup.sh --help lacks the exit codes"
"$RESTORE" --help | grep -q '^Exit codes:' || die "restore.sh --help lacks the exit codes"
run_logged 64 "$BACKUP" --keep many
run_logged 64 "$RESTORE"
note "--help documents the exit codes; bad command lines exit 64"

# --- SQLite ----------------------------------------------------------------------------------

section "SQLite: data through the API"
SQ=$OPS_WORK/sqlite
mkdir -p "$SQ/data" "$SQ/restored"
SQ_URL=sqlite://$SQ/data/llmchat.db
REDIS_PORT=$(free_port)
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass "$REDIS_SECRET" --save '' --appendonly no \
    --daemonize yes --dir "$OPS_WORK" --pidfile "$OPS_WORK/redis.pid" --logfile "$OPS_WORK/redis.log" >/dev/null
on_exit "stop_redis '$OPS_WORK/redis.pid'"
REDIS_URL_TEST="redis://:$REDIS_SECRET@127.0.0.1:$REDIS_PORT/0"
for _ in $(seq 40); do [[ $(REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS_PORT" PING 2>/dev/null) == PONG ]] && break; sleep 0.1; done
start_server sqlite "$SQ_URL" REDIS_URL="$REDIS_URL_TEST"
# shellcheck disable=SC2154 # set by start_server
populate "$URL_sqlite" 300
# Two keys of our own that outlive the test: one with a TTL (as the limiter's), one without.
REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS_PORT" SET llmchat:ratelimit:ops-test 1 EX 600 >/dev/null
REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS_PORT" SET llmchat:ops-test:persistent yes >/dev/null
KEYS=$(REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS_PORT" DBSIZE)
((KEYS > 0)) || die "the server left no keys in Redis"
note "3 users, 3 API keys, 300 conversations, a chat turn, a completion; Redis holds $KEYS rate-limit key(s): $(REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS_PORT" --scan | head -n 3 | tr '\n' ' ')"

section "SQLite: online backup of the running server (frozen: the source cannot change meanwhile)"
# SIGSTOP keeps the database open (WAL and all) but lets nothing write, so the source's
# checksums are exactly what the backup must hold.
kill -STOP "${PIDS[sqlite]}"
[[ -s $SQ/data/llmchat.db-wal ]] && note "the server holds the database open with a $(stat -c %s "$SQ/data/llmchat.db-wal")-byte WAL"
sqlite_sums "$SQ/data/llmchat.db" >"$OPS_WORK/sq-source.sums"
t=$(date +%s%N)
run_logged 0 env DATABASE_URL="$SQ_URL" REDIS_URL="$REDIS_URL_TEST" LLMCHAT_BIN="$LLMCHAT_BIN" "$BACKUP" development --dir "$SQ/backups"
SQ_BACKUP_MS=$(ms_since "$t")
kill -CONT "${PIDS[sqlite]}"
SQ_MANIFEST=$(tail -n 1 <<<"$OUT")
[[ -f $SQ_MANIFEST ]] || die "backup.sh did not print its manifest's path"
APP_VERSION=$("$LLMCHAT_BIN" version | awk '{print $2}')
[[ $(basename "$SQ_MANIFEST") =~ ^llmchat-development-[0-9]{8}T[0-9]{6}Z-v${APP_VERSION//./\\.}-[0-9a-f]+\.manifest\.json$ ]] ||
    die "unexpected backup name: $(basename "$SQ_MANIFEST")"
jq -e '.database.backend == "sqlite" and (.database.schema_version | type == "number") and .redis.keys > 0 and (.redis.file | endswith(".rdb")) and .app.source == "llmchat version"' "$SQ_MANIFEST" >/dev/null ||
    { cat "$SQ_MANIFEST"; die "the manifest lacks facts"; }
note "$(basename "$SQ_MANIFEST"): $(jq -r '"database \(.database.size) bytes, schema \(.database.schema_version), redis \(.redis.keys) key(s) \(.redis.size) bytes"' "$SQ_MANIFEST"), $SQ_BACKUP_MS ms"

section "SQLite: restore refuses the live database without --force"
run_logged 2 env DATABASE_URL="$SQ_URL" "$RESTORE" "$SQ_MANIFEST"
grep -q 'hold .* open' <<<"$OUT" || die "the refusal does not say a process holds the file open"
grep -q 'table(s)' <<<"$OUT" || die "the refusal does not say the target has tables"
note "exit 2: $(grep -c 'refused:' <<<"$OUT") reason(s): $(grep 'refused:' <<<"$OUT" | sed 's/.*refused: //' | tr '\n' ';')"

section "SQLite: restore into a fresh file"
t=$(date +%s%N)
run_logged 0 env DATABASE_URL="sqlite://$SQ/restored/llmchat.db" "$RESTORE" "$SQ_MANIFEST"
SQ_RESTORE_MS=$(ms_since "$t")
sqlite_sums "$SQ/restored/llmchat.db" >"$OPS_WORK/sq-restored.sums"
same_sums "SQLite" "$OPS_WORK/sq-source.sums" "$OPS_WORK/sq-restored.sums"
note "restored in $SQ_RESTORE_MS ms"
run_logged 2 env DATABASE_URL="sqlite://$SQ/restored/llmchat.db" "$RESTORE" "$SQ_MANIFEST"
note "again into the now non-empty file: refused (exit 2)"
# A server runs on the restored copy and knows its users.
start_server sqlrestored "sqlite://$SQ/restored/llmchat.db"
# shellcheck disable=SC2154
[[ $(login "$URL_sqlrestored" carol) == ey* ]] || die "carol cannot sign in on the restored database"
stop_server sqlrestored
note "a server on the restored file signs carol in"

section "SQLite: a corrupt backup is refused (exit 3)"
mkdir -p "$SQ/corrupt"
cp "${SQ_MANIFEST%.manifest.json}".* "$SQ/corrupt/"
CORRUPT=$SQ/corrupt/$(basename "${SQ_MANIFEST%.manifest.json}").sqlite
printf 'X' | dd of="$CORRUPT" bs=1 seek=5000 conv=notrunc status=none
run_logged 3 env DATABASE_URL="sqlite://$SQ/corrupt/target.db" "$RESTORE" "$CORRUPT"
grep -q 'sha256' <<<"$OUT" || die "the refusal does not name the checksum"
[[ ! -e $SQ/corrupt/target.db ]] || die "a corrupt backup was restored"
note "one byte changed: refused before touching the target"

section "SQLite: --force restores online into the running server's database"
TOKEN=$(login "$URL_sqlite" alice)
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"agent_id":"demo"}' "$URL_sqlite/api/conversations"
BEFORE=$(sqlite3 "$SQ/data/llmchat.db" "SELECT count(*) FROM conversations")
run_logged 0 env DATABASE_URL="$SQ_URL" "$RESTORE" "$SQ_MANIFEST" --force
grep -q 'online restore' <<<"$OUT" || die "restore.sh did not restore online"
AFTER=$(sqlite3 "$SQ/data/llmchat.db" "SELECT count(*) FROM conversations")
((AFTER == BEFORE - 1)) || die "conversations: $BEFORE before, $AFTER after the restore (expected $((BEFORE - 1)))"
[[ $(sqlite3 "$SQ/data/llmchat.db" "PRAGMA integrity_check") == ok ]] || die "the live database fails its integrity check"
LISTED=$(curl -fsS -H "Authorization: Bearer $TOKEN" "$URL_sqlite/api/conversations" | jq '.items | length')
note "the conversation made after the backup is gone ($BEFORE -> $AFTER); the running server still answers (alice lists $LISTED)"

section "SQLite: a backup under a write load restores to a consistent database"
WTOKEN=$(login "$URL_sqlite" bob)
rm -f "$OPS_WORK/writer.stop"
python3 "$OPS_WORK/writer.py" 127.0.0.1 "${URL_sqlite##*:}" "$WTOKEN" "$OPS_WORK/writer.stop" >"$OPS_WORK/writer.out" &
WRITER=$!
sleep 1
START_COUNT=$(sqlite3 "$SQ/data/llmchat.db" ".timeout 5000" "SELECT count(*) FROM conversations")
run_logged 0 env DATABASE_URL="$SQ_URL" "$BACKUP" development --dir "$SQ/busy" --no-redis
BUSY=$(tail -n 1 <<<"$OUT")
touch "$OPS_WORK/writer.stop"
wait "$WRITER" || die "the write load failed"
mkdir -p "$SQ/busy-restored"
run_logged 0 env DATABASE_URL="sqlite://$SQ/busy-restored/llmchat.db" "$RESTORE" "$BUSY"
GOT=$(sqlite3 "$SQ/busy-restored/llmchat.db" "SELECT count(*) FROM conversations")
[[ $(sqlite3 "$SQ/busy-restored/llmchat.db" "PRAGMA foreign_key_check" | wc -l) == 0 ]] || die "foreign keys broken in the busy backup"
((GOT >= START_COUNT)) || die "the busy backup has $GOT conversations, fewer than the $START_COUNT before it started"
note "$(cat "$OPS_WORK/writer.out") conversations written meanwhile; the backup holds $GOT (>= $START_COUNT at its start), integrity and foreign keys ok"

section "Redis: the snapshot restores into another Redis"
REDIS2_PORT=$(free_port)
redis-server --port "$REDIS2_PORT" --bind 127.0.0.1 --requirepass "$REDIS_SECRET" --save '' --appendonly no \
    --daemonize yes --dir "$OPS_WORK" --pidfile "$OPS_WORK/redis2.pid" --logfile "$OPS_WORK/redis2.log" --dbfilename r2.rdb >/dev/null
on_exit "stop_redis '$OPS_WORK/redis2.pid'"
for _ in $(seq 40); do [[ $(REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS2_PORT" PING 2>/dev/null) == PONG ]] && break; sleep 0.1; done
run_logged 0 env DATABASE_URL="sqlite://$SQ/redis-target.db" "$RESTORE" "$SQ_MANIFEST" \
    --redis-url "redis://:$REDIS_SECRET@127.0.0.1:$REDIS2_PORT/0"
r2() { REDISCLI_AUTH=$REDIS_SECRET redis-cli --no-auth-warning -p "$REDIS2_PORT" "$@"; }
GOT=$(r2 DBSIZE)
WANT=$(jq .redis.keys "$SQ_MANIFEST")
((GOT >= 2 && GOT <= WANT)) || die "Redis: $GOT key(s) restored, the snapshot had $WANT"
TTL=$(r2 TTL llmchat:ratelimit:ops-test)
((TTL > 0 && TTL <= 600)) || die "the restored key's TTL is $TTL, expected 1..600"
[[ $(r2 GET llmchat:ops-test:persistent) == yes && $(r2 TTL llmchat:ops-test:persistent) == -1 ]] || die "the persistent key was not restored as it was"
note "$GOT of $WANT key(s) restored (the limiter's short windows that expired since are dropped), TTL kept ($TTL s left of 600)"
stop_server sqlite

section "SQLite: --keep 2 keeps the newest two"
for _ in 1 2 3; do run_logged 0 env DATABASE_URL="sqlite://$SQ/busy-restored/llmchat.db" "$BACKUP" staging --dir "$SQ/keep" --keep 2; done
[[ $(find "$SQ/keep" -name '*.sqlite' | wc -l) == 2 && $(find "$SQ/keep" -name '*.manifest.json' | wc -l) == 2 ]] ||
    { ls "$SQ/keep"; die "--keep 2 left $(find "$SQ/keep" -name '*.sqlite' | wc -l) backups"; }
grep -q 'retention (--keep 2): removed' <<<"$OUT" || die "the third backup did not report the removal"
[[ $(tail -n 1 <<<"$OUT") == "$(find "$SQ/keep" -name '*.manifest.json' | sort | tail -n 1)" ]] || die "the newest backup was removed"
note "3 backups, 2 kept (the oldest and its manifest removed)"

# --- PostgreSQL ------------------------------------------------------------------------------

section "PostgreSQL: data through the API"
SRC_DB=llmchat_ops_backup_src_$$
DST_DB=llmchat_ops_backup_dst_$$
CTR_DB=llmchat_ops_backup_ctr_$$
"${PG_ADMIN[@]}" -c "CREATE DATABASE $SRC_DB" -c "CREATE DATABASE $DST_DB" -c "CREATE DATABASE $CTR_DB" >/dev/null
on_exit "\"\${PG_ADMIN[@]}\" -c 'DROP DATABASE IF EXISTS $SRC_DB WITH (FORCE)' -c 'DROP DATABASE IF EXISTS $DST_DB WITH (FORCE)' -c 'DROP DATABASE IF EXISTS $CTR_DB WITH (FORCE)' >/dev/null 2>&1"
PG_SRC_URL="postgres://postgres:$PG_SECRET@127.0.0.1:5432/$SRC_DB"
PG_DST_URL="postgres://postgres:$PG_SECRET@127.0.0.1:5432/$DST_DB"
start_server pg "$PG_SRC_URL"
# shellcheck disable=SC2154
populate "$URL_pg" 300
note "created $SRC_DB and $DST_DB; 3 users, 3 API keys, 300 conversations, a chat turn, a completion"

section "PostgreSQL: online backup of the running server (pg_dump -Fc)"
kill -STOP "${PIDS[pg]}"
pg_sums "$SRC_DB" >"$OPS_WORK/pg-source.sums"
t=$(date +%s%N)
run_logged 0 env DATABASE_URL="$PG_SRC_URL" LLMCHAT_BIN="$LLMCHAT_BIN" "$BACKUP" production --dir "$OPS_WORK/pg-backups"
PG_BACKUP_MS=$(ms_since "$t")
kill -CONT "${PIDS[pg]}"
PG_MANIFEST=$(tail -n 1 <<<"$OUT")
PG_DUMP=${PG_MANIFEST%.manifest.json}.pgdump
[[ -f $PG_DUMP && $(head -c 5 "$PG_DUMP") == PGDMP ]] || die "no custom-format dump at $PG_DUMP"
jq -e '.database.backend == "postgres" and (.database.schema_version | type == "number") and .redis == null' "$PG_MANIFEST" >/dev/null ||
    { cat "$PG_MANIFEST"; die "the manifest lacks facts"; }
note "$(basename "$PG_DUMP"): $(jq -r .database.size "$PG_MANIFEST") bytes (custom format), schema $(jq -r .database.schema_version "$PG_MANIFEST"), $PG_BACKUP_MS ms"

section "PostgreSQL: restore refuses the live source without --force"
run_logged 2 env DATABASE_URL="$PG_SRC_URL" "$RESTORE" "$PG_DUMP"
grep -q 'other session' <<<"$OUT" || die "the refusal does not mention the server's sessions"
note "exit 2: $(grep 'refused:' <<<"$OUT" | sed 's/.*refused: //' | tr '\n' ';')"

section "PostgreSQL: restore into a fresh database"
t=$(date +%s%N)
run_logged 0 env DATABASE_URL="$PG_DST_URL" "$RESTORE" "$PG_MANIFEST"
PG_RESTORE_MS=$(ms_since "$t")
pg_sums "$DST_DB" >"$OPS_WORK/pg-restored.sums"
same_sums "PostgreSQL" "$OPS_WORK/pg-source.sums" "$OPS_WORK/pg-restored.sums"
note "restored in $PG_RESTORE_MS ms"
run_logged 2 env DATABASE_URL="$PG_DST_URL" "$RESTORE" "$PG_MANIFEST"
note "again into the now non-empty database: refused (exit 2)"
run_logged 0 env DATABASE_URL="$PG_DST_URL" "$RESTORE" "$PG_MANIFEST" --force
pg_sums "$DST_DB" >"$OPS_WORK/pg-restored2.sums"
same_sums "PostgreSQL --force over the restored copy" "$OPS_WORK/pg-source.sums" "$OPS_WORK/pg-restored2.sums"
start_server pgrestored "$PG_DST_URL"
# shellcheck disable=SC2154
[[ $(login "$URL_pgrestored" bob) == ey* ]] || die "bob cannot sign in on the restored database"
stop_server pgrestored
note "a server on the restored database signs bob in"

section "PostgreSQL in a container (--pg-container): backup and restore through docker exec"
# A stand-in for `docker exec [-i] postgres sh -c …`: the command runs here with the
# environment the postgres image gives it (POSTGRES_USER, POSTGRES_DB).
mkdir -p "$OPS_WORK/shim"
cat >"$OPS_WORK/shim/docker" <<'SH'
#!/bin/bash
[[ $1 == exec ]] || { echo "docker shim: only exec" >&2; exit 99; }
shift
[[ $1 == -i ]] && shift
[[ $1 == postgres ]] || { echo "docker shim: no container $1" >&2; exit 1; }
shift
export POSTGRES_USER=postgres POSTGRES_DB=$SHIM_DB PGHOST=127.0.0.1
exec "$@"
SH
chmod +x "$OPS_WORK/shim/docker"
kill -STOP "${PIDS[pg]}"
pg_sums "$SRC_DB" >"$OPS_WORK/pg-source2.sums"
run_logged 0 env PATH="$OPS_WORK/shim:$PATH" SHIM_DB="$SRC_DB" "$BACKUP" production --pg-container postgres --dir "$OPS_WORK/ctr-backups"
kill -CONT "${PIDS[pg]}"
CTR_MANIFEST=$(tail -n 1 <<<"$OUT")
jq -e '.database.backend == "postgres" and (.database.schema_version | type == "number")' "$CTR_MANIFEST" >/dev/null || { cat "$CTR_MANIFEST"; die "the container backup's manifest lacks facts"; }
run_logged 2 env PATH="$OPS_WORK/shim:$PATH" SHIM_DB="$SRC_DB" "$RESTORE" "$CTR_MANIFEST" --pg-container postgres
run_logged 0 env PATH="$OPS_WORK/shim:$PATH" SHIM_DB="$CTR_DB" "$RESTORE" "$CTR_MANIFEST" --pg-container postgres
pg_sums "$CTR_DB" >"$OPS_WORK/pg-ctr.sums"
same_sums "PostgreSQL via --pg-container" "$OPS_WORK/pg-source2.sums" "$OPS_WORK/pg-ctr.sums"
stop_server pg

section "no password in any output or manifest"
if grep -rqF -e "$PG_SECRET" -e "$REDIS_SECRET" "$LOG" "$SQ"/backups/*.json "$OPS_WORK"/pg-backups/*.json; then
    die "a password appears in an output or a manifest"
fi
note "$(wc -l <"$LOG") lines of output and the manifests: masked URLs only ($(jq -r .database.url "$PG_MANIFEST"))"

section "timings"
note "SQLite: backup $SQ_BACKUP_MS ms in all (database $(jq .database.duration_ms "$SQ_MANIFEST") ms, Redis $(jq .redis.duration_ms "$SQ_MANIFEST") ms: redis-cli --rdb waits for Redis's repl-diskless-sync-delay, 5 s by default), restore $SQ_RESTORE_MS ms, $(jq .database.size "$SQ_MANIFEST") bytes"
note "PostgreSQL: backup $PG_BACKUP_MS ms in all (pg_dump $(jq .database.duration_ms "$PG_MANIFEST") ms), restore $PG_RESTORE_MS ms, $(jq .database.size "$PG_MANIFEST") bytes"

printf '\nPASS test-backup (%s s)\n' "$(($(date +%s) - T0))"

#!/usr/bin/env bash
# scripts/deployment/deploy.sh: the local target deploys v1, upgrades to v2 and rolls back to
# v1 under a request loop with zero failed requests; a release that cannot start, and one
# that crashes while it serves beside the old one, are rolled back by themselves with the
# old release still serving; a release with a bad configuration changes nothing; production
# refuses a dirty checkout without --force; --dry-run prints the compose and k8s commands.
# Needs: the release binary (LLMCHAT_BIN), ss, curl, jq, git, python3. About 90 s.
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s)
need_binaries
need ss iproute2
need curl curl
need jq jq
need git git
need python3 python3
DEPLOY=$PWD/scripts/deployment/deploy.sh

# A clean checkout to deploy from (the working tree may be dirty while this test runs).
SRC=$OPS_WORK/src
mkdir -p "$SRC"
cp -r config "$SRC/config"
[[ ! -d k8s ]] || cp -r k8s "$SRC/k8s"
rm -f "$SRC"/config/secrets/*.env
git -C "$SRC" init -q
git -C "$SRC" add -A
git -C "$SRC" -c user.name=ops -c user.email=ops@localhost commit -qm "deploy test source"

ROOT=$OPS_WORK/deploy
PORT=$(free_port)
URL=http://127.0.0.1:$PORT
mkdir -p "$ROOT/shared"
# The request loop runs far above the default 1000 requests per minute per client.
cat >"$ROOT/shared/.env" <<EOF
PORT=$PORT
API_RATE_LIMIT=10000000
LOG_LEVEL=warn
LLMCHAT_SHUTDOWN_DRAIN=1s
EOF

# Whatever runs at the end is stopped: every pid file of both roots.
stop_all() {
    local f pid
    for f in "$OPS_WORK"/*/run/*.pid; do
        [[ -e $f ]] || continue
        pid=$(<"$f")
        kill -TERM "$pid" 2>/dev/null || true
    done
    for f in "$OPS_WORK"/*/run/*.pid; do
        [[ -e $f ]] || continue
        pid=$(<"$f")
        for _ in $(seq 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
        kill -KILL "$pid" 2>/dev/null || true
    done
}
on_exit stop_all

deploy() { "$DEPLOY" development --target local --source "$SRC" --root "$ROOT" --bin "$LLMCHAT_BIN" "$@"; }

current() { basename "$(readlink "$ROOT/current")"; }
previous() { basename "$(readlink "$ROOT/previous")"; }
pid_file() { cat "$ROOT/run/$1.pid"; }
# The pids listening on PORT.
listeners() { ss -Hltnp "sport = :$PORT" | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u | tr '\n' ' ' | sed 's/ $//'; }

# Exactly one process listens, it is the release's, and it runs in the release's directory.
assert_serving() {
    local version=$1 pid
    pid=$(pid_file "$version")
    [[ $(listeners) == "$pid" ]] || die "port $PORT: listeners '$(listeners)', expected only $version's pid $pid"
    [[ $(readlink "/proc/$pid/cwd") == "$(cd "$ROOT" && pwd -P)/releases/$version" ]] || die "pid $pid does not run in releases/$version"
    curl -fsS --max-time 3 "$URL/api/health/ready" >/dev/null || die "$URL/api/health/ready is not 200"
    note "$version serves alone on port $PORT (pid $pid)"
}

# A request loop: three workers open a new connection per request, two reuse keep-alive
# connections (retrying once on a fresh connection when the server closed an idle one, as
# HTTP clients do); one also runs demo chat completions (4 s each) so that requests are in
# flight when the old release stops. Requests: /api/health/live, /api/health, /api/version,
# /v1/models (API key).
cat >"$OPS_WORK/load.py" <<'PY'
import http.client, json, os, sys, threading, time
host, port, key, stop_file, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
paths = ["/api/health/live", "/api/health", "/api/version", "/v1/models"]
auth = {"Authorization": "Bearer " + key}
lock = threading.Lock()
stats = {"requests": 0, "failed": 0, "errors": {}, "stale_keepalive_retries": 0, "completions": 0}
def record(ok, err=None):
    with lock:
        stats["requests"] += 1
        if not ok:
            stats["failed"] += 1
            stats["errors"][err] = stats["errors"].get(err, 0) + 1
def get(conn, path):
    conn.request("GET", path, headers=auth)
    r = conn.getresponse(); r.read()
    return r
def fresh():
    n = 0
    while not os.path.exists(stop_file):
        path = paths[n % len(paths)]; n += 1
        try:
            c = http.client.HTTPConnection(host, port, timeout=15)
            r = get(c, path); c.close()
            record(r.status == 200, "new connection: HTTP %d %s" % (r.status, path))
        except Exception as e:
            record(False, "new connection: %s: %s" % (type(e).__name__, str(e)[:60]))
def keepalive():
    c = None; n = 0
    while not os.path.exists(stop_file):
        path = paths[n % len(paths)]; n += 1
        for attempt in (0, 1):
            reused = c is not None
            try:
                if c is None: c = http.client.HTTPConnection(host, port, timeout=15)
                r = get(c, path)
                if (r.getheader("connection") or "").lower() == "close": c.close(); c = None
                record(r.status == 200, "keep-alive: HTTP %d %s" % (r.status, path)); break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError) as e:
                if c: c.close()
                c = None
                if reused and attempt == 0:
                    with lock: stats["stale_keepalive_retries"] += 1
                    continue
                record(False, "keep-alive: " + type(e).__name__); break
            except Exception as e:
                if c: c.close()
                c = None
                record(False, "keep-alive: %s: %s" % (type(e).__name__, str(e)[:60])); break
def completions():
    body = json.dumps({"model": "demo", "messages": [{"role": "user", "content": "hello"}]})
    while not os.path.exists(stop_file):
        try:
            c = http.client.HTTPConnection(host, port, timeout=30)
            c.request("POST", "/v1/chat/completions", body, dict(auth, **{"Content-Type": "application/json"}))
            r = c.getresponse(); data = r.read(); c.close()
            ok = r.status == 200 and b"Demo reply" in data
            record(ok, "completion HTTP %d" % r.status)
            with lock: stats["completions"] += ok
        except Exception as e:
            record(False, "completion %s: %s" % (type(e).__name__, str(e)[:60]))
threads = [threading.Thread(target=f) for f in (fresh, fresh, fresh, keepalive, keepalive, completions)]
t0 = time.time()
for t in threads: t.start()
for t in threads: t.join()
stats["seconds"] = round(time.time() - t0, 1)
json.dump(stats, open(out, "w"))
PY

# The kernel's count of connections closed with unread data (TcpExtTCPAbortOnClose): when
# requests fail with a reset, it tells whether the server closed them unread.
abort_on_close() { nstat -az TcpExtTCPAbortOnClose 2>/dev/null | awk '/TcpExtTCPAbortOnClose/ { print $2 }' || echo 0; }

LOAD_PID=""
load_start() {
    ABORTS_BEFORE=$(abort_on_close)
    rm -f "$OPS_WORK/load.stop" "$OPS_WORK/load.json"
    python3 "$OPS_WORK/load.py" 127.0.0.1 "$PORT" "$API_KEY" "$OPS_WORK/load.stop" "$OPS_WORK/load.json" &
    LOAD_PID=$!
    sleep 1
}
# load_stop PHASE: stops the loop, prints its figures; LOAD_FAILED, LOAD_REQUESTS.
load_stop() {
    sleep 1
    touch "$OPS_WORK/load.stop"
    wait "$LOAD_PID" || die "the request loop failed"
    LOAD_PID=""
    LOAD_REQUESTS=$(jq .requests "$OPS_WORK/load.json")
    LOAD_FAILED=$(jq .failed "$OPS_WORK/load.json")
    LOAD_ABORTS=$(($(abort_on_close) - ABORTS_BEFORE))
    note "$1: $LOAD_REQUESTS requests ($(jq .completions "$OPS_WORK/load.json") chat completions) in $(jq .seconds "$OPS_WORK/load.json") s, $LOAD_FAILED failed, $(jq .stale_keepalive_retries "$OPS_WORK/load.json") idle keep-alive connection(s) closed by the old release and retried$(jq -r 'if .failed > 0 then ": " + (.errors | tostring) else "" end' "$OPS_WORK/load.json")"
}
load_abort() {
    touch "$OPS_WORK/load.stop"
    [[ -z $LOAD_PID ]] || wait "$LOAD_PID" 2>/dev/null || true
}
on_exit load_abort
unread_hint() {
    ((LOAD_ABORTS > 0)) || return 0
    printf ' (the kernel counted %s connection(s) closed with unread data, TcpExtTCPAbortOnClose: the old server shut down connections it had accepted without reading their request: at the end of the drain, graceful shutdown closes connections hyper has not started reading; the server must stop accepting first and give those their first request)' "$LOAD_ABORTS"
}

section "usage"
rc=0
"$DEPLOY" --help | grep -q '^Exit codes:' || die "--help lacks the exit codes"
"$DEPLOY" nowhere >/dev/null 2>&1 || rc=$?
((rc == 64)) || die "an unknown environment: exit $rc, expected 64"
note "--help documents the exit codes; a bad environment exits 64"

section "first deploy: v1"
deploy --version v1 >"$OPS_WORK/v1.out" 2>&1 || { cat "$OPS_WORK/v1.out"; die "deploying v1 failed"; }
[[ $(current) == v1 ]] || die "current is $(current), expected v1"
assert_serving v1
[[ -f $ROOT/releases/v1/llmchat && -L $ROOT/releases/v1/.env && -L $ROOT/releases/v1/data ]] ||
    die "releases/v1 lacks its binary or its .env/data links"
[[ $(jq -r .release "$ROOT/releases/v1/RELEASE") == v1 ]] || die "releases/v1/RELEASE does not name v1"

# Data through the API: a user, an API key for the request loop.
curl -fsS -o "$OPS_WORK/user.json" -H 'Content-Type: application/json' \
    -d '{"username":"deployer","password":"correct horse battery staple"}' "$URL/api/auth/register"
TOKEN=$(jq -r .access_token "$OPS_WORK/user.json")
API_KEY=$(curl -fsS -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
    -d '{"name":"load"}' "$URL/api/keys" | jq -r .key)
[[ $API_KEY == sk-llmc-* ]] || die "no API key"

section "upgrade v1 -> v2 (--backup) under the request loop"
V1_PID=$(pid_file v1)
load_start
t=$(date +%s%N)
deploy --version v2 --backup >"$OPS_WORK/v2.out" 2>&1 || { cat "$OPS_WORK/v2.out"; die "deploying v2 failed"; }
UPGRADE_MS=$((($(date +%s%N) - t) / 1000000))
load_stop "upgrade"
((LOAD_FAILED == 0)) || die "$LOAD_FAILED request(s) failed during the upgrade$(unread_hint)"
((LOAD_REQUESTS > 100)) || die "only $LOAD_REQUESTS requests ran: the loop did not load the server"
[[ $(current) == v2 && $(previous) == v1 ]] || die "current/previous are $(current)/$(previous), expected v2/v1"
! kill -0 "$V1_PID" 2>/dev/null || die "v1 (pid $V1_PID) still runs after the upgrade"
assert_serving v2
grep -q 'stopping v1' "$OPS_WORK/v2.out" || die "deploy.sh did not say it stopped v1"
note "deploy.sh took $UPGRADE_MS ms (5 s of it the soak beside v1)"
# An upgrade beside a running release sets the sysctl that moves queued connections (as root).
if ((EUID == 0)); then
    [[ $(sysctl -n net.ipv4.tcp_migrate_req) == 1 ]] || die "net.ipv4.tcp_migrate_req is not 1 after an upgrade as root"
    grep -q 'tcp_migrate_req = 1' "$OPS_WORK/v2.out" || die "deploy.sh did not say it set net.ipv4.tcp_migrate_req"
    note "net.ipv4.tcp_migrate_req = 1 (deploy.sh: $(grep -o '[a-z ]*net.ipv4.tcp_migrate_req = 1[^:]*' "$OPS_WORK/v2.out" | head -n 1))"
fi
MANIFEST=$(find "$ROOT/backups" -name 'llmchat-development-*.manifest.json' | head -n 1)
[[ -n $MANIFEST ]] || die "--backup left no backup in $ROOT/backups"
jq -e '.database.backend == "sqlite" and .database.size > 0' "$MANIFEST" >/dev/null || die "the --backup manifest is incomplete"
note "--backup: $(basename "$MANIFEST") ($(jq .database.size "$MANIFEST") bytes, taken from v1 before v2's migrations)"
# The data and the key survived (same shared database).
curl -fsS -o /dev/null -H "Authorization: Bearer $API_KEY" "$URL/v1/models" || die "the API key no longer works on v2"

section "redeploying the current release: a no-op, or a restart with --force"
V2_PID=$(pid_file v2)
deploy --version v2 >"$OPS_WORK/v2-again.out" 2>&1 || { cat "$OPS_WORK/v2-again.out"; die "redeploying v2 failed"; }
grep -q 'nothing to do' "$OPS_WORK/v2-again.out" || die "redeploying v2 did something"
[[ $(pid_file v2) == "$V2_PID" ]] || die "redeploying v2 restarted it"
note "v2 again: nothing to do, same pid"
deploy --version v2 --force >"$OPS_WORK/v2-force.out" 2>&1 || { cat "$OPS_WORK/v2-force.out"; die "restarting v2 with --force failed"; }
[[ $(pid_file v2) != "$V2_PID" ]] || die "--force did not restart v2"
! kill -0 "$V2_PID" 2>/dev/null || die "the old v2 process (pid $V2_PID) still runs after --force"
assert_serving v2
[[ $(previous) == v1 ]] || die "restarting v2 changed previous to $(previous)"
V2_PID=$(pid_file v2)
note "v2 --force: restarted the same way (new pid $V2_PID beside the old one, then the old one stopped)"

section "--rollback to v1 under the request loop"
load_start
deploy --rollback >"$OPS_WORK/rollback.out" 2>&1 || { cat "$OPS_WORK/rollback.out"; die "--rollback failed"; }
load_stop "rollback"
((LOAD_FAILED == 0)) || die "$LOAD_FAILED request(s) failed during the rollback$(unread_hint)"
[[ $(current) == v1 && $(previous) == v2 ]] || die "current/previous are $(current)/$(previous), expected v1/v2"
! kill -0 "$V2_PID" 2>/dev/null || die "v2 still runs after the rollback"
assert_serving v1

section "a release that cannot start (serve exits 2) is rolled back by itself"
V1_PID=$(pid_file v1)
cat >"$OPS_WORK/broken-llmchat" <<EOF
#!/bin/sh
# A release whose server refuses to start, as a bad setting makes it (exit 2).
case "\${1:-serve}" in
    serve) echo "broken release: refusing to start" >&2; exit 2 ;;
    *) exec "$LLMCHAT_BIN" "\$@" ;;
esac
EOF
chmod +x "$OPS_WORK/broken-llmchat"
load_start
rc=0
"$DEPLOY" development --target local --source "$SRC" --root "$ROOT" --bin "$OPS_WORK/broken-llmchat" \
    --version v3-broken >"$OPS_WORK/broken.out" 2>&1 || rc=$?
load_stop "broken release"
((rc == 2)) || { cat "$OPS_WORK/broken.out"; die "a release that cannot start: exit $rc, expected 2"; }
grep -q 'exited (code 2) before it was ready' "$OPS_WORK/broken.out" || die "deploy.sh did not explain the failure"
grep -q 'refusing to start' "$OPS_WORK/broken.out" || die "deploy.sh did not show the release's log"
((LOAD_FAILED == 0)) || die "$LOAD_FAILED request(s) failed while the broken release was tried"
[[ $(current) == v1 && $(pid_file v1) == "$V1_PID" ]] || die "v1 is no longer current and running"
assert_serving v1

section "a release that crashes during the soak is rolled back by itself"
cat >"$OPS_WORK/crashing-llmchat" <<EOF
#!/bin/bash
# Starts and becomes ready, then dies 3 s later (SIGKILL): inside the 5 s soak.
if [[ \${1:-serve} == serve ]]; then
    (sleep 3; kill -9 \$\$) &
    exec "$LLMCHAT_BIN" serve
fi
exec "$LLMCHAT_BIN" "\$@"
EOF
chmod +x "$OPS_WORK/crashing-llmchat"
load_start
rc=0
"$DEPLOY" development --target local --source "$SRC" --root "$ROOT" --bin "$OPS_WORK/crashing-llmchat" \
    --version v4-crashing >"$OPS_WORK/crashing.out" 2>&1 || rc=$?
load_stop "release crashing beside v1 (requests it held when killed fail)"
((rc == 2)) || { cat "$OPS_WORK/crashing.out"; die "a crashing release: exit $rc, expected 2"; }
grep -q 'during the 5s soak' "$OPS_WORK/crashing.out" || { cat "$OPS_WORK/crashing.out"; die "deploy.sh did not say the release died in the soak"; }
[[ $(current) == v1 && $(pid_file v1) == "$V1_PID" ]] || die "v1 is no longer current and running"
assert_serving v1

section "a release with an invalid configuration changes nothing"
cp -r "$SRC/config" "$OPS_WORK/bad-config"
printf 'server:\n  no_such_setting: 1\n' >>"$OPS_WORK/bad-config/environments/development.yml"
rc=0
deploy --version v5-badconfig --config-dir "$OPS_WORK/bad-config" >"$OPS_WORK/badconfig.out" 2>&1 || rc=$?
((rc == 1)) || { cat "$OPS_WORK/badconfig.out"; die "an invalid configuration: exit $rc, expected 1"; }
grep -q 'configuration is invalid' "$OPS_WORK/badconfig.out" || die "deploy.sh did not name the configuration"
grep -q 'no_such_setting' "$OPS_WORK/badconfig.out" || die "deploy.sh did not show the server's complaint"
[[ $(current) == v1 && $(pid_file v1) == "$V1_PID" ]] || die "v1 is no longer current and running"
note "exit 1, the server's complaint shown, v1 untouched"

section "--status and deploy.log"
deploy --status >"$OPS_WORK/status.out" 2>&1 || true
grep -q "current:  v1 (running, pid $V1_PID)" "$OPS_WORK/status.out" || { cat "$OPS_WORK/status.out"; die "--status does not show v1 running"; }
for what in "deploy v1" "deploy v2" "rollback v2->v1" "failed v3-broken" "failed v4-crashing"; do
    grep -q "development $what" "$ROOT/deploy.log" || die "deploy.log lacks '$what'"
done
note "$(wc -l <"$ROOT/deploy.log") lines in deploy.log"

section "production: a dirty checkout is refused without --force"
PROOT=$OPS_WORK/prod
PPORT=$(free_port $((PORT + 1)))
mkdir -p "$PROOT/shared"
cat >"$PROOT/shared/.env" <<EOF
PORT=$PPORT
JWT_SECRET=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
LLMCHAT_ENCRYPTION_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n')
EOF
pdeploy() { "$DEPLOY" production --target local --source "$SRC" --root "$PROOT" --bin "$LLMCHAT_BIN" "$@"; }
pdeploy --version p1 >"$OPS_WORK/p1.out" 2>&1 || { cat "$OPS_WORK/p1.out"; die "a clean production deploy failed"; }
P1_PID=$(cat "$PROOT/run/p1.pid")
echo "uncommitted" >"$SRC/dirty.txt"
rc=0
pdeploy --version p2 >"$OPS_WORK/p2.out" 2>&1 || rc=$?
((rc == 3)) || { cat "$OPS_WORK/p2.out"; die "production with a dirty checkout: exit $rc, expected 3"; }
grep -q 'uncommitted or untracked' "$OPS_WORK/p2.out" || die "the refusal does not name the dirty checkout"
[[ $(basename "$(readlink "$PROOT/current")") == p1 && $(cat "$PROOT/run/p1.pid") == "$P1_PID" ]] || die "the refused deploy changed something"
note "refused (exit 3): $(grep 'check failed' "$OPS_WORK/p2.out" | head -n 1)"
pdeploy --version p2 --force >"$OPS_WORK/p2f.out" 2>&1 || { cat "$OPS_WORK/p2f.out"; die "production --force failed"; }
[[ $(basename "$(readlink "$PROOT/current")") == p2 ]] || die "--force did not deploy p2"
note "--force: p2 deployed (with the warning: $(grep -c 'check failed' "$OPS_WORK/p2f.out") failed check)"
P2_PID=$(cat "$PROOT/run/p2.pid")
pdeploy --stop >/dev/null 2>&1 || die "--stop failed"
! kill -0 "$P2_PID" 2>/dev/null || die "--stop left p2 running"
rm -f "$SRC/dirty.txt"

section "--dry-run: compose"
export COMPOSE_CMD=docker-compose
"$DEPLOY" staging --target compose --source "$SRC" --version 1.2.3 --dry-run >"$OPS_WORK/compose.out" 2>"$OPS_WORK/compose.err" ||
    { cat "$OPS_WORK/compose.out" "$OPS_WORK/compose.err"; die "compose --dry-run failed"; }
for cmd in \
    "docker-compose -f $SRC/docker-compose.yml config -q" \
    "docker-compose -f $SRC/docker-compose.yml build backend" \
    "docker tag llmchat:latest llmchat:1.2.3" \
    "docker-compose -f $SRC/docker-compose.yml up -d --no-deps --build backend"; do
    grep -qxF "+ $cmd" "$OPS_WORK/compose.out" || { cat "$OPS_WORK/compose.out"; die "compose --dry-run does not print: $cmd"; }
done
"$DEPLOY" staging --target compose --source "$SRC" --rollback --dry-run >"$OPS_WORK/compose-rb.out" 2>&1 ||
    { cat "$OPS_WORK/compose-rb.out"; die "compose --rollback --dry-run failed"; }
grep -qxF "+ docker tag llmchat:previous llmchat:latest" "$OPS_WORK/compose-rb.out" || die "compose --rollback does not re-tag llmchat:previous"
note "compose: $(grep -c '^+ ' "$OPS_WORK/compose.out") commands printed, e.g. $(grep -- '--no-deps --build' "$OPS_WORK/compose.out")"

section "--dry-run: k8s"
# kubectl (for kustomize) from the tests' virtualenv: the dry run renders for real.
PATH=$(ops_venv)/bin:$PATH
"$DEPLOY" staging --target k8s --source "$SRC" --version 1.2.3 --dry-run --timeout 120 >"$OPS_WORK/k8s.out" 2>"$OPS_WORK/k8s.err" ||
    { cat "$OPS_WORK/k8s.out" "$OPS_WORK/k8s.err"; die "k8s --dry-run failed"; }
cmd="kubectl --context staging rollout status deployment/llmchat-backend -n llmchat --timeout=120s"
grep -qxF "+ $cmd" "$OPS_WORK/k8s.out" || { cat "$OPS_WORK/k8s.out"; die "k8s --dry-run does not print: $cmd"; }
grep -qE '^\+ kubectl --context staging apply -k /.*/release$' "$OPS_WORK/k8s.out" || { cat "$OPS_WORK/k8s.out"; die "k8s --dry-run does not apply the release kustomization"; }
if have kubectl; then
    grep -q 'rendered images: .*llmchat:1.2.3' "$OPS_WORK/k8s.err" || { cat "$OPS_WORK/k8s.err"; die "the release kustomization does not render image llmchat:1.2.3"; }
    note "$(grep -o 'rendered images: .*' "$OPS_WORK/k8s.err") (one apply: the version is in the manifests)"
fi
"$DEPLOY" staging --target k8s --source "$SRC" --rollback --dry-run >"$OPS_WORK/k8s-rb.out" 2>&1 || { cat "$OPS_WORK/k8s-rb.out"; die "k8s --rollback --dry-run failed"; }
if [[ -d $SRC/k8s/overlays/staging ]] && have kubectl; then
    grep -q 'kubectl kustomize k8s/overlays/staging: [0-9]* objects' "$OPS_WORK/k8s.err" || { cat "$OPS_WORK/k8s.err"; die "the staging overlay was not rendered"; }
    note "$(grep -o 'kubectl kustomize k8s/overlays/staging: [0-9]* objects' "$OPS_WORK/k8s.err") (rendered for real in the dry run)"
fi
grep -qxF "+ kubectl --context staging rollout undo deployment/llmchat-backend -n llmchat" "$OPS_WORK/k8s-rb.out" ||
    { cat "$OPS_WORK/k8s-rb.out"; die "k8s --rollback does not print rollout undo"; }
# Production: the current service (the placeholder URL of config/deployment.yml) does not
# answer here, so the health check fails and production refuses without --force.
rc=0
"$DEPLOY" production --target k8s --source "$SRC" --dry-run >"$OPS_WORK/k8s-prod.out" 2>&1 || rc=$?
((rc == 3)) || { cat "$OPS_WORK/k8s-prod.out"; die "k8s production with a failing health check: exit $rc, expected 3"; }
note "k8s: $(grep -c '^+ ' "$OPS_WORK/k8s.out") commands printed; production with the current service unreachable: refused (exit 3)"

printf '\nPASS test-deploy (%s s)\n' "$(($(date +%s) - T0))"

#!/usr/bin/env bash
# Runs docker-compose.yml as the guide does (`docker-compose up -d`, `ps`, `logs -f backend`,
# `down`, on podman through its Docker API socket) with the image of tests/ops/test-image.sh
# and stand-ins for postgres:15, redis:7-alpine, Prometheus and Alertmanager, and checks:
#   - without JWT_SECRET / POSTGRES_PASSWORD / REDIS_PASSWORD compose refuses, naming them;
#   - the stack becomes healthy in dependency order; the backend reports PostgreSQL and Redis
#     ok, serves on 3001 and on 3000 (the guide's front-end port), and a real chat works for
#     the admin created with `docker exec -i llmchat-production llmchat user create`;
#   - the guide's troubleshooting commands work: `docker exec postgres pg_isready`,
#     `docker exec redis redis-cli ping` (authenticated through REDISCLI_AUTH),
#     `docker exec llmchat-production llmchat health`, `docker-compose logs backend` (JSON);
#   - `docker-compose down` then `up -d` keeps the data (named volumes);
#   - the monitoring profile: Prometheus scrapes the backend with the bearer token (up == 1),
#     loads the alert rules and reaches Alertmanager (Grafana has no stand-in here: its
#     configuration is checked by test-monitoring.sh);
#   - scripts/deployment/deploy.sh development --target compose builds and rolls out a release
#     on the running stack (migrate, recreate, health) and --rollback brings the old image back;
#   - `docker-compose stop backend` ends with exit code 0.
#
# Usage: bash tests/ops/test-compose.sh [--help]
# Environment: LLMCHAT_IMAGE (default localhost/llmchat:ci).
# Needs: root, podman, docker-compose (Debian's 1.29), the docker client, debootstrap.
# Exit codes: 0 passed, 1 a check failed, 2 the image is missing.
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=tests/ops/podman.sh
source tests/ops/podman.sh
# shellcheck source=tests/ops/standins.sh
source tests/ops/standins.sh

case ${1:-} in
    -h | --help) sed -n '2,/^# Exit codes/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    "") ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
esac

T0=$SECONDS
podman_setup
need docker-compose docker-compose
need docker docker.io
image=${LLMCHAT_IMAGE:-localhost/llmchat:ci}
podman image exists "$image" || { echo "image $image not found: run tests/ops/test-image.sh first or set LLMCHAT_IMAGE" >&2; exit 2; }
t=$SECONDS
standin_postgres
standin_redis
standin_prometheus
standin_alertmanager
note "stand-ins ready in $((SECONDS - t)) s"
health_driver_start

# The metrics token file for Prometheus, outside the checkout (METRICS_TOKEN_FILE).
metrics_token=ci-metrics-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
export METRICS_TOKEN_FILE=$OPS_WORK/metrics_token
printf '%s\n' "$metrics_token" >"$METRICS_TOKEN_FILE"
chmod 644 "$METRICS_TOKEN_FILE"
# The stack runs its own tag of the image, which deploy.sh replaces below.
export BACKEND_IMAGE=localhost/llmchat-compose:latest
docker tag "$image" "$BACKEND_IMAGE"
on_exit "docker rmi -f $BACKEND_IMAGE localhost/llmchat-compose:previous localhost/llmchat-compose:v9.8.7-ci >/dev/null 2>&1"
proj=$PWD
export COMPOSE_PROJECT_NAME=llmchatci$$
compose() { docker-compose -f "$proj/docker-compose.yml" "$@"; }

section "required secrets"
rc=0
out=$(env -u JWT_SECRET -u POSTGRES_PASSWORD -u REDIS_PASSWORD docker-compose -f "$proj/docker-compose.yml" config -q 2>&1) || rc=$?
((rc != 0)) || die "docker-compose config accepted a stack without secrets"
grep -qE 'JWT_SECRET|POSTGRES_PASSWORD|REDIS_PASSWORD' <<<"$out" || { echo "$out" >&2; die "the refusal names no secret"; }
note "refused: $(grep -m1 -oE 'set (JWT_SECRET|POSTGRES_PASSWORD|REDIS_PASSWORD) \([^)]*\)' <<<"$out" | head -n 1)"

random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }
JWT_SECRET=ci-compose-jwt-secret-$(random_hex 16)
POSTGRES_PASSWORD=ci-pg-$(random_hex 8)
REDIS_PASSWORD=ci-redis-$(random_hex 8)
export JWT_SECRET POSTGRES_PASSWORD REDIS_PASSWORD
export METRICS_TOKEN=$metrics_token
# Every request at info (production would log at warn): the logs check below reads them.
export LOG_LEVEL=info
export POSTGRES_IMAGE=$STANDIN_POSTGRES REDIS_IMAGE=$STANDIN_REDIS
export PROMETHEUS_IMAGE=$STANDIN_PROMETHEUS ALERTMANAGER_IMAGE=$STANDIN_ALERTMANAGER
BACKEND_PORT=$(free_port "$((20000 + RANDOM % 10000))")
FRONTEND_PORT=$(free_port $((BACKEND_PORT + 1)))
PROMETHEUS_PORT=$(free_port $((FRONTEND_PORT + 1)))
ALERTMANAGER_PORT=$(free_port $((PROMETHEUS_PORT + 1)))
export BACKEND_PORT FRONTEND_PORT PROMETHEUS_PORT ALERTMANAGER_PORT
compose config -q || die "docker-compose config rejected the file"
compose --profile monitoring config -q || die "docker-compose config rejected the monitoring profile"
note "docker-compose config: valid (default and monitoring profiles)"
on_exit "docker-compose -f '$proj/docker-compose.yml' --profile monitoring down -v -t 10 >/dev/null 2>&1"

section "docker-compose up -d"
# The guide's container names are fixed (container_name): another stack must not hold them.
taken=$(docker ps -a --format '{{.Names}}' | grep -xE 'llmchat-production|postgres|redis|prometheus|alertmanager|grafana' || true)
[[ -z $taken ]] || die "container names in use by another stack: $(echo "$taken" | tr '\n' ' ')(docker-compose down there first)"
t=$(date +%s.%N)
compose up -d >"$OPS_WORK/up.log" 2>&1 || { cat "$OPS_WORK/up.log" >&2; die "docker-compose up -d failed"; }
status() {
    local out
    out=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1" 2>/dev/null) || out=missing
    echo "${out:-missing}"
}
for ((i = 0; i < 240; i++)); do
    [[ $(status llmchat-production) == healthy ]] && break
    sleep 0.5
done
[[ $(status llmchat-production) == healthy ]] ||
    { compose ps >&2; compose logs --tail 20 >&2; die "the backend is not healthy after 120 s ($(status llmchat-production))"; }
up_s=$(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t }")
for c in postgres redis; do [[ $(status $c) == healthy ]] || die "$c is $(status $c)"; done
compose ps >"$OPS_WORK/ps.txt"
grep -q 'llmchat-production' "$OPS_WORK/ps.txt" || { cat "$OPS_WORK/ps.txt" >&2; die "docker-compose ps does not list the backend"; }
note "postgres, redis and backend healthy ${up_s} s after docker-compose up -d"

section "the backend on PostgreSQL and Redis, on ports 3001 and 3000"
base=http://127.0.0.1:$BACKEND_PORT
auth=(-H "Authorization: Bearer $METRICS_TOKEN")
health=$(curl -fsS "${auth[@]}" "$base/api/health")
database=$(curl -fsS "${auth[@]}" "$base/api/health/database")
python3 - "$health" "$database" <<'PY2' || die "/api/health: $health; /api/health/database: $database"
import json, sys
h, d = json.loads(sys.argv[1]), json.loads(sys.argv[2])
assert h["status"] == "ok", h
assert h["environment"] == "production", h
c = h["components"]
assert c["database"]["status"] == "ok" and c["redis"]["status"] == "ok", c
assert d["backend"] == "postgres", d
PY2
curl -fsS "$base/api/health" | grep -q '"components"' && die "/api/health shows its components without the METRICS_TOKEN"
for secret in "$POSTGRES_PASSWORD" "$REDIS_PASSWORD" "$JWT_SECRET"; do
    if curl -fsS "${auth[@]}" "$base/api/health" "$base/api/health/database" | grep -qF "$secret"; then die "a health endpoint shows a password"; fi
done
note "/api/health (with the METRICS_TOKEN): ok, production, database (PostgreSQL) ok, redis ok; no secret in it; components hidden without the token"
curl -fsS "http://127.0.0.1:$FRONTEND_PORT/" | grep -qi '<!doctype html>' || die "port 3000 ($FRONTEND_PORT) does not serve the UI"
note "the UI answers on the front-end port too ($FRONTEND_PORT -> 3001)"
admin_password="compose test passphrase 7"
printf '%s\n' "$admin_password" | docker exec -i llmchat-production llmchat user create admin --admin >/dev/null ||
    die "docker exec -i llmchat-production llmchat user create admin --admin failed"
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "no chat"
rows=$(docker exec postgres psql -U postgres -d llmchat -Atc 'SELECT count(*) FROM messages') || die "psql in the postgres container failed"
((rows >= 2)) || die "PostgreSQL holds $rows messages, expected the question and the answer"
note "admin created with llmchat user create; the chat is stored in PostgreSQL ($rows messages)"

section "the guide's troubleshooting commands"
docker exec postgres pg_isready | sed 's/^/    /' || die "docker exec postgres pg_isready failed"
[[ $(docker exec redis redis-cli ping) == PONG ]] || die "docker exec redis redis-cli ping did not answer PONG"
note "docker exec redis redis-cli ping: PONG"
docker exec llmchat-production llmchat health >/dev/null || die "docker exec llmchat-production llmchat health failed"
note "docker exec llmchat-production llmchat health: exit 0"
docker exec llmchat-production env | grep -qE '^(DATABASE_URL|REDIS_URL)=' || die "docker exec llmchat-production env shows no DATABASE_URL/REDIS_URL"
compose logs --no-color backend >"$OPS_WORK/backend.log" 2>&1 || true
grep -q '"level":"INFO"' "$OPS_WORK/backend.log" || { tail -n 5 "$OPS_WORK/backend.log" >&2; die "docker-compose logs backend shows no JSON log line"; }
note "docker-compose logs backend: JSON lines"

section "down and up again keeps the data"
compose down -t 60 >"$OPS_WORK/down.log" 2>&1 || { cat "$OPS_WORK/down.log" >&2; die "docker-compose down failed"; }
for ((i = 0; i < 40; i++)); do [[ $(status llmchat-production) == missing ]] && break; sleep 0.25; done
[[ $(status llmchat-production) == missing ]] || die "docker-compose down left the backend ($(status llmchat-production))"
compose up -d >"$OPS_WORK/up2.log" 2>&1 || { cat "$OPS_WORK/up2.log" >&2; die "the second docker-compose up -d failed"; }
for ((i = 0; i < 240; i++)); do [[ $(status llmchat-production) == healthy ]] && break; sleep 0.5; done
[[ $(status llmchat-production) == healthy ]] || die "not healthy after the restart"
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "the admin is gone after down/up"
note "the admin signs in and chats after down/up (volumes kept)"

section "monitoring profile: Prometheus scrapes the backend, rules loaded, Alertmanager reached"
compose --profile monitoring up -d prometheus alertmanager >"$OPS_WORK/mon.log" 2>&1 ||
    { cat "$OPS_WORK/mon.log" >&2; die "docker-compose --profile monitoring up -d prometheus alertmanager failed"; }
prom=http://127.0.0.1:$PROMETHEUS_PORT
for ((i = 0; i < 120; i++)); do curl -fsS -o /dev/null --max-time 2 "$prom/-/ready" 2>/dev/null && break; sleep 0.5; done
curl -fsS -o /dev/null "$prom/-/ready" || { compose logs --no-color prometheus 2>&1 | tail -n 15 >&2; die "Prometheus is not ready after 60 s"; }
up=''
for ((i = 0; i < 90; i++)); do
    up=$(curl -fsS "$prom/api/v1/query" --data-urlencode 'query=up{job="llmchat"}' |
        python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")' 2>/dev/null || true)
    [[ $up == 1 ]] && break
    sleep 1
done
[[ $up == 1 ]] || { curl -fsS "$prom/api/v1/targets" >&2 || true; die "up{job=\"llmchat\"} is '$up' after 90 s"; }
rules=$(curl -fsS "$prom/api/v1/rules" | python3 -c 'import json,sys; print(sum(len(g["rules"]) for g in json.load(sys.stdin)["data"]["groups"]))')
((rules >= 10)) || die "Prometheus loaded $rules alert rules"
ams=''
for ((i = 0; i < 30; i++)); do
    ams=$(curl -fsS "$prom/api/v1/alertmanagers" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]["activeAlertmanagers"]))' 2>/dev/null || true)
    [[ $ams == 1 ]] && break
    sleep 1
done
[[ $ams == 1 ]] || die "Prometheus has no active Alertmanager"
wait_http "http://127.0.0.1:$ALERTMANAGER_PORT/-/ready" 30
note "up{job=\"llmchat\"} = 1 (bearer token file), $rules alert rules loaded, Alertmanager active and ready"

section "deploy.sh development --target compose, then --rollback, on the running stack"
# The same sources, version and base images as test-image.sh's build: compose's build reuses
# its layers (only the runtime stage's labels differ), so the release is a new image quickly.
export NODE_IMAGE=$STANDIN_NODE RUST_IMAGE=$STANDIN_RUST RUNTIME_IMAGE=$STANDIN_DEBIAN
export LLMCHAT_URL=$base COMPOSE_CMD=docker-compose
before=$(docker inspect llmchat-production --format '{{.Image}}')
t=$SECONDS
scripts/deployment/deploy.sh development --target compose --version v9.8.7-ci --timeout 120 >"$OPS_WORK/deploy.log" 2>&1 ||
    { tail -n 40 "$OPS_WORK/deploy.log" >&2; die "deploy.sh development --target compose failed"; }
after=$(docker inspect llmchat-production --format '{{.Image}}')
[[ $after != "$before" ]] || die "deploy.sh did not replace the backend's image"
curl -fsS "$base/api/version" | grep -q '"environment":"development"' ||
    die "after deploy.sh development the backend does not run LLMCHAT_ENV=development"
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "no chat after the deploy"
note "deployed in $((SECONDS - t)) s: new image ${after:0:12} (was ${before:0:12}), LLMCHAT_ENV=development, data kept"
t=$SECONDS
scripts/deployment/deploy.sh development --target compose --rollback --timeout 120 >"$OPS_WORK/rollback.log" 2>&1 ||
    { tail -n 40 "$OPS_WORK/rollback.log" >&2; die "deploy.sh --rollback failed"; }
[[ $(docker inspect llmchat-production --format '{{.Image}}') == "$before" ]] || die "--rollback did not bring back image ${before:0:12}"
python3 tests/ops/chat_check.py "$base" admin "$admin_password" | sed 's/^/    /' || die "no chat after the rollback"
note "rolled back in $((SECONDS - t)) s: image ${before:0:12} serves again"

section "docker-compose stop backend: exit 0"
t=$(date +%s.%N)
compose stop -t 60 backend >/dev/null 2>&1 || die "docker-compose stop backend failed"
code=$(docker inspect llmchat-production --format '{{.State.ExitCode}}')
[[ $code == 0 ]] || die "the backend exited with $code"
note "exit 0 after $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t }") s"

section "docker-compose down: the stack comes down clean, the data stays"
compose --profile monitoring down -t 60 >"$OPS_WORK/down-final.log" 2>&1 ||
    { cat "$OPS_WORK/down-final.log" >&2; die "docker-compose --profile monitoring down failed"; }
left=$(docker ps -a --format '{{.Names}}' | grep -xE 'llmchat-production|postgres|redis|prometheus|alertmanager' || true)
[[ -z $left ]] || die "containers left after down: $left"
docker volume ls --format '{{.Name}}' | grep -q "^${COMPOSE_PROJECT_NAME}_postgres_data\$" || die "down removed the postgres volume"
note "no container left; the named volumes remain (down -v would remove them)"

printf '\nPASS test-compose (%s s; stack healthy %s s after up)\n' "$((SECONDS - T0))" "$up_s"

#!/usr/bin/env bash
# scripts/monitoring/health-check.sh against real llmchat processes: healthy (exit 0),
# degraded (Redis down, wrong environment, metrics token missing: exit 1), down (not ready,
# stopped: exit 2), usage errors (64); every JSON output validated against
# scripts/monitoring/health-check.schema.json; --watch; secrets never printed.
# Needs: the release binary (LLMCHAT_BIN), curl, jq, Redis on 127.0.0.1:6379 (for the "Redis
# up" case; skipped when absent), the ops virtualenv (check-jsonschema). About 20 s.
# shellcheck disable=SC2119 # free_port's argument is optional
set -euo pipefail
# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

T0=$(date +%s)
need_binaries
need curl curl
need jq jq
REPO=$PWD
HC=$PWD/scripts/monitoring/health-check.sh
SCHEMA=$PWD/scripts/monitoring/health-check.schema.json
VENV=$(ops_venv)
CHECK_JSONSCHEMA=$VENV/bin/check-jsonschema
[[ -x $CHECK_JSONSCHEMA ]] || die "check-jsonschema missing from $VENV (tests/ops/requirements.txt)"

section "the schema is valid JSON Schema 2020-12"
"$CHECK_JSONSCHEMA" --check-metaschema "$SCHEMA" >/dev/null || die "$SCHEMA is not a valid schema"
note "check-jsonschema --check-metaschema: ok"

# start_server NAME [VAR=VALUE...]: a development llmchat on a free port with its own SQLite
# database; sets URL_<NAME> and records the pid for the cleanup.
declare -A PIDS
start_server() {
    local name=$1 port dir
    shift
    port=$(free_port)
    dir=$OPS_WORK/$name
    mkdir -p "$dir"
    (cd "$dir" && exec env -i PATH="$PATH" HOME="$HOME" LLMCHAT_ENV=development PORT="$port" \
        LLMCHAT_CONFIG_DIR="$REPO/config" AGENTS_CONFIG="$REPO/config/agents.yaml" \
        LLMCHAT_DATA_DIR="$dir/data" LOG_LEVEL=warn "$@" "$LLMCHAT_BIN" serve >"$dir/log" 2>&1) &
    PIDS[$name]=$!
    printf -v "URL_$name" 'http://127.0.0.1:%s' "$port"
    local i
    for ((i = 0; i < 60; i++)); do
        curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/api/health/live" 2>/dev/null && return 0
        kill -0 "${PIDS[$name]}" 2>/dev/null || { cat "$dir/log"; die "server $name exited"; }
        sleep 0.25
    done
    die "server $name did not answer within 15 s"
}
stop_servers() {
    local p
    for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
    for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
}
on_exit stop_servers

# hc EXPECTED_EXIT ARGS...: runs health-check.sh; output in $OUT; fails on another exit code.
hc() {
    local expected=$1 rc=0
    shift
    OUT=$("$HC" "$@" 2>&1) || rc=$?
    printf '%s\n' "$OUT" >>"$OPS_WORK/all-outputs.txt"
    ((rc == expected)) || { printf '%s\n' "$OUT"; die "health-check.sh $*: exit $rc, expected $expected"; }
}
# valid FILE: every line of FILE is a JSON object valid against the schema (one
# check-jsonschema run for all of them).
N_VALIDATED=0
N_FILES=0
valid() {
    local line files=()
    while IFS= read -r line; do
        N_FILES=$((N_FILES + 1))
        printf '%s\n' "$line" >"$OPS_WORK/out-$N_FILES.json"
        files+=("$OPS_WORK/out-$N_FILES.json")
    done <"$1"
    ((${#files[@]})) || die "no JSON output to validate"
    "$CHECK_JSONSCHEMA" --schemafile "$SCHEMA" "${files[@]}" >"$OPS_WORK/cj.out" 2>&1 ||
        { cat "$OPS_WORK/cj.out" "$1"; die "a JSON output does not match the schema"; }
    N_VALIDATED=$((N_VALIDATED + ${#files[@]}))
}
json() { printf '%s\n' "$OUT" >"$OPS_WORK/out.json"; valid "$OPS_WORK/out.json"; }
field() { jq -r "$1" <<<"$OUT"; }

section "usage errors exit 64"
for args in "" "nowhere" "development --component disk" "development --format xml" "development --interval 0" "development --bogus"; do
    rc=0
    # shellcheck disable=SC2086 # the words are the arguments
    "$HC" $args >/dev/null 2>&1 || rc=$?
    ((rc == 64)) || die "health-check.sh $args: exit $rc, expected 64"
done
"$HC" --help | grep -q '^Exit codes:' || die "--help lacks the exit codes"
note "6 bad command lines: exit 64; --help documents the exit codes"

section "healthy server: exit 0"
start_server plain
# shellcheck disable=SC2154 # set by start_server
hc 0 development --url "$URL_plain"
grep -q '^  api *ok .*version' <<<"$OUT" || { printf '%s\n' "$OUT"; die "the text report lacks api ok"; }
grep -q '^  redis *disabled' <<<"$OUT" || die "redis should be disabled (REDIS_URL unset)"
grep -q '^overall: ok (exit 0' <<<"$OUT" || die "no overall line"
hc 0 development --url "$URL_plain" --format json
json
[[ $(field .status) == ok && $(field '.components | keys | join(",")') == agents,api,database,metrics,redis ]] ||
    die "JSON: $(field '{status, c: (.components | keys)}')"
[[ $(field .components.database.details.backend) == sqlite ]] || die "the database details lack the backend"
[[ $(field .server.version) == "$("$LLMCHAT_BIN" version | awk '{print $2}')" ]] || die "server.version is not the binary's"
note "text and JSON: ok; components $(field '[.components | to_entries[] | "\(.key)=\(.value.status)"] | join(" ")')"
hc 0 development --url "$URL_plain" --component api --format json
json
[[ $(field '.components | keys | join(",")') == api ]] || die "--component api checked $(field '.components | keys')"
hc 0 development --url "$URL_plain" --component database,metrics --format json
json
[[ $(field '.components | keys | join(",")') == database,metrics ]] || die "--component database,metrics"
LLMCHAT_URL=$URL_plain hc 0 development --component api
note "--component api / database,metrics check only those; LLMCHAT_URL is used"

section "the URL comes from config/deployment.yml"
hc 2 staging --component api --format json --timeout 2
json
[[ $(field .url) == https://staging.llmchat.example.com ]] || die "staging URL: $(field .url)"
note "staging without --url: $(field .url) (unreachable here: exit 2)"

section "wrong environment: degraded (exit 1)"
hc 1 production --url "$URL_plain" --component api --format json
json
[[ $(field .components.api.status) == degraded ]] || die "api: $(field .components.api.status)"
note "$(field .components.api.message)"

section "metrics token: unknown without it (exit 1), ok with it; never printed"
TOKEN=ops-test-token-$RANDOM$RANDOM
start_server token METRICS_TOKEN="$TOKEN"
# shellcheck disable=SC2154
hc 1 development --url "$URL_token" --format json
json
[[ $(field '[.components.database.status, .components.redis.status, .components.metrics.status] | join(",")') == unknown,unknown,unknown ]] ||
    die "without the token: $(field '.components | map_values(.status)')"
hc 0 development --url "$URL_token" --token "$TOKEN" --format json
json
METRICS_TOKEN=$TOKEN hc 0 development --url "$URL_token"
hc 1 development --url "$URL_token" --token wrong-token
grep -q 'refused' <<<"$OUT" || die "a wrong token is not reported as refused"
hc 0 development --url "http://ops:hunter2secret@${URL_token#http://}" --token "$TOKEN" --component api --format json
json
if grep -q hunter2secret <<<"$OUT"; then die "the URL's password appears in the output"; fi
[[ $(field .url) == "http://ops:***@${URL_token#http://}" ]] || die "the URL is not masked: $(field .url)"
note "without: database/redis/metrics unknown (exit 1); --token or METRICS_TOKEN: exit 0; the token and URL passwords are not printed"

section "Redis down: degraded (exit 1)"
DEAD_PORT=$(free_port)
start_server redisdown REDIS_URL="redis://127.0.0.1:$DEAD_PORT" LLMCHAT_REDIS__KEY_PREFIX="ops-hc-$$:"
# shellcheck disable=SC2154
hc 1 development --url "$URL_redisdown" --format json
json
[[ $(field .components.redis.status) == degraded && $(field .components.api.status) == ok ]] ||
    die "redis down: $(field '.components | map_values(.status)')"
note "$(field .components.redis.message)"

if tcp_open 127.0.0.1 6379; then
    section "Redis up: ok"
    start_server redisup REDIS_URL="redis://127.0.0.1:6379" LLMCHAT_REDIS__KEY_PREFIX="ops-hc-$$:"
    # shellcheck disable=SC2154
    hc 0 development --url "$URL_redisup" --component redis --format json
    json
    note "redis: $(field .components.redis.message)"
else
    note "no Redis on 127.0.0.1:6379: the 'Redis up' case is skipped"
fi

section "migrations pending: down (exit 2)"
start_server pending LLMCHAT_DATABASE__AUTO_MIGRATE=false
# shellcheck disable=SC2154
hc 2 development --url "$URL_pending" --format json
json
[[ $(field .components.api.status) == down && $(field .components.database.status) == down ]] ||
    die "pending: $(field '.components | map_values(.status)')"
note "api: $(field .components.api.message)"
note "database: $(field .components.database.message)"

section "--watch: one line per round"
"$HC" development --url "$URL_plain" --watch --interval 1 --count 3 --format json >"$OPS_WORK/watch.json" || die "--watch json: exit $?"
[[ $(wc -l <"$OPS_WORK/watch.json") == 3 ]] || die "--watch --count 3 printed $(wc -l <"$OPS_WORK/watch.json") lines"
valid "$OPS_WORK/watch.json"
"$HC" development --url "$URL_plain" --watch --interval 1 --count 2 >"$OPS_WORK/watch.txt" || die "--watch text: exit $?"
if [[ $(wc -l <"$OPS_WORK/watch.txt") != 2 ]] || ! grep -qE '^[0-9T:-]+Z development ok api=ok database=ok' "$OPS_WORK/watch.txt"; then
    cat "$OPS_WORK/watch.txt"
    die "--watch text lines"
fi
note "json: 3 objects; text: $(head -n 1 "$OPS_WORK/watch.txt")"
# Stopped, it exits with the last round's code. (SIGTERM: a script's background job ignores
# SIGINT; Ctrl-C in a terminal is handled the same way.)
"$HC" development --url "$URL_pending" --watch --interval 1 --format json >"$OPS_WORK/watch-int.json" &
WPID=$!
# Stop it once its first round is out (a loaded machine may take more than a second).
for _ in $(seq 60); do [[ -s $OPS_WORK/watch-int.json ]] && break; sleep 0.25; done
[[ -s $OPS_WORK/watch-int.json ]] || { kill -KILL "$WPID"; die "--watch printed nothing within 15 s"; }
sleep 0.5
kill -TERM "$WPID"
for _ in $(seq 20); do kill -0 "$WPID" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$WPID" 2>/dev/null; then kill -KILL "$WPID"; die "--watch did not stop on SIGTERM"; fi
rc=0
wait "$WPID" || rc=$?
((rc == 2)) || die "a stopped --watch of a down server: exit $rc, expected 2"
valid "$OPS_WORK/watch-int.json"
note "stopped (SIGTERM) after $(wc -l <"$OPS_WORK/watch-int.json") round(s): exit 2, the last round's"

section "stopped server: down (exit 2)"
kill -TERM "${PIDS[plain]}"
wait "${PIDS[plain]}" || true
hc 2 development --url "$URL_plain" --format json
json
[[ $(field .status) == down && $(field .server) == null ]] || die "stopped: $(field '{status, server}')"
note "$(field .components.api.message)"

section "no secret in any output"
if grep -qF "$TOKEN" "$OPS_WORK/all-outputs.txt"; then die "the metrics token appears in an output"; fi
if grep -qF hunter2secret "$OPS_WORK/all-outputs.txt"; then die "a URL password appears in an output"; fi
note "$(wc -l <"$OPS_WORK/all-outputs.txt") lines of output: neither the token nor the URL password"

printf '\nPASS test-health-check (%s JSON outputs validated, %s s)\n' "$N_VALIDATED" "$(($(date +%s) - T0))"

#!/usr/bin/env bash
# Checks a running LLMChat server over HTTP: API probes, database, Redis, agents, metrics.
# See usage() or --help. Needs curl and jq.
set -euo pipefail

# Exit codes (see --help): 0 healthy, 1 degraded, 2 down; these two are the script's own.
readonly EX_USAGE=64 EX_UNAVAILABLE=69
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

usage() {
    cat <<'EOF'
Usage: health-check.sh <development|staging|production> [options]

Asks a running LLMChat server how it is and prints a report; the exit code says the worst.

Options:
  --url URL           server base URL (default: $LLMCHAT_URL, else the environment's
                      health.base_url in config/deployment.yml, else http://localhost:3001)
  --component NAME    api | database | redis | agents | metrics | all (default all);
                      may be repeated or comma-separated (--component api,database)
  --format FORMAT     text (default) or json (one JSON object per round, one line each,
                      described by scripts/monitoring/health-check.schema.json)
  --timeout SECONDS   per HTTP request (default 5)
  --token TOKEN       the server's METRICS_TOKEN (default: $METRICS_TOKEN); needed for
                      database, redis, metrics and the /api/health components when the
                      server has one. Never printed.
  --watch             repeat every --interval seconds until interrupted (Ctrl-C), one line
                      (text) or one JSON object (json) per round
  --interval SECONDS  seconds between rounds with --watch (default 30)
  --count N           with --watch: stop after N rounds (default 0 = until interrupted)
  -h, --help          this help

What each component checks:
  api       GET /api/health/live (200), /api/health/ready (200; 503 = not serving, with the
            reason), /api/version (the version, commit and environment; a server that reports
            another environment than the one asked for is degraded)
  database  GET /api/health/database (backend, latency, pool; a full pool is degraded) and
            the migrations component of /api/health (pending = down)
  redis     the redis component of /api/health: ok, disabled (REDIS_URL unset: fine),
            degraded (rate limiter on its fallback) or down (the server still serves: degraded)
  agents    the agents component of /api/health when the server reports one; otherwise
            "skipped" (does not count)
  metrics   GET /metrics answers 200 and carries llmchat_build_info

Component statuses: ok, disabled, skipped (count as healthy); degraded, unknown (could not be
checked, e.g. METRICS_TOKEN needed) count as degraded; down counts as down.

Exit codes:
  0   healthy (every component ok, disabled or skipped)
  1   degraded (some component degraded or unknown)
  2   down or unreachable (some component down, or the server does not answer)
  64  usage error (unknown option, bad value)
  69  a required tool (curl, jq) is missing
With --watch the exit code is the last round's (also when interrupted).

Examples:
  health-check.sh production
  health-check.sh production --watch --interval 60
  health-check.sh production --component api
  health-check.sh staging --format json | jq .status
  LLMCHAT_URL=http://10.0.0.5:3001 METRICS_TOKEN=... health-check.sh production
EOF
}

die_usage() {
    printf 'health-check.sh: %s\n' "$*" >&2
    printf 'Try: health-check.sh --help\n' >&2
    exit "$EX_USAGE"
}

# Hides the password in user:password@ URLs.
mask_url() { sed -E 's#(://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }

# yaml_get FILE a.b.c: the scalar at that path of a block-style YAML file (no lists, no flow
# mappings: enough for config/deployment.yml), without quotes or trailing comment.
yaml_get() {
    awk -v path="$2" '
        BEGIN { n = split(path, want, "."); depth = 0 }
        /^[[:space:]]*(#|$)/ { next }
        {
            match($0, /^ */); ind = RLENGTH; line = substr($0, ind + 1)
            if (line !~ /^[A-Za-z0-9_.-]+:/) next
            key = line; sub(/:.*/, "", key)
            val = line; sub(/^[^:]*:[[:space:]]*/, "", val)
            while (depth > 0 && indent[depth] >= ind) depth--
            depth++; indent[depth] = ind; keys[depth] = key
            if (depth != n) next
            for (i = 1; i <= n; i++) if (keys[i] != want[i]) next
            sub(/[[:space:]]+#.*$/, "", val); gsub(/^["\047]|["\047]$/, "", val)
            print val; exit
        }' "$1"
}

ENVIRONMENT="" URL="" FORMAT=text TIMEOUT=5 WATCH=0 INTERVAL=30 COUNT=0
TOKEN=${METRICS_TOKEN:-}
COMPONENTS=()

is_number() { [[ $1 =~ ^[0-9]+([.][0-9]+)?$ ]]; }

parse_args() {
    local value
    while (($#)); do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --watch) WATCH=1 ;;
            --url | --component | --format | --timeout | --token | --interval | --count)
                (($# >= 2)) || die_usage "$1 needs a value"
                value=$2
                case $1 in
                    --url) URL=$value ;;
                    --component) IFS=, read -r -a more <<<"$value"; COMPONENTS+=("${more[@]}") ;;
                    --format) FORMAT=$value ;;
                    --timeout) TIMEOUT=$value ;;
                    --token) TOKEN=$value ;;
                    --interval) INTERVAL=$value ;;
                    --count) COUNT=$value ;;
                esac
                shift
                ;;
            --url=* | --component=* | --format=* | --timeout=* | --token=* | --interval=* | --count=*)
                parse_args "${1%%=*}" "${1#*=}"
                ;;
            -*) die_usage "unknown option $1" ;;
            *)
                [[ -z $ENVIRONMENT ]] || die_usage "one environment only (got $ENVIRONMENT and $1)"
                ENVIRONMENT=$1
                ;;
        esac
        shift
    done
}

validate_args() {
    [[ -n $ENVIRONMENT ]] || die_usage "which environment? development, staging or production"
    case $ENVIRONMENT in development | staging | production) ;; *)
        die_usage "unknown environment '$ENVIRONMENT': development, staging or production" ;;
    esac
    case $FORMAT in text | json) ;; *) die_usage "--format must be text or json, not '$FORMAT'" ;; esac
    if ! is_number "$TIMEOUT" || [[ $TIMEOUT =~ ^0*([.]0*)?$ ]]; then
        die_usage "--timeout must be a positive number of seconds, not '$TIMEOUT'"
    fi
    if ! is_number "$INTERVAL" || [[ $INTERVAL =~ ^0*([.]0*)?$ ]]; then
        die_usage "--interval must be a positive number of seconds, not '$INTERVAL'"
    fi
    [[ $COUNT =~ ^[0-9]+$ ]] || die_usage "--count must be a whole number, not '$COUNT'"
    ((${#COMPONENTS[@]})) || COMPONENTS=(all)
    local c wanted=()
    for c in "${COMPONENTS[@]}"; do
        case $c in
            all) wanted+=(api database redis agents metrics) ;;
            api | database | redis | agents | metrics) wanted+=("$c") ;;
            *) die_usage "unknown component '$c': api, database, redis, agents, metrics or all" ;;
        esac
    done
    # Keep the fixed order, without duplicates.
    COMPONENTS=()
    for c in api database redis agents metrics; do
        [[ " ${wanted[*]} " == *" $c "* ]] && COMPONENTS+=("$c")
    done
    if [[ -z $URL ]]; then
        URL=${LLMCHAT_URL:-}
    fi
    if [[ -z $URL && -r $REPO_ROOT/config/deployment.yml ]]; then
        URL=$(yaml_get "$REPO_ROOT/config/deployment.yml" "environments.$ENVIRONMENT.health.base_url")
    fi
    if [[ -z $URL ]]; then
        [[ $ENVIRONMENT == development ]] ||
            die_usage "no URL for $ENVIRONMENT: pass --url, set LLMCHAT_URL or set environments.$ENVIRONMENT.health.base_url in config/deployment.yml"
        URL=http://localhost:3001
    fi
    [[ $URL =~ ^https?:// ]] || die_usage "the URL must start with http:// or https:// (got $(mask_url "$URL"))"
    URL=${URL%/}
}

need_tools() {
    local t
    for t in curl jq; do
        command -v "$t" >/dev/null 2>&1 || {
            printf 'health-check.sh: %s is not installed (apt-get install -y %s)\n' "$t" "$t" >&2
            exit "$EX_UNAVAILABLE"
        }
    done
}

# --- HTTP ------------------------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmchat-health.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# The token goes to curl in a config file (mode 600), never on its command line.
write_token_config() {
    [[ -n $TOKEN ]] || return 0
    local escaped=${TOKEN//\\/\\\\}
    escaped=${escaped//\"/\\\"}
    (umask 077 && printf 'header = "Authorization: Bearer %s"\n' "$escaped" >"$WORK/token.curlrc")
}

# fetch NAME PATH: GET URL/PATH; sets CODE[NAME] (HTTP status, 000 when unreachable),
# MS[NAME] (milliseconds), ERR[NAME] (curl's complaint) and leaves the body in WORK/NAME.
declare -A CODE MS ERR
fetch() {
    local name=$1 path=$2 out rc=0 args
    args=(-sS -o "$WORK/$name" -w '%{http_code} %{time_total}' --max-time "$TIMEOUT"
        -H 'Accept: application/json' -A llmchat-health-check)
    [[ -z $TOKEN ]] || args+=(-K "$WORK/token.curlrc")
    out=$(curl "${args[@]}" "$URL$path" 2>"$WORK/$name.err") || rc=$?
    local code=${out%% *} secs=${out#* }
    ((rc == 0)) || code=000
    [[ -s $WORK/$name ]] || : >"$WORK/$name"
    CODE[$name]=$code
    MS[$name]=$(awk -v s="${secs:-0}" 'BEGIN { printf "%.1f", s * 1000 }')
    ERR[$name]=$(sed -E 's/^curl: \([0-9]+\) //' "$WORK/$name.err" | head -n 1)
}

# jq over a fetched body; empty output when the body is not JSON.
jbody() { jq -r "$2" "$WORK/$1" 2>/dev/null || true; }

# --- components ------------------------------------------------------------------------------

declare -A STATUS MESSAGE LATENCY DETAILS

set_component() { # NAME STATUS MESSAGE [LATENCY_MS] [DETAILS_JSON]
    STATUS[$1]=$2
    MESSAGE[$1]=$3
    LATENCY[$1]=${4:-null}
    DETAILS[$1]=${5:-"{}"}
}

unreachable_message() { printf 'unreachable: %s' "${1:-no answer}"; }

check_api() {
    fetch live /api/health/live
    fetch ready /api/health/ready
    fetch version /api/version
    local details
    details=$(jq -nc --arg live "${CODE[live]}" --arg ready "${CODE[ready]}" \
        --slurpfile v <(jq -c '{version, git_commit, environment}' "$WORK/version" 2>/dev/null || echo null) \
        '{live_http: ($live | tonumber), ready_http: ($ready | tonumber)} + (if $v[0] then $v[0] else {} end)')
    if [[ ${CODE[live]} == 000 ]]; then
        set_component api down "$(unreachable_message "${ERR[live]}")" null "$details"
        return
    fi
    if [[ ${CODE[live]} != 200 ]]; then
        set_component api down "/api/health/live answered ${CODE[live]}" "${MS[live]}" "$details"
        return
    fi
    if [[ ${CODE[ready]} != 200 ]]; then
        local reason
        reason=$(jbody ready '.reason // empty')
        set_component api down "not ready (HTTP ${CODE[ready]}${reason:+: $reason})" "${MS[ready]}" "$details"
        return
    fi
    local version env commit
    version=$(jbody version '.version // empty')
    env=$(jbody version '.environment // empty')
    commit=$(jbody version '.git_commit // empty')
    if [[ ${CODE[version]} != 200 || -z $version ]]; then
        set_component api degraded "live and ready, but /api/version answered ${CODE[version]}" "${MS[ready]}" "$details"
    elif [[ $env != "$ENVIRONMENT" ]]; then
        set_component api degraded "live and ready, but the server runs as '$env', not '$ENVIRONMENT'" "${MS[ready]}" "$details"
    else
        set_component api ok "live, ready, version $version ($commit), environment $env" "${MS[ready]}" "$details"
    fi
}

# /api/health, once per round, for redis, agents and migrations.
HEALTH_FETCHED=0
fetch_health() {
    ((HEALTH_FETCHED)) && return 0
    fetch health /api/health
    HEALTH_FETCHED=1
}

# component_from_health NAME: prints "status" of .components.NAME, "absent" when the server
# sent no components (token), "missing" when it sent components but not this one.
health_component_status() {
    if [[ $(jbody health 'has("components")') != true ]]; then
        echo absent
    else
        jbody health ".components.$1.status // \"missing\""
    fi
}

token_hint() {
    if [[ -n $TOKEN ]]; then echo "the metrics token was refused"; else echo "the server has a METRICS_TOKEN: pass --token or set METRICS_TOKEN"; fi
}

check_database() {
    fetch database /api/health/database
    fetch_health
    local details migrations
    details=$(jq -c '{backend, status, latency_ms, pool}' "$WORK/database" 2>/dev/null || echo '{}')
    case ${CODE[database]} in
        000) set_component database down "$(unreachable_message "${ERR[database]}")" null "$details"; return ;;
        401) set_component database unknown "/api/health/database answered 401: $(token_hint)"; return ;;
        200 | 503) ;;
        *) set_component database down "/api/health/database answered ${CODE[database]}" "${MS[database]}" "$details"; return ;;
    esac
    local backend latency size in_use max error
    backend=$(jbody database '.backend // "?"')
    latency=$(jbody database '.latency_ms // "null"')
    in_use=$(jbody database '.pool.in_use // 0')
    size=$(jbody database '.pool.size // 0')
    max=$(jbody database '.pool.max // 0')
    error=$(jbody database '.error // empty')
    migrations=$(health_component_status migrations)
    details=$(jq -c --arg m "$migrations" '. + {migrations: $m}' <<<"$details")
    if [[ ${CODE[database]} == 503 ]]; then
        set_component database down "$backend unreachable${error:+: $error}" null "$details"
    elif [[ $migrations == pending ]]; then
        set_component database down "$backend answers, but migrations are pending (run: llmchat migrate)" "$latency" "$details"
    elif ((max > 0 && in_use >= max)); then
        set_component database degraded "$backend pool saturated: $in_use/$max connections in use" "$latency" "$details"
    else
        set_component database ok "$backend, ${latency} ms, pool $in_use in use / $size open / $max max" "$latency" "$details"
    fi
}

health_unreachable() {
    if [[ ${CODE[health]} == 000 ]]; then
        set_component "$1" down "$(unreachable_message "${ERR[health]}")"
        return 0
    fi
    if [[ ${CODE[health]} != 200 && ${CODE[health]} != 503 ]]; then
        set_component "$1" down "/api/health answered ${CODE[health]}"
        return 0
    fi
    return 1
}

check_redis() {
    fetch_health
    health_unreachable redis && return
    local status error latency details
    status=$(health_component_status redis)
    error=$(jbody health '.components.redis.error // empty')
    latency=$(jbody health '.components.redis.latency_ms // "null"')
    details=$(jq -c '.components.redis // {}' "$WORK/health" 2>/dev/null || echo '{}')
    case $status in
        ok) set_component redis ok "answers in ${latency} ms" "$latency" "$details" ;;
        disabled) set_component redis disabled "not configured (REDIS_URL unset): limits are per process" null "$details" ;;
        degraded) set_component redis degraded "${error:-degraded}" "$latency" "$details" ;;
        down) set_component redis degraded "down${error:+: $error} (the server still serves; limits fall back)" null "$details" ;;
        absent) set_component redis unknown "/api/health has no components: $(token_hint)" ;;
        *) set_component redis unknown "/api/health reports redis as '$status'" ;;
    esac
}

check_agents() {
    fetch_health
    health_unreachable agents && return
    local status details error
    status=$(health_component_status agents)
    details=$(jq -c '.components.agents // {}' "$WORK/health" 2>/dev/null || echo '{}')
    error=$(jbody health '.components.agents.error // empty')
    case $status in
        ok) set_component agents ok "$(jbody health '.components.agents.count // "?"') agent(s) loaded" null "$details" ;;
        degraded | down) set_component agents degraded "${error:-$status}" null "$details" ;;
        missing) set_component agents skipped "this server version does not report agents in /api/health" ;;
        absent) set_component agents unknown "/api/health has no components: $(token_hint)" ;;
        *) set_component agents unknown "/api/health reports agents as '$status'" null "$details" ;;
    esac
}

check_metrics() {
    fetch metrics /metrics
    case ${CODE[metrics]} in
        000) set_component metrics down "$(unreachable_message "${ERR[metrics]}")" ;;
        401) set_component metrics unknown "/metrics answered 401: $(token_hint)" ;;
        200)
            if grep -q '^llmchat_build_info{' "$WORK/metrics"; then
                local series
                series=$(grep -c '^[a-z_]' "$WORK/metrics" || true)
                set_component metrics ok "llmchat_build_info present, $series series" "${MS[metrics]}" "{\"series\": $series}"
            else
                set_component metrics degraded "/metrics answered 200 without llmchat_build_info" "${MS[metrics]}"
            fi
            ;;
        *) set_component metrics degraded "/metrics answered ${CODE[metrics]}" "${MS[metrics]}" ;;
    esac
}

rank() {
    case $1 in
        ok | disabled | skipped) echo 0 ;;
        degraded | unknown) echo 1 ;;
        *) echo 2 ;;
    esac
}

# --- one round -------------------------------------------------------------------------------

ROUND_CODE=0
round() {
    STATUS=() MESSAGE=() LATENCY=() DETAILS=()
    HEALTH_FETCHED=0
    local started c worst=0 r checked_at
    checked_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    started=$(date +%s%N)
    for c in "${COMPONENTS[@]}"; do
        case $c in
            api) check_api ;;
            database) check_database ;;
            redis) check_redis ;;
            agents) check_agents ;;
            metrics) check_metrics ;;
        esac
        r=$(rank "${STATUS[$c]}")
        ((r > worst)) && worst=$r
    done
    local duration_ms=$((($(date +%s%N) - started) / 1000000))
    local overall
    case $worst in 0) overall=ok ;; 1) overall=degraded ;; *) overall=down ;; esac
    ROUND_CODE=$worst
    if [[ $FORMAT == json ]]; then
        print_json "$checked_at" "$overall" "$duration_ms"
    elif ((WATCH)); then
        local line="$checked_at $ENVIRONMENT $overall"
        for c in "${COMPONENTS[@]}"; do line+=" $c=${STATUS[$c]}"; done
        printf '%s\n' "$line"
    else
        print_text "$checked_at" "$overall" "$duration_ms"
    fi
}

print_json() {
    local c components='{}'
    for c in "${COMPONENTS[@]}"; do
        components=$(jq -c --arg name "$c" --arg status "${STATUS[$c]}" --arg message "${MESSAGE[$c]}" \
            --argjson latency "${LATENCY[$c]}" --argjson details "${DETAILS[$c]}" \
            '. + {($name): {status: $status, message: $message, latency_ms: $latency, details: $details}}' \
            <<<"$components")
    done
    local server=null
    if [[ -s $WORK/version ]] && jq -e '.version' "$WORK/version" >/dev/null 2>&1; then
        server=$(jq -c '{version, git_commit, environment}' "$WORK/version")
    fi
    jq -nc --arg env "$ENVIRONMENT" --arg url "$(mask_url "$URL")" --arg at "$1" --arg status "$2" \
        --argjson code "$ROUND_CODE" --argjson ms "$3" --argjson components "$components" \
        --argjson server "$server" \
        '{environment: $env, url: $url, checked_at: $at, status: $status, exit_code: $code,
          duration_ms: $ms, server: $server, components: $components}'
}

print_text() {
    printf 'LLMChat %s at %s, %s\n' "$ENVIRONMENT" "$(mask_url "$URL")" "$1"
    local c latency
    for c in "${COMPONENTS[@]}"; do
        latency=""
        [[ ${LATENCY[$c]} == null ]] || latency=" (${LATENCY[$c]} ms)"
        printf '  %-9s %-9s %s%s\n' "$c" "${STATUS[$c]}" "${MESSAGE[$c]}" "$latency"
    done
    printf 'overall: %s (exit %s, %s ms)\n' "$2" "$ROUND_CODE" "$3"
}

main() {
    parse_args "$@"
    validate_args
    need_tools
    write_token_config
    if ((!WATCH)); then
        round
        exit "$ROUND_CODE"
    fi
    trap 'exit "$ROUND_CODE"' INT TERM
    local n=0
    while :; do
        round
        n=$((n + 1))
        ((COUNT == 0 || n < COUNT)) || break
        sleep "$INTERVAL" &
        wait $! || true
    done
    exit "$ROUND_CODE"
}

main "$@"

#!/usr/bin/env bash
# Checks monitoring/ statically and live.
#
# Static: promtool check config (monitoring/prometheus.yml, and the Kubernetes variant as far
# as this Prometheus build allows), promtool check rules + promtool test rules, amtool
# check-config, the Grafana dashboard's structure, the log-shipping example's structure.
#
# Live: llmchat (release binary, production mode, METRICS_TOKEN set, SQLite in a scratch dir,
# Redis at OPS_REDIS_URL, default redis://127.0.0.1:6379, under a key prefix of its own)
# with agents on llmchat-mock (one of them always answered 500), a real Prometheus (Debian's)
# scraping it with the token from a credentials file, Alertmanager with our routing and a local
# webhook receiver. After traffic (an admin made with `llmchat user create` signs in, chats
# with demo, calls /v1 through an API key, calls the failing agent), through Prometheus' HTTP
# API: the target is up (and a job without the token gets 401), every dashboard query returns
# data, UpstreamErrorRatioHigh fires and reaches the on-call receiver, HighErrorRate fires,
# every rule evaluates without error and no other alert fires.
# The scratch copies differ from monitoring/ only in: paths, the target and Alertmanager
# addresses, 1 s scrape/evaluation intervals, `for:` durations of 2 s, the self-scrape job
# dropped and a job without the token added, Alertmanager's group_wait 1 s and webhook URL.
#
# Usage: bash tests/ops/test-monitoring.sh [--static-only]
# Environment: LLMCHAT_BIN, LLMCHAT_MOCK_BIN (see tests/ops/lib.sh), OPS_REDIS_URL, OPS_KEEP=1
# keeps the scratch dir.
# Exit codes: 0 all checks passed; 1 a check failed (the message says which); 2 bad usage.

usage() { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; }
static_only=0
case ${1:-} in
    -h | --help) usage; exit 0 ;;
    --static-only) static_only=1 ;;
    "") ;;
    *) usage >&2; exit 2 ;;
esac

# shellcheck source=tests/ops/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
started=$SECONDS

need promtool prometheus
need prometheus prometheus
need amtool prometheus-alertmanager
need prometheus-alertmanager prometheus-alertmanager
need curl curl
PY=$(ops_venv)/bin/python
MON=monitoring
HELPERS=tests/ops

section "static checks"
# The configuration as Compose mounts it, under a scratch prefix instead of /etc/prometheus.
etc=$OPS_WORK/etc/prometheus
mkdir -p "$etc/alerts" "$etc/secrets"
cp "$MON"/alerts/*.yml "$etc/alerts/"
METRICS_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
printf '%s\n' "$METRICS_TOKEN" >"$etc/secrets/metrics_token"
sed "s#/etc/prometheus/#$etc/#g" "$MON/prometheus.yml" >"$etc/prometheus.yml"
promtool check config "$etc/prometheus.yml" || die "promtool check config $MON/prometheus.yml"
promtool check rules "$MON/alerts/llmchat.rules.yml" || die "promtool check rules"
promtool test rules "$MON/alerts/llmchat.rules.test.yml" || die "promtool test rules"
amtool check-config "$MON/alertmanager.yml" || die "amtool check-config $MON/alertmanager.yml"

# Debian's Prometheus is built without Kubernetes service discovery, so promtool rejects
# kubernetes_sd_configs; the rest of the Kubernetes variant (relabelling, authorization,
# rules, alerting) is checked with the discovery swapped for a static target.
"$PY" "$HELPERS/monitoring_configs.py" kubernetes "$MON/prometheus-kubernetes.yml" "$etc" \
    >"$etc/prometheus-kubernetes.yml" || die "$MON/prometheus-kubernetes.yml"
promtool check config "$etc/prometheus-kubernetes.yml" >/dev/null \
    || die "promtool check config $MON/prometheus-kubernetes.yml (discovery swapped)"
note "prometheus-kubernetes.yml: relabelling and the rest pass promtool (kubernetes_sd_configs checked by structure only)"

"$PY" "$HELPERS/monitoring_dashboard.py" check "$MON/grafana/dashboards/llmchat.json" \
    "$MON/grafana/provisioning/datasources/prometheus.yml" || die "the Grafana dashboard"
"$PY" "$HELPERS/monitoring_configs.py" grafana "$MON/grafana/provisioning" || die "Grafana provisioning"
"$PY" "$HELPERS/monitoring_configs.py" vector "$MON/logging/vector.yaml" || die "$MON/logging/vector.yaml"

if ((static_only)); then
    note "static checks passed in $((SECONDS - started)) s"
    exit 0
fi

section "live: llmchat-mock, llmchat, Prometheus, Alertmanager"
need_binaries
need python3 python3

# start LOG CMD...: runs CMD in the background (its pid in $last_pid), logs to LOG, stops it
# on exit. Not in a subshell: the exit hook must be registered here.
start() {
    local log=$1
    shift
    "$@" >"$log" 2>&1 &
    last_pid=$!
    on_exit "stop_pid $last_pid"
}
stop_pid() {
    local pid=$1 i
    kill "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 40; i++)); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
}
# wait_http_quiet URL SECONDS: like wait_http, but returns 1 instead of dying (to show a log).
wait_http_quiet() {
    local i
    for ((i = 0; i < $2 * 4; i++)); do
        curl -fsS -o /dev/null --max-time 2 "$1" 2>/dev/null && return 0
        sleep 0.25
    done
    return 1
}
show_log() { note "--- last lines of $1 ---"; tail -n 30 "$1" | sed 's/^/    /' >&2; }

# The mock upstream.
mock_log=$OPS_WORK/mock.log
start "$mock_log" "$LLMCHAT_MOCK_BIN" --port 0 --keep-requests 0
for ((i = 0; i < 40; i++)); do
    grep -qs '^listening on ' "$mock_log" && break
    sleep 0.25
done
mock=$(sed -n 's/^listening on //p' "$mock_log")
[[ -n $mock ]] || { show_log "$mock_log"; die "llmchat-mock did not start"; }
note "llmchat-mock on $mock"

# The demo agent types at 200 characters a second (4.5 s an answer): 100 times faster here.
cat >"$OPS_WORK/agents.yaml" <<EOF
agents:
  - id: demo
    name: Demo
    provider: {type: demo, chars_per_second: 20000}
  - id: mock
    name: Mock
    provider: {type: openai, base_url: "http://$mock/openai/v1", api_key: sk-test, model: mock, max_retries: 0}
  - id: failing
    name: Failing
    provider: {type: openai, base_url: "http://$mock/k/fault=500/openai/v1", api_key: sk-test, model: mock, max_retries: 0}
EOF

port=$(free_port)
base=http://127.0.0.1:$port
llmchat_log=$OPS_WORK/llmchat.log
# Redis as in production (the dashboard's Redis panel has data only with REDIS_URL), under a
# key prefix of this run's own.
redis_url=${OPS_REDIS_URL:-redis://127.0.0.1:6379}
need redis-cli redis-tools
[[ $(redis-cli -u "$redis_url" ping 2>/dev/null) == PONG ]] \
    || die "Redis does not answer at $redis_url (start redis-server, or set OPS_REDIS_URL)"

# env -i: the server refuses unknown LLMCHAT_* variables (this shell has LLMCHAT_BIN). Run
# from the repository so that config/environments/production.yml applies, as in the image;
# no drain on SIGTERM, so that stopping it takes no time.
server_env=(env -i PATH="$PATH" LLMCHAT_SHUTDOWN_DRAIN=0s
    LLMCHAT_ENV=production JWT_SECRET="$(head -c 48 /dev/urandom | base64 | tr -d '\n')"
    METRICS_TOKEN="$METRICS_TOKEN" HOST=127.0.0.1 PORT="$port"
    REDIS_URL="$redis_url" LLMCHAT_REDIS__KEY_PREFIX="llmchat-test-monitoring-$$:"
    LLMCHAT_DATA_DIR="$OPS_WORK/app/data" AGENTS_CONFIG="$OPS_WORK/agents.yaml"
    API_RATE_LIMIT=100000)
start "$llmchat_log" "${server_env[@]}" "$LLMCHAT_BIN" serve
if ! wait_http_quiet "$base/api/health/ready" 60; then
    show_log "$llmchat_log"
    die "llmchat did not become ready within 60 s"
fi
note "llmchat (production, METRICS_TOKEN set) ready on $base"
# Production closes registration: the account is made with the CLI, as an operator would.
printf '%s\n' "$("$PY" "$HELPERS/monitoring_live.py" password)" \
    | "${server_env[@]}" "$LLMCHAT_BIN" user create monitor --admin >/dev/null \
    || die "llmchat user create monitor --admin failed"

code=$(curl -s -o /dev/null -w '%{http_code}' "$base/metrics")
[[ $code == 401 ]] || die "/metrics without the token answered $code, expected 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $METRICS_TOKEN" "$base/metrics")
[[ $code == 200 ]] || die "/metrics with the token answered $code, expected 200"
note "/metrics: 401 without the token, 200 with it"

# Alertmanager with our routing; the webhook URLs point at a local receiver.
hook_port=$(free_port)
hook_file=$OPS_WORK/webhook.jsonl
start "$OPS_WORK/receiver.log" "$PY" "$HELPERS/monitoring_live.py" receiver "$hook_port" "$hook_file"
am_port=$(free_port $((hook_port + 1)))
"$PY" "$HELPERS/monitoring_configs.py" alertmanager "$MON/alertmanager.yml" "http://127.0.0.1:$hook_port" \
    >"$OPS_WORK/alertmanager.yml"
amtool check-config "$OPS_WORK/alertmanager.yml" >/dev/null || die "the scratch alertmanager.yml"
start "$OPS_WORK/alertmanager.log" prometheus-alertmanager \
    --config.file="$OPS_WORK/alertmanager.yml" --storage.path="$OPS_WORK/alertmanager-data" \
    --web.listen-address="127.0.0.1:$am_port" --cluster.listen-address=
wait_http_quiet "http://127.0.0.1:$am_port/-/ready" 60 || { show_log "$OPS_WORK/alertmanager.log"; die "Alertmanager did not start"; }

# Prometheus: monitoring/prometheus.yml with the target and Alertmanager on loopback, 1 s
# intervals, plus a job without the token (expected to get 401); rules with `for:` shortened.
prom_port=$(free_port $((am_port + 1)))
prom=http://127.0.0.1:$prom_port
sed -E 's/for: [0-9]+[smh]/for: 2s/' "$MON/alerts/llmchat.rules.yml" >"$etc/alerts/llmchat.rules.yml"
rm -f "$etc/alerts/llmchat.rules.test.yml"
"$PY" "$HELPERS/monitoring_configs.py" live "$etc/prometheus.yml" "127.0.0.1:$port" "127.0.0.1:$am_port" \
    >"$etc/prometheus-live.yml"
promtool check config "$etc/prometheus-live.yml" >/dev/null || die "the scratch prometheus.yml"
start "$OPS_WORK/prometheus.log" prometheus --config.file="$etc/prometheus-live.yml" \
    --storage.tsdb.path="$OPS_WORK/prometheus-data" --web.listen-address="127.0.0.1:$prom_port"
wait_http_quiet "$prom/-/ready" 60 || { show_log "$OPS_WORK/prometheus.log"; die "Prometheus did not start"; }
note "Prometheus $(prometheus --version 2>&1 | head -n 1 | awk '{print $3}') on $prom, Alertmanager on :$am_port"

section "live: the target is up with the token, 401 without"
"$PY" "$HELPERS/monitoring_live.py" wait-up "$prom" llmchat 60 | sed 's/^/    /'
"$PY" "$HELPERS/monitoring_live.py" target-error "$prom" llmchat-without-token 60 | sed 's/^/    /'
q=$(curl -fsS "$prom/api/v1/query" --data-urlencode 'query=up{job="llmchat-without-token"}')
[[ $q == *'"value":['*',"0"]'* ]] || die "up{job=\"llmchat-without-token\"} is not 0: $q"
note "up{job=\"llmchat-without-token\"} = 0"

section "live: traffic"
state=$OPS_WORK/creds.json
"$PY" "$HELPERS/monitoring_live.py" setup "$base" "$state"
# Two rounds, more than two scrapes apart: series born in the first round grow in the second,
# so rates and quantiles over them have numbers.
"$PY" "$HELPERS/monitoring_live.py" traffic "$base" "$state"
sleep 2.5
"$PY" "$HELPERS/monitoring_live.py" traffic "$base" "$state"
note "2 rounds: sign in, chat with demo, /v1 (demo, mock; streamed and not), the failing agent, a 404"

section "live: every dashboard query returns data"
sleep 2
"$PY" "$HELPERS/monitoring_dashboard.py" exprs "$MON/grafana/dashboards/llmchat.json" 1m \
    | grep -v '"annotation ' >"$OPS_WORK/exprs.jsonl"
"$PY" "$HELPERS/monitoring_live.py" exprs-have-data "$prom" "$OPS_WORK/exprs.jsonl"

section "live: an upstream failing fires UpstreamErrorRatioHigh"
"$PY" "$HELPERS/monitoring_live.py" wait-alert "$prom" UpstreamErrorRatioHigh 60 "$base" "$state" | sed 's/^/    /'
"$PY" "$HELPERS/monitoring_live.py" wait-webhook "$hook_file" UpstreamErrorRatioHigh oncall 60 | sed 's/^/    /'
# The failing agent's calls answer 502: the service-wide 5xx ratio is over 5% as well.
"$PY" "$HELPERS/monitoring_live.py" wait-alert "$prom" HighErrorRate 30 "$base" "$state" | sed 's/^/    /'
# No other alert fires on this healthy server, and no rule fails on the real series.
"$PY" "$HELPERS/monitoring_live.py" rules-healthy "$prom" HighErrorRate,UpstreamErrorRatioHigh | sed 's/^/    /'
# The dashboard's alert annotation query has data now.
"$PY" "$HELPERS/monitoring_dashboard.py" exprs "$MON/grafana/dashboards/llmchat.json" 1m \
    | grep '"annotation ' >"$OPS_WORK/annotations.jsonl"
"$PY" "$HELPERS/monitoring_live.py" exprs-have-data "$prom" "$OPS_WORK/annotations.jsonl" | sed 's/^/    /'

section "live: the production log lines carry the fields the shipping example uses"
"$PY" "$HELPERS/monitoring_configs.py" logs "$llmchat_log" | sed 's/^/    /'

section "done"
note "test-monitoring: all checks passed in $((SECONDS - started)) s"

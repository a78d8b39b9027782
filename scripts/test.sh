#!/usr/bin/env bash
# Run the whole llmchat test suite: services, fmt, clippy, tests, the official
# SDK tests in tests/sdk, the API contract check in tests/contract, three replicas
# behind nginx in tests/cluster, the web UI's
# checks (lint, type check, unit tests, build, end-to-end in Chromium) and the
# operations kit (tests/ops/run.sh: the container image, Compose, Kubernetes
# manifests, monitoring, deploy and backup scripts; needs root and the Debian
# tools .ci/run installs).
#
# Usage: ./scripts/test.sh [--quick] [-- <args for the test runner>]
#   --quick      skip `cargo fmt --check`, `cargo clippy`, and the web UI's lint,
#                type check, build, end-to-end and operations-kit tests (which
#                need a release build, Chromium, podman…)
#   -- ARGS...   passed to `cargo nextest run` (or `cargo test` if nextest is
#                missing), e.g. `./scripts/test.sh -- health`; the SDK tests
#                (tests/sdk/run.sh, python3 with venv) are then skipped
#
# Environment:
#   TEST_DATABASE_URL   PostgreSQL for the tests (default
#                       postgres://postgres@127.0.0.1:$LLMCHAT_TEST_PG_PORT/test).
#                       If it is left unset and nothing answers there, a
#                       throwaway cluster is started from the installed server
#                       binaries and removed again on exit.
#   TEST_REDIS_URL      Redis for the tests (default
#                       redis://127.0.0.1:$LLMCHAT_TEST_REDIS_PORT); same
#                       throwaway fallback with redis-server when left unset.
#   LLMCHAT_TEST_PG_PORT, LLMCHAT_TEST_REDIS_PORT
#                       ports used in the default URLs above (5432 / 6379).
#                       Point one at a closed port (e.g. 1) to force the
#                       throwaway path.
#   LLMCHAT_TEST_SERVICES_ONLY=1
#                       only make sure PostgreSQL and Redis are available (step
#                       1), print the URLs and exit; throwaway services are
#                       stopped again on exit.
#   NEXTEST_TEST_THREADS
#                       tests run at once (default: two per core).
#   LLMCHAT_TEST_KEEP_DBS=1
#                       do not drop leftover `llmchat_test_*` databases first.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

usage() { sed -n '2,38s/^# \{0,1\}//p' "$0"; }

quick=0
runner_args=()
while (($#)); do
    case $1 in
        --quick) quick=1 ;;
        -h | --help) usage; exit 0 ;;
        --) shift; runner_args=("$@"); break ;;
        *) echo "test.sh: unknown argument '$1' (test runner arguments go after --)" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

section() { printf '\n==> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\nERROR: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- cleanup trap
PG_TMP='' PG_BIN='' REDIS_TMP='' REDIS_PID=''
cleanup() {
    if [[ -n $PG_TMP ]]; then
        as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" stop -m immediate >/dev/null 2>&1 || true
        rm -rf "$PG_TMP"
    fi
    if [[ -n $REDIS_PID ]]; then
        kill "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    if [[ -n $REDIS_TMP ]]; then rm -rf "$REDIS_TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ------------------------------------------------------------------- helpers
# Succeeds if something accepts TCP connections on host $1, port $2.
# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# First port >= $1 that nothing listens on.
free_port() {
    local port=$1
    while tcp_open 127.0.0.1 "$port"; do
        port=$((port + 1))
        ((port < $1 + 200)) || die "no free TCP port found near $1"
    done
    echo "$port"
}

# "host port" from a URL like scheme://user:pw@host:port/path (default port $2).
url_host_port() {
    if [[ $1 =~ ^[a-z]+://([^@/]*@)?([^:/?]*)(:([0-9]+))? ]]; then
        echo "${BASH_REMATCH[2]:-127.0.0.1} ${BASH_REMATCH[4]:-$2}"
    else
        echo "127.0.0.1 $2"
    fi
}

# Run a PostgreSQL server binary; PostgreSQL refuses to run as root.
as_pg() {
    if ((EUID == 0)); then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

pg_ready() {
    if have pg_isready; then
        pg_isready -q -t 5 -d "$1"
    elif have psql; then
        PGCONNECT_TIMEOUT=5 psql "$1" -XAtqc 'select 1' >/dev/null 2>&1
    else
        # shellcheck disable=SC2046 # intentional split into host and port
        tcp_open $(url_host_port "$1" 5432)
    fi
}

redis_ready() {
    if have redis-cli; then
        [[ $(timeout 5 redis-cli -u "$1" ping 2>/dev/null) == PONG ]]
    else
        local host port reply
        read -r host port < <(url_host_port "$1" 6379)
        # shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
        reply=$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2" && printf "PING\r\n" >&3 && head -c 5 <&3' _ "$host" "$port" 2>/dev/null) || return 1
        [[ $reply == +PONG ]]
    fi
}

start_throwaway_postgres() {
    local dir port
    dir=$(compgen -G '/usr/lib/postgresql/*/bin/initdb' | sort -V | tail -n 1) || true
    [[ -n $dir ]] || die "PostgreSQL is not reachable at $TEST_DATABASE_URL and no PostgreSQL server binaries were found in /usr/lib/postgresql/*/bin: install them with \`apt-get install -y postgresql\`, start a server there, or set TEST_DATABASE_URL"
    PG_BIN=${dir%/initdb}
    if ((EUID == 0)) && ! id postgres >/dev/null 2>&1; then
        die "running as root, but there is no 'postgres' user to run the throwaway PostgreSQL as: install the \`postgresql\` package or set TEST_DATABASE_URL"
    fi
    PG_TMP=$(mktemp -d /tmp/llmchat-test-pg.XXXXXX)
    if ((EUID == 0)); then chown postgres: "$PG_TMP"; fi
    port=$(free_port 55432)
    note "starting a throwaway PostgreSQL ($PG_BIN) on 127.0.0.1:$port in $PG_TMP"
    as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -A trust -U postgres -E UTF8 --no-sync >"$PG_TMP/initdb.log" 2>&1 ||
        { cat "$PG_TMP/initdb.log" >&2; die "initdb failed"; }
    as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_TMP -c fsync=off -c max_connections=200" \
        start >/dev/null ||
        { tail -n 20 "$PG_TMP/server.log" >&2 || true; die "the throwaway PostgreSQL did not start"; }
    TEST_DATABASE_URL="postgres://postgres@127.0.0.1:$port/test"
    local i
    for ((i = 0; i < 30; i++)); do
        if pg_ready "postgres://postgres@127.0.0.1:$port/postgres"; then break; fi
        sleep 1
    done
    ((i < 30)) || die "the throwaway PostgreSQL did not become ready within 30 s"
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U postgres test
}

start_throwaway_redis() {
    have redis-server || die "Redis is not reachable at $TEST_REDIS_URL and redis-server is not installed: install it with \`apt-get install -y redis-server\` or set TEST_REDIS_URL"
    local port i
    REDIS_TMP=$(mktemp -d "${TMPDIR:-/tmp}/llmchat-test-redis.XXXXXX")
    port=$(free_port 56379)
    note "starting a throwaway Redis on 127.0.0.1:$port in $REDIS_TMP"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        --dir "$REDIS_TMP" --pidfile "$REDIS_TMP/redis.pid" --logfile "$REDIS_TMP/redis.log" &
    REDIS_PID=$!
    TEST_REDIS_URL="redis://127.0.0.1:$port"
    for ((i = 0; i < 60; i++)); do
        if redis_ready "$TEST_REDIS_URL"; then return 0; fi
        kill -0 "$REDIS_PID" 2>/dev/null || break
        sleep 0.5
    done
    tail -n 20 "$REDIS_TMP/redis.log" >&2 || true
    die "the throwaway Redis did not answer PING within 30 s"
}

drop_leftover_databases() {
    if [[ ${LLMCHAT_TEST_KEEP_DBS:-0} == 1 ]]; then
        note "LLMCHAT_TEST_KEEP_DBS=1: keeping leftover llmchat_test_* databases"
        return 0
    fi
    if ! have psql; then
        note "psql is not installed: not dropping leftover llmchat_test_* databases (install postgresql-client for that)"
        return 0
    fi
    local names name n=0
    names=$(PGCONNECT_TIMEOUT=5 psql "$TEST_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 \
        -c "select datname from pg_database where datname like 'llmchat\_test\_%'") ||
        die "cannot query PostgreSQL at $TEST_DATABASE_URL with psql (does the database exist, and may this user connect?)"
    while IFS= read -r name; do
        [[ -n $name ]] || continue
        if psql "$TEST_DATABASE_URL" -XAtq -v ON_ERROR_STOP=1 \
            -c "DROP DATABASE IF EXISTS \"${name//\"/\"\"}\" WITH (FORCE)" >/dev/null; then
            n=$((n + 1))
        else
            note "could not drop database $name (continuing)"
        fi
    done <<<"$names"
    note "dropped $n leftover llmchat_test_* database(s)"
}

# ------------------------------------------------------- step 1: the services
section "services"
pg_explicit=${TEST_DATABASE_URL:+1}
redis_explicit=${TEST_REDIS_URL:+1}
: "${TEST_DATABASE_URL:=postgres://postgres@127.0.0.1:${LLMCHAT_TEST_PG_PORT:-5432}/test}"
: "${TEST_REDIS_URL:=redis://127.0.0.1:${LLMCHAT_TEST_REDIS_PORT:-6379}}"

if pg_ready "$TEST_DATABASE_URL"; then
    note "PostgreSQL answers at $TEST_DATABASE_URL"
elif [[ -n $pg_explicit ]]; then
    die "PostgreSQL is not reachable at TEST_DATABASE_URL=$TEST_DATABASE_URL (it was set explicitly, so no throwaway server is started): start it, or unset TEST_DATABASE_URL to use a local/throwaway one"
else
    note "PostgreSQL does not answer at $TEST_DATABASE_URL"
    start_throwaway_postgres
fi
drop_leftover_databases

if redis_ready "$TEST_REDIS_URL"; then
    note "Redis answers at $TEST_REDIS_URL"
elif [[ -n $redis_explicit ]]; then
    die "Redis is not reachable at TEST_REDIS_URL=$TEST_REDIS_URL (it was set explicitly, so no throwaway server is started): start it, or unset TEST_REDIS_URL to use a local/throwaway one"
else
    note "Redis does not answer at $TEST_REDIS_URL"
    start_throwaway_redis
fi

export TEST_DATABASE_URL TEST_REDIS_URL
note "TEST_DATABASE_URL=$TEST_DATABASE_URL"
note "TEST_REDIS_URL=$TEST_REDIS_URL"

if [[ ${LLMCHAT_TEST_SERVICES_ONLY:-0} == 1 ]]; then
    note "LLMCHAT_TEST_SERVICES_ONLY=1: stopping after the service checks"
    exit 0
fi

# The release binary cargo builds here (CARGO_TARGET_DIR is relative to this directory).
release_binary() {
    local target=${CARGO_TARGET_DIR:-target}
    [[ $target == /* ]] || target=$PWD/$target
    echo "$target/release/llmchat"
}

# ----------------------------------------------------------- steps 2 to 5
results=()
failed=0
# step NAME COMMAND...: run one check, record the outcome, keep going.
step() {
    local name=$1 start=$SECONDS rc
    shift
    section "$name"
    if "$@"; then
        results+=("ok    $name ($((SECONDS - start)) s)")
    else
        rc=$?
        results+=("FAIL  $name (exit $rc, $((SECONDS - start)) s)")
        failed=1
    fi
}

if ((quick)); then
    note "--quick: skipping fmt and clippy"
else
    step "cargo fmt" cargo fmt --all -- --check
    step "cargo clippy" cargo clippy --all-targets --all-features --locked -- -D warnings
fi

# The real OpenID provider (npm's oidc-provider) that tests/api/oidc.rs and the web UI's
# single sign-on test sign in through; its own self-test first.
have node || die "node is not installed: install Node.js 20 and npm (tests/oidc runs an OpenID provider)"
if [[ ! -d tests/oidc/node_modules || tests/oidc/package-lock.json -nt tests/oidc/node_modules/.package-lock.json ]]; then
    step "tests/oidc: npm ci" npm --prefix tests/oidc ci --no-audit --no-fund
fi
step "OpenID provider self-test (tests/oidc)" node --test tests/oidc/

if cargo nextest --version >/dev/null 2>&1; then
    # Most tests wait on sockets, subprocesses and timers rather than the CPU: two per core
    # finish in about 60% of the time of one per core (170 s against 97 s on 2 cores here).
    : "${NEXTEST_TEST_THREADS:=$(($(nproc) * 2))}"
    export NEXTEST_TEST_THREADS
    step "cargo nextest" cargo nextest run --all-features --locked --no-fail-fast "${runner_args[@]}"
else
    note "cargo-nextest is not installed; using cargo test (install: cargo install cargo-nextest --locked)"
    step "cargo test" cargo test --all-features --locked --no-fail-fast "${runner_args[@]}"
fi

# The release binaries (the Quick start's build, plus llmchat-mock): the SDK, end-to-end and
# operations-kit tests run against them. build.rs builds the UI into llmchat (`npm run
# build`) when web/ changed since the last build, so after the Quick start's `cargo run
# --release` this only adds llmchat-mock. --quick uses debug builds instead.
if ((!quick)); then
    step "release binaries with the web UI" cargo build --release --locked --bin llmchat --bin llmchat-mock
fi

# The official OpenAI and Anthropic Python SDKs, then the OpenAPI contract check
# (schemathesis), against the built binaries (skipped when test-runner arguments narrow the
# run).
if ((${#runner_args[@]} > 0)); then
    note "test-runner arguments given: skipping the SDK tests and the API contract check"
elif ((quick)); then
    step "SDK tests (tests/sdk)" tests/sdk/run.sh
    step "API contract (tests/contract)" tests/contract/run.sh
else
    step "SDK tests (tests/sdk)" env LLMCHAT_BIN="$(release_binary)" \
        LLMCHAT_MOCK_BIN="$(release_binary)-mock" tests/sdk/run.sh
    step "API contract (tests/contract)" env LLMCHAT_BIN="$(release_binary)" \
        LLMCHAT_MOCK_BIN="$(release_binary)-mock" tests/contract/run.sh
    # Three replicas on one PostgreSQL and one Redis behind nginx (round-robin): streams,
    # stop, reloads and revocation across replicas, kill -9 and a rolling restart under load.
    step "three replicas behind nginx (tests/cluster)" env LLMCHAT_BIN="$(release_binary)" tests/cluster/run.sh
fi

if [[ -f web/package.json ]]; then
    have npm || die "web/package.json exists but npm is not installed: install Node.js 20 and npm"
    if [[ ! -d web/node_modules || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
        step "web: npm ci" npm --prefix web ci --no-audit --no-fund
    fi
    if ((!quick)); then step "web: eslint + tsc" npm --prefix web run lint; fi
    step "web: unit tests (and API types current)" npm --prefix web test
    if ((!quick)); then
        # End-to-end tests drive the release binary in Chromium; the admin console's scenario
        # uses llmchat-mock (found beside it) as an agent's upstream.
        if [[ ! -f web/dist/index.html ]]; then
            step "web: build" npm --prefix web run build
        fi
        step "web: end-to-end (Chromium)" env LLMCHAT_E2E_BINARY="$(release_binary)" npm --prefix web run e2e
        # The operations kit (container image, Compose, Kubernetes, monitoring, deploy, backup)
        # against the same release binaries.
        step "operations kit (tests/ops)" env LLMCHAT_BIN="$(release_binary)" tests/ops/run.sh
    else
        note "--quick: skipping the web build and the end-to-end tests"
    fi
fi

section "summary"
printf '    %s\n' "${results[@]}"
if ((failed)); then
    printf '\nSome checks FAILED.\n'
    exit 1
fi
printf '\nAll checks passed.\n'

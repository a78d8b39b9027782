# shellcheck shell=bash
# Shared helpers for the operations-kit tests (tests/ops/test-*.sh). Source it; it sets
# `set -euo pipefail`, moves to the repository root and defines:
#   OPS_TARGET      absolute cargo target dir (CARGO_TARGET_DIR or ./target)
#   OPS_WORK        scratch dir for this test run (removed on exit unless OPS_KEEP=1)
#   LLMCHAT_BIN     the llmchat binary under test (default: $OPS_TARGET/release/llmchat)
#   LLMCHAT_MOCK_BIN the mock LLM vendor server (default: beside LLMCHAT_BIN)
#   ops_venv        prints the path of a virtualenv with the Python-packaged tools
#                   (hadolint, kubectl, kubernetes-validate, actionlint, jsonschema)
#   free_port, wait_http, need, die, note, section, on_exit
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

OPS_TARGET=${CARGO_TARGET_DIR:-target}
[[ $OPS_TARGET == /* ]] || OPS_TARGET=$PWD/$OPS_TARGET
LLMCHAT_BIN=${LLMCHAT_BIN:-$OPS_TARGET/release/llmchat}
LLMCHAT_MOCK_BIN=${LLMCHAT_MOCK_BIN:-$(dirname "$LLMCHAT_BIN")/llmchat-mock}
export LLMCHAT_BIN LLMCHAT_MOCK_BIN OPS_TARGET

section() { printf '\n--> %s\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf 'FAIL: %s\n' "$*" >&2; exit 1; }
have() { command -v "$1" >/dev/null 2>&1; }

# need CMD PACKAGE: fail with what to install when CMD is missing.
need() { have "$1" || die "$1 is not installed: apt-get install -y $2"; }

# Cleanup hooks run in reverse order on exit (the last registered runs first).
_ops_exit_hooks=()
on_exit() { _ops_exit_hooks+=("$*"); }
_ops_run_exit_hooks() {
    local rc=$? i
    for ((i = ${#_ops_exit_hooks[@]} - 1; i >= 0; i--)); do
        eval "${_ops_exit_hooks[i]}" || true
    done
    exit "$rc"
}
trap _ops_run_exit_hooks EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

OPS_WORK=$(mktemp -d "${TMPDIR:-/tmp}/llmchat-ops.XXXXXX")
if [[ ${OPS_KEEP:-0} != 1 ]]; then on_exit "rm -rf '$OPS_WORK'"; fi
export OPS_WORK

# shellcheck disable=SC2016 # $1/$2 are expanded by the inner bash
tcp_open() { timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null; }

# free_port [START]: the first port >= START (default a random one in 20000-29999) that
# nothing listens on.
free_port() {
    local port=${1:-$((20000 + RANDOM % 10000))} start
    start=$port
    while tcp_open 127.0.0.1 "$port"; do
        port=$((port + 1))
        ((port < start + 200)) || die "no free TCP port near $start"
    done
    echo "$port"
}

# wait_http URL [SECONDS]: until URL answers 2xx (default 60 s).
wait_http() {
    local url=$1 limit=${2:-60} i
    for ((i = 0; i < limit * 4; i++)); do
        if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then return 0; fi
        sleep 0.25
    done
    die "$url did not answer 2xx within $limit s"
}

need_binaries() {
    [[ -x $LLMCHAT_BIN ]] || die "$LLMCHAT_BIN not found: build it with \`cargo build --release --bin llmchat --bin llmchat-mock\` or set LLMCHAT_BIN"
    [[ -x $LLMCHAT_MOCK_BIN ]] || die "$LLMCHAT_MOCK_BIN not found: build it with \`cargo build --release --bin llmchat-mock\` or set LLMCHAT_MOCK_BIN"
}

# The Python-packaged tools, in a virtualenv reused while tests/ops/requirements.txt is
# unchanged.
ops_venv() {
    local venv=${LLMCHAT_OPS_VENV:-$OPS_TARGET/ops-venv} req=tests/ops/requirements.txt
    if [[ ! -x $venv/bin/python ]] || ! cmp -s "$req" "$venv/requirements.txt"; then
        echo "tests/ops: preparing $venv" >&2
        rm -rf "$venv"
        python3 -m venv "$venv" >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
        cp "$req" "$venv/requirements.txt"
    fi
    echo "$venv"
}
